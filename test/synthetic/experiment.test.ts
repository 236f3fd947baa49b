import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/backend";
import { gridConfigs, readCachedResult, runGrid, type RunResult } from "../../lib/synthetic/experiment";
import { PRESETS, resolvePreset, type SyntheticPreset } from "../../lib/synthetic/presets";
import { configHash } from "../../lib/util/hash";
import { Logger } from "../../lib/util/logger";

const quiet = new Logger("test", "silent");
const folders: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lsa-synthetic-"));
  folders.push(dir);
  return dir;
}

beforeAll(async () => {
  await initBackend();
});

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

// 2 tasks: mean × identity and length × {identity, log}, times 2 position encodings and 1 seed
// = 6 configurations, each trained for 2 steps.
const tinyPreset: SyntheticPreset = {
  name: "test",
  description: "unit-test grid",
  tasks: ["mean", "length"],
  transforms: ["identity", "log"],
  positions: ["nope", "learned"],
  seeds: [0],
  model: { dModel: 8, nLayers: 1, nHeads: 2, mlpRatio: 1, headWidth: 4, startToken: true },
  training: {
    trainRange: { min: 1, max: 4 },
    steps: 2,
    batchSize: 4,
    optimizer: { lr: 1e-3, minLr: 1e-4, warmupSteps: 1, weightDecay: 0, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, gradClip: 1 },
  },
  evaluation: { lengths: [1, 4, 6], samplesPerLength: 2, batchSize: 2, seed: 5 },
};

describe("gridConfigs", () => {
  it("expands tasks, transforms, positions, seeds", () => {
    const configs = gridConfigs(tinyPreset);
    expect(configs.map((c) => `${c.task}/${c.transform}/${c.position}`)).toEqual([
      "mean/identity/nope",
      "mean/identity/learned",
      "length/identity/nope",
      "length/identity/learned",
      "length/log/nope",
      "length/log/learned",
    ]);
  });

  it("default preset has 60 configurations", () => {
    // mean (1 transform) + length (4 transforms) = 5, times 4 position encodings and 3 seeds.
    expect(gridConfigs(PRESETS.default)).toHaveLength(60);
  });

  it("hashes differ between configurations", () => {
    const hashes = gridConfigs(PRESETS.default).map((config) => configHash(config));
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe("resolvePreset", () => {
  it("unknown name suggests the nearest", () => {
    expect(() => resolvePreset("smok")).toThrow(/name must be one of "smoke", "default", "gpu", got "smok". Did you mean "smoke"\?/);
  });

  it("rejects an empty seed list", () => {
    expect(() => resolvePreset({ ...tinyPreset, seeds: [] })).toThrow(/preset "test": seeds must be a non-empty array, got \[\]/);
  });

  it("rejects an unknown position encoding", () => {
    const bad = { ...tinyPreset, positions: ["ropes"] } as unknown as SyntheticPreset;
    expect(() => resolvePreset(bad)).toThrow(/positions\[\] must be one of .*got "ropes". Did you mean "rope"\?/);
  });
});

describe("runGrid", () => {
  it("second run trains nothing", async () => {
    const outDir = tempDir();
    const first = await runGrid({ preset: tinyPreset, outDir, logger: quiet });
    expect(first.trained).toBe(6);
    expect(readdirSync(outDir).filter((name) => name.endsWith(".json"))).toHaveLength(6);

    let callbacks = 0;
    const second = await runGrid({ preset: tinyPreset, outDir, logger: quiet, onResult: () => (callbacks += 1) });
    expect(second.trained).toBe(0);
    expect(second.cached).toBe(6);
    expect(callbacks).toBe(6);
    expect(second.results).toEqual(first.results);
  });

  it("a new seed trains only its runs", async () => {
    const outDir = tempDir();
    await runGrid({ preset: tinyPreset, outDir, logger: quiet });
    const grown = await runGrid({ preset: { ...tinyPreset, seeds: [0, 1] }, outDir, logger: quiet });
    expect(grown.trained).toBe(6);
    expect(grown.cached).toBe(6);
  });

  it("result records provenance", async () => {
    const outDir = tempDir();
    const { results } = await runGrid({ preset: { ...tinyPreset, tasks: ["mean"], positions: ["nope"] }, outDir, logger: quiet });
    const [result] = results;
    expect(result.seed).toBe(0);
    expect(result.preset).toBe("test");
    expect(result.backend.name).toMatch(/wasm|cpu|tensorflow/);
    expect(result.config.model.position).toBe("nope");
    expect(result.wallSeconds).toBeGreaterThan(0);
    const stored = JSON.parse(readFileSync(join(outDir, `${result.configHash}.json`), "utf8")) as RunResult;
    expect(stored.configHash).toBe(configHash(result.config));
  });

  it("learned scores past the table are null", async () => {
    const outDir = tempDir();
    const { results } = await runGrid({ preset: { ...tinyPreset, tasks: ["mean"], positions: ["learned"] }, outDir, logger: quiet });
    // Trained on lengths 1..4: length 6 is past the table and stored as null, not as a number.
    const past = results[0].scores.find((score) => score.length === 6);
    expect(past).toEqual({ length: 6, applicable: false, mse: null, transformedMse: null, meanPrediction: null });
  });

  it("corrupt cache file names the file", async () => {
    const outDir = tempDir();
    const preset = { ...tinyPreset, tasks: ["mean" as const], positions: ["nope" as const] };
    const { results } = await runGrid({ preset, outDir, logger: quiet });
    const path = join(outDir, `${results[0].configHash}.json`);
    writeFileSync(path, '{"version": 1, "configHash": "abc"');
    const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await expect(runGrid({ preset, outDir, logger: quiet })).rejects.toThrow(
      new RegExp(`${escaped} is not valid JSON .*Delete ${escaped} to recompute`),
    );
  });
});

describe("readCachedResult", () => {
  it("missing file returns undefined", () => {
    expect(readCachedResult(join(tempDir(), "none.json"), "none")).toBeUndefined();
  });

  it("rejects a hash mismatch", () => {
    const path = join(tempDir(), "aaa.json");
    writeFileSync(path, JSON.stringify({ version: 1, configHash: "bbb", scores: [], config: {} }));
    expect(() => readCachedResult(path, "aaa")).toThrow(/aaa.json has configHash "bbb", expected "aaa" from its file name. Delete/);
  });

  it("rejects an old version", () => {
    const path = join(tempDir(), "aaa.json");
    writeFileSync(path, JSON.stringify({ version: 0, configHash: "aaa", scores: [], config: {} }));
    expect(() => readCachedResult(path, "aaa")).toThrow(/aaa.json has version 0, expected 1. Delete/);
  });
});
