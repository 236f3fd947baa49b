import { encode } from "../../lib/data/tokenizer";
import type { TokenizedDocument } from "../../lib/data/types";

/** Small documents of real English, tokenized, for training tests that must run in seconds. */
export function tinyDocuments(): TokenizedDocument[] {
  const texts = [
    "The quick brown fox jumps over the lazy dog. ".repeat(8),
    "A journey of a thousand miles begins with a single step. ".repeat(8),
    "All that glitters is not gold, and not all who wander are lost. ".repeat(8),
  ];
  return texts.map((text, i) => ({ id: `doc${i}`, genre: "test", text, tokens: encode(text) }));
}

/** A config small enough to train a few steps in well under a second per step on wasm. */
export const tinyConfig = {
  model: { dModel: 16, nLayers: 1, nHeads: 2, seed: 1 },
  lTrain: 16,
  batchSize: 4,
  steps: 6,
  evalEvery: 3,
  evalWindows: 4,
  checkpointEvery: 2,
  logEvery: 100,
  alignment: { alpha: 0 },
};
