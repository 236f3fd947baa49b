import { describe, expect, it } from "vitest";
import { availableMetrics, correlationTable, costTable, experimentTable, formatExperimentTable, runMetrics } from "../../lib/experiments/analysis";
import { fakeResult, inAlpha } from "./fixtures";

// Experiment "alpha" with three seeds. Perplexity at 2× lTrain:
//   alpha-0   (baseline): seeds 0, 1, 2 → 20, 22, 24 (mean 22, std 2)
//   alpha-0.1:            seeds 0, 1, 2 → 18, 19, 20 (mean 19, std 1)
//   alpha-0.3:            seeds 0, 1    → 21, 25     (seed 2 did not finish)
// Paired differences alpha-0.1 − alpha-0 = [−2, −3, −4], mean −3.
const perplexities: Record<string, number[]> = { "alpha-0": [20, 22, 24], "alpha-0.1": [18, 19, 20], "alpha-0.3": [21, 25] };
const results = Object.entries(perplexities).flatMap(([variant, values]) =>
  values.map((value, seed) =>
    fakeResult({
      hash: `${variant}-${seed}`,
      seed,
      memberships: [inAlpha(variant, variant === "alpha-0")],
      perplexity: [value / 2, value],
      // Validation CE rises with perplexity; misalignment is its exact square (a monotone map).
      validation: value / 10,
      misalignment: (value / 10) ** 2,
      trainSeconds: variant === "alpha-0" ? 1 : 2,
    }),
  ),
);

describe("experimentTable", () => {
  const table = experimentTable(results, "alpha", "perplexity@longest", { bootstrap: { seed: 1, resamples: 2000 } });

  it("rows follow the declared variant order", () => {
    expect(table.rows.map((r) => r.variant)).toEqual(["alpha-0", "alpha-0.1", "alpha-0.3", "alpha-0.5", "alpha-1"]);
    expect(table.baseline).toBe("alpha-0");
    expect(table.lowerIsBetter).toBe(true);
  });

  it("mean and std over seeds", () => {
    const [baseline, regularized] = table.rows;
    expect(baseline.summary!.mean).toBe(22);
    expect(baseline.summary!.std).toBe(2);
    expect(regularized.summary!.mean).toBe(19);
    expect(regularized.summary!.std).toBe(1);
    expect(regularized.seeds).toEqual([0, 1, 2]);
  });

  it("paired difference to the baseline", () => {
    const difference = table.rows[1].difference!;
    expect(difference.n).toBe(3);
    expect(difference.meanDifference).toBe(-3);
    // Resampled means of [−2, −3, −4] lie in [−4, −2], and all are below zero.
    expect(difference.lower).toBeGreaterThanOrEqual(-4);
    expect(difference.upper).toBeLessThanOrEqual(-2);
    expect(difference.excludesZero).toBe(true);
  });

  it("pairs only common seeds", () => {
    // alpha-0.3 has seeds 0 and 1: differences 21 − 20 = 1 and 25 − 22 = 3, mean 2.
    const difference = table.rows[2].difference!;
    expect(difference.n).toBe(2);
    expect(difference.meanDifference).toBe(2);
  });

  it("baseline and empty variants have no difference", () => {
    expect(table.rows[0].difference).toBeNull();
    expect(table.rows[3].summary).toBeNull();
    expect(table.rows[3].difference).toBeNull();
  });

  it("baseline can be overridden", () => {
    const other = experimentTable(results, "alpha", "perplexity@2x", { baseline: "alpha-0.1" });
    expect(other.rows[0].difference!.meanDifference).toBe(3);
  });

  it("formats as text", () => {
    const text = formatExperimentTable(table, 1);
    expect(text).toContain("alpha-0.1  3  19.0 ± 1.0");
    expect(text).toContain("better");
  });

  it("rejects an unknown metric", () => {
    expect(() => experimentTable(results, "alpha", "perplexity@8x")).toThrow(/unknown metric "perplexity@8x" for run .*; metrics are .*perplexity@2x/);
  });

  it("rejects an unknown experiment", () => {
    expect(() => experimentTable(results, "alfa", "validation_ce")).toThrow(/unknown experiment "alfa".*Did you mean "alpha"\?/);
  });
});

describe("runMetrics", () => {
  it("names lengths by multiple of lTrain", () => {
    const metrics = runMetrics(results[0]);
    expect(metrics["perplexity@1x"]).toBe(10);
    expect(metrics["perplexity@2x"]).toBe(20);
    expect(metrics["perplexity@longest"]).toBe(20);
    expect(metrics.long_context).toBeUndefined();
  });

  it("available metrics omit absent suite scores", () => {
    expect(availableMetrics(results)).not.toContain("long_context");
    expect(availableMetrics(results)).toContain("misalignment");
  });
});

describe("correlationTable", () => {
  it("monotone relations give Spearman one", () => {
    // Validation CE is perplexity / 10 (a line) and misalignment its square (monotone), over 8 runs.
    const rows = correlationTable(results);
    expect(rows.map((r) => `${r.predictor}→${r.target}`)).toEqual(["misalignment→perplexity@longest", "validation_ce→perplexity@longest"]);
    const [misalignment, validation] = rows;
    expect(misalignment.n).toBe(8);
    expect(misalignment.spearman).toBeCloseTo(1, 12);
    expect(misalignment.pearson).toBeLessThan(1);
    expect(validation.pearson).toBeCloseTo(1, 12);
  });
});

describe("costTable", () => {
  it("groups by regularizer configuration", () => {
    // The fixtures share one train config, so all 8 runs form one configuration.
    const rows = costTable(results);
    expect(rows).toHaveLength(1);
    expect(rows[0].n).toBe(8);
    expect(rows[0].variants).toEqual(["alpha/alpha-0", "alpha/alpha-0.1", "alpha/alpha-0.3"]);
    // Train seconds: 3 runs at 1 s and 5 at 2 s, mean 13 / 8.
    expect(rows[0].trainSeconds.mean).toBe(13 / 8);
  });
});
