/**
 * recall: a short sentence from the corpus is inserted at a random word start in filler text. The
 * prompt gives its first three words, and the answer is the rest of the sentence.
 *
 * Example (a 96-byte prompt):
 *   context: "locations And His glory is flooding my soul\". exist for all key command c"
 *   input:   "Repeat: And His glory "
 *   answer:  "is flooding my soul\"."
 *
 * Scored with LongBench's `rouge` (ROUGE-L F of the `rouge` 1.0.1 package), so a partly right
 * continuation earns partial credit. The three words occur exactly once in the context.
 */

import { ToolkitError } from "../util/errors";
import { type FillerSource, byteLength, checkPromptLength, insertAtWordStarts } from "./filler";
import { MIN_FILLER_BYTES, fillerBudget, relativeDepth } from "./common";
import type { GenerationSource, TaskInstance, TaskSpec } from "./types";

/** Words of the sentence given in the prompt. */
export const RECALL_PREFIX_WORDS = 3;
/** Sentences have 5 to 12 words, so at least two words are left to recall. */
export const RECALL_MIN_WORDS = 5;
export const RECALL_MAX_WORDS = 12;
/** Longest sentence in bytes; it bounds the answer and so the tokens to generate. */
export const RECALL_MAX_SENTENCE_BYTES = 64;
/**
 * Minimum prompt length. At 96 bytes only the shorter sentences fit beside the filler and the cue,
 * and the generator draws sentences until one fits.
 */
export const RECALL_MIN_PROMPT_BYTES = 96;

const CUE_PREFIX = "Repeat: ";
// Each draw fails when the sentence does not fit the length or its first words recur in the filler.
const MAX_SENTENCE_DRAWS = 200;

/** A sentence of the corpus that recall can ask for. */
export interface RecallSentence {
  text: string;
  documentId: string;
}

/** Returns the prompt's cue for a sentence: "Repeat: " and the sentence's first three words, then a space. */
export function recallCue(sentence: string): string {
  return `${CUE_PREFIX}${sentence.split(" ").slice(0, RECALL_PREFIX_WORDS).join(" ")} `;
}

/**
 * Splits a document into sentences and keeps those recall can use: starting with a capital
 * letter, ending in `.`, `!` or `?`, words separated by single spaces, 5–12 words and at most 64
 * bytes. Sentences end at `.`, `!` or `?` followed by whitespace and a capital letter, so
 * abbreviations such as "Co. Hughes" split a sentence; both parts are still text of the document.
 */
export function recallSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const paragraph of text.split(/\n+/)) {
    for (const sentence of paragraph.trim().split(/(?<=[.!?])\s+(?=[A-Z])/)) {
      const words = sentence.split(" ");
      if (
        /^[A-Z]\S*( \S+)*[.!?]$/.test(sentence) &&
        words.length >= RECALL_MIN_WORDS &&
        words.length <= RECALL_MAX_WORDS &&
        byteLength(sentence) <= RECALL_MAX_SENTENCE_BYTES
      ) {
        sentences.push(sentence);
      }
    }
  }
  return sentences;
}

const sentencePools = new WeakMap<FillerSource, RecallSentence[]>();

/** Returns every usable sentence of the source's documents, computed once per source. */
function sentencePool(filler: FillerSource): RecallSentence[] {
  let pool = sentencePools.get(filler);
  if (pool === undefined) {
    pool = filler.sourceDocuments().flatMap((document) =>
      recallSentences(document.text).map((text) => ({ text, documentId: document.id })),
    );
    sentencePools.set(filler, pool);
  }
  return pool;
}

function countOccurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) count++;
  return count;
}

export const recallTask: TaskSpec = {
  name: "recall",
  metric: "rouge",
  description: "Continue a sentence seen once in the context, given its first three words.",
  minPromptLength: () => RECALL_MIN_PROMPT_BYTES,
  maxAnswerLength: () => RECALL_MAX_SENTENCE_BYTES,
  maxNewTokens: () => RECALL_MAX_SENTENCE_BYTES + 8,

  generate(source: GenerationSource, promptLength: number): TaskInstance {
    checkPromptLength("recall", promptLength, RECALL_MIN_PROMPT_BYTES);
    const { rng } = source;
    const pool = sentencePool(source.filler);
    if (pool.length === 0) {
      throw new ToolkitError(
        `recall: the filler documents have no sentence of ${RECALL_MIN_WORDS}–${RECALL_MAX_WORDS} words and at most ` +
          `${RECALL_MAX_SENTENCE_BYTES} bytes. Use a corpus of ordinary prose or drop the recall task`,
      );
    }

    for (let draw = 0; draw < MAX_SENTENCE_DRAWS; draw++) {
      const sentence = pool[rng.int(0, pool.length - 1)];
      const input = recallCue(sentence.text);
      const budget = fillerBudget(promptLength, input, [sentence.text]);
      if (budget < MIN_FILLER_BYTES) continue;

      const filler = source.filler.take(rng, budget);
      const inserted = insertAtWordStarts(filler.text, [sentence.text], rng);
      if (countOccurrences(inserted.text, input.slice(CUE_PREFIX.length)) !== 1) continue;

      const words = sentence.text.split(" ");
      return {
        context: inserted.text,
        input,
        answers: [words.slice(RECALL_PREFIX_WORDS).join(" ")],
        depth: relativeDepth(inserted.offsets[0], inserted.text.length),
        documents: [...new Set([sentence.documentId, ...filler.documents])],
        keys: [],
        numbers: [],
      };
    }
    throw new ToolkitError(
      `recall: found no sentence that fits a ${promptLength}-byte prompt with unique first words in ${MAX_SENTENCE_DRAWS} draws. ` +
        `Request longer prompts`,
    );
  },
};
