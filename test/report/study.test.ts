import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimentTable } from "../../lib/experiments/analysis";
import type { StudyRunResult } from "../../lib/experiments/records";
import {
  experimentConclusions,
  experimentDisplayRows,
  metricByAlpha,
  openStudy,
  perplexityDifferenceCurves,
  studyProvenance,
  trendSentence,
  withinSeedCorrelationTable,
} from "../../lib/report/study";

/** Builds a result with only the fields the report helpers read; `ppl` is perplexity at lengths 32 and 64. */
function fakeResult(variant: "alpha-0" | "alpha-0.1", seed: number, ppl: [number, number], extra: { misalignment?: number; ce?: number; commit?: string } = {}): StudyRunResult {
  const alpha = variant === "alpha-0" ? 0 : 0.1;
  return {
    runHash: `${variant}-${seed}`,
    seed,
    preset: "test",
    memberships: [{ experiment: "alpha", variant, label: variant === "alpha-0" ? "α = 0 (no regularizer)" : "α = 0.1", baseline: variant === "alpha-0" }],
    config: { train: { lTrain: 32, alignment: { alpha } } },
    perplexity: [
      { length: 32, multiplier: 1, perplexity: ppl[0], loss: Math.log(ppl[0]), tailLoss: Math.log(ppl[0]), tokens: 100 },
      { length: 64, multiplier: 2, perplexity: ppl[1], loss: Math.log(ppl[1]), tailLoss: Math.log(ppl[1]), tokens: 100 },
    ],
    validation: { loss: extra.ce ?? 1, perplexity: Math.exp(extra.ce ?? 1), windows: 4 },
    misalignment: { value: extra.misalignment ?? 1, alignedPositions: 10, windows: 4, divergence: "sce", strategy: "suffix" },
    training: { loss: 1, ce: 1, misalignment: null },
    cost: { wallSeconds: 10, trainSeconds: 8, evalSeconds: 2, tokensPerSecond: 100, steps: 10, attempts: 1 },
    longContext: null,
    provenance: { commit: extra.commit ?? "abc", backend: { name: "wasm", package: "@tensorflow/tfjs-backend-wasm" } },
  } as unknown as StudyRunResult;
}

describe("experimentConclusions", () => {
  it("experimentConclusions: one seed has no interval", () => {
    const results = [fakeResult("alpha-0", 0, [10, 20]), fakeResult("alpha-0.1", 0, [9, 18])];
    const sentences = experimentConclusions(experimentTable(results, "alpha", "perplexity@longest"));
    expect(sentences[0]).toBe("On perplexity@longest (lower is better), the best mean is α = 0.1: 18.000 over 1 seed.");
    expect(sentences[1]).toMatch(/at most one paired seed, so no interval can be computed/);
    expect(sentences).toHaveLength(2);
  });

  it("experimentConclusions: consistent gain excludes zero", () => {
    // α = 0.1 is lower by exactly 2 at 64 tokens for every seed, so every resample mean is −2.
    const results = [0, 1, 2].flatMap((seed) => [fakeResult("alpha-0", seed, [10, 20 + seed]), fakeResult("alpha-0.1", seed, [10, 18 + seed])]);
    const sentences = experimentConclusions(experimentTable(results, "alpha", "perplexity@longest"));
    expect(sentences[1]).toBe("The interval excludes zero for: α = 0.1 (Δ = -2.000, 95% CI [-2.000, -2.000], 3 pairs) is better than α = 0 (no regularizer).");
    expect(sentences[2]).toMatch(/over 3 paired seeds covers less than its nominal 95 %/);
  });

  it("experimentDisplayRows: verdict and interval columns", () => {
    const results = [0, 1, 2].flatMap((seed) => [fakeResult("alpha-0", seed, [10, 20 + seed]), fakeResult("alpha-0.1", seed, [10, 18 + seed])]);
    const rows = experimentDisplayRows(experimentTable(results, "alpha", "perplexity@longest"));
    expect(rows[0]).toEqual({ variant: "α = 0 (no regularizer)", seeds: 3, "mean ± std": "21.000 ± 1.000", "Δ vs α = 0 (no regularizer)": "(baseline)", "95% CI": "–", verdict: "" });
    expect(rows[1].verdict).toBe("better (interval excludes 0)");
    expect(rows[1]["95% CI"]).toBe("[-2.000, -2.000]");
  });
});

