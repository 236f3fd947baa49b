import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/backend";
import { attentionChunkRows } from "../../lib/model/attention";
import { validateModelConfig, type ModelConfig } from "../../lib/model/config";
import { columnSum, dense, embed, geluTanh, groupedMatMul, layerNorm, logSoftmax, transpose2d } from "../../lib/model/layers";
import { crossEntropyFromLogits, floatOneHot, tokenCrossEntropy } from "../../lib/train/loss";
import { MASKED, applyRope, attentionBias, ropeTables } from "../../lib/model/positional";
import { TransformerLM, type ForwardOptions } from "../../lib/model/transformer";
import { plainDense, plainGelu, plainLayerNorm, plainLogits, plainRope } from "./plainReference";

beforeAll(async () => {
  await initBackend();
});

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  // Every test runs its tensor work in tf.tidy, so the count must come back to where it started.
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

/** max |a − b| / (max |b| + 1e-6): 0 for identical tensors, scale-free otherwise. */
function relativeDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / (tf.max(tf.abs(b)).dataSync()[0] + 1e-6));
}

function normal(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed);
}

/**
 * Values and gradients of `fast` and `plain` on the same inputs, through a random upstream
 * gradient: the largest relative difference over the output and every input gradient.
 */
function compareWithGradients(fast: (...xs: tf.Tensor[]) => tf.Tensor, plain: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): number[] {
  return tf.tidy(() => {
    const upstream = normal(fast(...inputs).shape, 99);
    const fastGrads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(fast(...xs), upstream)))(inputs);
    const plainGrads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(plain(...xs), upstream)))(inputs);
    return [relativeDiff(fast(...inputs), plain(...inputs)), ...fastGrads.map((g, i) => relativeDiff(g, plainGrads[i]))];
  });
}

describe("layout helpers", () => {
  it("transpose2d matches tf.transpose", () => {
    // [12, 5] takes the 3-D route (12 rows = 6 groups of 2). [5, 12] and [13, 4] (prime rows) take the 2-D one.
    tf.tidy(() => {
      for (const shape of [[12, 5], [5, 12], [13, 4]]) {
        const x = normal(shape, 1) as tf.Tensor2D;
        expect(relativeDiff(transpose2d(x), tf.transpose(x)), `shape ${shape}`).toBe(0);
      }
    });
  });

  it("columnSum adds rows", () => {
    // Columns of [[1, 2], [3, 4], [5, 6]] sum to 1+3+5 = 9 and 2+4+6 = 12.
    tf.tidy(() => {
      const sums = columnSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]])).dataSync();
      expect(Array.from(sums)).toEqual([9, 12]);
    });
  });

  it("groupedMatMul contracts either axis", () => {
    // Reference: per group g, x_g·w_g with tf.matMul on [G, ·, ·] layouts.
    tf.tidy(() => {
      const x = normal([3, 4, 2], 2) as tf.Tensor3D; // [P=3, K=4, G=2]
      const w = normal([4, 2, 5], 3) as tf.Tensor3D; // [K=4, G=2, M=5]
      const wByGroup = tf.transpose(w, [1, 0, 2]); // [G, K, M]
      const overWidth = tf.transpose(tf.matMul(tf.transpose(x, [2, 0, 1]), wByGroup), [1, 0, 2]); // [P, G, M]
      expect(relativeDiff(groupedMatMul(x, w, 1), overWidth)).toBeLessThan(1e-6);

      const y = normal([4, 3, 2], 4) as tf.Tensor3D; // [K=4, R=3, G=2]
      const overHeight = tf.transpose(tf.matMul(tf.transpose(y, [2, 1, 0]), wByGroup), [1, 0, 2]); // [R, G, M]
      expect(relativeDiff(groupedMatMul(y, w, 0), overHeight)).toBeLessThan(1e-6);
    });
  });

  it("attentionChunkRows bounds scores", () => {
    // 2^20 scores per chunk: T = 128, H = 4 fits 16 rows; T = 256 fits 4; T = 1024 fits none, so 1.
    expect(attentionChunkRows(16, 128, 4)).toBe(16);
    expect(attentionChunkRows(16, 256, 4)).toBe(4);
    expect(attentionChunkRows(8, 1024, 4)).toBe(1);
    expect(attentionChunkRows(3, 2, 1)).toBe(3);
  });
});

