import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/backend";
import type { Corpus } from "../../lib/data/types";
import { trainAndEvaluate, type RunSpec } from "../../lib/train/run";
import { Logger } from "../../lib/util/logger";
import { tinyConfig, tinyDocuments } from "./fixtures";

const quiet = new Logger("test", "silent");
const docs = tinyDocuments();
const corpus: Corpus = { name: "tiny", seed: 0, splits: { train: docs, validation: docs, test: docs } };

beforeAll(async () => {
  await initBackend();
});

const spec: RunSpec = {
  train: { ...tinyConfig, steps: 4 },
  corpus: { source: "brown", seed: 0 },
  evalMultipliers: [1, 2],
  evalMaxWindows: 2,
  tasks: { names: ["passkey"], fraction: 0.5, options: { passkeyDigits: 2 }, suite: { instancesPerBucket: 1, lengthFactors: [1, 1.5, 3, 5] } },
};

describe("trainAndEvaluate", () => {
  it("writes result with suite scores", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lsa-run-"));
    const result = await trainAndEvaluate({ ...spec, train: { ...spec.train, lTrain: 64 } }, { outDir: dir, logger: quiet, corpus });
    expect(result.perplexity.map((row) => row.length)).toEqual([64, 128]);
    expect(result.longContext?.tasks.map((task) => task.task)).toEqual(["passkey"]);
    expect(existsSync(join(dir, "predictions", "passkey.jsonl"))).toBe(true);
    const stored = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
    expect(stored.runHash).toBe(result.runHash);
    expect(stored.config.data.tasks.names).toEqual(["passkey"]);
  });

  it("finished run is loaded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lsa-run-"));
    const first = await trainAndEvaluate({ ...spec, tasks: null }, { outDir: dir, logger: quiet, corpus });
    const again = await trainAndEvaluate({ ...spec, tasks: null }, { outDir: dir, logger: quiet, corpus });
    expect(again.wallSeconds).toBe(first.wallSeconds);
  });

  it("rejects bad suite before training", async () => {
    const bad = { ...spec, tasks: { ...spec.tasks!, suite: { instancesPerBucket: 0 } } };
    await expect(trainAndEvaluate(bad, { logger: quiet, corpus })).rejects.toThrow(/instancesPerBucket.*got 0/);
  });

  it("rejects task too long for lTrain", async () => {
    const bad = { ...spec, tasks: { ...spec.tasks!, names: ["recall" as const], suite: null } };
    await expect(trainAndEvaluate(bad, { logger: quiet, corpus })).rejects.toThrow(/recall\) needs rows of at least \d+ tokens, got lTrain \+ 1 = 17/);
  });
});
