import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCorpus, validateCorpusConfig, type CorpusConfig } from "../data/corpus";
import type { Corpus } from "../data/types";
import { evaluatePerplexity, type PerplexityRow } from "../eval/perplexity";
import { buildSuite, evaluateLongContext, validateSuiteConfig, taskMixBatchSource, type LongContextResult, type TaskName, type TaskOptions } from "../tasks";
import { ConfigError, FileFormatError, assert, intInRange, mustBe, numberInRange } from "../util/errors";
import { configHash } from "../util/hash";
import { type Logger, logger as rootLogger } from "../util/logger";
import { provenance, type Provenance } from "../util/provenance";
import { runIdentity, validateTrainConfig, type TrainConfig, type TrainConfigInput } from "./config";
import { train, type EvalRecord } from "./trainer";

/** A training run plus its evaluation: what `scripts/train.ts` runs. */
export interface RunSpec {
  train: TrainConfigInput;
  corpus: CorpusConfig;
  /** Perplexity on the test split at these multiples of lTrain. */
  evalMultipliers: number[];
  /** Test windows per length at most. */
  evalMaxWindows: number;
  /**
   * Generated long-context tasks: mixed into training at `fraction` and, when `suite` is set, scored
   * after training on a suite built from test-split documents. Null or absent trains on text only.
   */
  tasks?: RunTasks | null;
}

/** The task mixture and long-context suite of a run. */
export interface RunTasks {
  /** Tasks to mix in and score; each must fit in a row of lTrain + 1 tokens when `fraction` > 0. */
  names: TaskName[];
  /** Share of training rows that are task instances, in [0, 1]. */
  fraction: number;
  /** Generator settings shared by the mix and the suite (defaults in lib/tasks). */
  options?: Partial<TaskOptions>;
  /** Suite size; null skips the long-context evaluation. */
  suite: { instancesPerBucket: number; lengthFactors?: number[] } | null;
}

export const DEFAULT_RUN_SPEC: Readonly<RunSpec> = Object.freeze({
  train: {},
  corpus: { source: "brown", seed: 0 },
  evalMultipliers: [1, 2, 4, 8],
  evalMaxWindows: 64,
});

/** Contents of `result.json`. */
export interface RunResult {
  /** Hash of the run's identity (train config without the backend choice, corpus, evaluation). */
  runHash: string;
  config: TrainConfig;
  corpus: CorpusConfig;
  perplexity: PerplexityRow[];
  /** Scores on the generated long-context suite (not LongBench-E), when the spec requests it. */
  longContext: { tasks: LongContextResult["tasks"]; average: LongContextResult["average"] } | null;
  evals: EvalRecord[];
  /** Mean training tokens per second of the steps run in this process. */
  tokensPerSecond: number;
  trainSeconds: number;
  wallSeconds: number;
  provenance: Provenance;
}

export const RESULT_FILE = "result.json";

/** Hashes the run's identity (train config minus backend, corpus, evaluation settings); it names the run's folder. */
export function runHash(spec: RunSpec): string {
  const config = validateTrainConfig(spec.train);
  return configHash({
    train: runIdentity(config),
    corpus: validateCorpusConfig(spec.corpus),
    evalMultipliers: spec.evalMultipliers,
    evalMaxWindows: spec.evalMaxWindows,
    tasks: spec.tasks ?? null,
  });
}

/**
 * Trains on the corpus and scores test perplexity at each multiple of lTrain; writes `result.json`
 * to `outDir`. A finished run (result.json present) is loaded, not recomputed; an interrupted one
 * resumes from its checkpoint.
 * @throws ConfigError for an invalid spec, before loading data or training.
 */
