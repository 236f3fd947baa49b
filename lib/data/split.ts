/** Train/validation/test split by document, stratified by genre, fixed by a seed. */

import { ConfigError, ToolkitError, mustBe, numberInRange } from "../util/errors";
import { Random } from "../util/random";
import { SPLIT_NAMES, type SplitName } from "./types";

/** Fraction of the documents that goes to each split; each in (0, 1), summing to 1. */
export type SplitFractions = Record<SplitName, number>;

export const DEFAULT_SPLIT_FRACTIONS: Readonly<SplitFractions> = Object.freeze({
  train: 0.8,
  validation: 0.1,
  test: 0.1,
});

/**
 * Checks that `value` contains the three split fractions, each in (0, 1), summing to 1 within 1e-9.
 * @throws ConfigError naming the field (`where.fractions.train`, …) and the rule.
 */
export function validateSplitFractions(where: string, value: unknown): SplitFractions {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(mustBe(where, "fractions", "an object { train, validation, test }", value, "For example { train: 0.8, validation: 0.1, test: 0.1 }"));
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(SPLIT_NAMES as readonly string[]).includes(key)) {
      throw new ConfigError(`${where}: fractions has unknown field ${JSON.stringify(key)}. Use only ${SPLIT_NAMES.join(", ")}`);
    }
  }
  const fractions = {} as SplitFractions;
  for (const name of SPLIT_NAMES) {
    fractions[name] = numberInRange(where, `fractions.${name}`, record[name], 0, 1, true);
    if (fractions[name] === 1) {
      throw new ConfigError(mustBe(where, `fractions.${name}`, "below 1 so that every split gets documents", 1));
    }
  }
  const sum = SPLIT_NAMES.reduce((total, name) => total + fractions[name], 0);
  if (Math.abs(sum - 1) > 1e-9) {
    throw new ConfigError(mustBe(where, "fractions.train + fractions.validation + fractions.test", "1", Number(sum.toPrecision(12)), "Adjust them so that they add up to 1"));
  }
  return fractions;
}

/**
 * Splits documents into train, validation and test, each document into exactly one split.
 *
 * Documents are grouped by genre (one group when `stratify` is false). Each group is sorted by id,
 * shuffled with a generator forked from `seed` and the genre, and cut into three parts. Part sizes
 * are the fractions times the group size, rounded by largest remainder, and then every split gets
 * at least one document of the group when the group has at least three. A genre with fewer than three
 * documents cannot appear in all three splits. If a whole split is still empty, one document moves to
 * it from the largest split. Each split keeps the input order of its documents.
 *
 * Which split a document goes to depends only on the set of documents (by id and genre), the
 * fractions and the seed, not on the input order.
 * @throws ToolkitError if there are fewer than three documents or two documents share an id.
 */
export function splitDocuments<T extends { id: string; genre: string }>(
  documents: readonly T[],
  seed: number,
  fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
  stratify = true,
): Record<SplitName, T[]> {
  if (documents.length < SPLIT_NAMES.length) {
    throw new ToolkitError(
      `splitDocuments: need at least ${SPLIT_NAMES.length} documents so that train, validation and test ` +
        `each get one, got ${documents.length}. Add documents or raise maxDocuments`,
    );
  }
  const position = new Map<string, number>();
  documents.forEach((document, index) => {
    if (position.has(document.id)) {
      throw new ToolkitError(`splitDocuments: document id ${JSON.stringify(document.id)} appears twice. Make ids unique`);
    }
    position.set(document.id, index);
  });

  const groups = new Map<string, T[]>();
  for (const document of documents) {
    const key = stratify ? document.genre : "";
    const group = groups.get(key) ?? [];
    group.push(document);
    groups.set(key, group);
  }

  const random = new Random(seed);
  const assigned: Record<SplitName, T[]> = { train: [], validation: [], test: [] };
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!.slice().sort((a, b) => compareIds(a.id, b.id));
    const shuffled = random.fork(`split:${key}`).shuffle(group);
    const sizes = partSizes(shuffled.length, fractions);
    let start = 0;
    for (const name of SPLIT_NAMES) {
      assigned[name].push(...shuffled.slice(start, start + sizes[name]));
      start += sizes[name];
    }
  }

  fillEmptySplits(assigned);
  for (const name of SPLIT_NAMES) {
    assigned[name].sort((a, b) => position.get(a.id)! - position.get(b.id)!);
  }
  return assigned;
}

/** Sizes of the three parts of a group of `count`: largest remainder, then at least one each if count ≥ 3. */
function partSizes(count: number, fractions: SplitFractions): Record<SplitName, number> {
  const sizes = {} as Record<SplitName, number>;
  let left = count;
  for (const name of SPLIT_NAMES) {
    sizes[name] = Math.floor(fractions[name] * count);
    left -= sizes[name];
  }
  // Ties in the remainder go to the split listed first (train, validation, test).
  const byRemainder = SPLIT_NAMES.slice().sort((a, b) => {
    const difference = fractions[b] * count - sizes[b] - (fractions[a] * count - sizes[a]);
    return difference !== 0 ? difference : SPLIT_NAMES.indexOf(a) - SPLIT_NAMES.indexOf(b);
  });
  for (let i = 0; i < left; i++) sizes[byRemainder[i]] += 1;

  if (count >= SPLIT_NAMES.length) {
    for (const name of SPLIT_NAMES) {
      if (sizes[name] > 0) continue;
      const largest = largestSplit(sizes);
      sizes[largest] -= 1;
      sizes[name] += 1;
    }
  }
  return sizes;
}

/** Moves one document into each empty split from the split that has the most at that moment. */
function fillEmptySplits<T>(assigned: Record<SplitName, T[]>): void {
  for (const name of SPLIT_NAMES) {
    if (assigned[name].length > 0) continue;
    const counts = {} as Record<SplitName, number>;
    for (const other of SPLIT_NAMES) counts[other] = assigned[other].length;
    assigned[name].push(assigned[largestSplit(counts)].pop()!);
  }
}

function largestSplit(sizes: Record<SplitName, number>): SplitName {
  let best: SplitName = SPLIT_NAMES[0];
  for (const name of SPLIT_NAMES) if (sizes[name] > sizes[best]) best = name;
  return best;
}

/** Orders ids by UTF-16 code units, the same on every machine (unlike `localeCompare`). */
export function compareIds(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
