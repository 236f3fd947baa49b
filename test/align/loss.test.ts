import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AlignmentConfig,
  alignedDivergence,
  alignmentLoss,
  cutView,
  stopGradient,
  validateAlignmentConfig,
} from "../../lib/align/loss";
import { type PairLayout, sampleLayout } from "../../lib/align/strategies";
import { initBackend } from "../../lib/backend";
import { TransformerLM } from "../../lib/model/transformer";
import { Random } from "../../lib/util/random";
import { BigramModel, DecayAverageModel, RecordingUniformModel } from "./fakeModels";

const VOCAB = 7;

function config(overrides: Partial<AlignmentConfig> = {}): AlignmentConfig {
  return validateAlignmentConfig(overrides);
}

function randomWindows(random: Random, batchSize: number, length: number): tf.Tensor2D {
  const ids = Int32Array.from({ length: batchSize * length }, () => random.int(0, VOCAB - 1));
  return tf.tensor2d(ids, [batchSize, length], "int32");
}

function scalars(result: { loss: tf.Scalar; ce: tf.Scalar; misalignment: tf.Scalar }): { loss: number; ce: number; misalignment: number } {
  const out = { loss: result.loss.dataSync()[0], ce: result.ce.dataSync()[0], misalignment: result.misalignment.dataSync()[0] };
  tf.dispose([result.loss, result.ce, result.misalignment]);
  return out;
}

let tensorsBefore = 0;

beforeAll(async () => {
  await initBackend();
});

beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});

afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe("stopGradient", () => {
  it("passes values through unchanged", () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = stopGradient(x);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([x, y]);
  });

  it("blocks the gradient of one factor", () => {
    // d/dx Σ stop(x) · x = stop(x) = x, whereas without the stop it would be 2x.
    const x = tf.tensor1d([1, -2, 3]);
    const gradient = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(stopGradient(v), v)))(x);
    expect(Array.from(gradient.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([x, gradient]);
  });
});

describe("cutView", () => {
  it("slices inputs and targets across runs", () => {
    // Window row [10, 11, …, 16]; view [0, 3, 4]: inputs 10, 13, 14 and targets 11, 14, 15.
    const windows = tf.tensor2d([[10, 11, 12, 13, 14, 15, 16]], [1, 7], "int32");
    const inputs = cutView(windows, [0, 3, 4], 0);
    const targets = cutView(windows, [0, 3, 4], 1);
    expect(inputs.arraySync()).toEqual([[10, 13, 14]]);
    expect(targets.arraySync()).toEqual([[11, 14, 15]]);
    tf.dispose([windows, inputs, targets]);
  });
});

