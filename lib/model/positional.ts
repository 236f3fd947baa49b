import * as tf from "@tensorflow/tfjs";

/**
 * Position-dependent tensors for attention. Shapes: T sequence length, H heads, Dh head width.
 */

/** RoPE tables of one forward pass, in the [B·T, D] layout of queries and keys (head-major columns). */
export interface RopeTables {
  /** cos of each channel's angle, [T, D]; channel c of a head belongs to pair c mod Dh/2. */
  cos: tf.Tensor2D;
  /** sin of the same angles, [T, D]. */
  sin: tf.Tensor2D;
  /** [Dh, Dh] signed permutation with (x·rotateHalf) = [−x2, x1] for one head x = [x1, x2]. */
  rotateHalf: tf.Tensor2D;
}

/**
 * RoPE tables (RoFormer): channel pair i of position m is rotated by the angle
 * (m + offset) / scale · base^(-2i/Dh), where pair i is channel i together with channel i + Dh/2
 * (the "rotate half" layout; equivalent to interleaved pairs up to a fixed permutation of
 * channels). `scale` > 1 is position interpolation.
 */
export function ropeTables(length: number, numHeads: number, headDim: number, base: number, scale = 1, offset = 0): RopeTables {
  const half = headDim / 2;
  const width = numHeads * headDim;
  const cos = new Float32Array(length * width);
  const sin = new Float32Array(length * width);
  for (let m = 0; m < length; m++) {
    const position = (m + offset) / scale;
    for (let i = 0; i < half; i++) {
      const angle = position * Math.pow(base, (-2 * i) / headDim);
      for (let head = 0; head < numHeads; head++) {
        for (const channel of [head * headDim + i, head * headDim + half + i]) {
          cos[m * width + channel] = Math.cos(angle);
          sin[m * width + channel] = Math.sin(angle);
        }
      }
    }
  }
  const rotateHalf = new Float32Array(headDim * headDim);
  for (let i = 0; i < half; i++) {
    rotateHalf[(half + i) * headDim + i] = -1; // output channel i reads −x[half + i]
    rotateHalf[i * headDim + half + i] = 1; // output channel half + i reads x[i]
  }
  return {
    cos: tf.tensor2d(cos, [length, width]),
    sin: tf.tensor2d(sin, [length, width]),
    rotateHalf: tf.tensor2d(rotateHalf, [headDim, headDim]),
  };
}

/**
 * Rotates query or key channels by position: x·cos + rotateHalf(x)·sin, or the inverse rotation
 * (−sin) for `inverse`, which is also the transpose and so maps an output gradient to an input
 * gradient. It is differentiated only by hand (inside attention), so the matMul stays untransposed.
 * @param x [B·T, D] with rows batch-major
 * @returns [B·T, D]
 */
export function applyRope(x: tf.Tensor2D, tables: RopeTables, inverse = false): tf.Tensor2D {
  return tf.tidy(() => {
    const [T, D] = tables.cos.shape;
    const B = x.shape[0] / T;
    const Dh = tables.rotateHalf.shape[0];
    const rotated = tf.matMul(tf.reshape(x, [(B * T * D) / Dh, Dh]) as tf.Tensor2D, tables.rotateHalf); // [B·T·H, Dh]
    const sinTerm = tf.mul(tf.reshape(rotated, [B, T, D]), tables.sin); // [B, T, D]
    const cosTerm = tf.mul(tf.reshape(x, [B, T, D]), tables.cos); // [B, T, D]
    return tf.reshape(inverse ? tf.sub(cosTerm, sinTerm) : tf.add(cosTerm, sinTerm), [B * T, D]) as tf.Tensor2D; // [B·T, D]
  });
}

/**
 * ALiBi head slopes (Press et al., 2022): a geometric sequence starting at 2^(-8/H); for H not a
 * power of two, the slopes of the next lower power of two followed by every other slope of the next
 * higher one, as in the reference implementation.
 */
export function alibiSlopes(numHeads: number): number[] {
  const powerOfTwo = (n: number) => {
    const start = Math.pow(2, -8 / n);
    return Array.from({ length: n }, (_, i) => Math.pow(start, i + 1));
  };
  if (Number.isInteger(Math.log2(numHeads))) return powerOfTwo(numHeads);
  const lower = Math.pow(2, Math.floor(Math.log2(numHeads)));
  const extra = powerOfTwo(2 * lower).filter((_, i) => i % 2 === 0);
  return [...powerOfTwo(lower), ...extra.slice(0, numHeads - lower)];
}

/** Additive mask value for a future position; large but finite so softmax never computes -Infinity - -Infinity. */
export const MASKED = -1e9;

/**
 * Additive attention bias in the layout of attention scores (query, batch, head, key): the causal
 * mask (MASKED above the diagonal) plus, for ALiBi, −slope_h · (i − j) for key j at or before
 * query i. The batch axis has size 1 and broadcasts.
 * @returns [T, 1, H, T] when slopes are given, else [T, 1, 1, T]
 */
export function attentionBias(length: number, slopes?: number[]): tf.Tensor4D {
  const heads = slopes ? slopes.length : 1;
  const bias = new Float32Array(length * heads * length);
  for (let i = 0; i < length; i++) {
    for (let h = 0; h < heads; h++) {
      const row = (i * heads + h) * length;
      for (let j = 0; j < length; j++) bias[row + j] = j > i ? MASKED : slopes ? slopes[h] * (j - i) : 0;
    }
  }
  return tf.tensor4d(bias, [length, 1, heads, length]);
}
