import * as tf from "@tensorflow/tfjs";
import { assert, mustBe } from "../util/errors";

/**
 * Building blocks of the transformer with hand-written gradients, laid out for the wasm backend of
 * tfjs 4.22. Measured there (docs/benchmarks.md has the numbers and the machine):
 * - a 2-D matMul without transpose flags runs on XNNPACK at 20–30 GFLOP/s, but batched matMul and
 *   the `transposeA`/`transposeB` forms that tfjs autograd uses fall back to a scalar loop at
 *   1–2 GFLOP/s;
 * - every matMul packs its right-hand operand again, at about 7 ns per element, so a gradient
 *   matMul over the B·T rows puts the narrower of its two operands on the right;
 * - the 2-D transpose of a tall matrix is 2–3 times slower than the same data movement written as
 *   a 3-D transpose, and a reduction over the leading axis transposes first;
 * - tanh and exp run as scalar loops (5–20 ms for 2048 × 256 values) while sigmoid and softmax are
 *   vectorized (under 1 ms).
 * Shapes: N rows (B·T flattened), I input width, O output width.
 */

/** Largest divisor of `rows` in [2, 64], or 1 when there is none. */
function rowGroups(rows: number): number {
  for (let groups = Math.min(64, rows >> 1); groups >= 2; groups--) {
    if (rows % groups === 0) return groups;
  }
  return 1;
}

/**
 * Matrix transpose. A tall matrix is viewed as [g, M/g, N] and moved by the 3-D transpose kernel,
 * which the wasm backend runs faster than its 2-D one. The result is the same.
 * @param x [M, N]
 * @returns [N, M]
 */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [M, N] = x.shape;
  const groups = M > N ? rowGroups(M) : 1;
  if (groups === 1) return tf.transpose(x);
  return tf.reshape(tf.transpose(tf.reshape(x, [groups, M / groups, N]), [2, 0, 1]), [N, M]); // [N, M]
}

/**
 * Sum over rows, computed as an average pool over the whole column times N: tfjs reduces a
 * leading axis by transposing it last first, which is 5–50 times slower on wasm.
 * @param x [N, D]
 * @returns [D]
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  const [N, D] = x.shape;
  const mean = tf.avgPool(tf.reshape(x, [1, N, 1, D]) as tf.Tensor4D, [N, 1], 1, "valid"); // [1, 1, 1, D]
  return tf.reshape(tf.mul(mean, N), [D]); // [D]
}

/**
 * Gradient of `x·W` with respect to W, `xᵀ·dy`. Whichever of x and dy is narrower becomes the
 * right-hand (packed) operand.
 * @param x [N, I]
 * @param dy [N, O]
 * @returns [I, O]
 */
export function weightGradient(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  const inputWidth = x.shape[1];
  const outputWidth = dy.shape[1];
  if (outputWidth <= inputWidth) return tf.matMul(transpose2d(x), dy); // [I, N]·[N, O] → [I, O]
  return transpose2d(tf.matMul(transpose2d(dy), x)); // ([O, N]·[N, I])ᵀ → [I, O]
}

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
  const [x, weight, bias] = args as tf.Tensor2D[];
  (args[3] as tf.GradSaveFunc)([x, weight]);
  return {
    value: tf.add(tf.matMul(x, weight), bias), // [N, O]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [xs, ws] = saved as tf.Tensor2D[];
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(dy2, transpose2d(ws)), weightGradient(xs, dy2), columnSum(dy2)]; // [N, I], [I, O], [O]
      }),
  };
}) as (x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

const denseNoBias = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, weight] = args as tf.Tensor2D[];
  (args[2] as tf.GradSaveFunc)([x, weight]);
  return {
    value: tf.matMul(x, weight), // [N, O]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [xs, ws] = saved as tf.Tensor2D[];
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(dy2, transpose2d(ws)), weightGradient(xs, dy2)]; // [N, I], [I, O]
      }),
  };
}) as (x: tf.Tensor2D, weight: tf.Tensor2D) => tf.Tensor2D;

