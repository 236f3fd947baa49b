/**
 * LongBench v1 sample metrics (THUDM/LongBench `metrics.py`), ported behaviour for behaviour.
 * Each takes one prediction and one reference answer and returns a score in [0, 1]; the caller takes
 * the max over a sample's answers. Regexes use `\p{Nd}` where Python writes `\d`, because Python's
 * `\d` on `str` matches every Unicode decimal digit, not only 0–9.
 */

import { ToolkitError, assert, show } from "../util/errors";
import { normalizeAnswer, splitPythonWhitespace, stripLeadingNewlines } from "./normalize";
import { RougeInputError, rougeL } from "./rouge";
import { fuzzRatio } from "./sequenceMatcher";

/** Per-sample inputs beyond the prediction and the answer. */
export interface MetricContext {
  /** The sample's class list (trec, lsht), or null for datasets without classes. */
  allClasses: readonly string[] | null;
}

/** A LongBench sample metric: score of `prediction` against one reference answer. */
export type MetricFn = (prediction: string, groundTruth: string, context: MetricContext) => number;

/**
 * Token F1 over multisets, like LongBench's `f1_score`: c = size of the multiset intersection;
 * 0 when c = 0 (empty inputs included), else 2PR/(P+R) with P = c/|prediction| and R = c/|truth|.
 */
export function tokenF1(predictionTokens: readonly string[], truthTokens: readonly string[]): number {
  const truthCounts = new Map<string, number>();
  for (const token of truthTokens) truthCounts.set(token, (truthCounts.get(token) ?? 0) + 1);

  let common = 0;
  for (const token of predictionTokens) {
    const left = truthCounts.get(token) ?? 0;
    if (left > 0) {
      common++;
      truthCounts.set(token, left - 1);
    }
  }
  if (common === 0) return 0;

  const precision = (1.0 * common) / predictionTokens.length;
  const recall = (1.0 * common) / truthTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/** `qa_f1_score`: token F1 after {@link normalizeAnswer} on both sides. */
export function qaF1(prediction: string, groundTruth: string): number {
  const predictionTokens = splitPythonWhitespace(normalizeAnswer(prediction));
  const truthTokens = splitPythonWhitespace(normalizeAnswer(groundTruth));
  return tokenF1(predictionTokens, truthTokens);
}

/**
 * `rouge_score`: the ROUGE-L F of the Python `rouge` 1.0.1 package (see rouge.ts), with every
 * input the package raises on (no sentence, too deep a recursion) scored 0.
 */
export function rougeScore(prediction: string, groundTruth: string): number {
  try {
    return rougeL(prediction, groundTruth).f;
  } catch (error) {
    if (error instanceof RougeInputError) return 0.0;
    throw error;
  }
}

/**
 * `classification_score`:
 * 1. collect, in class-list order, the classes that occur as case-sensitive substrings of the prediction;
 * 2. remove each one that is a substring of the ground truth but not equal to it;
 * 3. score 1/len(list) if the ground truth is in the list, else 0.
 *
 * Step 2 is a Python `for` loop that calls `list.remove` on the list it walks. The loop keeps an
 * index, so the element that slides into a removed one's place is never visited and stays in the
 * list. `remove` deletes the first equal element, which matters only for duplicate classes.
 * (The repository-root copy of `metrics.py` adds a difflib fallback behind `em_match_list != 0`,
 * which is always true for a list, so the fallback never runs and is not ported.)
 * @throws ToolkitError when the sample has no class list, where Python raises TypeError.
 */
export function classificationScore(prediction: string, groundTruth: string, allClasses: readonly string[] | null): number {
  assert(
    allClasses !== null,
    () => `classificationScore: allClasses must be a list of class names, got null. Give the dataset's all_classes (trec, lsht)`,
  );
  const matches = allClasses.filter((className) => prediction.includes(className));

  let index = 0;
  while (index < matches.length) {
    const term = matches[index];
    index++;
    if (groundTruth.includes(term) && term !== groundTruth) {
      matches.splice(matches.indexOf(term), 1);
    }
  }

  return matches.includes(groundTruth) ? 1.0 / matches.length : 0.0;
}

const DIGIT_RUN = /\p{Nd}+/gu;

/** Fraction of the digit runs in `prediction` that equal `target` as strings; 0 when there are none. */
function digitRunShare(prediction: string, target: string): number {
  const numbers = prediction.match(DIGIT_RUN) ?? [];
  if (numbers.length === 0) return 0.0;
  const right = numbers.filter((number) => number === target).length;
  return right / numbers.length;
}

/**
 * `count_score`: the share of the digit runs in the prediction that equal the ground truth as
 * strings (`"012"` does not equal `"12"`); 0 when the prediction has no digits.
 */
export function countScore(prediction: string, groundTruth: string): number {
  return digitRunShare(prediction, groundTruth);
}

/**
 * Shared body of `retrieval_score` and `retrieval_zh_score`: the id is the first match of `pattern`
 * in the answer, then scored like {@link countScore}.
 */
function retrievalWith(pattern: RegExp, label: string, prediction: string, groundTruth: string): number {
  const match = pattern.exec(groundTruth);
  if (match === null) {
    throw new ToolkitError(
      `${label}: answer must contain ${show(pattern.source.replace("(\\p{Nd}+)", "N"))} with N a number, got ` +
        `${show(groundTruth)}. LongBench's metric fails here too (IndexError); give the gold paragraph's label as the answer`,
    );
  }
  return digitRunShare(prediction, match[1]);
}

/**
 * `retrieval_score`: the gold id is the number in the first `Paragraph N` of the answer. The score
 * is the share of the prediction's digit runs equal to it.
 * @throws ToolkitError when the answer has no `Paragraph N`, where Python raises IndexError.
 */
export function retrievalScore(prediction: string, groundTruth: string): number {
  return retrievalWith(/Paragraph (\p{Nd}+)/u, "retrievalScore", prediction, groundTruth);
}

/**
 * `retrieval_zh_score`: as {@link retrievalScore} with the Chinese label `段落N`.
 * @throws ToolkitError when the answer has no `段落N`.
 */
export function retrievalZhScore(prediction: string, groundTruth: string): number {
  return retrievalWith(/段落(\p{Nd}+)/u, "retrievalZhScore", prediction, groundTruth);
}

/**
 * Picks the line `code_sim_score` compares: after leading `\n`s are stripped, the first line that
 * contains none of `` ` ``, `#` and `//`, so a fence or a comment line is skipped. Returns "" when
 * every line has one of them.
 */
export function codeLine(prediction: string): string {
  const lines = stripLeadingNewlines(prediction).split("\n");
  return lines.find((line) => !line.includes("`") && !line.includes("#") && !line.includes("//")) ?? "";
}

/**
 * `code_sim_score`: fuzzywuzzy `fuzz.ratio(line, groundTruth) / 100` on the line {@link codeLine}
 * picks. Whitespace counts, so indentation changes the score.
 */
export function codeSimScore(prediction: string, groundTruth: string): number {
  return fuzzRatio(codeLine(prediction), groundTruth) / 100;
}