export async function trainAndEvaluate(
  spec: RunSpec,
  options: { outDir?: string; logger?: Logger; corpus?: Corpus } = {},
): Promise<RunResult> {
  const log = options.logger ?? rootLogger.child("run");
  // The corpus config goes into the train config's data field so checkpoints record it.
  const corpusConfig = validateCorpusConfig(spec.corpus);
  const tasks = spec.tasks ?? null;
  const config = validateTrainConfig({ ...spec.train, data: { ...(spec.train.data ?? {}), corpus: corpusConfig, tasks } });
  assert(
    Array.isArray(spec.evalMultipliers) && spec.evalMultipliers.length > 0 && spec.evalMultipliers.every((m) => typeof m === "number" && m > 0 && Number.isInteger(m * config.lTrain)),
    () => mustBe("run", "evalMultipliers", "a non-empty list of positive numbers m with m × lTrain an integer", spec.evalMultipliers),
    ConfigError,
  );
  intInRange("run", "evalMaxWindows", spec.evalMaxWindows, 1);
  if (tasks) numberInRange("run", "tasks.fraction (--task-fraction)", tasks.fraction, 0, 1);
  if (tasks?.suite) {
    // Check the suite settings now, so a bad value fails before training rather than after it.
    validateSuiteConfig({ tasks: tasks.names, lTrain: config.lTrain, seed: config.seed, taskOptions: tasks.options, ...tasks.suite });
  }
  const hash = runHash(spec);

  const resultPath = options.outDir ? join(options.outDir, RESULT_FILE) : undefined;
  if (resultPath && existsSync(resultPath)) {
    const finished = readResult(resultPath);
    if (finished.runHash === hash) {
      log.info(`run ${hash} already finished: ${resultPath}`);
      return finished;
    }
    throw new FileFormatError(
      `trainAndEvaluate: ${resultPath} belongs to run ${finished.runHash}, not ${hash}. Use another output folder or delete it.`,
    );
  }

  const started = performance.now();
  const corpus = options.corpus ?? loadCorpus(spec.corpus);
  const mixTasks = tasks !== null && tasks.fraction > 0;
  const outcome = await train(config, {
    outDir: options.outDir,
    trainDocs: corpus.splits.train,
    validationDocs: corpus.splits.validation,
    logger: log,
    batchSource: mixTasks
      ? taskMixBatchSource({ trainDocs: corpus.splits.train, fraction: tasks.fraction, tasks: tasks.names, lTrain: config.lTrain, seed: config.seed, taskOptions: tasks.options })
      : undefined,
  });
  const lengths = spec.evalMultipliers.map((m) => m * config.lTrain);
  const perplexity = evaluatePerplexity(outcome.model, corpus.splits.test, lengths, { maxWindows: spec.evalMaxWindows });

  let longContext: RunResult["longContext"] = null;
  if (tasks?.suite) {
    // Test-split documents only, so no document of the suite was seen in training.
    const suite = buildSuite(
      { tasks: tasks.names, lTrain: config.lTrain, seed: config.seed, taskOptions: tasks.options, ...tasks.suite },
      corpus.splits.test,
    );
    const scored = evaluateLongContext(outcome.model, suite, { lTrain: config.lTrain, outDir: options.outDir ? join(options.outDir, "predictions") : undefined, logger: log });
    longContext = { tasks: scored.tasks, average: scored.average };
  }
  outcome.model.dispose();

  const result: RunResult = {
    runHash: hash,
    config,
    corpus: spec.corpus,
    perplexity,
    longContext,
    evals: outcome.evals,
    tokensPerSecond: outcome.tokensPerSecond,
    trainSeconds: outcome.trainSeconds,
    wallSeconds: (performance.now() - started) / 1000,
    provenance: provenance(),
  };
  if (options.outDir && resultPath) {
    mkdirSync(options.outDir, { recursive: true });
    writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

/** Reads a result.json, rejecting a corrupt one with the path and the fix. */
export function readResult(path: string): RunResult {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    if (typeof parsed.runHash !== "string" || !Array.isArray(parsed.perplexity)) throw new Error("missing runHash or perplexity");
    return parsed;
  } catch (error) {
    throw new FileFormatError(`readResult: ${path} is not a valid result file (${(error as Error).message}). Delete it to rerun the evaluation.`);
  }
}

/** Formats long-context suite scores as an aligned text table: one row per task, one column per bucket. */
export function formatLongContextTable(longContext: NonNullable<RunResult["longContext"]>): string {
  const labels = Object.keys(longContext.average.buckets);
  const show = (score: number | null) => (score === null ? "–" : score.toFixed(1));
  const rows = longContext.tasks.map((task) => [task.task, ...task.buckets.map((bucket) => `${show(bucket.score)} (${bucket.count})`)]);
  rows.push(["average", ...labels.map((label) => show(longContext.average.buckets[label]))]);
  const header = ["task", ...labels];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [line(header), ...rows.map(line), `overall ${show(longContext.average.overall)}`].join("\n");
}

/** Formats perplexity rows as an aligned text table. */
export function formatPerplexityTable(rows: PerplexityRow[], lTrain: number): string {
  const header = ["length", "× lTrain", "perplexity", "loss (nats)", "last-quarter loss", "tokens"];
  const body = rows.map((r) => [
    String(r.length),
    `${(r.length / lTrain).toFixed(r.length % lTrain === 0 ? 0 : 2)}×`,
    r.perplexity.toFixed(3),
    r.loss.toFixed(4),
    r.tailLoss.toFixed(4),
    String(r.tokens),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
