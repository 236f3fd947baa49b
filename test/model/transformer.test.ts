import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/backend";
import { validateModelConfig } from "../../lib/model/config";
import { TransformerLM } from "../../lib/model/transformer";

beforeAll(async () => {
  await initBackend();
});

// A larger init than the default 0.02 makes position effects visible in the logits.
const small = { dModel: 16, nLayers: 2, nHeads: 2, vocabSize: 32, seed: 3, initStd: 0.3 };

function randomTokens(batch: number, length: number, seed: number, vocab = 32): tf.Tensor2D {
  return tf.randomUniformInt([batch, length], 0, vocab, seed) as tf.Tensor2D;
}

describe("TransformerLM", () => {
  it("logits shape is [B, T, V]", () => {
    const model = new TransformerLM(small);
    const tokens = randomTokens(3, 7, 1);
    const logits = model.logits(tokens);
    expect(logits.shape).toEqual([3, 7, 32]);
    tf.dispose([tokens, logits]);
    model.dispose();
  });

  for (const position of ["rope", "alibi", "nope", "learned"] as const) {
    it(`causal with ${position}`, () => {
      // Changing tokens after position 5 must leave logits at positions 0..5 unchanged.
      const model = new TransformerLM({ ...small, position, maxPositions: 64 });
      const a = randomTokens(2, 12, 7);
      const tail = randomTokens(2, 6, 8);
      const b = tf.concat([tf.slice(a, [0, 0], [2, 6]), tail], 1) as tf.Tensor2D;
      const la = tf.slice(model.logits(a), [0, 0, 0], [2, 6, 32]).arraySync() as number[][][];
      const lb = tf.slice(model.logits(b), [0, 0, 0], [2, 6, 32]).arraySync() as number[][][];
      const maxDiff = Math.max(...la.flat(2).map((v, i) => Math.abs(v - lb.flat(2)[i])));
      expect(maxDiff).toBeLessThan(1e-5);
      // And the later positions do change, so the check above is not vacuous.
      const later = tf.sub(tf.slice(model.logits(a), [0, 6, 0], [2, 6, 32]), tf.slice(model.logits(b), [0, 6, 0], [2, 6, 32]));
      expect(tf.max(tf.abs(later)).dataSync()[0]).toBeGreaterThan(1e-4);
      model.dispose();
    });
  }

  it("rope logits invariant to position shift", () => {
    // RoPE attention scores depend only on i − j, so shifting every position by 37 changes nothing.
    const model = new TransformerLM({ ...small, position: "rope" });
    const tokens = randomTokens(2, 10, 11);
    const base = model.logits(tokens);
    const shifted = model.logits(tokens, { positionOffset: 37 });
    expect(tf.max(tf.abs(tf.sub(base, shifted))).dataSync()[0]).toBeLessThan(1e-4);
    // Learned absolute positions are not shift invariant: a control that the offset is applied.
    const learned = new TransformerLM({ ...small, position: "learned", maxPositions: 64 });
    const diff = tf.sub(learned.logits(tokens), learned.logits(tokens, { positionOffset: 37 }));
    expect(tf.max(tf.abs(diff)).dataSync()[0]).toBeGreaterThan(1e-4);
    model.dispose();
    learned.dispose();
  });

  it("rope position interpolation changes logits", () => {
    const model = new TransformerLM({ ...small, position: "rope" });
    const tokens = randomTokens(1, 10, 12);
    const diff = tf.sub(model.logits(tokens), model.logits(tokens, { ropeScale: 2 }));
    expect(tf.max(tf.abs(diff)).dataSync()[0]).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it("runs past training length", () => {
    const model = new TransformerLM({ ...small, position: "rope" });
    const tokens = randomTokens(1, 300, 13);
    expect(model.logits(tokens).shape).toEqual([1, 300, 32]);
    model.dispose();
  });

  it("learned positions reject long input", () => {
    const model = new TransformerLM({ ...small, position: "learned", maxPositions: 8 });
    expect(() => model.logits(randomTokens(1, 9, 1))).toThrow(/sequence length must be at most 8.*got 9/);
    model.dispose();
  });

  it("same seed gives same weights", () => {
    const a = new TransformerLM(small);
    const b = new TransformerLM(small);
    const tokens = randomTokens(1, 5, 2);
    expect(Array.from(a.logits(tokens).dataSync())).toEqual(Array.from(b.logits(tokens).dataSync()));
    a.dispose();
    b.dispose();
  });
});

describe("validateModelConfig", () => {
  it("rejects heads not dividing width", () => {
    expect(() => validateModelConfig({ dModel: 30, nHeads: 4 })).toThrow(/nHeads must be a divisor of dModel=30, got 4/);
  });
  it("rejects odd rope head width", () => {
    expect(() => validateModelConfig({ dModel: 12, nHeads: 4, position: "rope" })).toThrow(/even for RoPE.*got 3/);
  });
  it("rejects unknown position with hint", () => {
    expect(() => validateModelConfig({ position: "ropee" as never })).toThrow(/position must be one of .*got "ropee".*Did you mean "rope"/);
  });
  it("rejects unknown field", () => {
    expect(() => validateModelConfig({ width: 3 } as never)).toThrow(/unknown field "width"/);
  });
  it("rejects non-integer layers", () => {
    expect(() => validateModelConfig({ nLayers: 1.5 })).toThrow(/nLayers must be an integer in \[1, 256\], got 1.5/);
  });
});
