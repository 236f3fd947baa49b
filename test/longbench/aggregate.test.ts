import { describe, expect, it } from "vitest";

import {
  LONGBENCH_E_BUCKETS,
  bucketIndex,
  bucketScores,
  longBenchEScores,
  makeBucketSpec,
  numpyMean,
  overallScore,
  pairwiseSum,
  qaF1,
} from "../../lib/longbench";

describe("longBenchEScores", () => {
  it("buckets by length edges", () => {
    // qa_f1 scores 1, 0.4, 0, 1 at lengths 3999, 4000, 7999, 8000:
    // 0-4k = [1] → 100; 4-8k = [0.4, 0] → mean 0.2 → 20; 8k+ = [1] → 100.
    const samples = [
      { length: 3999, score: qaF1("The Eiffel Tower.", "Eiffel Tower") },
      { length: 4000, score: qaF1("It was Paris, France", "Paris") },
      { length: 7999, score: qaF1("London", "Paris") },
      { length: 8000, score: qaF1("Paris", "Paris") },
    ];
    expect(longBenchEScores(samples)).toEqual({ "0-4k": 100, "4-8k": 20, "8k+": 100 });
  });

  it("reports empty buckets as null", () => {
    expect(longBenchEScores([{ length: 10, score: 0.5 }])).toEqual({ "0-4k": 50, "4-8k": null, "8k+": null });
  });

  it("rounds like numpy at .xx5", () => {
    // 100 × mean(0.00025, 0.00025) = 0.025 (the double just above 0.025).
    // numpy 2.4.6: round(np.float64(0.025), 2) = rint(2.5)/100 = 0.02; Python's round gives 0.03.
    const samples = [
      { length: 1, score: 0.00025 },
      { length: 2, score: 0.00025 },
    ];
    expect(longBenchEScores(samples)["0-4k"]).toBe(0.02);
  });
});

describe("overallScore", () => {
  it("averages into percent", () => {
    // round(100 × 2.4 / 4, 2) = 60.
    expect(overallScore([1, 0.4, 0, 1])).toBe(60);
  });

  it("rounds like Python at .xx5", () => {
    // total 0.0005, 100 × 0.0005 / 2 = 0.025 → Python's round gives 0.03 (CPython 3.11.7).
    expect(overallScore([0.00025, 0.00025])).toBe(0.03);
  });

  it("rejects an empty list", () => {
    expect(() => overallScore([])).toThrow(/scores must be non-empty, got \[\]/);
  });
});

describe("pairwiseSum", () => {
  it("sums eight lanes like numpy", () => {
    // Nine 0.7s: lanes 0..7 hold 0.7, combined by exact doublings to 5.6, then + 0.7 = 6.3.
    // A left-to-right sum gives 6.300000000000001; numpy 2.4.6 gives 6.3.
    expect(pairwiseSum(Array(9).fill(0.7))).toBe(6.3);
  });

  it("matches numpy on ten tenths", () => {
    // Lanes give 0.8 exactly, then + 0.1 + 0.1 = 1.0; numpy 2.4.6 np.sum gives 1.0, a loop 0.9999999999999999.
    expect(pairwiseSum(Array(10).fill(0.1))).toBe(1.0);
  });

  it("splits long arrays in halves", () => {
    // numpy 2.4.6: np.sum([0.1] * 200) = 20.0 and np.sum([0.1] * 130) = 12.999999999999998.
    expect(pairwiseSum(Array(200).fill(0.1))).toBe(20.0);
    expect(pairwiseSum(Array(130).fill(0.1))).toBe(12.999999999999998);
  });

  it("sums short arrays in order", () => {
    expect(pairwiseSum([0.1, 0.2, 0.3])).toBe(0.1 + 0.2 + 0.3);
  });
});

describe("numpyMean", () => {
  it("returns null for no values", () => {
    expect(numpyMean([])).toBeNull();
  });
});

describe("makeBucketSpec", () => {
  const spec = makeBucketSpec([1024, 2048, 4096], ["≤1×", "1–2×", "2–4×", ">4×"], "inclusive");

  it("includes the upper edge", () => {
    expect(bucketIndex(1024, spec)).toBe(0);
    expect(bucketIndex(1025, spec)).toBe(1);
    expect(bucketIndex(2048, spec)).toBe(1);
    expect(bucketIndex(4096, spec)).toBe(2);
    expect(bucketIndex(4097, spec)).toBe(3);
  });

  it("excludes the upper edge for LongBench", () => {
    expect(bucketIndex(3999, LONGBENCH_E_BUCKETS)).toBe(0);
    expect(bucketIndex(4000, LONGBENCH_E_BUCKETS)).toBe(1);
    expect(bucketIndex(8000, LONGBENCH_E_BUCKETS)).toBe(2);
  });

  it("reports counts, means and scores", () => {
    // ≤1×: [1, 0] → mean 0.5 → 50; 1–2×: [0.25] → 25; 2–4× empty; >4×: [1] → 100.
    const samples = [
      { length: 10, score: 1 },
      { length: 1024, score: 0 },
      { length: 2000, score: 0.25 },
      { length: 9000, score: 1 },
    ];
    expect(bucketScores(samples, spec)).toEqual([
      { label: "≤1×", count: 2, mean: 0.5, score: 50 },
      { label: "1–2×", count: 1, mean: 0.25, score: 25 },
      { label: "2–4×", count: 0, mean: null, score: null },
      { label: ">4×", count: 1, mean: 1, score: 100 },
    ]);
  });

  it("rejects unsorted edges", () => {
    expect(() => makeBucketSpec([2, 1], ["a", "b", "c"])).toThrow(/edges\[1\] must be greater than edges\[0\] = 2, got 1/);
  });

  it("rejects a wrong label count", () => {
    expect(() => makeBucketSpec([1, 2], ["a", "b"])).toThrow(/labels must be 3 labels/);
  });

  it("rejects repeated labels", () => {
    expect(() => makeBucketSpec([1], ["a", "a"])).toThrow(/labels\[1\] must be unique, got "a"/);
  });

  it("rejects a non-finite length", () => {
    expect(() => bucketScores([{ length: Number.NaN, score: 1 }], spec)).toThrow(/samples\[0\]\.length must be a finite number, got NaN/);
  });
});
