/**
 * The study's only contact with the generated long-context suite (lib/tasks): mixing task
 * instances into training batches and scoring a model on the suite. A change in the suite's API
 * touches only this file.
 */

import type { Corpus, TokenizedDocument } from "../data/types";
import { sampleWindows } from "../data/windows";
import type { TransformerLM } from "../model/transformer";
import { buildSuite, evaluateLongContext, taskMixBatchSource, type ResolvedSuiteConfig } from "../tasks";
import type { BatchSource } from "../train/trainer";
import type { Logger } from "../util/logger";
import type { TaskMixSpec } from "./grid";

/** One task's score in one length bucket. */
export interface TaskBucketScore {
  task: string;
  bucket: string;
  /** LongBench score in [0, 100]. */
  score: number;
  /** Instances scored. */
  count: number;
}

/** The suite's scores for one model. */
export interface LongContextScores {
  /** Mean over buckets of the per-bucket mean over tasks, in [0, 100] (LongBench-E style). */
  average: number;
  /** Mean over tasks per bucket; buckets are by prompt length relative to lTrain (≤1×, ≤2×, ≤4×, >4×). */
  buckets: { bucket: string; score: number }[];
  tasks: TaskBucketScore[];
  /** Prompts answered, tokens generated and seconds spent. */
  generation: { prompts: number; newTokens: number; seconds: number };
}

/**
 * The training batch source of a stage: random corpus windows, with a fraction of rows replaced by
 * task instances (answer at the row's end) when `mix.fraction` > 0.
 * @param seed the run's seed, so seeds draw different task rows.
 */
export function trainingBatchSource(docs: readonly TokenizedDocument[], mix: TaskMixSpec, seed: number, lTrain: number): BatchSource {
  if (mix.fraction === 0) return (_step, rng, windowLength, batchSize) => sampleWindows(docs, windowLength, batchSize, rng);
  return taskMixBatchSource({ trainDocs: docs, fraction: mix.fraction, tasks: mix.tasks, lTrain, seed, taskOptions: mix.taskOptions });
}

/**
 * Generates the suite from the test split (keys and numbers from the evaluation partition, so none
 * was seen in training) and scores `model` on it by greedy generation.
 * @param outDir folder for the per-task prediction files and summary.json.
 */
export function scoreLongContext(model: TransformerLM, corpus: Corpus, suiteConfig: ResolvedSuiteConfig, options: { outDir?: string; logger: Logger }): LongContextScores {
  const suite = buildSuite(suiteConfig, corpus.splits.test, { source: corpus.name, seed: corpus.seed });
  const result = evaluateLongContext(model, suite, { lTrain: suiteConfig.lTrain, outDir: options.outDir, logger: options.logger });
  const tasks: TaskBucketScore[] = result.tasks.flatMap((task) =>
    task.buckets.flatMap((bucket) => (bucket.score === null ? [] : [{ task: task.task, bucket: bucket.label, score: bucket.score, count: bucket.count }])),
  );
  const buckets = result.bucketSpec.labels.flatMap((label) => {
    const score = result.average.buckets[label];
    return score === null || score === undefined ? [] : [{ bucket: label, score }];
  });
  return {
    average: result.average.overall ?? NaN,
    buckets,
    tasks,
    generation: { prompts: result.generation.prompts, newTokens: result.generation.newTokens, seconds: Math.round(result.generation.seconds * 100) / 100 },
  };
}
