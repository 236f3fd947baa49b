/**
 * The generated evaluation suite: its config, its length buckets relative to the training length,
 * generation of LongBench-E records from test-split documents, and the suite folder on disk
 * (`<task>.jsonl` per task plus `suite.json`).
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { TokenizedDocument } from "../data/types";
import { type BucketSpec, bucketIndex, makeBucketSpec, readLongBenchRecords, writeLongBenchRecords } from "../longbench";
import { ConfigError, FileFormatError, intInRange, mustBe, nearest, numberInRange, oneOf, show } from "../util/errors";
import { configHash } from "../util/hash";
import { Random } from "../util/random";
import { FillerSource, byteLength } from "./filler";
import { getTask } from "./registry";
import {
  DEFAULT_TASK_OPTIONS,
  PROMPT_TEMPLATE,
  SUITE_VERSION,
  TASK_NAMES,
  type TaskInstance,
  type TaskName,
  type TaskOptions,
  type TaskRecord,
} from "./types";

/** Suite contents. Every field but `lTrain` has a default; see `validateSuiteConfig`. */
export interface SuiteConfig {
  /** Tasks to generate, each once; all four by default. */
  tasks?: TaskName[];
  /** Training context length in tokens; lengths and buckets are multiples of it. */
  lTrain: number;
  /**
   * Prompt lengths as multiples of lTrain, rounded to whole tokens; default
   * [0.75, 1, 1.5, 2, 3, 4, 6, 8]. Every bucket must get at least one length.
   */
  lengthFactors?: number[];
  /** Records per task and bucket (default 8); a bucket's records cycle through its lengths. */
  instancesPerBucket?: number;
  /** Seed of every draw, an integer in [0, 2^32 − 1] (default 0). */
  seed?: number;
  /** Generator settings; defaults in `DEFAULT_TASK_OPTIONS`. */
  taskOptions?: Partial<TaskOptions>;
}

/** A validated suite config with its defaults filled in. */
export interface ResolvedSuiteConfig {
  tasks: TaskName[];
  lTrain: number;
  lengthFactors: number[];
  instancesPerBucket: number;
  seed: number;
  taskOptions: TaskOptions;
}

/** A generated suite: records of every task, in task, bucket and index order. */
export interface Suite {
  version: string;
  config: ResolvedSuiteConfig;
  /** Description of the corpus the filler came from (for example the corpus config), or null. */
  corpus: Record<string, unknown> | null;
  records: TaskRecord[];
}

export const DEFAULT_LENGTH_FACTORS: readonly number[] = Object.freeze([0.75, 1, 1.5, 2, 3, 4, 6, 8]);
export const SUITE_FILE = "suite.json";

const WHERE = "suite config";
const CONFIG_FIELDS = ["tasks", "lTrain", "lengthFactors", "instancesPerBucket", "seed", "taskOptions"] as const;
const TASK_OPTION_FIELDS = Object.keys(DEFAULT_TASK_OPTIONS) as (keyof TaskOptions)[];

/**
 * Length buckets relative to the training length, by prompt tokens: up to 1×, up to 2×, up to 4×
 * lTrain, and above (upper bounds inclusive, so a prompt of exactly lTrain tokens is in `0-1x`).
 */
export function lengthBuckets(lTrain: number): BucketSpec {
  intInRange("lengthBuckets", "lTrain", lTrain, 1);
  return makeBucketSpec([lTrain, 2 * lTrain, 4 * lTrain], ["0-1x", "1-2x", "2-4x", "4x+"], "inclusive");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function rejectUnknownFields(where: string, record: Record<string, unknown>, fields: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (fields.includes(key)) continue;
    const guess = nearest(key, fields);
    throw new ConfigError(`${where}: unknown field ${show(key)}. Fields are ${fields.join(", ")}${guess ? `. Did you mean ${show(guess)}?` : ""}`);
  }
}

/**
 * Checks generator settings and fills defaults.
 * @throws ConfigError naming the field (`taskOptions.kvPairs`, …), its rule and the value.
 */
