import { describe, expect, it } from "vitest";
import type { RunResult } from "../../lib/synthetic/experiment";
import type { LengthScore } from "../../lib/synthetic/evaluate";
import { conclusions, formatMseTable, mseTable, summarize } from "../../lib/synthetic/summary";
import type { PositionEncoding } from "../../lib/model/config";
import type { SyntheticTask, TargetTransformName } from "../../lib/synthetic/tasks";

/** Builds a stored result with only the fields that the summary reads. */
function fakeResult(task: SyntheticTask, transform: TargetTransformName, position: PositionEncoding, seed: number, scores: [number, number | null, number | null][]): RunResult {
  const lengthScores: LengthScore[] = scores.map(([length, mse, prediction]) => ({
    length,
    applicable: mse !== null,
    mse,
    transformedMse: mse,
    meanPrediction: prediction,
  }));
  return { config: { task, transform, position, seed }, seed, scores: lengthScores } as unknown as RunResult;
}

// Mean task, nope, 2 seeds: MSE at length 50 is 1e-4 and 3e-4 → mean 2e-4, std 1e-4.
// Learned cannot run at 50. Length task: nope predicts 10 at length 50 → MSE 1600.
const results = [
  fakeResult("mean", "identity", "nope", 0, [[10, 1e-4, 0.5], [50, 1e-4, 0.5]]),
  fakeResult("mean", "identity", "nope", 1, [[10, 3e-4, 0.5], [50, 3e-4, 0.5]]),
  fakeResult("mean", "identity", "learned", 0, [[10, 2e-3, 0.5], [50, null, null]]),
  fakeResult("length", "identity", "nope", 0, [[10, 0.5, 9.5], [50, 1600, 10]]),
  fakeResult("length", "log", "nope", 0, [[10, 0.4, 9.6], [50, 800, 21.7]]),
];

describe("summarize", () => {
  const summary = summarize(results);

  it("averages over seeds", () => {
    const row = summary.find((r) => r.task === "mean" && r.position === "nope" && r.length === 50)!;
    expect(row.seeds).toBe(2);
    expect(row.meanMse).toBeCloseTo(2e-4, 15);
    expect(row.stdMse).toBeCloseTo(1e-4, 15);
    expect(row.minMse).toBe(1e-4);
    expect(row.maxMse).toBe(3e-4);
  });

  it("keeps not applicable as null", () => {
    const row = summary.find((r) => r.position === "learned" && r.length === 50)!;
    expect(row.applicable).toBe(false);
    expect(row.meanMse).toBeNull();
    expect(row.seeds).toBe(0);
  });

  it("names variants by transform", () => {
    expect([...new Set(summary.map((r) => r.variant))]).toEqual(["mean", "length x", "length log x"]);
  });
});

describe("mseTable", () => {
  const table = mseTable(summarize(results), [10, 50]);

  it("has a row per variant and encoding plus the floor", () => {
    expect(table.map((row) => `${row.variant}|${row.position}`)).toEqual([
      "mean|nope",
      "mean|learned",
      "length x|nope",
      "length log x|nope",
      "mean: always 1/2|-",
    ]);
  });

  it("floor row is 0.25 over length", () => {
    expect(table[4]["l=10"]).toBe(0.025);
    expect(table[4]["l=50"]).toBe(0.005);
  });

  it("formats null as n/a", () => {
    const text = formatMseTable(table);
    expect(text).toMatch(/mean\s+learned\s+2\.00e-3\s+n\/a/);
  });
});

describe("conclusions", () => {
  const lines = conclusions(summarize(results), { min: 1, max: 10 });

  it("compares mean task to the floor", () => {
    // Floor at 50 is 0.005; 0.005 / 2e-4 = 25.
    expect(lines).toContain("Mean task, nope: test MSE at length 50 is 2.00e-4, 25.0× below the 5.00e-3 of always predicting 1/2 (mean over 2 seeds).");
  });

  it("reports learned as not applicable", () => {
    expect(lines.some((line) => /^learned cannot run past length 10/.test(line))).toBe(true);
  });

  it("compares a transform to the raw target", () => {
    // 800 / 1600 = 0.50.
    expect(lines).toContain("Length target log x, MSE at length 50: lower than with the raw target for 1 of 1 position encodings: nope 8.00e+2 (0.50× the raw target's).");
  });

  it("no results gives one line", () => {
    expect(conclusions([], { min: 1, max: 10 })).toEqual(["No results to summarize."]);
  });
});

