import * as tf from "@tensorflow/tfjs";
import { ToolkitError } from "../util/errors";
import { dense, groupedMatMul } from "./layers";
import { applyRope, type RopeTables } from "./positional";

/** Weights of one multi-head causal self-attention layer. */
export interface AttentionWeights {
  /** [D, 3D] fused query, key, value projection. */
  qkvWeight: tf.Tensor2D;
  qkvBias: tf.Tensor1D;
  /** [D, D] output projection. */
  projWeight: tf.Tensor2D;
  projBias: tf.Tensor1D;
}

/** Position tensors shared by every layer of one forward pass. */
export interface AttentionContext {
  batch: number;
  length: number;
  numHeads: number;
  /** RoPE tables, when the model uses RoPE. */
  rope?: RopeTables;
  /** Causal mask plus ALiBi bias, [T, 1, H, T] or [T, 1, 1, T] (see attentionBias). */
  bias: tf.Tensor4D;
}

/**
 * Multi-head causal self-attention over a flattened batch.
 * @param x [B·T, D] (rows are batch-major: row b·T + t)
 * @returns [B·T, D]
 */
export function causalSelfAttention(x: tf.Tensor2D, weights: AttentionWeights, context: AttentionContext): tf.Tensor2D {
  const qkv = dense(x, weights.qkvWeight, weights.qkvBias); // [B·T, 3D]
  const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[]; // [B·T, D] each
  const mixed = scaledDotProductAttention(q, k, v, context); // [B·T, D]
  return dense(mixed, weights.projWeight, weights.projBias); // [B·T, D]
}

/** Upper bound on the elements of the attention scores [T, rows·H, T] of one group of batch rows. */
export const ATTENTION_CHUNK_SCORES = 1 << 20;

/**
 * Batch rows whose forward pass runs together: as many as keep the attention scores within
 * ATTENTION_CHUNK_SCORES elements, and at least one. On the wasm backend, the grouped matMul of
 * attention ran about three times slower per FLOP with 64 groups of 256 × 256 scores than with 16,
 * because its operands outgrow the cache. Smaller groups also bound the memory of long-context
 * evaluation.
 */
export function attentionChunkRows(batch: number, length: number, numHeads: number): number {
  return Math.max(1, Math.min(batch, Math.floor(ATTENTION_CHUNK_SCORES / (length * length * numHeads))));
}

/**
 * Layouts of per-head tensors, named by their axes: t position, g = (batch, head) group, d channel
 * within the head. `groupedMatMul` reads groups on the last axis of its left operand and the
 * middle axis of its right operand and writes them to the middle axis.
 */
type HeadLayout = "tgd" | "tdg" | "dgt";

/** Permutation of [B, T, H, Dh] that yields each layout before merging B and H. */
const HEAD_PERMUTATIONS: Record<HeadLayout, number[]> = {
  tgd: [1, 0, 2, 3], // [T, B, H, Dh]
  tdg: [1, 3, 0, 2], // [T, Dh, B, H]
  dgt: [3, 0, 2, 1], // [Dh, B, H, T]
};

/**
 * Splits the columns of `x` into heads and arranges them in `layout`.
 * @param x [B·T, D]
 * @returns [T, G, Dh] for tgd, [T, Dh, G] for tdg, [Dh, G, T] for dgt, with G = B·H
 */
function toHeads(x: tf.Tensor2D, B: number, H: number, layout: HeadLayout): tf.Tensor3D {
  const T = x.shape[0] / B;
  const Dh = x.shape[1] / H;
  const arranged = tf.transpose(tf.reshape(x, [B, T, H, Dh]), HEAD_PERMUTATIONS[layout]);
  const [first, second, third, fourth] = arranged.shape;
  switch (layout) {
    case "tgd":
      return tf.reshape(arranged, [first, second * third, fourth]); // [T, G, Dh]
    case "tdg":
      return tf.reshape(arranged, [first, second, third * fourth]); // [T, Dh, G]
    case "dgt":
      return tf.reshape(arranged, [first, second * third, fourth]); // [Dh, G, T]
    default: {
      const unreachable: never = layout;
      throw new ToolkitError(`toHeads: unknown layout ${String(unreachable)}`);
    }
  }
}

/**
 * Inverse of `toHeads(·, "tgd")`.
 * @param x [T, G, Dh]
 * @returns [B·T, D]
 */
