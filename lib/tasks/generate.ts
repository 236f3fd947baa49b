/**
 * Greedy generation for byte-level causal LMs, with LongBench's middle truncation of long prompts,
 * stop strings and a cap on new tokens. Each new token reruns the full forward pass (there is no
 * key-value cache); prompts of equal length share a batch.
 */

import * as tf from "@tensorflow/tfjs";

import { BYTE_VOCAB_SIZE, decode } from "../data/tokenizer";
import type { ForwardOptions } from "../model/transformer";
import type { CausalLM } from "../model/types";
import { ConfigError, ToolkitError, assert, intInRange, mustBe } from "../util/errors";

/** A model whose forward pass accepts options, such as TransformerLM's RoPE interpolation factor. */
export type GenerationModel = CausalLM & { logits(tokens: tf.Tensor2D, options?: ForwardOptions): tf.Tensor3D };

export interface GenerateOptions {
  /** Most new tokens per prompt, at least 1. */
  maxNewTokens: number;
  /** Generation of a prompt stops once its output contains one of these; none by default. */
  stopStrings?: readonly string[];
  /** Prompts per forward pass at most (default 8). */
  batchSize?: number;
  /**
   * Maximum prompt length in tokens; longer prompts are cut in the middle. Defaults to
   * `model.maxContext − maxNewTokens` for a model with a finite context, else no limit.
   */
  maxPromptTokens?: number;
  /** Cap on batch × sequence tokens per forward pass, which bounds the [B, T, V] logits (default 65536). */
  maxBatchTokens?: number;
  /** Forward options, such as `ropeScale`. */
  forward?: ForwardOptions;
}

/** The output for one prompt. */
export interface Generation {
  /** Decoded new tokens, cut before the first stop string. */
  text: string;
  /** Every generated token id, including the bytes of the stop string that ended generation. */
  tokens: number[];
  /** `stop`: a stop string appeared; `length`: `maxNewTokens` tokens were generated first. */
  finish: "stop" | "length";
  /** Prompt tokens the model read, after truncation. */
  promptTokens: number;
  truncated: boolean;
}

/**
 * Cuts a prompt longer than `maxTokens` as LongBench's pred.py does: the first and the last
 * floor(maxTokens / 2) tokens, joined. An odd `maxTokens` therefore keeps maxTokens − 1 tokens.
 * pred.py decodes both halves and joins the text. On byte tokens this joins the ids directly, so a
 * UTF-8 character cut at either edge stays as its bytes instead of becoming U+FFFD.
 * Returns `tokens` itself when it fits.
 */
export function truncateMiddle(tokens: Int32Array, maxTokens: number): Int32Array {
  intInRange("truncateMiddle", "maxTokens", maxTokens, 2);
  if (tokens.length <= maxTokens) return tokens;
  const half = Math.floor(maxTokens / 2);
  const out = new Int32Array(2 * half);
  out.set(tokens.subarray(0, half), 0);
  out.set(tokens.subarray(tokens.length - half), half);
  return out;
}

