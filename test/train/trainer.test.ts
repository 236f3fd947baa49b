import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/backend";
import { CHECKPOINT_FILE, METRICS_FILE, TrainingDivergedError, TrainingInterruptedError, train } from "../../lib/train/trainer";
import { validateTrainConfig } from "../../lib/train/config";
import { loadCheckpoint } from "../../lib/train/checkpoint";
import { TransformerLM } from "../../lib/model/transformer";
import { Logger } from "../../lib/util/logger";
import { tinyConfig, tinyDocuments } from "./fixtures";

const quiet = new Logger("test", "silent");
const docs = tinyDocuments();
const base = { trainDocs: docs, validationDocs: docs, logger: quiet };

beforeAll(async () => {
  await initBackend();
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "lsa-train-"));
}

describe("train", () => {
  it("overfits a short text", async () => {
    // One repeated sentence: after 60 steps the loss must fall far below ln(256) ≈ 5.55.
    const text = [{ ...docs[0] }];
    const result = await train(
      { ...tinyConfig, model: { dModel: 32, nLayers: 1, nHeads: 2, seed: 1 }, steps: 60, evalEvery: 60, optimizer: { lr: 1e-2, warmupSteps: 5 } },
      { trainDocs: text, validationDocs: text, logger: quiet },
    );
    expect(result.history[0].loss).toBeGreaterThan(5);
    expect(result.evals.at(-1)!.valLoss).toBeLessThan(1.5);
    result.model.dispose();
  });

  it("resume matches uninterrupted run", async () => {
    // Kill after step 4 (checkpoint at 4), resume, and compare steps 5–6 with a run that never stopped.
    const full = await train(tinyConfig, base);
    const dir = tempDir();
    const first = await train(tinyConfig, { ...base, outDir: dir, stopAfterStep: 4 });
    expect(first.step).toBe(4);
    first.model.dispose();
    const resumed = await train(tinyConfig, { ...base, outDir: dir });
    expect(resumed.startStep).toBe(4);
    expect(resumed.history.map((r) => r.step)).toEqual([5, 6]);
    expect(resumed.history.map((r) => r.loss)).toEqual(full.history.slice(4).map((r) => r.loss));
    // metrics.jsonl has each step once.
    const steps = readFileSync(join(dir, METRICS_FILE), "utf8").trim().split("\n").map((l) => JSON.parse(l))
      .filter((r) => r.type === "train").map((r) => r.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    full.model.dispose();
    resumed.model.dispose();
  });

  it("SIGINT saves checkpoint and stops", async () => {
    // The signal arrives during step 3; checkpointEvery 2 would keep only step 2, so the trainer
    // must write step 3 itself. The resumed run must then match a run that never stopped.
    const full = await train(tinyConfig, base);
    const dir = tempDir();
    const listenersBefore = process.listenerCount("SIGINT");
    const interrupted = train(tinyConfig, {
      ...base,
      outDir: dir,
      onStep: (record) => {
        if (record.step === 3) process.kill(process.pid, "SIGINT");
      },
    });
    const error = await interrupted.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TrainingInterruptedError);
    const stopped = error as TrainingInterruptedError;
    expect(stopped.step).toBe(3);
    expect(stopped.signal).toBe("SIGINT");
    expect(stopped.exitCode).toBe(130);
    expect(stopped.message).toContain(join(dir, CHECKPOINT_FILE));
    expect(process.listenerCount("SIGINT")).toBe(listenersBefore);

    const resumed = await train(tinyConfig, { ...base, outDir: dir });
    expect(resumed.startStep).toBe(3);
    expect(resumed.history.map((r) => r.loss)).toEqual(full.history.slice(3).map((r) => r.loss));
    full.model.dispose();
    resumed.model.dispose();
  });

  it("handleSignals false leaves signals alone", async () => {
    const listenersBefore = process.listenerCount("SIGTERM");
    const result = await train({ ...tinyConfig, steps: 1 }, {
      ...base,
      outDir: tempDir(),
      handleSignals: false,
      onStep: () => expect(process.listenerCount("SIGTERM")).toBe(listenersBefore),
    });
    result.model.dispose();
  });

  it("finished run is not retrained", async () => {
    const dir = tempDir();
    (await train(tinyConfig, { ...base, outDir: dir })).model.dispose();
    const again = await train(tinyConfig, { ...base, outDir: dir });
    expect(again.startStep).toBe(6);
    expect(again.history).toEqual([]);
    again.model.dispose();
  });

  it("initFrom starts from base weights", async () => {
    // Fine-tuning from a base checkpoint must start at the base's loss level, not at ln(256).
    const dir = tempDir();
    const baseRun = await train({ ...tinyConfig, steps: 30, evalEvery: 30, checkpointEvery: 30, optimizer: { lr: 1e-2, warmupSteps: 2 } }, { ...base, outDir: dir });
    const fresh = await train({ ...tinyConfig, steps: 1, model: { ...tinyConfig.model, ropeBase: 40000 } }, base);
    const tuned = await train({ ...tinyConfig, steps: 1, model: { ...tinyConfig.model, ropeBase: 40000 } }, { ...base, initFrom: join(dir, CHECKPOINT_FILE) });
    expect(tuned.history[0].loss).toBeLessThan(fresh.history[0].loss - 1);
    tf.dispose([baseRun.model.variables(), fresh.model.variables(), tuned.model.variables()]);
  });

  it("alpha zero equals plain run", async () => {
    // The default alignment config with alpha 0 must be the plain CE run, bit for bit.
    const plain = await train({ ...tinyConfig, alignment: { alpha: 0 } }, base);
    const zero = await train({ ...tinyConfig, alignment: { alpha: 0, divergence: { name: "js" }, strategy: { name: "suffix" } } }, base);
    expect(zero.history.map((r) => r.loss)).toEqual(plain.history.map((r) => r.loss));
    plain.model.dispose();
    zero.model.dispose();
  });

  it("regularized run reports misalignment", async () => {
    const result = await train({ ...tinyConfig, steps: 2, alignment: { alpha: 0.1 } }, base);
    expect(result.history[0].misalignment).toBeGreaterThan(0);
    expect(result.history[0].loss).toBeCloseTo(result.history[0].ce + 0.1 * result.history[0].misalignment!, 4);
    result.model.dispose();
  });

  it("NaN loss stops with step", async () => {
    // Poison one weight after step 3, as an overflow would; step 4 must stop the run.
    const dir = tempDir();
    const poison = (record: { step: number }, model: TransformerLM) => {
      if (record.step === 3) model.params.get("head.weight")!.assign(tf.fill([16, 256], NaN));
    };
    const run = train({ ...tinyConfig, steps: 10 }, { ...base, outDir: dir, onStep: poison });
    await expect(run).rejects.toThrow(/loss is NaN at step 4; the last good checkpoint \(step 2\) is kept/);
    await expect(run).rejects.toBeInstanceOf(TrainingDivergedError);
    // The kept checkpoint still loads.
    const model = new TransformerLM(validateTrainConfig(tinyConfig).model);
    expect(() => loadCheckpoint(join(dir, CHECKPOINT_FILE), model)).not.toThrow();
    model.dispose();
  });

  it("tensor count stays flat", async () => {
    let counts: number[] = [];
    const result = await train(
      { ...tinyConfig, steps: 8, alignment: { alpha: 0.1 } },
      { ...base, onStep: () => counts.push(tf.memory().numTensors) },
    );
    // Steps 2.. must not add tensors (step 1 may create lazily cached constants).
    counts = counts.slice(1);
    expect(Math.max(...counts) - Math.min(...counts)).toBe(0);
    result.model.dispose();
  });

  it("rejects bad config before training", async () => {
    await expect(train({ ...tinyConfig, lTrain: 0 }, base)).rejects.toThrow(/train: lTrain must be an integer in \[2, 65536\], got 0/);
    await expect(train({ ...tinyConfig, optimizer: { lr: -1 } }, base)).rejects.toThrow(/train.optimizer: lr must be a finite number in \(0, 10\], got -1/);
    await expect(train({ ...tinyConfig, stepz: 3 } as never, base)).rejects.toThrow(/unknown field "stepz"/);
    await expect(train({ ...tinyConfig, alignment: { alpha: -0.1 } }, base)).rejects.toThrow(/alpha.*got -0.1/);
  });
});