describe("custom-gradient layers against plain formulation", () => {
  it("dense matches for both gradient orders", () => {
    // O <= I packs dy, O > I packs x: both branches of the weight gradient.
    for (const [I, O] of [[5, 3], [3, 7]]) {
      const inputs = [normal([6, I], 5), normal([I, O], 6), normal([O], 7)];
      const withBias = compareWithGradients(
        (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
        (x, w, b) => plainDense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
        inputs,
      );
      const noBias = compareWithGradients(
        (x, w) => dense(x as tf.Tensor2D, w as tf.Tensor2D),
        (x, w) => plainDense(x as tf.Tensor2D, w as tf.Tensor2D),
        inputs.slice(0, 2),
      );
      expect(Math.max(...withBias), `I=${I} O=${O} with bias`).toBeLessThan(1e-5);
      expect(Math.max(...noBias), `I=${I} O=${O} without bias`).toBeLessThan(1e-5);
      tf.dispose(inputs);
    }
  });

  it("layerNorm matches", () => {
    const inputs = [tf.tidy(() => tf.add(normal([7, 6], 8), 3)), normal([6], 9), normal([6], 10)];
    const diffs = compareWithGradients(
      (x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D),
      (x, g, b) => plainLayerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D),
      inputs,
    );
    expect(Math.max(...diffs)).toBeLessThan(1e-4);
    tf.dispose(inputs);
  });

  it("geluTanh matches", () => {
    const inputs = [tf.tidy(() => tf.mul(normal([5, 8], 11), 3))];
    const diffs = compareWithGradients((x) => geluTanh(x), (x) => plainGelu(x), inputs);
    expect(Math.max(...diffs)).toBeLessThan(1e-5);
    tf.dispose(inputs);
  });

  it("embed matches gather and one-hot gradient", () => {
    const ids = tf.tensor1d([3, 0, 3, 1], "int32");
    const table = normal([5, 4], 12);
    const diffs = compareWithGradients(
      (t) => embed(ids, t as tf.Tensor2D),
      (t) => tf.matMul(tf.oneHot(ids, 5), t as tf.Tensor2D),
      [table],
    );
    expect(Math.max(...diffs)).toBeLessThan(1e-6);
    tf.dispose([ids, table]);
  });

  it("logSoftmax matches tf.logSoftmax", () => {
    // Scale 30 puts most probabilities near 1e-26, where a naive log(softmax) would lose them.
    for (const shape of [[6, 9], [2, 5, 256]]) {
      const inputs = [tf.tidy(() => tf.mul(normal(shape, 13), 30))];
      const diffs = compareWithGradients((x) => logSoftmax(x), (x) => tf.logSoftmax(x), inputs);
      expect(Math.max(...diffs), `shape ${shape}`).toBeLessThan(1e-5);
      tf.dispose(inputs);
    }
  });

  it("cross-entropy matches log-softmax form", () => {
    const targets = tf.tensor1d([3, 0, 255, 17, 3, 128], "int32");
    const plain = (x: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(targets, 256)), 1)); // [N]
    const inputs = [tf.tidy(() => tf.mul(normal([6, 256], 14), 4))];
    const diffs = compareWithGradients(
      (x) => crossEntropyFromLogits(x as tf.Tensor2D, targets),
      (x) => tf.mean(plain(x)),
      inputs,
    );
    expect(Math.max(...diffs)).toBeLessThan(1e-5);
    tf.tidy(() => {
      expect(relativeDiff(tokenCrossEntropy(inputs[0] as tf.Tensor2D, targets), plain(inputs[0]))).toBeLessThan(1e-6);
    });
    tf.dispose([targets, ...inputs]);
  });

  it("floatOneHot returns float32 ones", () => {
    tf.tidy(() => {
      const rows = floatOneHot(tf.tensor1d([2, 0], "int32"), 3);
      expect(rows.dtype).toBe("float32");
      expect([...rows.dataSync()]).toEqual([0, 0, 1, 1, 0, 0]);
    });
  });

  it("embed rejects out-of-range id", () => {
    tf.tidy(() => {
      const table = normal([5, 4], 13) as tf.Tensor2D;
      expect(() => embed(tf.tensor1d([0, 5], "int32"), table)).toThrow(/embed: ids\[1\] must be an integer in \[0, 5\), got 5/);
    });
  });
});