describe("alignmentLoss", () => {
  it("uniform model gives hand values", () => {
    // All-zero logits: every distribution is uniform over V = 7. CE = ln 7, SCE(u, u) = 2 H(u) = 2 ln 7,
    // loss = ln 7 + 0.1 · 2 ln 7 = 1.2 ln 7.
    const model = new RecordingUniformModel(VOCAB);
    const layout = sampleLayout({ name: "suffix" }, 8, new Random(1));
    const windows = randomWindows(new Random(2), 3, layout.windowLength);
    const result = alignmentLoss(model, windows, layout, config());
    const { loss, ce, misalignment } = scalars(result);
    expect(ce).toBeCloseTo(Math.log(7), 5);
    expect(misalignment).toBeCloseTo(2 * Math.log(7), 5);
    expect(loss).toBeCloseTo(1.2 * Math.log(7), 5);
    windows.dispose();
  });

  it("feeds each view its window tokens", () => {
    // prefix-suffix with p 1, lExtra 3 on lTrain 8: long reads window 0..7, short reads [0, 4..10];
    // both have 8 tokens, so they run as one stacked batch of 2·B rows.
    const model = new RecordingUniformModel(VOCAB);
    const layout = sampleLayout({ name: "prefix-suffix", prefixLength: 1, extraMin: 3, extraMax: 3 }, 8, new Random(0));
    const rows = [
      [0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4],
      [6, 5, 4, 3, 2, 1, 0, 6, 5, 4, 3, 2],
    ];
    const windows = tf.tensor2d(rows, [2, 12], "int32");
    const result = alignmentLoss(model, windows, layout, config({ strategy: { name: "prefix-suffix" } }));
    scalars(result);
    expect(model.calls.length).toBe(1);
    const pick = (row: number[], view: number[]) => view.map((index) => row[index]);
    expect(model.calls[0]).toEqual([
      pick(rows[0], layout.long),
      pick(rows[1], layout.long),
      pick(rows[0], layout.shorts[0]),
      pick(rows[1], layout.shorts[0]),
    ]);
    expect(result.alignedPositions).toBe(2 * 4);
    windows.dispose();
  });

  it("separate calls for unequal lengths", () => {
    const model = new RecordingUniformModel(VOCAB);
    const layout = sampleLayout({ name: "sliding-window", width: 3, stride: 2 }, 8, new Random(0));
    const windows = randomWindows(new Random(3), 2, layout.windowLength);
    scalars(alignmentLoss(model, windows, layout, config({ strategy: { name: "sliding-window" } })));
    // The long view (8 tokens) runs alone; all short views (3 tokens each) share one call.
    expect(model.calls.map((call) => [call.length, call[0].length])).toEqual([
      [2, 8],
      [2 * layout.shorts.length, 3],
    ]);
    windows.dispose();
  });

  it("context-free model has zero kl", () => {
    // A bigram model predicts from the current token only, so aligned positions agree exactly.
    const model = new BigramModel(VOCAB, 4);
    const random = new Random(5);
    for (const strategy of ["suffix", "random-subsequence", "sliding-window", "prefix-suffix"] as const) {
      const layout = sampleLayout({ name: strategy }, 12, random);
      const windows = randomWindows(random, 3, layout.windowLength);
      const { misalignment } = scalars(
        alignmentLoss(model, windows, layout, config({ strategy: { name: strategy }, divergence: { name: "kl", direction: "long||short" } })),
      );
      expect(Math.abs(misalignment), strategy).toBeLessThan(1e-6);
      windows.dispose();
    }
    model.dispose();
  });

  it("loss combines ce and alpha", () => {
    const model = new DecayAverageModel(VOCAB, 4, 6);
    const layout = sampleLayout({ name: "suffix" }, 10, new Random(7));
    const windows = randomWindows(new Random(8), 4, layout.windowLength);
    const { loss, ce, misalignment } = scalars(alignmentLoss(model, windows, layout, config({ alpha: 0.3 })));
    expect(misalignment).toBeGreaterThan(0);
    expect(loss).toBeCloseTo(ce + 0.3 * misalignment, 5);
    windows.dispose();
    model.dispose();
  });

  it("ce on both views averages by token", () => {
    // random-subsequence views have different lengths, so "both" must equal the token-weighted mean
    // of the per-view CEs. The decay model is used because the uniform one gives ln 7 on every view.
    const model = new DecayAverageModel(VOCAB, 4, 9);
    const layout = sampleLayout({ name: "random-subsequence" }, 12, new Random(10));
    const windows = randomWindows(new Random(11), 2, layout.windowLength);
    const strategy = { name: "random-subsequence" } as const;
    const longOnly = scalars(alignmentLoss(model, windows, layout, config({ strategy, ceOn: "long" }))).ce;
    const both = scalars(alignmentLoss(model, windows, layout, config({ strategy, ceOn: "both" }))).ce;

    const shortLength = layout.shorts[0].length;
    const shortCe = tf.tidy(() => {
      const inputs = cutView(windows, layout.shorts[0], 0);
      const targets = cutView(windows, layout.shorts[0], 1);
      const logProbs = tf.logSoftmax(model.logits(inputs)); // [B, T, V]
      return -tf.sum(tf.mul(tf.oneHot(targets, VOCAB), logProbs)).dataSync()[0] / (2 * shortLength);
    });
    expect(both).toBeCloseTo((longOnly * 12 + shortCe * shortLength) / (12 + shortLength), 5);
    windows.dispose();
    model.dispose();
  });

  it("gradients reach model variables", () => {
    const model = new DecayAverageModel(VOCAB, 4, 12);
    const layout = sampleLayout({ name: "suffix" }, 8, new Random(13));
    const windows = randomWindows(new Random(14), 2, layout.windowLength);
    const { value, grads } = tf.variableGrads(() => {
      const result = alignmentLoss(model, windows, layout, config({ divergence: { name: "wasserstein" } }));
      return result.loss;
    });
    for (const [name, gradient] of Object.entries(grads)) {
      const norm = tf.tidy(() => tf.norm(gradient).dataSync()[0]);
      expect(Number.isFinite(norm), name).toBe(true);
      expect(norm, name).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads), windows]);
    model.dispose();
  });

  it("transformer gradients for every strategy", () => {
    const model = new TransformerLM({ vocabSize: VOCAB, dModel: 16, nLayers: 1, nHeads: 2, seed: 21 });
    const tensorsWithModel = tf.memory().numTensors;
    const random = new Random(22);
    for (const strategy of ["suffix", "random-subsequence", "sliding-window", "prefix-suffix"] as const) {
      const layout = sampleLayout({ name: strategy }, 12, random);
      const windows = randomWindows(random, 2, layout.windowLength);
      const { value, grads } = tf.variableGrads(
        () => alignmentLoss(model, windows, layout, config({ strategy: { name: strategy }, ceOn: "both" })).loss,
        model.variables(),
      );
      const norms = tf.tidy(() => Object.values(grads).map((gradient) => tf.norm(gradient).dataSync()[0]));
      norms.forEach((norm) => expect(Number.isFinite(norm), strategy).toBe(true));
      expect(Math.max(...norms), strategy).toBeGreaterThan(0);
      tf.dispose([value, ...Object.values(grads), windows]);
    }
    expect(tf.memory().numTensors).toBe(tensorsWithModel);
    model.dispose();
    // NOTE: TransformerLM's constructor keeps one initial tensor per parameter after wrapping it in a
    // tf.variable, and dispose() frees only the variables, so this test checks for leaks across the
    // loop above instead of across the whole test.
    tensorsBefore = tf.memory().numTensors;
  });

  it("tensor count flat over calls", () => {
    const model = new DecayAverageModel(VOCAB, 4, 15);
    const random = new Random(16);
    const counts: number[] = [];
    for (let step = 0; step < 6; step++) {
      const layout = sampleLayout({ name: "sliding-window" }, 10, random);
      const windows = randomWindows(random, 2, layout.windowLength);
      const { value, grads } = tf.variableGrads(
        () => alignmentLoss(model, windows, layout, config({ strategy: { name: "sliding-window" }, ceOn: "both" })).loss,
      );
      tf.dispose([value, ...Object.values(grads)]);
      scalars(alignmentLoss(model, windows, layout, config({ stopGradient: "short" })));
      windows.dispose();
      counts.push(tf.memory().numTensors);
    }
    counts.forEach((count, step) => expect(count, `step ${step}`).toBe(counts[0]));
    model.dispose();
  });

  it("rejects windows of wrong length", () => {
    const model = new RecordingUniformModel(VOCAB);
    const layout = sampleLayout({ name: "suffix", extraMin: 2, extraMax: 2 }, 8, new Random(0));
    const windows = tf.zeros([2, 10], "int32") as tf.Tensor2D;
    expect(() => alignmentLoss(model, windows, layout, config())).toThrow(
      /windows must be an int32 \[B, 11\] tensor \(layout\.windowLength\), got \{"shape":\[2,10\],"dtype":"int32"\}/,
    );
    windows.dispose();
  });

  it("rejects views beyond maxContext", () => {
    const model = new RecordingUniformModel(VOCAB, 6);
    const layout = sampleLayout({ name: "suffix" }, 8, new Random(0));
    const windows = tf.zeros([1, layout.windowLength], "int32") as tf.Tensor2D;
    expect(() => alignmentLoss(model, windows, layout, config())).toThrow(/longest view must be at most model\.maxContext = 6 tokens, got 8/);
    windows.dispose();
  });
});