describe("withinSeedCorrelationTable", () => {
  it("withinSeedCorrelationTable: hand-worked centered values", () => {
    // Seed 0: x = 1, 2 and y = 10, 12; seed 1: x = 5, 6 and y = 30, 31.
    // Centered per seed: x = −½, ½, −½, ½ and y = −1, 1, −½, ½.
    // Pearson = Σxy / √(Σx²·Σy²) = 1.5 / √(1 · 2.5) = 0.9487.
    // Ranks: x → 1.5, 3.5, 1.5, 3.5; y → 1, 4, 2, 3; Spearman = 4 / √(4 · 5) = 0.8944.
    const results = [
      fakeResult("alpha-0", 0, [1, 1], { misalignment: 1, ce: 10 }),
      fakeResult("alpha-0.1", 0, [1, 1], { misalignment: 2, ce: 12 }),
      fakeResult("alpha-0", 1, [1, 1], { misalignment: 5, ce: 30 }),
      fakeResult("alpha-0.1", 1, [1, 1], { misalignment: 6, ce: 31 }),
    ];
    const [row] = withinSeedCorrelationTable(results, { predictors: ["misalignment"], targets: ["validation_ce"] });
    expect(row.n).toBe(4);
    expect(row.pearson).toBeCloseTo(1.5 / Math.sqrt(2.5), 10);
    expect(row.spearman).toBeCloseTo(4 / Math.sqrt(20), 10);
  });

  it("withinSeedCorrelationTable: single-run seeds drop out", () => {
    const results = [fakeResult("alpha-0", 0, [1, 1]), fakeResult("alpha-0", 1, [1, 1])];
    const [row] = withinSeedCorrelationTable(results, { predictors: ["misalignment"], targets: ["validation_ce"] });
    expect(row.n).toBe(0);
    expect(row.spearman).toBeNaN();
  });
});

describe("sweeps and curves", () => {
  const results = [0, 1].flatMap((seed) => [fakeResult("alpha-0", seed, [10, 20], { misalignment: 3 }), fakeResult("alpha-0.1", seed, [10, 17 + seed], { misalignment: 2 })]);

  it("metricByAlpha: mean per α", () => {
    expect(metricByAlpha(results, "alpha", "misalignment").points.map((p) => [p.x, p.mean])).toEqual([[0, 3], [0.1, 2]]);
  });

  it("trendSentence: monotone fall", () => {
    expect(trendSentence(metricByAlpha(results, "alpha", "misalignment"), "α")).toBe("As α goes from 0 to 0.1, the mean of misalignment (lower is better) falls at every step: 3 → 2 (-1.000).");
  });

  it("perplexityDifferenceCurves: paired by seed per length", () => {
    // At 64 tokens the differences are 17 − 20 and 18 − 20, mean −2.5; at 32 tokens both are 0.
    const [series] = perplexityDifferenceCurves(results, "alpha");
    expect(series.name).toBe("α = 0.1");
    expect(series.points.map((p) => [p.x, p.mean])).toEqual([[32, 0], [64, -2.5]]);
    expect(series.points[1].lower).toBe(-3);
    expect(series.points[1].upper).toBe(-2);
  });
});

describe("studyProvenance and openStudy", () => {
  it("studyProvenance: lists every commit", () => {
    const provenance = studyProvenance([fakeResult("alpha-0", 0, [1, 1], { commit: "aaa" }), fakeResult("alpha-0", 1, [1, 1], { commit: "bbb" })], "test");
    expect(provenance).toEqual({ preset: "test", backend: "wasm (@tensorflow/tfjs-backend-wasm)", commit: "aaa, bbb", extra: { runs: "2" } });
  });

  it("openStudy: empty folder names the command", () => {
    const dir = mkdtempSync(join(tmpdir(), "lsa-study-test-"));
    expect(() => openStudy({ preset: "smoke", resultsDir: dir })).toThrow(/no finished runs of preset "smoke" in .*lsa-study-test-.*\. Run `npx tsx scripts\/run-all\.ts --preset smoke`/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("experimentConclusions ties", () => {
  it("experimentConclusions: equal means reported as a tie", () => {
    const results = [fakeResult("alpha-0", 0, [10, 20]), fakeResult("alpha-0.1", 0, [10, 20])];
    const sentences = experimentConclusions(experimentTable(results, "alpha", "perplexity@longest"));
    expect(sentences[0]).toBe("On perplexity@longest, every variant has the same mean, 20, so this metric does not tell them apart in this run.");
  });
});