describe("checkpoint", () => {
  it("rejects corrupt file", async () => {
    const dir = tempDir();
    (await train({ ...tinyConfig, steps: 2 }, { ...base, outDir: dir })).model.dispose();
    const path = join(dir, CHECKPOINT_FILE);
    const bytes = readFileSync(path);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(path, bytes);
    await expect(train({ ...tinyConfig, steps: 4 }, { ...base, outDir: dir })).rejects.toThrow(/not a valid checkpoint \(data hash mismatch/);
  });

  it("rejects truncated file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, CHECKPOINT_FILE), Buffer.from([1, 2, 3]));
    await expect(train(tinyConfig, { ...base, outDir: dir })).rejects.toThrow(/not a valid checkpoint \(only 3 bytes\)/);
  });

  it("rejects mismatched config", async () => {
    const dir = tempDir();
    (await train({ ...tinyConfig, steps: 2 }, { ...base, outDir: dir })).model.dispose();
    expect(existsSync(join(dir, CHECKPOINT_FILE))).toBe(true);
    const other = { ...tinyConfig, steps: 2, model: { ...tinyConfig.model, dModel: 32 } };
    await expect(train(other, { ...base, outDir: dir })).rejects.toThrow(/different config .*differing fields: model.dModel/);
  });
});

describe("AdamW", () => {
  it("create and dispose leaves no tensors", async () => {
    const { AdamW } = await import("../../lib/train/optimizer");
    const { DEFAULT_OPTIMIZER_CONFIG } = await import("../../lib/train/config");
    const params = new Map([["w", tf.variable(tf.ones([3, 2]))]]);
    const before = tf.memory().numTensors;
    const optimizer = new AdamW(params, DEFAULT_OPTIMIZER_CONFIG);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    params.get("w")!.dispose();
  });
});
