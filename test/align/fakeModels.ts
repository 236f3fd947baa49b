/**
 * Tiny deterministic causal models for the alignment tests, built only from ops that have
 * gradients on wasm (one-hot × matrix instead of gather).
 */

import * as tf from "@tensorflow/tfjs";
import type { CausalLM } from "../../lib/model/types";
import { Random } from "../../lib/util/random";

/**
 * h_t = tanh(Σ_{s≤t} decay^(t−s) e(x_s) / Σ_{s≤t} decay^(t−s)), logits_t = h_t · W. Causal, and its
 * prediction depends on how much context it has read, so long and short views disagree.
 */
export class DecayAverageModel implements CausalLM {
  readonly maxContext: number;
  readonly embedding: tf.Variable;
  readonly output: tf.Variable;

  constructor(
    readonly vocabSize: number,
    width: number,
    seed: number,
    private readonly decay = 0.8,
    maxContext = Infinity,
  ) {
    this.maxContext = maxContext;
    const random = new Random(seed);
    const normal = (count: number) => Float32Array.from({ length: count }, () => random.normal());
    this.embedding = variableFrom(normal(vocabSize * width), [vocabSize, width]);
    this.output = variableFrom(normal(width * vocabSize), [width, vocabSize]);
  }

  logits(tokens: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batchSize, length] = tokens.shape;
      const width = this.embedding.shape[1] as number;
      const oneHot = tf.reshape(tf.oneHot(tokens, this.vocabSize), [batchSize * length, this.vocabSize]); // [B·T, V]
      const embedded = tf.reshape(tf.matMul(oneHot, this.embedding), [batchSize, length, width]); // [B, T, D]
      const byPosition = tf.reshape(tf.transpose(embedded, [1, 0, 2]), [length, batchSize * width]); // [T, B·D]
      const mixed = tf.matMul(this.mixingMatrix(length), byPosition); // [T, B·D]
      const hidden = tf.tanh(tf.transpose(tf.reshape(mixed, [length, batchSize, width]), [1, 0, 2])); // [B, T, D]
      const flat = tf.matMul(tf.reshape(hidden, [batchSize * length, width]), this.output); // [B·T, V]
      return tf.reshape(flat, [batchSize, length, this.vocabSize]) as tf.Tensor3D; // [B, T, V]
    });
  }

  dispose(): void {
    this.embedding.dispose();
    this.output.dispose();
  }

  /** M[t, s] = decay^(t−s) / Σ_{s'≤t} decay^(t−s') for s ≤ t, else 0. */
  private mixingMatrix(length: number): tf.Tensor2D {
    const values = new Float32Array(length * length);
    for (let t = 0; t < length; t++) {
      let norm = 0;
      for (let s = 0; s <= t; s++) norm += this.decay ** (t - s);
      for (let s = 0; s <= t; s++) values[t * length + s] = this.decay ** (t - s) / norm;
    }
    return tf.tensor2d(values, [length, length]);
  }
}

/** A bigram model: logits depend only on the current token, so every view predicts the same. */
export class BigramModel implements CausalLM {
  readonly maxContext = Infinity;
  readonly table: tf.Variable;

  constructor(
    readonly vocabSize: number,
    seed: number,
  ) {
    const random = new Random(seed);
    const values = Float32Array.from({ length: vocabSize * vocabSize }, () => random.normal());
    this.table = variableFrom(values, [vocabSize, vocabSize]);
  }

  logits(tokens: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batchSize, length] = tokens.shape;
      const oneHot = tf.reshape(tf.oneHot(tokens, this.vocabSize), [batchSize * length, this.vocabSize]); // [B·T, V]
      return tf.reshape(tf.matMul(oneHot, this.table), [batchSize, length, this.vocabSize]) as tf.Tensor3D; // [B, T, V]
    });
  }

  dispose(): void {
    this.table.dispose();
  }
}

/** Returns all-zero logits (the uniform distribution) and records every token batch it is given. */
export class RecordingUniformModel implements CausalLM {
  readonly calls: number[][][] = [];

  constructor(
    readonly vocabSize: number,
    readonly maxContext = Infinity,
  ) {}

  logits(tokens: tf.Tensor2D): tf.Tensor3D {
    this.calls.push(tokens.arraySync());
    const [batchSize, length] = tokens.shape;
    return tf.zeros([batchSize, length, this.vocabSize]);
  }
}

/** Creates a variable from `values` and disposes the initial tensor, which `tf.variable` does not take over. */
function variableFrom(values: Float32Array, shape: [number, number]): tf.Variable {
  const initial = tf.tensor2d(values, shape);
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}
