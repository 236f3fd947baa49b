/**
 * ROUGE-L as the Python package `rouge` 1.0.1 (pltrdy/rouge) computes it with its defaults, which
 * is what LongBench's `rouge_score` calls: `Rouge().get_scores([pred], [ref], avg=True)["rouge-l"]["f"]`.
 *
 * It is not the ROUGE-L of the original Perl script or of Google's `rouge-score`:
 * - sentences are the pieces between `.` characters, and words the pieces between single spaces
 *   after each sentence's whitespace is collapsed. There is no lowercasing, stemming or other
 *   punctuation handling.
 * - words are counted as sets (`exclusive=True`): m and n are the numbers of distinct words in
 *   the reference and the hypothesis.
 * - L is the number of distinct words in the union, over every (reference sentence, hypothesis
 *   sentence) pair, of the words of one LCS of the pair. Which LCS is chosen follows the package's
 *   backtracking order.
 * - R = L/m, P = L/n and F = 2PR / (P + R + 1e-8).
 */

import { ToolkitError } from "../util/errors";
import { splitPythonWhitespace } from "./normalize";

/**
 * An input on which the Python `rouge` package raises. LongBench's `rouge_score` catches every
 * exception and scores the sample 0.
 */
export class RougeInputError extends ToolkitError {
  override name = "RougeInputError";
}

/** ROUGE-L precision, recall and F for one hypothesis/reference pair. */
export interface RougeLScore {
  f: number;
  p: number;
  r: number;
}

/** CPython's default `sys.getrecursionlimit()`. */
export const PYTHON_RECURSION_LIMIT = 1000;

/**
 * Python frames on the stack when LongBench's `eval.py` enters the package's recursive LCS
 * backtracking (`_recon`): `<module>`, `scorer_e`, `rouge_score`, `Rouge.get_scores`,
 * `Rouge._get_avg_scores`, the `rouge-l` lambda, `rouge_l_summary_level`, `_union_lcs` and
 * `_recon_lcs`.
 */
export const RECON_CALLER_FRAMES = 9;

/**
 * The most `_recon` calls one LCS backtrack can make before CPython raises RecursionError, which
 * LongBench turns into a score of 0. Measured on CPython 3.11.7 with 9 frames above the recursion:
 * 991 calls pass and 992 raise.
 * NOTE: another interpreter version, or `eval.py` started through another launcher (`python -m`,
 * a notebook), moves this limit by a few calls.
 */
export const DEFAULT_MAX_RECON_CALLS = PYTHON_RECURSION_LIMIT - RECON_CALLER_FRAMES;

/** Options for {@link rougeL}. */
export interface RougeOptions {
  /**
   * Backtracking calls allowed per sentence pair before the Python package would overflow its
   * stack; past it the pair raises RougeInputError. `Infinity` computes ROUGE-L without the limit.
   */
  maxReconCalls?: number;
}

/**
 * Splits a text into sentences as `Rouge.get_scores` does:
 * `[" ".join(s.split()) for s in text.split(".") if len(s) > 0]`. The length test runs before the
 * whitespace is collapsed, so a piece of only spaces (as in `"A cat. "`) stays as the empty sentence.
 */
export function splitRougeSentences(text: string): string[] {
  return text
    .split(".")
    .filter((piece) => piece.length > 0)
    .map((piece) => splitPythonWhitespace(piece).join(" "));
}

/**
 * Splits sentences into words on single spaces and flattens them, like the package's
 * `_split_into_words`. The empty sentence gives one empty word.
 */
export function splitRougeWords(sentences: readonly string[]): string[] {
  return sentences.flatMap((sentence) => sentence.split(" "));
}

/**
 * Returns the words of the LCS of `reference` and `hypothesis` that the package's `_recon_lcs`
 * picks: it walks back from the end, takes a match when the last words are equal, and otherwise
 * moves up (dropping a reference word) only when that keeps a strictly longer LCS, else left.
 * @throws RougeInputError when the Python recursion would exceed `maxReconCalls` calls.
 */