/**
 * Batched matMul `a·b` whose gradient uses explicit transposes instead of the transposed matMul
 * forms. The transformer no longer uses it (see `groupedMatMul`).
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
 * Batched matrix product with the batch (group) axis last, computed as a depthwise convolution,
 * which the wasm backend runs on XNNPACK (about 10 GFLOP/s against 1–2 for batched matMul):
 * - `contract` 1: out[p, g, m] = Σ_k x[p, k, g] · w[k, g, m]  (filter spans the width of x)
 * - `contract` 0: out[r, g, m] = Σ_k x[k, r, g] · w[k, g, m]  (filter spans the height of x)
 * It has no gradient of its own: attention calls it inside a custom gradient.
 * @param x [P, K, G] for contract 1, [K, R, G] for contract 0
 * @param w [K, G, M]
 * @returns [P, G, M] for contract 1, [R, G, M] for contract 0
 */
export function groupedMatMul(x: tf.Tensor3D, w: tf.Tensor3D, contract: 0 | 1): tf.Tensor3D {
  const [height, width, groups] = x.shape;
  const [inner, , outputs] = w.shape;
  const filter = tf.reshape(w, contract === 1 ? [1, inner, groups, outputs] : [inner, 1, groups, outputs]) as tf.Tensor4D;
  const image = tf.reshape(x, [1, height, width, groups]) as tf.Tensor4D;
  const product = tf.depthwiseConv2d(image, filter, 1, "valid"); // [1, P, 1, G·M] or [1, 1, R, G·M]
  return tf.reshape(product, [contract === 1 ? height : width, groups, outputs]); // [P or R, G, M]
}

/**
 * Embedding lookup. Rows are copied, and their gradients summed, on the host: the wasm backend's
 * gather takes about 4 ms for 2048 rows of 64 values, and the gradient of `tf.gather` needs the
 * UnsortedSegmentSum kernel, which the wasm backend lacks.
 * @param ids [N] int32, each in [0, V)
 * @param table [V, D]
 * @returns [N, D]
 * @throws ToolkitError for an id outside [0, V).
 */
export function embed(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  return embedLookup(ids, table);
}

const embedLookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [ids, table] = args as tf.Tensor2D[];
  const [vocabSize, width] = table.shape;
  const index = ids.dataSync() as Int32Array;
  const rows = table.dataSync() as Float32Array;
  const gathered = new Float32Array(index.length * width);
  for (let n = 0; n < index.length; n++) {
    const id = index[n];
    assert(Number.isInteger(id) && id >= 0 && id < vocabSize, () => mustBe("embed", `ids[${n}]`, `an integer in [0, ${vocabSize})`, id));
    gathered.set(rows.subarray(id * width, (id + 1) * width), n * width);
  }
  (args[2] as tf.GradSaveFunc)([ids]);
  return {
    value: tf.tensor2d(gathered, [index.length, width]), // [N, D]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const savedIndex = saved[0].dataSync() as Int32Array;
      const upstream = dy.dataSync() as Float32Array;
      const tableGrad = new Float32Array(vocabSize * width);
      for (let n = 0; n < savedIndex.length; n++) {
        const target = savedIndex[n] * width;
        for (let c = 0; c < width; c++) tableGrad[target + c] += upstream[n * width + c];
      }
      // ids are integers and get no gradient; tfjs still expects one tensor per input.
      return [tf.zerosLike(saved[0]), tf.tensor2d(tableGrad, [vocabSize, width])]; // [N], [V, D]
    },
  };
}) as (ids: tf.Tensor1D, table: tf.Tensor2D) => tf.Tensor2D;

