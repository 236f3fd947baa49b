import * as tf from "@tensorflow/tfjs";

/**
 * Position-dependent tensors for attention. Shapes: T sequence length, H heads, Dh head width.
 */

/**
 * Cosine and sine tables of rotary position embedding (RoFormer): channel pair i of position m is
 * rotated by the angle (m + offset) / scale · base^(-2i/Dh). `scale` > 1 is position interpolation.
 * @returns cos and sin, each [T, Dh/2]
 */
export function ropeTables(
  length: number,
  headDim: number,
  base: number,
  scale = 1,
  offset = 0,
): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = headDim / 2;
  const cos = new Float32Array(length * half);
  const sin = new Float32Array(length * half);
  for (let m = 0; m < length; m++) {
    const position = (m + offset) / scale;
    for (let i = 0; i < half; i++) {
      const angle = position * Math.pow(base, (-2 * i) / headDim);
      cos[m * half + i] = Math.cos(angle);
      sin[m * half + i] = Math.sin(angle);
    }
  }
  return { cos: tf.tensor2d(cos, [length, half]), sin: tf.tensor2d(sin, [length, half]) };
}

/**
 * Rotates query or key channels by position, pairing channel i with channel i + Dh/2 (the
 * "rotate half" layout; equivalent to interleaved pairs up to a fixed permutation of channels).
 * @param x [G, T, Dh] where G is batch × heads
 * @param cos [T, Dh/2]
 * @param sin [T, Dh/2]
 * @returns [G, T, Dh]
 */
export function applyRope(x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor3D {
  const half = x.shape[2] / 2;
  const [x1, x2] = tf.split(x, [half, half], 2); // [G, T, Dh/2] each
  const rotated1 = tf.sub(tf.mul(x1, cos), tf.mul(x2, sin));
  const rotated2 = tf.add(tf.mul(x1, sin), tf.mul(x2, cos));
  return tf.concat([rotated1, rotated2], 2) as tf.Tensor3D; // [G, T, Dh]
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

/** Additive mask value for a future position; large but finite so softmax never sees -Infinity - -Infinity. */
export const MASKED = -1e9;

/**
 * Additive attention bias: the causal mask (MASKED above the diagonal) plus, for ALiBi,
 * −slope_h · (i − j) for key j at or before query i.
 * @returns [H, T, T] when slopes are given, else [1, T, T]
 */
export function attentionBias(length: number, slopes?: number[]): tf.Tensor3D {
  const heads = slopes ? slopes.length : 1;
  const bias = new Float32Array(heads * length * length);
  for (let h = 0; h < heads; h++) {
    const slope = slopes ? slopes[h] : 0;
    for (let i = 0; i < length; i++) {
      const row = (h * length + i) * length;
      for (let j = 0; j < length; j++) bias[row + j] = j > i ? MASKED : -slope * (i - j);
    }
  }
  return tf.tensor3d(bias, [heads, length, length]);
}
