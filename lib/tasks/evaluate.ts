/**
 * Scoring a model on a generated suite: greedy generation, LongBench metrics per sample, scores per
 * task and length bucket (relative to lTrain), a LongBench-E-style average, and LongBench-format
 * prediction files that {@link scoreTaskPredictions} reads back to the same numbers.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { encode } from "../data/tokenizer";
import {
  type BucketScore,
  type BucketSpec,
  type MetricName,
  bucketScores,
  datasetFromFileName,
  listPredictionFiles,
  numpyRound,
  readPredictionFile,
  scoreSample,
} from "../longbench";
import type { ForwardOptions } from "../model/transformer";
import { ConfigError, FileFormatError, intInRange, mustBe, show } from "../util/errors";
import { type Logger, logger as rootLogger } from "../util/logger";
import { type GenerationModel, generateGreedy } from "./generate";
import { getTask, taskDataset } from "./registry";
import { type Suite, lengthBuckets, promptOf, taskRecords } from "./suite";
import { ANSWER_END, TASK_NAMES, type TaskName } from "./types";

export interface LongContextOptions {
  /** The model's training length; buckets are ≤1×, ≤2×, ≤4× and >4× of it, by prompt tokens. */
  lTrain: number;
  /** Cap on generated tokens for every task; each task's own default otherwise (answer size + 4 or more). */
  maxNewTokens?: number;
  /** Folder for `<task>.jsonl` prediction files and `summary.json`; nothing is written without it. */
  outDir?: string;
  /** Prompts per forward pass (default 8). */
  batchSize?: number;
  /** Maximum prompt length before middle truncation; see `GenerateOptions.maxPromptTokens`. */
  maxPromptTokens?: number;
  /** Forward options, such as `ropeScale`. */
  forward?: ForwardOptions;
  logger?: Logger;
}

/** One task's scores by bucket. */
export interface TaskScores {
  task: TaskName;
  metric: MetricName;
  /** Count, mean and `round(100 × mean, 2)` per bucket, in bucket order; an empty bucket has null scores. */
  buckets: BucketScore[];
}

/**
 * The suite average: for each bucket, the mean of the task scores in it (tasks with an empty bucket
 * left out), then `overall`, the mean of those bucket means. Both rounded to two decimals.
 */
export interface SuiteAverage {
  buckets: Record<string, number | null>;
  overall: number | null;
}

export interface LongContextResult {
  /** Suite version the records were generated with. */
  version: string;
  lTrain: number;
  bucketSpec: BucketSpec;
  /** Tasks in `TASK_NAMES` order. */
  tasks: TaskScores[];
  average: SuiteAverage;
  generation: {
    prompts: number;
    /** Prompts cut in the middle because they exceeded the model's limit. */
    truncated: number;
    newTokens: number;
    seconds: number;
  };
}

/** One line of a prediction file: LongBench's fields plus the token length it is bucketed by. */
export interface TaskPrediction {
  pred: string;
  answers: string[];
  all_classes: string[] | null;
  /** Whitespace words of input + context + answers, as in LongBench. */
  length: number;
  /** Prompt tokens before truncation; the bucket key. */
  token_length: number;
  _id: string;
  version: string;
}

/** Name of the result file `evaluateLongContext` writes beside the prediction files. */
export const SUMMARY_FILE = "summary.json";

interface ScoredSample {
  task: TaskName;
  tokenLength: number;
  score: number;
}

/** Per-task bucket scores and the average, from scored samples. */
export function aggregateTaskScores(samples: readonly ScoredSample[], lTrain: number): { tasks: TaskScores[]; average: SuiteAverage } {
  const spec = lengthBuckets(lTrain);
  const present = TASK_NAMES.filter((task) => samples.some((sample) => sample.task === task));
  const tasks = present.map((task) => ({
    task,
    metric: getTask(task).metric,
    buckets: bucketScores(
      samples.filter((sample) => sample.task === task).map((sample) => ({ length: sample.tokenLength, score: sample.score })),
      spec,
    ),
  }));
  return { tasks, average: averageScores(tasks, spec.labels) };
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((total, value) => total + value, 0) / values.length;
}

/** Mean over tasks per bucket, then the mean of the bucket means; see {@link SuiteAverage}. */
export function averageScores(tasks: readonly TaskScores[], labels: readonly string[]): SuiteAverage {
  const buckets: Record<string, number | null> = {};
  const bucketMeans: number[] = [];
  labels.forEach((label, b) => {
    const value = mean(tasks.map((task) => task.buckets[b].score).filter((score): score is number => score !== null));
    buckets[label] = value === null ? null : numpyRound(value, 2);
    if (value !== null) bucketMeans.push(value);
  });
  const overall = mean(bucketMeans);
  return { buckets, overall: overall === null ? null : numpyRound(overall, 2) };
}

