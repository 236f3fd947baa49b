/** Pearson and Spearman correlation, with average ranks for ties. */

import { ToolkitError, assert, mustBe } from "../util/errors";
import { checkSample } from "./describe";

/** Both coefficients for one pair of variables. */
export interface Correlation {
  /** Number of (x, y) pairs. */
  n: number;
  pearson: number;
  spearman: number;
}

function checkPairs(where: string, x: readonly number[], y: readonly number[]): void {
  checkSample(where, "x", x);
  checkSample(where, "y", y);
  assert(x.length === y.length, () => mustBe(where, "y.length", `equal to x.length (${x.length})`, y.length), ToolkitError);
}

/**
 * Pearson's product-moment correlation of paired samples. Returns NaN when fewer than two pairs
 * are given or either sample is constant, because the coefficient is undefined there.
 */
export function pearson(x: readonly number[], y: readonly number[]): number {
  checkPairs("pearson", x, y);
  const n = x.length;
  if (n < 2) return NaN;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i];
    meanY += y[i];
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - meanX;
    const dy = y[i] - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  // Clamp rounding error so a perfect line gives exactly ±1 at most.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Ranks values from 1 to n in ascending order. Tied values share the mean of the ranks they span
 * (ranks [1, 2.5, 2.5, 4] for [1, 5, 5, 9]), as `scipy.stats.rankdata(method="average")` does.
 */
export function averageRanks(values: readonly number[]): number[] {
  checkSample("averageRanks", "values", values);
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    // Positions start..end (0-based) hold ranks start + 1 .. end + 1; their mean is shared.
    const shared = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]] = shared;
    start = end + 1;
  }
  return ranks;
}

/** Spearman's rank correlation: Pearson's coefficient of the average ranks, which handles ties. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  checkPairs("spearman", x, y);
  return pearson(averageRanks(x), averageRanks(y));
}

/** Pearson and Spearman coefficients of the same pairs, with their count. */
export function correlation(x: readonly number[], y: readonly number[]): Correlation {
  checkPairs("correlation", x, y);
  return { n: x.length, pearson: pearson(x, y), spearman: spearman(x, y) };
}
