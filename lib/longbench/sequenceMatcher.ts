/**
 * A port of Python's `difflib.SequenceMatcher` (CPython 3.11 `Lib/difflib.py`) for the case
 * LongBench uses through fuzzywuzzy's `fuzz.ratio`: no junk function, `autojunk=True`. Sequences
 * are arrays of elements compared with `===`. Strings are split into Unicode code points, as
 * Python's `str` indexes them, so an astral character counts once and not as two UTF-16 units.
 */

import { pythonRoundInt } from "./rounding";

/** A matching block: `a[a .. a+size)` equals `b[b .. b+size)`. */
export interface MatchingBlock {
  a: number;
  b: number;
  size: number;
}

/** Minimum length of `b` at which the autojunk heuristic drops popular elements. */
export const AUTOJUNK_MIN_LENGTH = 200;

/**
 * Longest-matching-block decomposition of `a` against `b`, as difflib computes it.
 *
 * Autojunk: when `b` has at least 200 elements, every element that occurs in `b` more than
 * `floor(len(b) / 100) + 1` times is "popular" and is left out of the index. A popular element
 * can then only join a match by extending one found through other elements, so two long strings
 * built from a few frequent characters can score far below their real similarity.
 */
export class SequenceMatcher<T extends string | number = string> {
  /** Positions of each non-popular element of `b`, ascending. */
  private readonly bIndex = new Map<T, number[]>();
  /** Elements of `b` dropped from the index by the autojunk heuristic. */
  readonly popular = new Set<T>();
  private blocks: MatchingBlock[] | undefined;

  constructor(
    readonly a: readonly T[],
    readonly b: readonly T[],
    readonly autojunk = true,
  ) {
    b.forEach((element, position) => {
      const positions = this.bIndex.get(element);
      if (positions) positions.push(position);
      else this.bIndex.set(element, [position]);
    });

    if (autojunk && b.length >= AUTOJUNK_MIN_LENGTH) {
      const maxCount = Math.floor(b.length / 100) + 1;
      for (const [element, positions] of this.bIndex) {
        if (positions.length > maxCount) this.popular.add(element);
      }
      for (const element of this.popular) this.bIndex.delete(element);
    }
  }

  /**
   * Finds the longest block with `a[i..i+k) == b[j..j+k)` inside `a[aLow..aHigh)` and
   * `b[bLow..bHigh)`. Among equally long blocks it returns the one that starts first in `a`, then
   * first in `b`. The block is then grown over neighbouring equal elements, popular ones included.
   * With no junk function the junk set is empty, so difflib's two junk-extension loops never run
   * and are left out.
   */
  findLongestMatch(aLow: number, aHigh: number, bLow: number, bHigh: number): MatchingBlock {
    const { a, b } = this;
    let bestI = aLow;
    let bestJ = bLow;
    let bestSize = 0;

    // runLength.get(j) = length of the match ending with a[i - 1] and b[j].
    let runLength = new Map<number, number>();
    for (let i = aLow; i < aHigh; i++) {
      const nextRunLength = new Map<number, number>();
      for (const j of this.bIndex.get(a[i]) ?? []) {
        if (j < bLow) continue;
        if (j >= bHigh) break;
        const k = (runLength.get(j - 1) ?? 0) + 1;
        nextRunLength.set(j, k);
        if (k > bestSize) {
          bestI = i - k + 1;
          bestJ = j - k + 1;
          bestSize = k;
        }
      }
      runLength = nextRunLength;
    }

    while (bestI > aLow && bestJ > bLow && a[bestI - 1] === b[bestJ - 1]) {
      bestI--;
      bestJ--;
      bestSize++;
    }
    while (bestI + bestSize < aHigh && bestJ + bestSize < bHigh && a[bestI + bestSize] === b[bestJ + bestSize]) {
      bestSize++;
    }
    return { a: bestI, b: bestJ, size: bestSize };
  }

  /**
   * Returns the matching blocks sorted by position, adjacent blocks merged, ending with the
   * sentinel `{a: len(a), b: len(b), size: 0}`, like `get_matching_blocks`.
   */
  matchingBlocks(): MatchingBlock[] {
    if (this.blocks) return this.blocks;
    const aLength = this.a.length;
    const bLength = this.b.length;

    // difflib keeps a stack of regions instead of recursing; the order does not change the result.
    const regions: Array<[number, number, number, number]> = [[0, aLength, 0, bLength]];
    const found: MatchingBlock[] = [];
    while (regions.length > 0) {
      const [aLow, aHigh, bLow, bHigh] = regions.pop()!;
      const match = this.findLongestMatch(aLow, aHigh, bLow, bHigh);
      if (match.size === 0) continue;
      found.push(match);
      if (aLow < match.a && bLow < match.b) regions.push([aLow, match.a, bLow, match.b]);
      const aEnd = match.a + match.size;
      const bEnd = match.b + match.size;
      if (aEnd < aHigh && bEnd < bHigh) regions.push([aEnd, aHigh, bEnd, bHigh]);
    }
    found.sort((x, y) => x.a - y.a || x.b - y.b || x.size - y.size);

    const merged: MatchingBlock[] = [];
    let current: MatchingBlock = { a: 0, b: 0, size: 0 };
    for (const block of found) {
      if (current.a + current.size === block.a && current.b + current.size === block.b) {
        current = { ...current, size: current.size + block.size };
      } else {
        if (current.size > 0) merged.push(current);
        current = block;
      }
    }
    if (current.size > 0) merged.push(current);
    merged.push({ a: aLength, b: bLength, size: 0 });

    this.blocks = merged;
    return merged;
  }

  /** Returns 2·M / T, where M is the number of matched elements and T = len(a) + len(b); 1 when both are empty. */
  ratio(): number {
    const matches = this.matchingBlocks().reduce((sum, block) => sum + block.size, 0);
    const total = this.a.length + this.b.length;
    return total > 0 ? (2.0 * matches) / total : 1.0;
  }
}

/** Splits a string into Unicode code points, the elements Python's `str` is made of. */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/**
 * Computes fuzzywuzzy 0.18 `fuzz.ratio(s1, s2)` on top of difflib, fuzzywuzzy's fallback when
 * python-Levenshtein is not installed (that package's matcher can give other values).
 * Returns 100 when the strings are equal (both empty included) and 0 when exactly one is empty.
 * Otherwise returns `int(round(100 * ratio))` with ties to even, so a ratio of exactly 0.125 gives 12.
 * @returns an integer in [0, 100].
 */
export function fuzzRatio(s1: string, s2: string): number {
  if (s1 === s2) return 100;
  if (s1.length === 0 || s2.length === 0) return 0;
  const matcher = new SequenceMatcher(codePoints(s1), codePoints(s2));
  return pythonRoundInt(100 * matcher.ratio());
}
