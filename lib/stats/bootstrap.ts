/**
 * Paired-difference bootstrap: a percentile confidence interval for the mean of `a[i] − b[i]`,
 * where each pair shares a seed (or any other pairing key).
 */

import { ToolkitError, assert, intInRange, mustBe, numberInRange } from "../util/errors";
import { Random } from "../util/random";
import { checkSample, mean } from "./describe";

/** Options of `pairedBootstrap`. */
export interface BootstrapOptions {
  /** Number of resamples (default 10 000). */
  resamples?: number;
  /** Coverage of the interval, in (0, 1) (default 0.95). */
  confidence?: number;
  /** Seed of the resampling generator (default 0); the same seed gives the same interval. */
  seed?: number;
}

/** The observed mean difference and its bootstrap interval. */
export interface PairedDifference {
  /** Number of pairs. */
  n: number;
  /** Observed mean of `a[i] − b[i]`. */
  meanDifference: number;
  /** Lower end of the percentile interval. */
  lower: number;
  /** Upper end of the percentile interval. */
  upper: number;
  confidence: number;
  resamples: number;
  /**
   * True when the interval lies entirely above or entirely below zero and there are at least two
   * pairs (one pair gives a zero-width interval that carries no information about the spread).
   */
  excludesZero: boolean;
}

/**
 * Computes the percentile-bootstrap interval of the mean paired difference `a[i] − b[i]`: resample
 * the n differences with replacement, take each resample's mean, and read the (1 − c)/2 and
 * (1 + c)/2 quantiles (linear interpolation between order statistics).
 *
 * NOTE: with few pairs (3 to 5 seeds) the percentile interval is too narrow: it covers less than
 * its nominal 95 %, and with n pairs there are only C(2n − 1, n) distinct resamples. Read it as a
 * rough guide, not a test at the stated level.
 * @throws ToolkitError when the arrays differ in length, are empty or hold non-finite values.
 */
export function pairedBootstrap(a: readonly number[], b: readonly number[], options: BootstrapOptions = {}): PairedDifference {
  checkSample("pairedBootstrap", "a", a);
  checkSample("pairedBootstrap", "b", b);
  assert(a.length === b.length, () => mustBe("pairedBootstrap", "b.length", `equal to a.length (${a.length}), one value per pair`, b.length), ToolkitError);
  const resamples = intInRange("pairedBootstrap", "resamples", options.resamples ?? 10_000, 1);
  const confidence = numberInRange("pairedBootstrap", "confidence", options.confidence ?? 0.95, 0, 0.999999, true);
  const seed = intInRange("pairedBootstrap", "seed", options.seed ?? 0, 0, 2 ** 31 - 1);

  const differences = a.map((value, i) => value - b[i]);
  const n = differences.length;
  const random = new Random(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += differences[random.int(0, n - 1)];
    means[r] = total / n;
  }
  means.sort();

  const lower = quantileSorted(means, (1 - confidence) / 2);
  const upper = quantileSorted(means, (1 + confidence) / 2);
  return {
    n,
    meanDifference: mean(differences),
    lower,
    upper,
    confidence,
    resamples,
    excludesZero: n >= 2 && (lower > 0 || upper < 0),
  };
}

/**
 * Returns the q-quantile of ascending `sorted`, interpolating linearly between order statistics
 * (position q · (n − 1), the default of NumPy's `quantile`).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  assert(sorted.length > 0, () => "quantileSorted: sorted must not be empty", ToolkitError);
  numberInRange("quantileSorted", "q", q, 0, 1);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}
