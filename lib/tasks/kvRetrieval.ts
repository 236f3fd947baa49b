/**
 * kv_retrieval: several sentences "Key rupo is #4821." sit at random word starts inside filler text,
 * each with its own key and value, and the prompt asks for one of them with the cue
 * "Key rupo is #". The answer is that key's value.
 *
 * Example (filler shortened, 3 pairs):
 *   context: "... Key dazi is #7310. the bids on the Key rupo is #4821. project were ... Key meto is #5096. rigged ..."
 *   input:   "Key rupo is #"
 *   answer:  "4821"
 *
 * Scored with qa_f1, which for a one-number answer is 1 for exactly that number and 0 otherwise.
 */

import { checkPromptLength, insertAtWordStarts } from "./filler";
import { MIN_FILLER_BYTES, TEMPLATE_OVERHEAD, fillerBudget, relativeDepth } from "./common";
import { drawKey, drawNumber } from "./partition";
import type { GenerationSource, TaskInstance, TaskOptions, TaskSpec } from "./types";

/** Digits of every value; four digits keep values apart from pass keys of other lengths. */
export const KV_VALUE_DIGITS = 4;

/** Returns the cue for `key`, which is also the start of its pair's sentence. */
export function kvCue(key: string): string {
  return `Key ${key} is #`;
}

// Keys are four letters, so every pair sentence has the same size.
const PAIR_BYTES = kvCue("abcd").length + KV_VALUE_DIGITS + 1;

export const kvRetrievalTask: TaskSpec = {
  name: "kv_retrieval",
  metric: "qa_f1",
  description: "Return the value of one key among several key-value sentences in filler text.",
  minPromptLength: (options: TaskOptions) =>
    options.kvPairs * (PAIR_BYTES + 1) + MIN_FILLER_BYTES + TEMPLATE_OVERHEAD + kvCue("abcd").length,
  maxAnswerLength: () => KV_VALUE_DIGITS,
  maxNewTokens: () => KV_VALUE_DIGITS + 4,

  generate(source: GenerationSource, promptLength: number): TaskInstance {
    checkPromptLength("kv_retrieval", promptLength, kvRetrievalTask.minPromptLength(source.options));
    const { rng, partition } = source;
    const keys: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < source.options.kvPairs; i++) {
      keys.push(drawKey(rng, partition, new Set(keys)));
      values.push(drawNumber(rng, KV_VALUE_DIGITS, partition, new Set(values)));
    }
    const asked = rng.int(0, keys.length - 1);
    const pairs = keys.map((key, i) => `${kvCue(key)}${values[i]}.`);
    const input = kvCue(keys[asked]);

    const filler = source.filler.take(rng, fillerBudget(promptLength, input, pairs));
    const inserted = insertAtWordStarts(filler.text, pairs, rng);
    return {
      context: inserted.text,
      input,
      answers: [values[asked]],
      depth: relativeDepth(inserted.offsets[asked], inserted.text.length),
      documents: filler.documents,
      keys,
      numbers: values,
    };
  },
};
