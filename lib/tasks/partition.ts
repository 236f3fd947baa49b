/**
 * Disjoint key and number sets for training and evaluation. Every generated key and number belongs
 * to exactly one partition, fixed by a hash of its text, so a model trained on the task mix never
 * sees an evaluation pass key, kv value or key, whatever seeds either side uses.
 */

import { ToolkitError, intInRange } from "../util/errors";
import { hashString, type Random } from "../util/random";

/** `train` for the training mix, `eval` for suites. */
export type Partition = "train" | "eval";

/** Kind of a drawn value. Keys and numbers are hashed apart, so the string "1234" could in principle be in both. */
export type ValueKind = "key" | "number";

/**
 * Returns the partition of `value`: bit 0 of a 32-bit hash of `kind:value` (FNV-1a, then the
 * MurmurHash3 finalizer so that the low bit depends on every input bit). About half of all values
 * fall on each side.
 */
export function partitionOf(kind: ValueKind, value: string): Partition {
  let h = hashString(`${kind}:${value}`);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h & 1) === 0 ? "train" : "eval";
}

// Draws are rejection-sampled; a partition holds about half the values, so 1000 tries fail with
// probability about 2^-1000 unless `exclude` covers nearly the whole partition.
const MAX_DRAWS = 1000;

/**
 * Draws a number with exactly `digits` digits (no leading zero) from `partition`, not in `exclude`.
 * @throws ToolkitError when no such number is found in 1000 draws (`exclude` too large).
 */
export function drawNumber(rng: Random, digits: number, partition: Partition, exclude: ReadonlySet<string> = new Set()): string {
  intInRange("drawNumber", "digits", digits, 1, 9);
  const low = digits === 1 ? 1 : 10 ** (digits - 1);
  const high = 10 ** digits - 1;
  return drawValue("number", () => String(rng.int(low, high)), partition, exclude);
}

const CONSONANTS = "bdfgklmnprstvz";
const VOWELS = "aeiou";

/**
 * Draws a four-letter lowercase key of the form consonant-vowel-consonant-vowel (`rupo`,
 * `dazi`; 14·5·14·5 = 4900 keys in all) from `partition`, not in `exclude`.
 * @throws ToolkitError when no such key is found in 1000 draws.
 */
export function drawKey(rng: Random, partition: Partition, exclude: ReadonlySet<string> = new Set()): string {
  const letter = (alphabet: string) => alphabet[rng.int(0, alphabet.length - 1)];
  return drawValue("key", () => letter(CONSONANTS) + letter(VOWELS) + letter(CONSONANTS) + letter(VOWELS), partition, exclude);
}

function drawValue(kind: ValueKind, draw: () => string, partition: Partition, exclude: ReadonlySet<string>): string {
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    const value = draw();
    if (!exclude.has(value) && partitionOf(kind, value) === partition) return value;
  }
  throw new ToolkitError(
    `draw ${kind}: no ${kind} in the ${partition} partition outside the ${exclude.size} excluded ones after ${MAX_DRAWS} draws. ` +
      `Exclude fewer values or widen the ${kind} range`,
  );
}