function mergeHeads(x: tf.Tensor3D, B: number, H: number): tf.Tensor2D {
  const [T, , Dh] = x.shape;
  const arranged = tf.transpose(tf.reshape(x, [T, B, H, Dh]), [1, 0, 2, 3]); // [B, T, H, Dh]
  return tf.reshape(arranged, [B * T, H * Dh]) as tf.Tensor2D; // [B·T, D]
}

/**
 * softmax(q·kᵀ/√Dh + bias)·v for every head, with RoPE applied to q and k when the context has
 * tables, and a hand-written gradient. All heads of all rows go through one grouped matMul per
 * product (scores, output, and four in the backward pass) with G = B·H groups, instead of
 * batched matMul, and the scores are kept as [T, G, T] so softmax runs over the last axis.
 * @param q [B·T, D], likewise k and v
 * @returns [B·T, D]
 */
function scaledDotProductAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, context: AttentionContext): tf.Tensor2D {
  const { batch: B, length: T, numHeads: H, rope, bias } = context;
  const G = B * H;
  const scale = 1 / Math.sqrt(q.shape[1] / H);
  const heads = (x: tf.Tensor2D, layout: HeadLayout) => toHeads(x, B, H, layout);

  const attend = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [query, key, value] = args as tf.Tensor2D[];
    const save = args[3] as tf.GradSaveFunc;
    const rotatedQuery = tf.mul(rope ? applyRope(query, rope) : query, scale) as tf.Tensor2D; // [B·T, D]
    const rotatedKey = rope ? applyRope(key, rope) : key; // [B·T, D]

    const scores = groupedMatMul(heads(rotatedQuery, "tdg"), heads(rotatedKey, "dgt"), 1); // [T, G, T]: s[i, g, j]
    const biased = tf.reshape(tf.add(tf.reshape(scores, [T, B, H, T]), bias), [T, G, T]); // [T, G, T]
    const probs = tf.softmax(biased) as tf.Tensor3D; // [T, G, T], normalized over keys j
    tf.dispose([scores, biased]);
    const probsByKey = tf.transpose(probs, [0, 2, 1]); // [T, T, G]: p[i, j, g]
    const mixed = groupedMatMul(probsByKey, heads(value, "tgd"), 1); // [T, G, Dh]: Σ_j p[i, j, g]·v[j, g, d]
    // The RoPE tables belong to the caller's tidy scope, so the backward pass reads saved copies.
    save([rotatedQuery, rotatedKey, value, probs, probsByKey, ...(rope ? [rope.cos, rope.sin, rope.rotateHalf] : [])]);

    return {
      value: mergeHeads(mixed, B, H), // [B·T, D]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [qr, kr, vs] = saved as tf.Tensor2D[];
          const [p, pByKey] = saved.slice(3, 5) as tf.Tensor3D[];
          const [cos, sin, rotateHalf] = saved.slice(5) as tf.Tensor2D[];
          const savedRope = rope ? { cos, sin, rotateHalf } : undefined;
          const dMixed = dy as tf.Tensor2D;

          const dProbs = groupedMatMul(heads(dMixed, "tdg"), heads(vs, "dgt"), 1); // [T, G, T]: Σ_d dy[i, g, d]·v[j, g, d]
          // Softmax backward: ds = p · (dp − Σ_j dp · p).
          const dScores = tf.mul(p, tf.sub(dProbs, tf.sum(tf.mul(dProbs, p), -1, true))); // [T, G, T]
          const dScoresByKey = tf.transpose(dScores, [0, 2, 1]) as tf.Tensor3D; // [T, T, G]: ds[i, j, g]

          const dQuery = mergeHeads(groupedMatMul(dScoresByKey, heads(kr, "tgd"), 1), B, H); // Σ_j ds[i, j, g]·k[j, g, d]
          const dKey = mergeHeads(groupedMatMul(dScoresByKey, heads(qr, "tgd"), 0), B, H); // Σ_i ds[i, j, g]·q[i, g, d]
          const dValue = mergeHeads(groupedMatMul(pByKey, heads(dMixed, "tgd"), 0), B, H); // Σ_i p[i, j, g]·dy[i, g, d]

          const dQueryScaled = tf.mul(dQuery, scale) as tf.Tensor2D;
          return [
            savedRope ? applyRope(dQueryScaled, savedRope, true) : dQueryScaled, // [B·T, D]
            savedRope ? applyRope(dKey, savedRope, true) : dKey, // [B·T, D]
            dValue, // [B·T, D]
          ];
        }),
    };
  }) as (q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D) => tf.Tensor2D;

  return attend(q, k, v);
}