export function validateTaskOptions(where: string, value: unknown): TaskOptions {
  if (value === undefined) return { ...DEFAULT_TASK_OPTIONS };
  if (!isRecord(value)) throw new ConfigError(mustBe(where, "taskOptions", "an object", value, `Fields are ${TASK_OPTION_FIELDS.join(", ")}`));
  rejectUnknownFields(`${where} taskOptions`, value, TASK_OPTION_FIELDS);
  const options = { ...DEFAULT_TASK_OPTIONS, ...value } as TaskOptions;
  intInRange(where, "taskOptions.passkeyDigits", options.passkeyDigits, 1, 9);
  intInRange(where, "taskOptions.kvPairs", options.kvPairs, 1, 20);
  intInRange(where, "taskOptions.maxCount", options.maxCount, 1, 9);
  return options;
}

/**
 * Checks a suite config and fills defaults. Beyond each field's range it checks that every
 * requested length is long enough for every task, and that every bucket gets a length.
 * @throws ConfigError naming the field, its rule, the value and a fix.
 */
export function validateSuiteConfig(value: unknown): ResolvedSuiteConfig {
  if (!isRecord(value)) throw new ConfigError(mustBe(WHERE, "the config", "an object { lTrain, tasks?, lengthFactors?, instancesPerBucket?, seed?, taskOptions? }", value));
  rejectUnknownFields(WHERE, value, CONFIG_FIELDS);

  const lTrain = intInRange(WHERE, "lTrain", value.lTrain, 2, 1 << 20);
  const tasks = validateTasks(value.tasks);
  const lengthFactors = validateFactors(value.lengthFactors);
  const instancesPerBucket = intInRange(WHERE, "instancesPerBucket", value.instancesPerBucket ?? 8, 1, 100_000);
  const seed = intInRange(WHERE, "seed", value.seed ?? 0, 0, 2 ** 32 - 1);
  const taskOptions = validateTaskOptions(WHERE, value.taskOptions);
  const config: ResolvedSuiteConfig = { tasks, lTrain, lengthFactors, instancesPerBucket, seed, taskOptions };

  const lengths = requestedLengths(config);
  lengths.forEach((length, i) => {
    if (i > 0 && length === lengths[i - 1]) {
      throw new ConfigError(
        mustBe(WHERE, "lengthFactors", "factors that give distinct lengths once multiplied by lTrain and rounded", lengthFactors, `Two give ${length} tokens`),
      );
    }
  });
  for (const task of tasks) {
    const minimum = getTask(task).minPromptLength(taskOptions);
    const shortest = lengths[0];
    if (shortest < minimum) {
      const factor = lengthFactors[lengths.indexOf(shortest)];
      throw new ConfigError(
        `${WHERE}: lengthFactors ${factor} gives ${shortest}-token prompts, but task ${task} needs at least ${minimum} with these task options. ` +
          `Raise the factor to ${Math.ceil((minimum / lTrain) * 100) / 100} or more, raise lTrain, or drop ${task}`,
      );
    }
  }
  const buckets = lengthBuckets(lTrain);
  const perBucket = lengthsByBucket(lengths, buckets);
  perBucket.forEach((bucketLengths, b) => {
    if (bucketLengths.length === 0) {
      throw new ConfigError(
        `${WHERE}: no length falls in bucket ${buckets.labels[b]} (lTrain ${lTrain}, factors ${lengthFactors.join(", ")}). ` +
          `Add a factor in ${["(0, 1]", "(1, 2]", "(2, 4]", "(4, ∞)"][b]}`,
      );
    }
  });
  return config;
}

function validateTasks(value: unknown): TaskName[] {
  if (value === undefined) return [...TASK_NAMES];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(mustBe(WHERE, "tasks", "a non-empty list of task names", value, `Tasks are ${TASK_NAMES.join(", ")}`));
  }
  const tasks = value.map((name, i) => oneOf(WHERE, `tasks[${i}]`, name, TASK_NAMES));
  tasks.forEach((name, i) => {
    if (tasks.indexOf(name) !== i) throw new ConfigError(mustBe(WHERE, `tasks[${i}]`, "a task not listed before", name, "List each task once"));
  });
  return tasks;
}