describe("stop-gradient sides", () => {
  const layout: PairLayout = {
    windowLength: 6,
    long: [0, 1, 2, 3],
    shorts: [[2, 3, 4]],
    spans: [{ short: 0, longStart: 2, shortStart: 0, length: 2 }],
  };

  function sideGradients(side: "none" | "short" | "long"): { long: number; short: number } {
    const random = new Random(17);
    const longLogits = tf.tensor3d(Float32Array.from({ length: 2 * 4 * VOCAB }, () => random.normal()), [2, 4, VOCAB]);
    const shortLogits = tf.tensor3d(Float32Array.from({ length: 2 * 3 * VOCAB }, () => random.normal()), [2, 3, VOCAB]);
    const [longGrad, shortGrad] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const { sum } = alignedDivergence(a as tf.Tensor3D, [b as tf.Tensor3D], layout.spans, {
        divergence: { name: "sce" },
        stopGradient: side,
      });
      return sum;
    })([longLogits, shortLogits]);
    const norms = tf.tidy(() => ({ long: tf.norm(longGrad).dataSync()[0], short: tf.norm(shortGrad).dataSync()[0] }));
    tf.dispose([longLogits, shortLogits, longGrad, shortGrad]);
    return norms;
  }

  it("none keeps both sides", () => {
    const norms = sideGradients("none");
    expect(norms.long).toBeGreaterThan(0.01);
    expect(norms.short).toBeGreaterThan(0.01);
  });

  it("short zeroes the short side", () => {
    const norms = sideGradients("short");
    expect(norms.short).toBe(0);
    expect(norms.long).toBeGreaterThan(0.01);
  });

  it("long zeroes the long side", () => {
    const norms = sideGradients("long");
    expect(norms.long).toBe(0);
    expect(norms.short).toBeGreaterThan(0.01);
  });

  it("model gradient splits across sides", () => {
    // Chain rule: d mis/dθ = (path through the long logits) + (path through the short logits), so
    // the gradient with the short side stopped plus the one with the long side stopped equals the
    // full gradient. Misalignment only (alpha 1, CE subtracted), so CE gradients do not enter.
    const model = new DecayAverageModel(VOCAB, 4, 18);
    const suffixLayout = sampleLayout({ name: "suffix" }, 8, new Random(19));
    const windows = randomWindows(new Random(20), 2, suffixLayout.windowLength);
    const gradientOf = (side: "none" | "short" | "long"): Float32Array => {
      const { value, grads } = tf.variableGrads(() => {
        const result = alignmentLoss(model, windows, suffixLayout, config({ alpha: 1, stopGradient: side }));
        return tf.sub(result.loss, result.ce) as tf.Scalar;
      });
      const flat = tf.tidy(() => tf.concat(Object.values(grads).map((g) => tf.reshape(g, [-1]))).dataSync() as Float32Array);
      tf.dispose([value, ...Object.values(grads)]);
      return flat;
    };
    const full = gradientOf("none");
    const viaLong = gradientOf("short");
    const viaShort = gradientOf("long");
    let largest = 0;
    full.forEach((value, k) => {
      largest = Math.max(largest, Math.abs(value));
      expect(viaLong[k] + viaShort[k], `component ${k}`).toBeCloseTo(value, 4);
    });
    expect(largest).toBeGreaterThan(1e-3);
    const differs = viaLong.some((value, k) => Math.abs(value - full[k]) > 1e-4);
    expect(differs).toBe(true);
    windows.dispose();
    model.dispose();
  });
});

