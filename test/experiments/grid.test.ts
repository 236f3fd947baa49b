import { describe, expect, it } from "vitest";
import { EXPERIMENTS, buildGrid, findRun, variantAlignment, type ExperimentDeclaration } from "../../lib/experiments/grid";
import { presetScale } from "../../lib/experiments/presets";
import { tinyScale } from "./fixtures";

describe("buildGrid", () => {
  it("same config gives the same hashes", () => {
    const first = buildGrid(tinyScale());
    const second = buildGrid(tinyScale());
    expect(second.runs.map((r) => r.hash)).toEqual(first.runs.map((r) => r.hash));
    expect(second.bases.map((b) => b.hash)).toEqual(first.bases.map((b) => b.hash));
  });

  it("deduplicates shared configurations", () => {
    // Declared variants: 5 + 5 + 5 + 3 = 18. The α = 0 run appears in all four experiments and
    // SCE + suffix + α = 0.1 + l_extra ∈ [1, lTrain/2] in all four, so 18 − 3 − 3 = 12 runs remain.
    const grid = buildGrid(tinyScale());
    expect(grid.runs).toHaveLength(12);
    expect(new Set(grid.runs.map((r) => r.hash)).size).toBe(12);
    const noRegularizer = grid.runs.find((r) => r.train.alignment.alpha === 0)!;
    expect(noRegularizer.memberships.map((m) => `${m.experiment}/${m.variant}`)).toEqual([
      "divergence/alpha-0",
      "strategy/alpha-0",
      "alpha/alpha-0",
      "lextra/alpha-0",
    ]);
    const paper = grid.runs.find((r) => r.memberships.some((m) => m.experiment === "strategy" && m.variant === "suffix"))!;
    expect(paper.memberships.map((m) => `${m.experiment}/${m.variant}`)).toEqual(["divergence/sce", "strategy/suffix", "alpha/alpha-0.1", "lextra/half"]);
  });

  it("marks baselines in memberships", () => {
    const grid = buildGrid(tinyScale());
    const paper = grid.runs.find((r) => r.memberships.some((m) => m.variant === "half"))!;
    expect(paper.memberships.filter((m) => m.baseline).map((m) => m.experiment)).toEqual(["strategy", "lextra"]);
  });

  it("one base per seed shared by fine-tunes", () => {
    const grid = buildGrid(tinyScale({ seeds: [3, 5] }));
    expect(grid.bases.map((b) => b.seed)).toEqual([3, 5]);
    expect(grid.runs).toHaveLength(24);
    for (const run of grid.runs) {
      expect(run.baseHash).toBe(grid.bases.find((b) => b.seed === run.seed)!.hash);
    }
  });

  it("different configs get different hashes", () => {
    const reference = buildGrid(tinyScale());
    const moreSteps = buildGrid(tinyScale({ fineTune: { steps: 7, batchSize: 2, optimizer: { lr: 1e-3, minLr: 1e-4, warmupSteps: 1 } } }));
    const otherSeed = buildGrid(tinyScale({ seeds: [1] }));
    const referenceHashes = new Set(reference.runs.map((r) => r.hash));
    expect(moreSteps.runs.some((r) => referenceHashes.has(r.hash))).toBe(false);
    expect(otherSeed.runs.some((r) => referenceHashes.has(r.hash))).toBe(false);
    expect(otherSeed.bases[0].hash).not.toBe(reference.bases[0].hash);
  });

  it("fine-tune settings leave the base hash alone", () => {
    const reference = buildGrid(tinyScale());
    const moreSteps = buildGrid(tinyScale({ fineTune: { steps: 7, batchSize: 2, optimizer: {} } }));
    expect(moreSteps.bases[0].hash).toBe(reference.bases[0].hash);
  });

  it("backend choice is not part of the hash", () => {
    const auto = buildGrid(tinyScale());
    const cpu = buildGrid(tinyScale({ backend: "cpu" }));
    expect(cpu.runs.map((r) => r.hash)).toEqual(auto.runs.map((r) => r.hash));
  });

  it("extension raises the RoPE base", () => {
    // Base θ 10000 (the model default) times ropeBaseFactor 4.
    const grid = buildGrid(tinyScale());
    expect(grid.bases[0].train.model.ropeBase).toBe(10000);
    expect(grid.runs[0].train.model.ropeBase).toBe(40000);
    expect(grid.bases[0].train.lTrain).toBe(8);
    expect(grid.runs[0].train.lTrain).toBe(16);
  });

  it("l_extra ranges resolve against lTrain", () => {
    // lTrain 16: half is [1, 8], full is [1, 15] (the suffix strategy needs a non-empty overlap).
    const half = variantAlignment({ name: "h", label: "h", alpha: 0.1, divergence: "sce", strategy: "suffix" }, 16);
    const full = variantAlignment({ name: "f", label: "f", alpha: 0.1, divergence: "sce", strategy: "suffix", lExtra: "full" }, 16);
    expect(half.strategy).toEqual({ name: "suffix", extraMin: 1, extraMax: 8 });
    expect(full.strategy).toEqual({ name: "suffix", extraMin: 1, extraMax: 15 });
  });

  it("selects experiments but keeps memberships", () => {
    const grid = buildGrid(tinyScale(), { experiments: ["lextra"] });
    expect(grid.experiments.map((e) => e.name)).toEqual(["lextra"]);
    expect(grid.runs).toHaveLength(3);
    const noRegularizer = grid.runs.find((r) => r.train.alignment.alpha === 0)!;
    expect(noRegularizer.memberships).toHaveLength(4);
  });

  it("selection keeps the full-grid hashes", () => {
    const full = new Set(buildGrid(tinyScale()).runs.map((r) => r.hash));
    for (const run of buildGrid(tinyScale(), { experiments: ["alpha"] }).runs) expect(full.has(run.hash)).toBe(true);
  });

  it("rejects an unknown experiment", () => {
    expect(() => buildGrid(tinyScale(), { experiments: ["alpah"] })).toThrow(/study: unknown experiment "alpah"; experiments are divergence, strategy, alpha, lextra. Did you mean "alpha"\?/);
  });

  it("rejects fewer than three seeds outside smoke", () => {
    expect(() => buildGrid(tinyScale({ preset: "default", seeds: [0, 1] }))).toThrow(/seeds must be at least 3 seeds \(only the smoke preset may use fewer\), got \[0,1\]/);
  });

  it("rejects l_extra on another strategy", () => {
    const bad: ExperimentDeclaration[] = [
      { ...EXPERIMENTS[0], variants: [{ name: "x", label: "x", alpha: 0.1, divergence: "sce", strategy: "sliding-window", lExtra: "full" }], baseline: "x" },
    ];
    expect(() => buildGrid(tinyScale(), { declarations: bad })).toThrow(/sets lExtra, which applies to the suffix strategy only, but uses "sliding-window"/);
  });

  it("rejects a baseline that is not a variant", () => {
    const bad: ExperimentDeclaration[] = [{ ...EXPERIMENTS[3], baseline: "none" }];
    expect(() => buildGrid(tinyScale(), { declarations: bad })).toThrow(/has baseline "none", which is not one of its variants \(alpha-0, half, full\)/);
  });

  it("findRun accepts a hash prefix", () => {
    const grid = buildGrid(tinyScale());
    const run = grid.runs[3];
    expect(findRun(grid, run.hash.slice(0, 8)).hash).toBe(run.hash);
    expect(() => findRun(grid, "zzzzzz")).toThrow(/no run in the grid matches "zzzzzz"/);
  });

  it("presets build valid grids", () => {
    // default and paper have at least 3 seeds; smoke uses one.
    for (const name of ["smoke", "default", "paper"]) {
      const scale = presetScale(name);
      const grid = buildGrid(scale);
      expect(grid.runs).toHaveLength(12 * scale.seeds.length);
      expect(grid.preset).toBe(name);
    }
  });
});