function validateFactors(value: unknown): number[] {
  if (value === undefined) return [...DEFAULT_LENGTH_FACTORS];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(mustBe(WHERE, "lengthFactors", "a non-empty list of positive numbers", value, "For example [0.75, 1, 2, 3, 4, 6, 8]"));
  }
  return value.map((factor, i) => numberInRange(WHERE, `lengthFactors[${i}]`, factor, 0, 1024, true));
}

/** Returns the prompt lengths of a suite in tokens, ascending: each factor × lTrain, rounded. */
export function requestedLengths(config: Pick<ResolvedSuiteConfig, "lTrain" | "lengthFactors">): number[] {
  return config.lengthFactors.map((factor) => Math.round(factor * config.lTrain)).sort((a, b) => a - b);
}

function lengthsByBucket(lengths: readonly number[], buckets: BucketSpec): number[][] {
  const grouped: number[][] = buckets.labels.map(() => []);
  for (const length of lengths) grouped[bucketIndex(length, buckets)].push(length);
  return grouped;
}

/** Fills the prompt template with a record's context and input, keeping `$` and braces in them as text. */
export function promptOf(record: Pick<TaskRecord, "context" | "input">): string {
  // Filling both placeholders in one pass keeps a "{input}" inside the context as text.
  const fill = (piece: string): string => {
    if (piece === "{context}") return record.context;
    if (piece === "{input}") return record.input;
    return piece;
  };
  return PROMPT_TEMPLATE.split(/(\{context\}|\{input\})/).map(fill).join("");
}

/** Whitespace-separated words of `text`, LongBench's unit of `length` for English. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => word !== "").length;
}

/** Turns a generated instance into a record of `task`; `id` becomes `_id`. */
export function toRecord(task: TaskName, instance: TaskInstance, id: string): TaskRecord {
  const record: TaskRecord = {
    input: instance.input,
    context: instance.context,
    answers: instance.answers,
    length: wordCount(instance.input) + wordCount(instance.context) + instance.answers.reduce((total, answer) => total + wordCount(answer), 0),
    dataset: task,
    language: "en",
    all_classes: null,
    _id: id,
    token_length: 0,
    version: SUITE_VERSION,
    depth: instance.depth,
    source_documents: instance.documents,
    keys: instance.keys,
    numbers: instance.numbers,
  };
  record.token_length = byteLength(promptOf(record));
  return record;
}

/**
 * Generates a suite from `documents`, which should be the test split of a corpus split with the
 * same seed as the training run, so no evaluation text was trained on. Each record is drawn from
 * its own generator forked from the seed by task, bucket and index, so a record does not change
 * when other tasks or buckets are added. Keys and numbers come from the evaluation partition.
 * @throws ConfigError for an invalid config; ToolkitError when a generator cannot fill a length.
 */
export function buildSuite(input: SuiteConfig | ResolvedSuiteConfig, documents: readonly TokenizedDocument[], corpus: Record<string, unknown> | null = null): Suite {
  const config = validateSuiteConfig(input);
  const filler = new FillerSource(documents);
  const buckets = lengthBuckets(config.lTrain);
  const perBucket = lengthsByBucket(requestedLengths(config), buckets);
  const root = new Random(config.seed);

  const records: TaskRecord[] = [];
  for (const task of config.tasks) {
    const spec = getTask(task);
    buckets.labels.forEach((label, b) => {
      for (let index = 0; index < config.instancesPerBucket; index++) {
        const promptLength = perBucket[b][index % perBucket[b].length];
        const rng = root.fork(`${task}/${label}/${index}`);
        const instance = spec.generate({ rng, filler, partition: "eval", options: config.taskOptions }, promptLength);
        const id = configHash({ version: SUITE_VERSION, seed: config.seed, lTrain: config.lTrain, task, bucket: label, index, promptLength }, 32);
        records.push(toRecord(task, instance, id));
      }
    });
  }
  return { version: SUITE_VERSION, config, corpus, records };
}

