import * as tf from "@tensorflow/tfjs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { misalignment } from "../../lib/align/misalignment";
import { initBackend } from "../../lib/backend";
import type { TokenizedDocument } from "../../lib/data/types";
import { Random } from "../../lib/util/random";
import { BigramModel, DecayAverageModel, RecordingUniformModel } from "./fakeModels";

const VOCAB = 7;

function documents(seed: number, lengths: number[]): TokenizedDocument[] {
  const random = new Random(seed);
  return lengths.map((length, i) => ({
    id: `doc${i}`,
    genre: "unknown",
    text: "",
    tokens: Int32Array.from({ length }, () => random.int(0, VOCAB - 1)),
  }));
}

const docs = documents(1, [40, 90, 25, 60]);
let model: DecayAverageModel;
let tensorsBefore = 0;

beforeAll(async () => {
  await initBackend();
  model = new DecayAverageModel(VOCAB, 4, 2);
});

afterAll(() => {
  model.dispose();
});

beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});

afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe("misalignment", () => {
  const options = { lTrain: 12, numWindows: 10, batchSize: 4, seed: 3 };

  it("same seed gives same value", () => {
    const first = misalignment(model, docs, { name: "suffix" }, { name: "sce" }, options);
    const second = misalignment(model, docs, { name: "suffix" }, { name: "sce" }, options);
    expect(second.value).toBe(first.value);
    expect(second.alignedPositions).toBe(first.alignedPositions);
  });

  it("other seed gives other value", () => {
    const first = misalignment(model, docs, { name: "suffix" }, { name: "sce" }, options);
    const second = misalignment(model, docs, { name: "suffix" }, { name: "sce" }, { ...options, seed: 4 });
    expect(second.value).not.toBe(first.value);
  });

  it("counts windows and aligned positions", () => {
    // lastOnly aligns one position per row; 10 windows in batches of 4, 4 and 2.
    const result = misalignment(model, docs, { name: "suffix", lastOnly: true }, { name: "js" }, options);
    expect(result.windows).toBe(10);
    expect(result.alignedPositions).toBe(10);
    expect(result.value).toBeGreaterThan(0);
    expect(result.value).toBeLessThanOrEqual(Math.LN2);
  });

  it("uniform model scores twice ln V", () => {
    // SCE(u, u) = 2 H(u) = 2 ln 7 at every aligned position.
    const uniform = new RecordingUniformModel(VOCAB);
    const result = misalignment(uniform, docs, { name: "random-subsequence" }, { name: "sce" }, options);
    expect(result.value).toBeCloseTo(2 * Math.log(VOCAB), 5);
  });

  it("context-free model scores zero", () => {
    const bigram = new BigramModel(VOCAB, 5);
    const result = misalignment(bigram, docs, { name: "prefix-suffix" }, { name: "wasserstein" }, options);
    expect(Math.abs(result.value)).toBeLessThan(1e-6);
    bigram.dispose();
  });

  it("value pools positions across batches", () => {
    // Logits [T, 0, …, 0] depend only on the view length T, so every aligned position of a batch has
    // the same KL(p_12 ‖ q_ℓ) for its short length ℓ. The pooled mean weights each batch by its
    // rows × ℓ positions. A mean of per-batch means would instead weight the 2-row last batch like the others.
    const calls: { rows: number; length: number }[] = [];
    const lengthModel = {
      vocabSize: VOCAB,
      maxContext: Infinity,
      logits(tokens: tf.Tensor2D): tf.Tensor3D {
        const [rows, length] = tokens.shape;
        calls.push({ rows, length });
        return tf.tidy(() => tf.mul(tf.oneHot(tf.zeros([rows, length], "int32"), VOCAB), length) as tf.Tensor3D);
      },
    };
    const result = misalignment(lengthModel, docs, { name: "random-subsequence" }, { name: "kl", direction: "long||short" }, options);

    const distribution = (length: number) => {
      const norm = Math.exp(length) + VOCAB - 1;
      return Array.from({ length: VOCAB }, (_, k) => (k === 0 ? Math.exp(length) : 1) / norm);
    };
    const kl = (p: number[], q: number[]) => p.reduce((total, pk, k) => total + pk * Math.log(pk / q[k]), 0);
    let weighted = 0;
    let positions = 0;
    for (const call of calls.filter((c) => c.length !== options.lTrain)) {
      weighted += call.rows * call.length * kl(distribution(options.lTrain), distribution(call.length));
      positions += call.rows * call.length;
    }
    const shortCalls = calls.filter((c) => c.length !== options.lTrain);
    expect(shortCalls.map((c) => c.rows)).toEqual([4, 4, 2]);
    expect(new Set(shortCalls.map((c) => c.length)).size, "batches differ in short length").toBeGreaterThan(1);
    expect(result.alignedPositions).toBe(positions);
    expect(result.value).toBeCloseTo(weighted / positions, 4);
  });

  it("rejects documents too short", () => {
    const short = documents(6, [10, 12]);
    expect(() => misalignment(model, short, { name: "suffix" }, { name: "sce" }, options)).toThrow(
      /sampleWindows: no document has the \d+ tokens a window needs; the longest \("doc1"\) has 12/,
    );
  });

  it("rejects zero windows", () => {
    expect(() => misalignment(model, docs, { name: "suffix" }, { name: "sce" }, { ...options, numWindows: 0 })).toThrow(
      /misalignment: numWindows must be an integer in \[1, ∞\], got 0/,
    );
  });
});
