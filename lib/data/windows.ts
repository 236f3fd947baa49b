/**
 * Token windows for training and evaluation. Every window lies inside one document, so a window
 * never spans a document boundary and the tokenizer needs no separator token.
 */

import { ToolkitError, intInRange } from "../util/errors";
import type { Random } from "../util/random";

/** A document as windowing sees it: its tokens, and its id for error messages. */
export interface WindowSource {
  id?: string;
  tokens: Int32Array;
}

/**
 * Draws `batchSize` random windows of `length` consecutive tokens, uniformly over all window
 * positions of all documents with at least `length` tokens. A document with n tokens has
 * n − length + 1 positions, so it is chosen with probability proportional to that count. Draws are
 * independent (with replacement) and depend only on the documents and the state of `random`.
 *
 * For next-token training pass `length = lTrain + 1`: inputs are columns 0..lTrain−1 and targets
 * columns 1..lTrain.
 * @returns [B, length] int32 token ids, row-major (row b is `tokens[b * length .. (b + 1) * length)`).
 * @throws ConfigError if `length` or `batchSize` is not a positive integer; ToolkitError if no
 *   document has `length` tokens.
 */
export function sampleWindows(
  documents: readonly WindowSource[],
  length: number,
  batchSize: number,
  random: Random,
): Int32Array {
  intInRange("sampleWindows", "length", length, 1);
  intInRange("sampleWindows", "batchSize", batchSize, 1);

  // cumulative[k] = number of window positions in the first k + 1 eligible documents.
  const eligible: Int32Array[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const document of documents) {
    const positions = document.tokens.length - length + 1;
    if (positions <= 0) continue;
    eligible.push(document.tokens);
    total += positions;
    cumulative.push(total);
  }
  if (total === 0) throw noDocumentFits("sampleWindows", documents, length);

  // NOTE: Random.int draws from 2^32 equally spaced floats, so beyond 2^32 window positions (a
  // corpus of over 4 GB) some positions can never be drawn.
  const out = new Int32Array(batchSize * length);
  for (let b = 0; b < batchSize; b++) {
    const position = random.int(0, total - 1);
    const k = firstAbove(cumulative, position);
    const start = position - (k > 0 ? cumulative[k - 1] : 0);
    out.set(eligible[k].subarray(start, start + length), b * length);
  }
  return out;
}

/** Fixed windows for scoring models; see `evaluationWindows`. */
export interface EvaluationWindows {
  /**
   * [count, length + 1] int32 token ids, row-major: inputs are columns 0..length−1 and targets
   * columns 1..length, so the extra last column is the target of the last input.
   */
  tokens: Int32Array;
  /** Number of windows (rows). */
  count: number;
  /** Model input length T; each row has `length + 1` tokens. */
  length: number;
}

/**
 * Cuts documents into fixed evaluation windows of `length + 1` tokens, so that every model is scored
 * on exactly the same tokens. Each document is tiled from its first token with stride `length + 1`:
 * windows do not share tokens, and a tail shorter than `length + 1` is left out. Windows are listed
 * by document (in the given order), then by position.
 *
 * When `maxWindows` is below the number of windows N, it keeps windows at indices
 * floor((i + 0.5) · N / maxWindows) for i = 0 … maxWindows − 1 of that list, evenly spaced. This
 * spreads them across documents in proportion to their length and across positions inside each
 * document, instead of taking the first documents whole.
 * @throws ConfigError if `length` or `maxWindows` is not a positive integer; ToolkitError if no
 *   document has `length + 1` tokens.
 */
export function evaluationWindows(
  documents: readonly WindowSource[],
  length: number,
  maxWindows?: number,
): EvaluationWindows {
  intInRange("evaluationWindows", "length", length, 1);
  if (maxWindows !== undefined) intInRange("evaluationWindows", "maxWindows", maxWindows, 1);
  const width = length + 1;

  // cumulative[d] = number of windows in documents 0..d.
  const cumulative: number[] = [];
  let total = 0;
  for (const document of documents) {
    total += Math.floor(document.tokens.length / width);
    cumulative.push(total);
  }
  if (total === 0) throw noDocumentFits("evaluationWindows", documents, width, ` (length ${length} + 1 target)`);

  const count = maxWindows === undefined ? total : Math.min(maxWindows, total);
  const tokens = new Int32Array(count * width);
  for (let i = 0; i < count; i++) {
    const index = count === total ? i : Math.floor(((i + 0.5) * total) / count);
    const d = firstAbove(cumulative, index);
    const start = (index - (d > 0 ? cumulative[d - 1] : 0)) * width;
    tokens.set(documents[d].tokens.subarray(start, start + width), i * width);
  }
  return { tokens, count, length };
}

/** Index of the first entry of the non-decreasing `cumulative` that is greater than `value`. */
function firstAbove(cumulative: readonly number[], value: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle] > value) high = middle;
    else low = middle + 1;
  }
  return low;
}

function noDocumentFits(where: string, documents: readonly WindowSource[], width: number, widthNote = ""): ToolkitError {
  if (documents.length === 0) {
    return new ToolkitError(`${where}: got no documents, so no window of ${width} tokens fits. Pass a non-empty split`);
  }
  let longest = documents[0];
  for (const document of documents) if (document.tokens.length > longest.tokens.length) longest = document;
  const name = longest.id === undefined ? "" : ` (${JSON.stringify(longest.id)})`;
  return new ToolkitError(
    `${where}: no document has the ${width} tokens a window needs${widthNote}; the longest${name} has ` +
      `${longest.tokens.length}. Use a shorter window or documents of at least ${width} bytes`,
  );
}