export function lcsWords(reference: readonly string[], hypothesis: readonly string[], maxReconCalls: number): string[] {
  const rows = reference.length;
  const columns = hypothesis.length;

  // Every step lowers i or j (or both) by one and the walk stops at i = 0 or j = 0, so it makes at
  // least min(rows, columns) steps plus the final call. Check that bound before filling the table.
  if (Math.min(rows, columns) + 1 > maxReconCalls) throw recursionError(rows, columns, maxReconCalls);

  // table[i * width + j] = LCS length of reference[0..i) and hypothesis[0..j).
  const width = columns + 1;
  const table = new Int32Array((rows + 1) * width);
  for (let i = 1; i <= rows; i++) {
    for (let j = 1; j <= columns; j++) {
      table[i * width + j] =
        reference[i - 1] === hypothesis[j - 1]
          ? table[(i - 1) * width + (j - 1)] + 1
          : Math.max(table[(i - 1) * width + j], table[i * width + (j - 1)]);
    }
  }

  const words: string[] = [];
  let i = rows;
  let j = columns;
  let calls = 1;
  while (i > 0 && j > 0) {
    if (reference[i - 1] === hypothesis[j - 1]) {
      words.push(reference[i - 1]);
      i--;
      j--;
    } else if (table[(i - 1) * width + j] > table[i * width + (j - 1)]) {
      i--;
    } else {
      j--;
    }
    calls++;
  }
  if (calls > maxReconCalls) throw recursionError(rows, columns, maxReconCalls);
  return words.reverse();
}

function recursionError(rows: number, columns: number, maxReconCalls: number): RougeInputError {
  return new RougeInputError(
    `rougeL: backtracking the LCS of a ${rows}-word reference sentence and a ${columns}-word hypothesis ` +
      `sentence needs more than ${maxReconCalls} recursive calls, where the Python rouge package raises ` +
      `RecursionError. LongBench scores such a sample 0; pass maxReconCalls: Infinity to compute it anyway`,
  );
}

/**
 * Computes summary-level ROUGE-L of `hypothesis` against `reference` as `rouge` 1.0.1 does.
 * @throws RougeInputError where the package raises: no sentence in the hypothesis or the reference
 *   (an empty string, or one made only of `.`), or an LCS backtrack deeper than Python's stack.
 */
export function rougeL(hypothesis: string, reference: string, options: RougeOptions = {}): RougeLScore {
  const maxReconCalls = options.maxReconCalls ?? DEFAULT_MAX_RECON_CALLS;
  const hypothesisSentences = splitRougeSentences(hypothesis);
  const referenceSentences = splitRougeSentences(reference);
  if (hypothesisSentences.length === 0) {
    throw new RougeInputError(`rougeL: hypothesis ${JSON.stringify(hypothesis)} has no sentence. The Python package raises "Hypothesis is empty."`);
  }
  if (referenceSentences.length === 0) {
    throw new RougeInputError(`rougeL: reference ${JSON.stringify(reference)} has no sentence. The Python package raises "Reference is empty."`);
  }

  const referenceWordCount = new Set(splitRougeWords(referenceSentences)).size; // m
  const hypothesisWordCount = new Set(splitRougeWords(hypothesisSentences)).size; // n

  const hypothesisWords = hypothesisSentences.map((sentence) => sentence.split(" "));
  const union = new Set<string>();
  for (const referenceSentence of referenceSentences) {
    const referenceWords = referenceSentence.split(" ");
    for (const words of hypothesisWords) {
      for (const word of lcsWords(referenceWords, words, maxReconCalls)) union.add(word);
    }
  }

  // The package sums each reference sentence's growth of the union, which adds up to its final size.
  const overlap = union.size;
  const r = overlap / referenceWordCount;
  const p = overlap / hypothesisWordCount;
  const f = 2.0 * ((p * r) / (p + r + 1e-8));
  return { f, p, r };
}
