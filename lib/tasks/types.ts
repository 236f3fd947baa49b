/**
 * Types shared by the generated long-context tasks: the task record (a LongBench-E record plus the
 * fields this suite adds), the generator interface and the task options.
 */

import type { LongBenchRecord, MetricName } from "../longbench";
import type { Random } from "../util/random";
import type { FillerSource } from "./filler";
import type { Partition } from "./partition";

/** Version of the task generators and prompt templates, written into every record and result. Bump it when either changes. */
export const SUITE_VERSION = "tasks-1.0.0";

/** Names of the generated tasks; each is also the `dataset` of its records and the stem of its files. */
export type TaskName = "passkey" | "kv_retrieval" | "counting" | "recall";

export const TASK_NAMES: readonly TaskName[] = ["passkey", "kv_retrieval", "counting", "recall"];

/**
 * The prompt is `context`, a newline, then `input`, as LongBench fills `{context}` and `{input}` into
 * a template. Every `input` ends in an answer cue with a trailing space.
 */
export const PROMPT_TEMPLATE = "{context}\n{input}";

/** Byte that ends every answer in training rows, and the default stop string of generation. */
export const ANSWER_END = "\n";

/**
 * A LongBench-E record of this suite. The LongBench fields keep their meaning (`length` counts
 * whitespace words of input + context + answers); the rest are additions that LongBench readers
 * ignore.
 */
export interface TaskRecord extends LongBenchRecord {
  /** Bytes (model tokens) of the filled prompt; the suite buckets by it. */
  token_length: number;
  /** {@link SUITE_VERSION} of the generator that wrote the record. */
  version: string;
  /** Relative position in [0, 1] of the evidence (needle, asked pair or sentence) in the context; null for counting. */
  depth: number | null;
  /** Ids of the corpus documents the filler text came from. */
  source_documents: string[];
  /** Generated keys in the context (kv_retrieval keys, the counting word). */
  keys: string[];
  /** Generated numbers in the context (pass key, kv_retrieval values). */
  numbers: string[];
}

/** Settings of the generators. Every field has a default; see `DEFAULT_TASK_OPTIONS`. */
export interface TaskOptions {
  /** Digits of the pass key, 1–9 (5: numbers 10000–99999). */
  passkeyDigits: number;
  /** Key-value pairs in a kv_retrieval context, 1–20. */
  kvPairs: number;
  /** Largest count in the counting task, 1–9, so the answer is one digit; counts are uniform in [1, maxCount]. */
  maxCount: number;
}

export const DEFAULT_TASK_OPTIONS: Readonly<TaskOptions> = Object.freeze({
  passkeyDigits: 5,
  kvPairs: 3,
  maxCount: 5,
});

/** One generated instance before it becomes a record. */
export interface TaskInstance {
  context: string;
  input: string;
  answers: string[];
  depth: number | null;
  documents: string[];
  keys: string[];
  numbers: string[];
}

/** Inputs of a generator: a seeded generator, filler text, and the key/number partition it must use. */
export interface GenerationSource {
  rng: Random;
  filler: FillerSource;
  partition: Partition;
  options: TaskOptions;
}

/** One task: its metric, its size limits and its generator. */
export interface TaskSpec {
  name: TaskName;
  /** LongBench metric that scores it. */
  metric: MetricName;
  /** One sentence for docs and logs. */
  description: string;
  /** Smallest prompt, in bytes, the generator accepts. */
  minPromptLength(options: TaskOptions): number;
  /** Largest answer, in bytes, the generator can produce (without the end marker). */
  maxAnswerLength(options: TaskOptions): number;
  /** Default cap on generated tokens at evaluation: the longest answer plus room for the end marker. */
  maxNewTokens(options: TaskOptions): number;
  /**
   * Generates one instance whose prompt (`context + "\n" + input`) has exactly `promptLength` bytes.
   * @throws ToolkitError when `promptLength` is below `minPromptLength`.
   */
  generate(source: GenerationSource, promptLength: number): TaskInstance;
}
