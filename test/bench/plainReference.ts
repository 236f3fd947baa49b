import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../../lib/model/config";
import { alibiSlopes } from "../../lib/model/positional";

/**
 * The transformer written the straightforward way, for checking the optimized layers: plain tfjs
 * ops differentiated by tfjs autograd, batched attention over [B, H, T, T], RoPE by splitting
 * halves, and a one-hot matMul embedding (wasm has no gather gradient). Slow on purpose.
 * Shapes: B batch, T length, H heads, D width, Dh = D / H, V vocab, N = B·T.
 */

/** x·W + b. */
export function plainDense(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const product = tf.matMul(x, weight) as tf.Tensor2D;
  return bias ? (tf.add(product, bias) as tf.Tensor2D) : product;
}

/** (x − mean) / sqrt(var + 1e-5) · gain + bias over the last axis. */
export function plainLayerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gain), bias);
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function plainGelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/**
 * Rotates channel i with channel i + Dh/2 by angle (t + offset) / scale · base^(−2i/Dh).
 * @param x [B, H, T, Dh]
 */
export function plainRope(x: tf.Tensor4D, base: number, scale: number, offset: number): tf.Tensor4D {
  const [, , T, Dh] = x.shape;
  const half = Dh / 2;
  const angles: number[][] = [];
  for (let t = 0; t < T; t++) {
    angles.push(Array.from({ length: half }, (_, i) => ((t + offset) / scale) * Math.pow(base, (-2 * i) / Dh)));
  }
  const cos = tf.tensor2d(angles.map((row) => row.map(Math.cos))); // [T, Dh/2]
  const sin = tf.tensor2d(angles.map((row) => row.map(Math.sin)));
  const [x1, x2] = tf.split(x, 2, 3);
  return tf.concat([tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x1, sin), tf.mul(x2, cos))], 3) as tf.Tensor4D;
}

/** Options of one forward pass, as TransformerLM's ForwardOptions. */
export interface PlainForwardOptions {
  ropeScale?: number;
  positionOffset?: number;
}

/**
 * Next-token logits of the transformer whose parameters are `params` (TransformerLM's names).
 * @param tokens [B, T] int32
 * @returns [B, T, V]
 */
export function plainLogits(
  config: ModelConfig,
  params: Map<string, tf.Tensor>,
  tokens: tf.Tensor2D,
  options: PlainForwardOptions = {},
): tf.Tensor3D {
  const p = (name: string) => params.get(name) as tf.Tensor;
  const [B, T] = tokens.shape;
  const { dModel: D, nHeads: H, vocabSize: V } = config;
  const Dh = D / H;
  const offset = options.positionOffset ?? 0;

  let x: tf.Tensor2D = tf.matMul(tf.oneHot(tf.reshape(tokens, [B * T]) as tf.Tensor1D, V), p("embed.weight") as tf.Tensor2D); // [N, D]
  if (config.position === "learned") {
    x = tf.reshape(tf.add(tf.reshape(x, [B, T, D]), tf.slice(p("position.weight"), [offset, 0], [T, D])), [B * T, D]) as tf.Tensor2D;
  }

  const causal = tf.tensor2d(Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (j > i ? -1e9 : 0)))); // [T, T]
  const slopes = config.position === "alibi" ? alibiSlopes(H) : undefined;
  const distance = tf.tensor2d(Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => i - j))); // [T, T]

  for (let layer = 0; layer < config.nLayers; layer++) {
    const w = (name: string) => p(`blocks.${layer}.${name}`);
    const normed = plainLayerNorm(x, w("ln1.weight") as tf.Tensor1D, w("ln1.bias") as tf.Tensor1D);
    const qkv = plainDense(normed, w("attn.qkv.weight") as tf.Tensor2D, w("attn.qkv.bias") as tf.Tensor1D); // [N, 3D]
    const heads = (part: number) =>
      tf.transpose(tf.reshape(tf.slice(qkv, [0, part * D], [B * T, D]), [B, T, H, Dh]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, Dh]
    let q = heads(0);
    let k = heads(1);
    const v = heads(2);
    if (config.position === "rope") {
      const scale = options.ropeScale ?? config.ropeScale;
      q = plainRope(q, config.ropeBase, scale, offset);
      k = plainRope(k, config.ropeBase, scale, offset);
    }
    let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(Dh)); // [B, H, T, T]
    scores = tf.add(scores, causal);
    if (slopes) scores = tf.sub(scores, tf.mul(tf.reshape(tf.tensor1d(slopes), [1, H, 1, 1]), distance));
    const mixed = tf.matMul(tf.softmax(scores), v); // [B, H, T, Dh]
    const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [B * T, D]) as tf.Tensor2D; // [N, D]
    x = tf.add(x, plainDense(merged, w("attn.proj.weight") as tf.Tensor2D, w("attn.proj.bias") as tf.Tensor1D)) as tf.Tensor2D;

    const normed2 = plainLayerNorm(x, w("ln2.weight") as tf.Tensor1D, w("ln2.bias") as tf.Tensor1D);
    const up = plainGelu(plainDense(normed2, w("mlp.fc.weight") as tf.Tensor2D, w("mlp.fc.bias") as tf.Tensor1D)) as tf.Tensor2D;
    x = tf.add(x, plainDense(up, w("mlp.proj.weight") as tf.Tensor2D, w("mlp.proj.bias") as tf.Tensor1D)) as tf.Tensor2D;
  }
  const final = plainLayerNorm(x, p("lnFinal.weight") as tf.Tensor1D, p("lnFinal.bias") as tf.Tensor1D);
  return tf.reshape(plainDense(final, p("head.weight") as tf.Tensor2D), [B, T, V]) as tf.Tensor3D;
}