/** Returns the records of one task, in suite order. */
export function taskRecords(suite: Suite, task: TaskName): TaskRecord[] {
  return suite.records.filter((record) => record.dataset === task);
}

/**
 * Writes `suite.json` (version, config, corpus, record counts) and one `<task>.jsonl` file of
 * LongBench-E records per task into `folder`, creating it. The files are a pure function of the
 * suite, so equal suites give byte-identical folders.
 */
export function writeSuite(folder: string, suite: Suite): void {
  mkdirSync(folder, { recursive: true });
  const counts: Record<string, number> = {};
  for (const task of suite.config.tasks) {
    const records = taskRecords(suite, task);
    counts[task] = records.length;
    writeLongBenchRecords(join(folder, `${task}.jsonl`), records);
  }
  const header = { version: suite.version, config: suite.config, corpus: suite.corpus, counts };
  writeFileSync(join(folder, SUITE_FILE), `${JSON.stringify(header, null, 2)}\n`);
}

/**
 * Reads a suite folder written by {@link writeSuite}. The LongBench fields are checked by the
 * LongBench reader; the added fields and the version of every record are checked here.
 * @throws FileFormatError naming the file, the line and the field; ConfigError for an invalid config in `suite.json`.
 */
export function readSuite(folder: string): Suite {
  const headerPath = join(folder, SUITE_FILE);
  if (!existsSync(headerPath)) {
    throw new FileFormatError(`${headerPath} not found. Give a folder written by scripts/make-suite.ts`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(readFileSync(headerPath, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new FileFormatError(`${headerPath}: invalid JSON (${(error as Error).message}). Regenerate the suite`);
  }
  if (typeof header.version !== "string") throw new FileFormatError(mustBe(headerPath, "field \"version\"", "a string", header.version));
  const config = validateSuiteConfig(header.config);
  const corpus = isRecord(header.corpus) ? header.corpus : null;

  const records: TaskRecord[] = [];
  for (const task of config.tasks) {
    records.push(...readTaskRecords(join(folder, `${task}.jsonl`), task, header.version));
  }
  return { version: header.version, config, corpus, records };
}

function readTaskRecords(path: string, task: TaskName, version: string): TaskRecord[] {
  const base = readLongBenchRecords(path);
  const lines = readFileSync(path, "utf8").split("\n").filter((line) => line !== "");
  return base.map((record, i) => {
    const where = `${path} line ${i + 1}`;
    const raw = JSON.parse(lines[i]) as Record<string, unknown>;
    const check = (ok: boolean, field: string, rule: string) => {
      if (!ok) throw new FileFormatError(mustBe(where, `field ${show(field)}`, rule, raw[field], "Regenerate the suite with scripts/make-suite.ts"));
    };
    const isStringList = (item: unknown) => Array.isArray(item) && item.every((entry) => typeof entry === "string");
    check(record.dataset === task, "dataset", show(task));
    check(Number.isInteger(raw.token_length) && (raw.token_length as number) > 0, "token_length", "a positive integer");
    check(raw.version === version, "version", `${show(version)}, the version in ${SUITE_FILE}`);
    check(raw.depth === null || (typeof raw.depth === "number" && raw.depth >= 0 && raw.depth <= 1), "depth", "null or a number in [0, 1]");
    check(isStringList(raw.source_documents), "source_documents", "a list of strings");
    check(isStringList(raw.keys), "keys", "a list of strings");
    check(isStringList(raw.numbers), "numbers", "a list of strings");
    return {
      ...record,
      token_length: raw.token_length as number,
      version,
      depth: raw.depth as number | null,
      source_documents: raw.source_documents as string[],
      keys: raw.keys as string[],
      numbers: raw.numbers as string[],
    };
  });
}
