/**
 * counting: a made-up word ("rupo") is inserted a random number of times, 1 to `maxCount`, at random
 * word starts in filler text that does not contain it, and the prompt asks how often it occurs.
 *
 * Example (filler shortened, count 3):
 *   context: "... rupo the bids on the Frankford rupo Elevated repair rupo project were rigged ..."
 *   input:   "Count of rupo: #"
 *   answer:  "3"
 *
 * Scored with LongBench's `count` metric: the share of the digit runs in the output that equal the
 * count. Counts are uniform in [1, maxCount], so always answering one number scores 100/maxCount on
 * average.
 */

import { ToolkitError } from "../util/errors";
import { checkPromptLength, insertAtWordStarts } from "./filler";
import { MIN_FILLER_BYTES, TEMPLATE_OVERHEAD, fillerBudget } from "./common";
import { drawKey } from "./partition";
import type { GenerationSource, TaskInstance, TaskOptions, TaskSpec } from "./types";

/** Returns the question and answer cue for `word`. */
export function countingCue(word: string): string {
  return `Count of ${word}: #`;
}

/** Occurrences of `word` in `text` as a whole word (not inside a longer run of letters). */
export function countWord(text: string, word: string): number {
  const pattern = new RegExp(`(?<![A-Za-z])${word}(?![A-Za-z])`, "g");
  return text.match(pattern)?.length ?? 0;
}

// Keys are four letters.
const WORD_BYTES = 4;
// A made-up word that also occurs in the filler (a real word such as "mile") is replaced. Twenty
// failed replacements in a row would need twenty real words in a row.
const MAX_WORD_DRAWS = 20;

export const countingTask: TaskSpec = {
  name: "counting",
  metric: "count",
  description: "Count how often a made-up word was inserted into filler text.",
  minPromptLength: (options: TaskOptions) =>
    options.maxCount * (WORD_BYTES + 1) + MIN_FILLER_BYTES + TEMPLATE_OVERHEAD + countingCue("abcd").length,
  maxAnswerLength: (options: TaskOptions) => String(options.maxCount).length,
  maxNewTokens: (options: TaskOptions) => String(options.maxCount).length + 4,

  generate(source: GenerationSource, promptLength: number): TaskInstance {
    checkPromptLength("counting", promptLength, countingTask.minPromptLength(source.options));
    const { rng, partition } = source;
    const count = rng.int(1, source.options.maxCount);
    const placeholder = "abcd";
    const filler = source.filler.take(
      rng,
      fillerBudget(promptLength, countingCue(placeholder), new Array<string>(count).fill(placeholder)),
    );

    const rejected = new Set<string>();
    let word = drawKey(rng, partition);
    while (countWord(filler.text, word) > 0) {
      rejected.add(word);
      if (rejected.size === MAX_WORD_DRAWS) {
        throw new ToolkitError(
          `counting: ${MAX_WORD_DRAWS} made-up words in a row (${[...rejected].join(", ")}) also occur in the filler. ` +
            `Use a corpus of ordinary prose`,
        );
      }
      word = drawKey(rng, partition, rejected);
    }
    const inserted = insertAtWordStarts(filler.text, new Array<string>(count).fill(word), rng);
    return {
      context: inserted.text,
      input: countingCue(word),
      answers: [String(count)],
      depth: null,
      documents: filler.documents,
      keys: [word],
      numbers: [],
    };
  },
};
