import * as tf from "@tensorflow/tfjs";
import type { CausalLM } from "../model/types";

/**
 * Mean next-token cross-entropy of `windows`: inputs are tokens 0..T−1 of each row, targets 1..T.
 * @param windows [B, T + 1] int32
 * @returns scalar, mean over B·T predictions, in nats
 */
export function meanCrossEntropy(model: CausalLM, windows: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [B, W] = windows.shape;
    const T = W - 1;
    const inputs = tf.slice(windows, [0, 0], [B, T]) as tf.Tensor2D; // [B, T]
    const targets = tf.reshape(tf.slice(windows, [0, 1], [B, T]), [B * T]) as tf.Tensor1D; // [B·T]
    const logits = tf.reshape(model.logits(inputs), [B * T, model.vocabSize]) as tf.Tensor2D; // [B·T, V]
    return crossEntropyFromLogits(logits, targets);
  });
}

/**
 * Mean cross-entropy of integer targets under logits, via log-softmax and a one-hot mask (no
 * gather, whose gradient the wasm backend lacks).
 * @param logits [N, V]
 * @param targets [N] int32
 * @returns scalar
 */
export function crossEntropyFromLogits(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits); // [N, V]
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(targets, logits.shape[1])), 1); // [N]
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/**
 * Per-position cross-entropy, for perplexity by position.
 * @param logits [N, V]
 * @param targets [N] int32
 * @returns [N] in nats
 */
export function tokenCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits); // [N, V]
    return tf.neg(tf.sum(tf.mul(logProbs, tf.oneHot(targets, logits.shape[1])), 1)) as tf.Tensor1D; // [N]
  });
}