/**
 * Layer normalization over the last axis (epsilon 1e-5, as in PyTorch's LayerNorm), with the
 * closed-form gradient dx = rstd · (dn − mean(dn) − n · mean(dn · n)) where n is the normalized
 * input and dn = dy · gain.
 * @param x [N, D]
 * @returns [N, D]
 */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon = 1e-5): tf.Tensor2D {
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, gs, bs] = args as tf.Tensor2D[];
    const centered = tf.sub(xs, tf.mean(xs, -1, true)); // [N, D]
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), epsilon)); // [N, 1]
    const normalized = tf.mul(centered, rstd) as tf.Tensor2D; // [N, D]
    (args[3] as tf.GradSaveFunc)([normalized, rstd, gs]);
    return {
      value: tf.add(tf.mul(normalized, gs), bs), // [N, D]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [n, r, g] = saved as tf.Tensor2D[];
          const dy2 = dy as tf.Tensor2D;
          const dn = tf.mul(dy2, g); // [N, D]
          const meanDn = tf.mean(dn, -1, true); // [N, 1]
          const meanDnN = tf.mean(tf.mul(dn, n), -1, true); // [N, 1]
          const dx = tf.mul(tf.sub(tf.sub(dn, meanDn), tf.mul(n, meanDnN)), r); // [N, D]
          return [dx, columnSum(tf.mul(dy2, n) as tf.Tensor2D), columnSum(dy2)]; // [N, D], [D], [D]
        }),
    };
  }) as (x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor2D;
  return normalize(x, gain, bias);
}

/** √(2/π), the constant of the tanh approximation of GELU. */
const GELU_SCALE = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * GELU with the tanh approximation used by GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 * Computed as x·sigmoid(2u) with u the tanh argument, which is the same function
 * (0.5·(1 + tanh u) = sigmoid(2u)) but uses the vectorized sigmoid kernel instead of tanh.
 */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  return geluOp(x) as T;
}

const geluOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const doubledArgument = tf.mul(x, tf.add(2 * GELU_SCALE, tf.mul(tf.square(x), 2 * GELU_SCALE * GELU_CUBIC))); // 2u
  const gate = tf.sigmoid(doubledArgument);
  (args[1] as tf.GradSaveFunc)([x, gate]);
  return {
    value: tf.mul(x, gate),
    // d/dx [x·s(2u)] = s + x·s·(1 − s)·2u', with 2u' = 2√(2/π)·(1 + 3·0.044715·x²).
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [xs, s] = saved;
        const doubledSlope = tf.add(2 * GELU_SCALE, tf.mul(tf.square(xs), 6 * GELU_SCALE * GELU_CUBIC)); // 2u'
        const gateSlope = tf.mul(tf.mul(s, tf.sub(1, s)), tf.mul(xs, doubledSlope));
        return tf.mul(dy, tf.add(s, gateSlope));
      }),
  };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * Log-softmax over the last axis, from the softmax kernel: the largest probability is
 * exp(max − logSumExp), so logSumExp = max − log(max softmax), and log p = x − logSumExp. On wasm,
 * `tf.logSoftmax` and its gradient run the scalar `exp` kernel over every logit (8.6 ms forward and
 * backward on [2048, 256]). This form runs the vectorized softmax, and `log` on one value per row.
 * Gradient: dx = dy − p · Σ dy over the last axis.
 * @param x [..., V]
 * @returns [..., V]
 */
export const logSoftmax = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const probs = tf.softmax(x); // [..., V]
  const logSumExp = logSumExpLastAxis(x, probs, true); // [..., 1]
  (args[1] as tf.GradSaveFunc)([probs]);
  return {
    value: tf.sub(x, logSumExp), // [..., V]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => tf.sub(dy, tf.mul(saved[0], tf.sum(dy, -1, true)))),
  };
}) as <T extends tf.Tensor>(x: T) => T;

/**
 * Computes the log of the softmax normalizer over the last axis, max − log(max softmax) (see
 * `logSoftmax`). Pass `probs` when the caller already has softmax(x). Forward only: it has no
 * gradient of its own.
 * @param x [..., V]
 * @param probs [..., V], softmax(x)
 * @returns [...], or [..., 1] with keepDims
 */
export function logSumExpLastAxis(x: tf.Tensor, probs?: tf.Tensor, keepDims = false): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.max(x, -1, keepDims), tf.log(tf.max(probs ?? tf.softmax(x), -1, keepDims))));
}

/**
 * Identity in the forward pass with a zero gradient: tfjs has no stop-gradient op.
 */
export const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as <T extends tf.Tensor>(x: T) => T;