describe("positional tensors", () => {
  it("applyRope matches split rotation", () => {
    tf.tidy(() => {
      const [B, T, H, Dh] = [2, 5, 3, 4];
      const x = normal([B * T, H * Dh], 14) as tf.Tensor2D;
      const tables = ropeTables(T, H, Dh, 100, 2, 3);
      const byHead = tf.transpose(tf.reshape(x, [B, T, H, Dh]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, Dh]
      const plain = tf.reshape(tf.transpose(plainRope(byHead, 100, 2, 3), [0, 2, 1, 3]), [B * T, H * Dh]);
      expect(relativeDiff(applyRope(x, tables), plain)).toBeLessThan(1e-6);
    });
  });

  it("applyRope inverse undoes rotation", () => {
    tf.tidy(() => {
      const x = normal([6, 8], 15) as tf.Tensor2D;
      const tables = ropeTables(3, 2, 4, 10000);
      expect(relativeDiff(applyRope(applyRope(x, tables), tables, true), x)).toBeLessThan(1e-6);
    });
  });

  it("attentionBias layout is query, batch, head, key", () => {
    // T = 2, one head with slope 0.5: query 0 sees key 0 (bias 0) but not key 1 (masked);
    // query 1 sees key 0 at distance 1 (−0.5) and itself (0).
    tf.tidy(() => {
      const bias = attentionBias(2, [0.5]);
      expect(bias.shape).toEqual([2, 1, 1, 2]);
      expect(Array.from(bias.dataSync())).toEqual([0, MASKED, -0.5, 0]);
    });
  });
});

describe("TransformerLM against plain formulation", () => {
  const small = { dModel: 16, nLayers: 2, nHeads: 2, vocabSize: 32, seed: 3, initStd: 0.3, maxPositions: 64 };

  /** Relative differences of the logits and of every parameter gradient of a mean-logit loss. */
  function compareModel(config: Partial<ModelConfig>, B: number, T: number, options: ForwardOptions = {}): Record<string, number> {
    const model = new TransformerLM(config);
    const full = validateModelConfig(config);
    const diffs = tf.tidy(() => {
      const tokens = tf.randomUniformInt([B, T], 0, full.vocabSize, 21) as tf.Tensor2D;
      const upstream = normal([B, T, full.vocabSize], 22);
      const fast = tf.variableGrads(() => tf.sum(tf.mul(model.logits(tokens, options), upstream)) as tf.Scalar, model.variables());
      const plain = tf.variableGrads(() => tf.sum(tf.mul(plainLogits(full, model.params, tokens, options), upstream)) as tf.Scalar, model.variables());
      const out: Record<string, number> = { logits: relativeDiff(model.logits(tokens, options), plainLogits(full, model.params, tokens, options)) };
      for (const [name, variable] of model.params) out[name] = relativeDiff(fast.grads[variable.name], plain.grads[variable.name]);
      return out;
    });
    model.dispose();
    return diffs;
  }

  for (const position of ["rope", "alibi", "nope", "learned"] as const) {
    it(`matches with ${position}`, () => {
      const diffs = compareModel({ ...small, position }, 2, 9, { positionOffset: 3, ropeScale: 2 });
      for (const [name, diff] of Object.entries(diffs)) expect(diff, name).toBeLessThan(1e-4);
    });
  }

  it("matches when rows run in chunks", () => {
    // T = 512 with 2 heads allows 2^20 / (512² · 2) = 2 rows per chunk, so 3 rows run as 2 + 1.
    expect(attentionChunkRows(3, 512, 2)).toBe(2);
    const diffs = compareModel({ ...small, nLayers: 1, position: "rope" }, 3, 512);
    for (const [name, diff] of Object.entries(diffs)) expect(diff, name).toBeLessThan(1e-4);
  });
});
