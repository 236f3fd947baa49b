import * as tf from "@tensorflow/tfjs";
import type { TokenizedDocument } from "../data/types";
import { evaluationWindows } from "../data/windows";
import type { ForwardOptions } from "../model/transformer";
import type { CausalLM } from "../model/types";
import { ConfigError, assert, mustBe } from "../util/errors";
import { tokenCrossEntropy } from "../train/loss";

/** Perplexity of one context length. */
export interface PerplexityRow {
  /** Context length in tokens. */
  length: number;
  /** exp(mean cross-entropy) over every scored token. */
  perplexity: number;
  /** Mean cross-entropy in nats per token. */
  loss: number;
  /** Mean cross-entropy of the last quarter of positions only (context of at least 3/4 · length). */
  tailLoss: number;
  /** Tokens scored (windows × length). */
  tokens: number;
  windows: number;
}

export interface PerplexityOptions {
  /** Windows per length at most (spread evenly over the documents); all that fit when unset. */
  maxWindows?: number;
  /** Windows per forward pass; lower it for long contexts if memory is short. */
  batchSize?: number;
  /** Forward options such as RoPE position interpolation (`ropeScale`). */
  forward?: ForwardOptions;
}

/** A model whose forward pass accepts options, such as TransformerLM. */
type ConfigurableLM = CausalLM & { logits(tokens: tf.Tensor2D, options?: ForwardOptions): tf.Tensor3D };

/**
 * Per-token perplexity of `docs` at each context length, on non-overlapping windows that fit inside
 * documents (see evaluationWindows). The windows depend only on the documents, the length and
 * `maxWindows`, so every model is scored on the same tokens. Every position of a window is scored,
 * so a window of length L averages contexts 1..L; `tailLoss` isolates the long-context positions.
 * @throws ConfigError for a length the model cannot run (learned positions past their table).
 */
export function evaluatePerplexity(
  model: ConfigurableLM,
  docs: TokenizedDocument[],
  lengths: number[],
  options: PerplexityOptions = {},
): PerplexityRow[] {
  const rows: PerplexityRow[] = [];
  for (const length of lengths) {
    assert(
      Number.isInteger(length) && length >= 1 && length <= model.maxContext,
      () => mustBe("evaluatePerplexity", "length", `an integer in [1, ${model.maxContext}] for this model`, length),
      ConfigError,
    );
    const { tokens, count } = evaluationWindows(docs, length, options.maxWindows);
    assert(count > 0, () => `evaluatePerplexity: no document has ${length + 1} tokens; use shorter lengths or more text`, ConfigError);
    // Keep B·T roughly constant so long contexts do not run out of memory.
    const batchSize = options.batchSize ?? Math.max(1, Math.floor(8192 / length));
    let sum = 0;
    let tailSum = 0;
    let tailCount = 0;
    const tailStart = Math.floor((3 * length) / 4);
    for (let start = 0; start < count; start += batchSize) {
      const batchRows = Math.min(batchSize, count - start);
      const losses = tf.tidy(() => {
        const windows = tf.tensor2d(tokens.subarray(start * (length + 1), (start + batchRows) * (length + 1)), [batchRows, length + 1], "int32");
        const inputs = tf.slice(windows, [0, 0], [batchRows, length]) as tf.Tensor2D; // [B, T]
        const targets = tf.reshape(tf.slice(windows, [0, 1], [batchRows, length]), [batchRows * length]) as tf.Tensor1D; // [B·T]
        const logits = tf.reshape(model.logits(inputs, options.forward), [batchRows * length, model.vocabSize]) as tf.Tensor2D; // [B·T, V]
        return tokenCrossEntropy(logits, targets).dataSync() as Float32Array;
      });
      for (let i = 0; i < losses.length; i++) {
        sum += losses[i];
        if (i % length >= tailStart) {
          tailSum += losses[i];
          tailCount += 1;
        }
      }
    }
    const loss = sum / (count * length);
    rows.push({ length, perplexity: Math.exp(loss), loss, tailLoss: tailSum / tailCount, tokens: count * length, windows: count });
  }
  return rows;
}
