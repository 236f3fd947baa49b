import * as tf from "@tensorflow/tfjs";

/**
 * Building blocks of the transformer, written so that both the forward and the backward pass stay
 * in plain 2-D matMuls. On the wasm backend, `matMul` with `transposeA`/`transposeB` and batched
 * matMul are many times slower than an explicit `transpose` followed by a 2-D `matMul`, and tfjs
 * autograd uses the transposed forms; these custom gradients avoid them.
 * Shapes: N rows (B·T flattened), I input width, O output width.
 */

/**
 * Affine map `x·W + b` over rows.
 * @param x [N, I]
 * @param weight [I, O]
 * @param bias [O], optional
 * @returns [N, O]
 */
export function dense(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  return bias ? denseWithBias(x, weight, bias) : denseNoBias(x, weight);
}

const denseWithBias = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x2, w2, bias] = args as tf.Tensor2D[];
  (args[3] as tf.GradSaveFunc)([x2, w2]);
  return {
    value: tf.add(tf.matMul(x2, w2), bias), // [N, O]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const dy2 = dy as tf.Tensor2D;
      return [
        tf.matMul(dy2, tf.transpose(ws)), // [N, O]·[O, I] → [N, I]
        tf.matMul(tf.transpose(xs), dy2), // [I, N]·[N, O] → [I, O]
        tf.sum(dy2, 0), // [O]
      ];
    },
  };
}) as (x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

const denseNoBias = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x2, w2] = args as tf.Tensor2D[];
  (args[2] as tf.GradSaveFunc)([x2, w2]);
  return {
    value: tf.matMul(x2, w2), // [N, O]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy2)];
    },
  };
}) as (x: tf.Tensor2D, weight: tf.Tensor2D) => tf.Tensor2D;

/**
 * Batched matMul `a·b` whose gradient uses explicit transposes instead of the transposed matMul
 * forms.
 * @param a [G, M, K]
 * @param b [G, K, N]
 * @returns [G, M, N]
 */
export const batchMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b] = args as tf.Tensor3D[];
  (args[2] as tf.GradSaveFunc)([a, b]);
  return {
    value: tf.matMul(a, b), // [G, M, N]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [as, bs] = saved as tf.Tensor3D[];
      const dy3 = dy as tf.Tensor3D;
      return [
        tf.matMul(dy3, tf.transpose(bs, [0, 2, 1])), // [G, M, N]·[G, N, K] → [G, M, K]
        tf.matMul(tf.transpose(as, [0, 2, 1]), dy3), // [G, K, M]·[G, M, N] → [G, K, N]
      ];
    },
  };
}) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/**
 * Embedding lookup whose gradient is a one-hot matMul: the gradient of `tf.gather` needs the
 * UnsortedSegmentSum kernel, which the wasm backend lacks.
 * @param ids [N] int32
 * @param table [V, D]
 * @returns [N, D]
 */
export function embed(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  return embedLookup(ids, table);
}

const embedLookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [ids, table] = args as tf.Tensor[];
  (args[2] as tf.GradSaveFunc)([ids]);
  const vocabSize = table.shape[0];
  return {
    value: tf.gather(table, ids), // [N, D]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const oneHotT = tf.transpose(tf.oneHot(saved[0] as tf.Tensor1D, vocabSize)); // [V, N]
      // ids are integers and get no gradient; tfjs still expects one tensor per input.
      return [tf.zerosLike(saved[0]), tf.matMul(tf.cast(oneHotT, "float32") as tf.Tensor2D, dy as tf.Tensor2D)]; // [V, D]
    },
  };
}) as (ids: tf.Tensor1D, table: tf.Tensor2D) => tf.Tensor2D;

/**
 * Layer normalization over the last axis (epsilon 1e-5, as in PyTorch's LayerNorm).
 * @param x [N, D]
 * @returns [N, D]
 */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon = 1e-5): tf.Tensor2D {
  const mean = tf.mean(x, -1, true); // [N, 1]
  const centered = tf.sub(x, mean); // [N, D]
  const variance = tf.mean(tf.square(centered), -1, true); // [N, 1]
  const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))); // [N, D]
  return tf.add(tf.mul(normalized, gain), bias);
}

/** GELU with the tanh approximation used by GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner))) as T;
}

/**
 * Identity in the forward pass with a zero gradient: tfjs has no stop-gradient op.
 */
export const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as <T extends tf.Tensor>(x: T) => T;
