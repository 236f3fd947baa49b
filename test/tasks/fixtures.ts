import * as tf from "@tensorflow/tfjs";

import { loadCorpus } from "../../lib/data/corpus";
import { decode, encode } from "../../lib/data/tokenizer";
import type { Corpus, TokenizedDocument } from "../../lib/data/types";
import type { GenerationModel } from "../../lib/tasks/generate";

let brown: Corpus | undefined;

/** Loads the Brown corpus split with seed 0, once per test file (about 0.5 s). */
export function brownCorpus(): Corpus {
  brown ??= loadCorpus({ source: "brown", seed: 0 });
  return brown;
}

/** Builds a tokenized document from text, for filler tests. */
export function textDocument(id: string, text: string): TokenizedDocument {
  return { id, genre: "test", text, tokens: encode(text) };
}

/**
 * A byte-level model that returns a one-hot logit at the last position: the byte `nextByte` picks
 * from the decoded row. Other positions are zero. It counts forward passes and the rows they had.
 */
export class ScriptedLM implements GenerationModel {
  readonly vocabSize = 256;
  maxContext = Infinity;
  readonly batchRows: number[] = [];

  constructor(private readonly nextByte: (text: string) => number) {}

  logits(tokens: tf.Tensor2D): tf.Tensor3D {
    const [B, T] = tokens.shape;
    this.batchRows.push(B);
    const rows = tokens.arraySync() as number[][];
    const values = new Float32Array(B * T * this.vocabSize);
    rows.forEach((row, b) => {
      values[(b * T + T - 1) * this.vocabSize + this.nextByte(decode(row))] = 1;
    });
    return tf.tensor3d(values, [B, T, this.vocabSize]);
  }
}

/**
 * Returns a model that looks answers up by prompt: for a row that starts with a listed prompt it
 * emits the next byte of that prompt's answer, then a newline. Other rows get a newline at once.
 */
export function oracleModel(answers: ReadonlyMap<string, string>): ScriptedLM {
  return new ScriptedLM((text) => {
    for (const [prompt, answer] of answers) {
      if (!text.startsWith(prompt)) continue;
      const written = text.length - prompt.length;
      return written < answer.length ? answer.charCodeAt(written) : 10;
    }
    return 10;
  });
}