/** Index of the earliest stop string in `text`, or -1. */
function firstStop(text: string, stopStrings: readonly string[]): number {
  let first = -1;
  for (const stop of stopStrings) {
    const at = text.indexOf(stop);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

/** Returns the maximum prompt length after checking the options against the model's context. */
function promptLimit(model: CausalLM, options: GenerateOptions): number {
  const fromModel = Number.isFinite(model.maxContext) ? model.maxContext - options.maxNewTokens : Infinity;
  if (options.maxPromptTokens !== undefined) intInRange("generateGreedy", "maxPromptTokens", options.maxPromptTokens, 2);
  const limit = Math.min(options.maxPromptTokens ?? Infinity, fromModel);
  assert(
    limit >= 2,
    () =>
      mustBe("generateGreedy", "maxNewTokens", `below the model's context of ${model.maxContext} tokens minus 2 prompt tokens`, options.maxNewTokens,
        "Lower maxNewTokens"),
    ConfigError,
  );
  return limit;
}

/**
 * Generates greedily (argmax; ties go to the lower token id) for every prompt and returns the
 * outputs in prompt order. Prompts are truncated with {@link truncateMiddle}, grouped by length, and
 * each group runs in batches; a prompt leaves its batch as soon as it stops. Tensors are freed
 * after every step.
 * @throws ConfigError for invalid options or a model whose vocabulary is not the 256 bytes;
 *   ToolkitError for an empty prompt.
 */
export function generateGreedy(model: GenerationModel, prompts: readonly Int32Array[], options: GenerateOptions): Generation[] {
  intInRange("generateGreedy", "maxNewTokens", options.maxNewTokens, 1);
  const batchSize = intInRange("generateGreedy", "batchSize", options.batchSize ?? 8, 1);
  const maxBatchTokens = intInRange("generateGreedy", "maxBatchTokens", options.maxBatchTokens ?? 65536, 1);
  const stopStrings = options.stopStrings ?? [];
  stopStrings.forEach((stop, i) => assert(stop !== "", () => mustBe("generateGreedy", `stopStrings[${i}]`, "a non-empty string", stop), ConfigError));
  assert(
    model.vocabSize === BYTE_VOCAB_SIZE,
    () => mustBe("generateGreedy", "model.vocabSize", `${BYTE_VOCAB_SIZE} (one token per byte)`, model.vocabSize, "Generate with a byte-level model"),
    ConfigError,
  );
  const limit = promptLimit(model, options);

  const inputs = prompts.map((prompt, i) => {
    if (prompt.length === 0) throw new ToolkitError(`generateGreedy: prompts[${i}] is empty. Give every prompt at least one token`);
    return Number.isFinite(limit) ? truncateMiddle(prompt, limit) : prompt;
  });
  const byLength = new Map<number, number[]>();
  inputs.forEach((input, i) => byLength.set(input.length, [...(byLength.get(input.length) ?? []), i]));

  const results = new Array<Generation>(prompts.length);
  for (const [length, indices] of [...byLength.entries()].sort((a, b) => a[0] - b[0])) {
    const rows = Math.max(1, Math.min(batchSize, Math.floor(maxBatchTokens / (length + options.maxNewTokens))));
    for (let start = 0; start < indices.length; start += rows) {
      const chunk = indices.slice(start, start + rows);
      const outputs = generateBatch(model, chunk.map((i) => inputs[i]), options.maxNewTokens, stopStrings, options.forward);
      chunk.forEach((promptIndex, j) => {
        results[promptIndex] = { ...outputs[j], promptTokens: length, truncated: inputs[promptIndex].length < prompts[promptIndex].length };
      });
    }
  }
  return results;
}

/** Greedy steps for prompts of one length; finished rows leave the batch. */
function generateBatch(
  model: GenerationModel,
  prompts: readonly Int32Array[],
  maxNewTokens: number,
  stopStrings: readonly string[],
  forward: ForwardOptions | undefined,
): Omit<Generation, "promptTokens" | "truncated">[] {
  const promptLength = prompts[0].length;
  const width = promptLength + maxNewTokens;
  // Row-major [B, promptLength + maxNewTokens] buffer; the first promptLength + step columns are filled.
  const buffer = new Int32Array(prompts.length * width);
  prompts.forEach((prompt, b) => buffer.set(prompt, b * width));
  const outputs = prompts.map(() => ({ text: "", tokens: [] as number[], finish: "length" as Generation["finish"] }));
  let active = prompts.map((_, b) => b);

  for (let step = 0; step < maxNewTokens && active.length > 0; step++) {
    const T = promptLength + step;
    const batch = new Int32Array(active.length * T);
    active.forEach((b, row) => batch.set(buffer.subarray(b * width, b * width + T), row * T));
    const next = tf.tidy(() => {
      const tokens = tf.tensor2d(batch, [active.length, T], "int32"); // [B, T]
      const logits = model.logits(tokens, forward); // [B, T, V]
      const last = tf.reshape(tf.slice(logits, [0, T - 1, 0], [active.length, 1, model.vocabSize]), [active.length, model.vocabSize]); // [B, V]
      return tf.argMax(last, 1).dataSync(); // [B]
    });

    const stillActive: number[] = [];
    active.forEach((b, row) => {
      const token = next[row];
      buffer[b * width + T] = token;
      const output = outputs[b];
      output.tokens.push(token);
      const text = decode(output.tokens);
      const stop = firstStop(text, stopStrings);
      if (stop >= 0) {
        output.text = text.slice(0, stop);
        output.finish = "stop";
      } else {
        output.text = text;
        stillActive.push(b);
      }
    });
    active = stillActive;
  }
  return outputs;
}
