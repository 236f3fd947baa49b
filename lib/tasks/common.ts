/** Pieces shared by the task generators: filler budgets and record-independent helpers. */

import { byteLength } from "./filler";

/** Minimum filler bytes a prompt keeps around its inserted pieces, so the evidence is never the whole context. */
export const MIN_FILLER_BYTES = 16;

/** Bytes the prompt adds around `context` and `input`: the newline between them. */
export const TEMPLATE_OVERHEAD = 1;

/**
 * Returns the filler bytes left for a prompt of `promptLength` bytes with this `input` and these inserted
 * pieces, each followed by one space.
 */
export function fillerBudget(promptLength: number, input: string, pieces: readonly string[]): number {
  const inserted = pieces.reduce((total, piece) => total + byteLength(piece) + 1, 0);
  return promptLength - TEMPLATE_OVERHEAD - byteLength(input) - inserted;
}

/** Returns the position of `offset` in a text of `length` characters as a fraction in [0, 1]. */
export function relativeDepth(offset: number, length: number): number {
  return length <= 1 ? 0 : Math.min(1, offset / (length - 1));
}