/**
 * Scores `model` on every record of `suite`: prompts are filled from the template, cut in the
 * middle when too long, answered greedily until a newline or the token cap, and scored with the
 * task's LongBench metric. Buckets use the record's `token_length` against `options.lTrain`.
 * With `outDir`, writes `<task>.jsonl` prediction files and `summary.json` (this result).
 * @throws ConfigError for invalid options.
 */
export function evaluateLongContext(model: GenerationModel, suite: Suite, options: LongContextOptions): LongContextResult {
  const where = "evaluateLongContext";
  const lTrain = intInRange(where, "lTrain", options.lTrain, 1);
  if (options.maxNewTokens !== undefined) intInRange(where, "maxNewTokens", options.maxNewTokens, 1);
  const log = options.logger ?? rootLogger.child("tasks");
  if (lTrain !== suite.config.lTrain) {
    log.warn(`${where}: lTrain ${lTrain} differs from the suite's lTrain ${suite.config.lTrain}; buckets follow lTrain ${lTrain}`);
  }
  if (options.outDir) mkdirSync(options.outDir, { recursive: true });

  const started = performance.now();
  const samples: ScoredSample[] = [];
  let truncated = 0;
  let newTokens = 0;
  for (const task of TASK_NAMES.filter((name) => suite.config.tasks.includes(name))) {
    const taskStarted = performance.now();
    const records = taskRecords(suite, task);
    const dataset = taskDataset(task);
    const generations = generateGreedy(
      model,
      records.map((record) => encode(promptOf(record))),
      {
        maxNewTokens: options.maxNewTokens ?? getTask(task).maxNewTokens(suite.config.taskOptions),
        stopStrings: [ANSWER_END],
        batchSize: options.batchSize,
        maxPromptTokens: options.maxPromptTokens,
        forward: options.forward,
      },
    );

    const predictions: TaskPrediction[] = records.map((record, i) => {
      const generation = generations[i];
      if (generation.truncated) truncated++;
      newTokens += generation.tokens.length;
      samples.push({ task, tokenLength: record.token_length, score: scoreSample(dataset, generation.text, record.answers, record.all_classes) });
      return {
        pred: generation.text,
        answers: record.answers,
        all_classes: record.all_classes,
        length: record.length,
        token_length: record.token_length,
        _id: record._id,
        version: record.version,
      };
    });
    if (options.outDir) writePredictions(join(options.outDir, `${task}.jsonl`), predictions);
    log.info(`${task}: ${records.length} prompts answered in ${((performance.now() - taskStarted) / 1000).toFixed(1)} s`);
  }

  const { tasks, average } = aggregateTaskScores(samples, lTrain);
  const result: LongContextResult = {
    version: suite.version,
    lTrain,
    bucketSpec: lengthBuckets(lTrain),
    tasks,
    average,
    generation: { prompts: samples.length, truncated, newTokens, seconds: (performance.now() - started) / 1000 },
  };
  if (options.outDir) writeFileSync(join(options.outDir, SUMMARY_FILE), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

function writePredictions(path: string, predictions: readonly TaskPrediction[]): void {
  writeFileSync(path, predictions.map((prediction) => `${JSON.stringify(prediction)}\n`).join(""), "utf8");
}

/**
 * Rescores a folder of prediction files written by {@link evaluateLongContext}: the LongBench reader
 * checks `pred`, `answers`, `all_classes` and `length`, LongBench's `scoreSample` scores each line,
 * and the lines are bucketed by `token_length` against `lTrain`. Gives the same numbers the
 * evaluation returned.
 * @throws FileFormatError for a file that is not `<task>.jsonl` of a known task or a line without a valid `token_length`.
 */
export function scoreTaskPredictions(folder: string, lTrain: number): { tasks: TaskScores[]; average: SuiteAverage } {
  const samples: ScoredSample[] = [];
  for (const path of listPredictionFiles(folder)) {
    const stem = datasetFromFileName(path);
    if (!(TASK_NAMES as readonly string[]).includes(stem)) {
      throw new FileFormatError(`${path}: the file name must be <task>.jsonl with a task among ${TASK_NAMES.join(", ")}, got ${show(stem)}. Remove or rename the file`);
    }
    const task = stem as TaskName;
    const file = readPredictionFile(path, { requireLength: true });
    const tokenLengths = readTokenLengths(path);
    const dataset = taskDataset(task);
    file.records.forEach((record, i) => {
      samples.push({ task, tokenLength: tokenLengths[i], score: scoreSample(dataset, record.pred, record.answers, record.all_classes) });
    });
  }
  if (samples.length === 0) throw new ConfigError(mustBe("scoreTaskPredictions", "folder", "a folder with at least one prediction", folder));
  return aggregateTaskScores(samples, lTrain);
}

function readTokenLengths(path: string): number[] {
  const lines = readFileSync(path, "utf8").split("\n").filter((line) => line !== "");
  return lines.map((line, i) => {
    const value = (JSON.parse(line) as Record<string, unknown>).token_length;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      throw new FileFormatError(mustBe(`${path} line ${i + 1}`, 'field "token_length"', "a positive integer", value, "Write predictions with evaluateLongContext"));
    }
    return value;
  });
}
