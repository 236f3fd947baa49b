/**
 * passkey: one sentence "The pass key is #48213." sits at a random word start inside filler text,
 * and the prompt ends with the same words as the cue, "The pass key is #". The answer is the number.
 *
 * Example (filler shortened):
 *   context: "... the city would sue for The pass key is #48213. recovery on the bond ..."
 *   input:   "The pass key is #"
 *   answer:  "48213"
 *
 * Scored with qa_f1. After LongBench's normalization the pass key is a single word, so an output of
 * just the number scores 1, a number with one wrong digit scores 0, and extra words lower the
 * precision. The `retrieval` metric does not fit: it reads the gold id from a "Paragraph N" label in
 * the answer.
 */

import { checkPromptLength, insertAtWordStarts } from "./filler";
import { MIN_FILLER_BYTES, TEMPLATE_OVERHEAD, fillerBudget, relativeDepth } from "./common";
import { drawNumber } from "./partition";
import type { GenerationSource, TaskInstance, TaskOptions, TaskSpec } from "./types";

/**
 * Cue and needle prefix. The `#` appears nowhere in the Brown corpus, so the token before the
 * number is unique in the context and a small model can find the number by matching one token.
 */
export const PASSKEY_CUE = "The pass key is #";

function needleBytes(options: TaskOptions): number {
  return PASSKEY_CUE.length + options.passkeyDigits + 1;
}

export const passkeyTask: TaskSpec = {
  name: "passkey",
  metric: "qa_f1",
  description: "Copy a number stated once at a random depth in filler text.",
  minPromptLength: (options) => needleBytes(options) + 1 + MIN_FILLER_BYTES + TEMPLATE_OVERHEAD + PASSKEY_CUE.length,
  maxAnswerLength: (options) => options.passkeyDigits,
  maxNewTokens: (options) => options.passkeyDigits + 4,

  generate(source: GenerationSource, promptLength: number): TaskInstance {
    checkPromptLength("passkey", promptLength, passkeyTask.minPromptLength(source.options));
    const { rng } = source;
    const passkey = drawNumber(rng, source.options.passkeyDigits, source.partition);
    const needle = `${PASSKEY_CUE}${passkey}.`;
    const input = PASSKEY_CUE;

    const filler = source.filler.take(rng, fillerBudget(promptLength, input, [needle]));
    const inserted = insertAtWordStarts(filler.text, [needle], rng);
    return {
      context: inserted.text,
      input,
      answers: [passkey],
      depth: relativeDepth(inserted.offsets[0], inserted.text.length),
      documents: filler.documents,
      keys: [],
      numbers: [passkey],
    };
  },
};
