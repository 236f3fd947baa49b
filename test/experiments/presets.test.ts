import { describe, expect, it } from "vitest";
import { buildGrid } from "../../lib/experiments/grid";
import { PRESET_NAMES, presetScale, resolveScale, validateStudyScale } from "../../lib/experiments/presets";
import { tinyScale } from "./fixtures";

describe("presets", () => {
  it("every preset validates", () => {
    for (const name of PRESET_NAMES) expect(validateStudyScale(presetScale(name)).preset).toBe(name);
  });

  it("only smoke has fewer than three seeds", () => {
    expect(presetScale("smoke").seeds.length).toBeLessThan(3);
    expect(presetScale("default").seeds.length).toBeGreaterThanOrEqual(3);
    expect(presetScale("paper").seeds.length).toBeGreaterThanOrEqual(3);
  });

  it("presetScale returns a copy", () => {
    presetScale("default").seeds.push(99);
    expect(presetScale("default").seeds).toEqual([0, 1, 2]);
  });

  it("rejects an unknown preset", () => {
    expect(() => presetScale("defualt")).toThrow(/study: preset must be one of "smoke", "default", "paper", got "defualt". Did you mean "default"\?/);
  });

  it("rejects an unknown field", () => {
    const scale = { ...tinyScale(), batchSize: 4 } as unknown as ReturnType<typeof tinyScale>;
    expect(() => validateStudyScale(scale)).toThrow(/study preset: unknown field "batchSize"; known fields are/);
  });

  it("rejects lTrain below lBase", () => {
    expect(() => validateStudyScale(tinyScale({ lBase: 32, lTrain: 16 }))).toThrow(/study preset: lTrain must be an integer in \[32, ∞\], got 16/);
  });

  it("rejects a task too long for lBase", () => {
    // The passkey task's shortest training row is about 60 bytes; lBase 8 gives rows of 9.
    const scale = tinyScale({ tasks: { names: ["passkey"], options: {}, baseFraction: 0.25, fineTuneFraction: 0 } });
    expect(() => buildGrid(scale)).toThrow(/task "passkey" needs training rows of at least \d+ tokens, but the stage trains on 8 \+ 1/);
  });

  it("rejects an unknown task", () => {
    const scale = tinyScale({ tasks: { names: ["needle" as "passkey"], options: {}, baseFraction: 0, fineTuneFraction: 0 } });
    expect(() => validateStudyScale(scale)).toThrow(/tasks.names must be a list of task names among passkey, kv_retrieval, counting, recall, got \["needle"\]/);
  });
});

describe("resolveScale", () => {
  it("merges overrides into the preset", () => {
    const scale = resolveScale("default", { seeds: [4, 5, 6], model: { dModel: 32 } });
    expect(scale.preset).toBe("default");
    // Arrays replace; objects merge field by field.
    expect(scale.seeds).toEqual([4, 5, 6]);
    expect(scale.model.dModel).toBe(32);
    expect(scale.model.nLayers).toBe(presetScale("default").model.nLayers);
  });

  it("validates the merged scale", () => {
    expect(() => resolveScale("default", { seeds: [1] })).toThrow(/seeds must be at least 3 seeds/);
  });
});
