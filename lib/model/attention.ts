import * as tf from "@tensorflow/tfjs";
import { batchMatMul, dense } from "./layers";
import { applyRope } from "./positional";

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
  /** RoPE tables [T, Dh/2], when the model uses RoPE. */
  rope?: { cos: tf.Tensor2D; sin: tf.Tensor2D };
  /** Causal mask plus ALiBi bias, [H, T, T] or [1, T, T]. */
  bias: tf.Tensor3D;
}

/**
 * Multi-head causal self-attention over a flattened batch.
 * @param x [B·T, D] (rows are batch-major: row b·T + t)
 * @returns [B·T, D]
 */
export function causalSelfAttention(x: tf.Tensor2D, weights: AttentionWeights, context: AttentionContext): tf.Tensor2D {
  const { batch: B, length: T, numHeads: H } = context;
  const D = x.shape[1];
  const Dh = D / H;

  const qkv = dense(x, weights.qkvWeight, weights.qkvBias); // [B·T, 3D]
  const heads = tf.transpose(tf.reshape(qkv, [B, T, 3, H, Dh]), [2, 0, 3, 1, 4]); // [3, B, H, T, Dh]
  let [q, k, v] = tf.unstack(heads).map((t) => tf.reshape(t, [B * H, T, Dh]) as tf.Tensor3D); // [B·H, T, Dh]
  if (context.rope) {
    q = applyRope(q, context.rope.cos, context.rope.sin);
    k = applyRope(k, context.rope.cos, context.rope.sin);
  }

  const kT = tf.transpose(k, [0, 2, 1]); // [B·H, Dh, T]
  const scores = tf.mul(batchMatMul(q, kT), 1 / Math.sqrt(Dh)); // [B·H, T, T]
  const biased = tf.add(tf.reshape(scores, [B, H, T, T]), context.bias); // [B, H, T, T]
  const attention = tf.reshape(tf.softmax(biased), [B * H, T, T]) as tf.Tensor3D; // [B·H, T, T]
  const mixed = batchMatMul(attention, v); // [B·H, T, Dh]

  const merged = tf.reshape(tf.transpose(tf.reshape(mixed, [B, H, T, Dh]), [0, 2, 1, 3]), [B * T, D]); // [B·T, D]
  return dense(merged as tf.Tensor2D, weights.projWeight, weights.projBias); // [B·T, D]
}
