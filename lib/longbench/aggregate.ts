/**
 * Aggregation of per-sample scores as LongBench's `eval.py` does it: the overall score of plain
 * LongBench and the length buckets of LongBench-E, plus a general bucketer with caller-given edges.
 */

import { ConfigError, ToolkitError, assert, mustBe } from "../util/errors";
import { numpyRound, pythonRound } from "./rounding";

/** One scored sample and the length it is bucketed by. */
export interface LengthScore {
  length: number;
  score: number;
}

/**
 * Length buckets: `edges` ascending, `labels` one longer. A length goes to the first bucket whose
 * edge it is below (`upperBound: "exclusive"`, LongBench's `length < 4000`) or at most
 * (`"inclusive"`, for ranges such as "≤ 1× the training length"). A length past the last edge goes
 * to the last bucket.
 */
export interface BucketSpec {
  edges: readonly number[];
  labels: readonly string[];
  upperBound: "exclusive" | "inclusive";
}

/** One bucket's aggregate. */
export interface BucketScore {
  label: string;
  count: number;
  /** Mean score, or null when no sample fell in the bucket. */
  mean: number | null;
  /** `round(100 × mean, 2)` with numpy's rounding, as `eval.py --e` reports it; null when empty. */
  score: number | null;
}

/** LongBench-E's buckets by the record's `length` field: below 4000, below 8000, the rest. */
export const LONGBENCH_E_BUCKETS: BucketSpec = {
  edges: [4000, 8000],
  labels: ["0-4k", "4-8k", "8k+"],
  upperBound: "exclusive",
};

/** LongBench-E bucket label. */
export type LongBenchEBucket = "0-4k" | "4-8k" | "8k+";

/** LongBench-E scores of one dataset: each bucket's `round(100 × mean, 2)`, null for an empty bucket. */
export type LongBenchEScores = Record<LongBenchEBucket, number | null>;

/**
 * Checks and returns a bucket spec.
 * @throws ConfigError when edges are not finite and strictly ascending, or labels are not one more
 *   than the edges, or a label is repeated or empty.
 */
export function makeBucketSpec(
  edges: readonly number[],
  labels: readonly string[],
  upperBound: BucketSpec["upperBound"] = "exclusive",
): BucketSpec {
  edges.forEach((edge, i) => {
    assert(Number.isFinite(edge), () => mustBe("makeBucketSpec", `edges[${i}]`, "a finite number", edge), ConfigError);
    if (i > 0) {
      assert(
        edge > edges[i - 1],
        () => mustBe("makeBucketSpec", `edges[${i}]`, `greater than edges[${i - 1}] = ${edges[i - 1]}`, edge, "Sort the edges ascending and drop repeats"),
        ConfigError,
      );
    }
  });
  assert(
    labels.length === edges.length + 1,
    () => mustBe("makeBucketSpec", "labels", `${edges.length + 1} labels (one more than the ${edges.length} edges)`, labels),
    ConfigError,
  );
  labels.forEach((label, i) => {
    assert(label !== "", () => mustBe("makeBucketSpec", `labels[${i}]`, "a non-empty string", label), ConfigError);
    assert(labels.indexOf(label) === i, () => mustBe("makeBucketSpec", `labels[${i}]`, "unique", label), ConfigError);
  });
  return { edges: [...edges], labels: [...labels], upperBound };
}

/** Returns the index of the bucket that `length` falls in. */
export function bucketIndex(length: number, spec: BucketSpec): number {
  for (let i = 0; i < spec.edges.length; i++) {
    const inside = spec.upperBound === "exclusive" ? length < spec.edges[i] : length <= spec.edges[i];
    if (inside) return i;
  }
  return spec.edges.length;
}

/**
 * Sums like numpy's `np.add.reduce` on a contiguous float64 array (pairwise summation).
 * - Below 8 values: a plain loop.
 * - Up to 128 values: eight interleaved partial sums, combined as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)),
 *   then the remainder added in order.
 * - Above 128: the two halves summed recursively, the first half rounded down to a multiple of 8.
 * The result can differ from a left-to-right sum in the last bit, which can move a `round(…, 2)`
 * at a .xx5 boundary.
 */
export function pairwiseSum(values: readonly number[], start = 0, count = values.length - start): number {
  if (count < 8) {
    let sum = 0;
    for (let i = start; i < start + count; i++) sum += values[i];
    return sum;
  }
  if (count <= 128) {
    const partial = values.slice(start, start + 8);
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let lane = 0; lane < 8; lane++) partial[lane] += values[start + i + lane];
    }
    const firstFour = (partial[0] + partial[1]) + (partial[2] + partial[3]);
    const lastFour = (partial[4] + partial[5]) + (partial[6] + partial[7]);
    let sum = firstFour + lastFour;
    for (; i < count; i++) sum += values[start + i];
    return sum;
  }
  let firstHalf = Math.floor(count / 2);
  firstHalf -= firstHalf % 8;
  return pairwiseSum(values, start, firstHalf) + pairwiseSum(values, start + firstHalf, count - firstHalf);
}

/** numpy's `np.mean` of a list of floats, or null for an empty list (where numpy returns NaN). */
export function numpyMean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return pairwiseSum(values) / values.length;
}

/**
 * Groups samples by length and reports each bucket's count, mean and `round(100 × mean, 2)`.
 * Means use numpy's summation and the score numpy's rounding, as `eval.py --e` does, so the
 * LongBench-E buckets match the Python output exactly. An empty bucket gets null, not 0.
 */
export function bucketScores(samples: readonly LengthScore[], spec: BucketSpec): BucketScore[] {
  const grouped: number[][] = spec.labels.map(() => []);
  samples.forEach((sample, i) => {
    assert(Number.isFinite(sample.length), () => mustBe("bucketScores", `samples[${i}].length`, "a finite number", sample.length));
    grouped[bucketIndex(sample.length, spec)].push(sample.score);
  });
  return spec.labels.map((label, i) => {
    const mean = numpyMean(grouped[i]);
    return { label, count: grouped[i].length, mean, score: mean === null ? null : numpyRound(100 * mean, 2) };
  });
}

/** Returns `eval.py --e`'s scores for one dataset, keyed by bucket label. */
export function longBenchEScores(samples: readonly LengthScore[]): LongBenchEScores {
  const buckets = bucketScores(samples, LONGBENCH_E_BUCKETS);
  return { "0-4k": buckets[0].score, "4-8k": buckets[1].score, "8k+": buckets[2].score };
}

/**
 * Returns `eval.py`'s score without `--e`: `round(100 * total / n, 2)`, where the total is summed
 * left to right from 0.0 and `round` is Python's own (correctly rounded, ties to even).
 * @throws ToolkitError for an empty list, where Python divides by zero.
 */
export function overallScore(scores: readonly number[]): number {
  if (scores.length === 0) {
    throw new ToolkitError("overallScore: scores must be non-empty, got []. A dataset file with no predictions has no score");
  }
  let total = 0.0;
  for (const score of scores) total += score;
  return pythonRound((100 * total) / scores.length, 2);
}
