import type * as tf from "@tensorflow/tfjs";

/**
 * Shape legend used across lib/: B batch, T sequence length (tokens), H heads, D model width,
 * Dh head width (D / H), V vocabulary size.
 */

/** Interface of a trained causal language model, as evaluation, alignment and task code use it. */
export interface CausalLM {
  /** Vocabulary size V of the logits. */
  readonly vocabSize: number;
  /**
   * The longest context the position encoding allows, or `Infinity` (RoPE, ALiBi and NoPE have no
   * limit; learned absolute positions stop at their table size).
   */
  readonly maxContext: number;
  /**
   * Next-token logits for every position: `logits[b, t]` is the prediction after reading
   * `tokens[b, 0..t]`. Causal: changing `tokens[b, t+1..]` leaves `logits[b, 0..t]` unchanged.
   * @param tokens [B, T] int32 token ids.
   * @returns [B, T, V] float32 logits.
   */
  logits(tokens: tf.Tensor2D): tf.Tensor3D;
}