describe("validateAlignmentConfig", () => {
  it("fills defaults", () => {
    expect(validateAlignmentConfig({})).toEqual({
      alpha: 0.1,
      divergence: { name: "sce" },
      strategy: { name: "suffix" },
      ceOn: "long",
      stopGradient: "none",
    });
  });

  it("accepts undefined as all defaults", () => {
    expect(validateAlignmentConfig(undefined).alpha).toBe(0.1);
  });

  it("rejects negative alpha", () => {
    expect(() => validateAlignmentConfig({ alpha: -0.1 })).toThrow(/alignment config: alpha must be a finite number in \[0, ∞\), got -0\.1/);
  });

  it("rejects unknown ceOn", () => {
    expect(() => validateAlignmentConfig({ ceOn: "short" })).toThrow(/ceOn must be one of "long", "both", got "short"/);
  });

  it("rejects unknown stopGradient", () => {
    expect(() => validateAlignmentConfig({ stopGradient: "shrot" })).toThrow(/stopGradient must be one of .*got "shrot"\. Did you mean "short"\?/);
  });

  it("rejects bad nested divergence", () => {
    expect(() => validateAlignmentConfig({ divergence: { name: "kl", direction: "up" } })).toThrow(
      /alignment config: divergence: direction must be one of .*got "up"/,
    );
  });

  it("rejects bad nested strategy", () => {
    expect(() => validateAlignmentConfig({ strategy: "windows" })).toThrow(/alignment config: strategy: name must be one of .*got "windows"/);
  });

  it("rejects unknown field", () => {
    expect(() => validateAlignmentConfig({ alhpa: 0.1 })).toThrow(/unknown option "alhpa".*Did you mean "alpha"\?/);
  });
});
