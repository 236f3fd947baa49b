/**
 * One run of the study, in-process. A base is pretrained at lBase and cached. A fine-tune starts
 * from its seed's base, trains at lTrain with the raised RoPE θ and its regularizer, and is then
 * scored, and its result file is written atomically at the end. Both stages resume from their last
 * checkpoint after a kill.
 */

import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { misalignment } from "../align/misalignment";
import { loadCorpus } from "../data/corpus";
import type { Corpus, TokenizedDocument } from "../data/types";
import { evaluationWindows } from "../data/windows";
import { evaluatePerplexity } from "../eval/perplexity";
import type { TransformerLM } from "../model/transformer";
import { readCheckpointInfo } from "../train/checkpoint";
import { CHECKPOINT_FILE, METRICS_FILE, meanLoss, train, type StepRecord } from "../train/trainer";
import { FileFormatError, ToolkitError } from "../util/errors";
import { type Logger, logger as rootLogger } from "../util/logger";
import { provenance } from "../util/provenance";
import { BASE_RECORD_FILE, doneFile, moveAside, runFolder, writeJsonAtomic } from "./files";
import { describeRun, type BaseRun, type FineTuneRun, type StudyRun } from "./grid";
import { scoreLongContext, trainingBatchSource } from "./longContext";
import {
  BASE_FORMAT,
  RESULT_FORMAT,
  readBaseRecord,
  readStudyResult,
  type BaseRecord,
  type RunCost,
  type StudyRunResult,
  type ValidationScore,
} from "./records";

/** Raised when `shouldStop` returns true; the run's last checkpoint is kept for the next attempt. */
export class RunInterruptedError extends ToolkitError {
  override name = "RunInterruptedError";
}

/** Position of a run: training step `step` of `steps`, or evaluating. */
export interface RunProgress {
  phase: "train" | "evaluate";
  step: number;
  steps: number;
}

export interface PipelineOptions {
  /** The study folder (see files.ts for its layout). */
  outDir: string;
  /** Preset name recorded in the output. */
  preset: string;
  logger?: Logger;
  /** The corpus, when the caller has loaded it already; otherwise it is loaded from the run's config. */
  corpus?: Corpus;
  onProgress?: (progress: RunProgress) => void;
  /** Polled after each step and before evaluation; true stops the run with RunInterruptedError. */
  shouldStop?: () => boolean;
}

/** One line of a run's attempts.jsonl: when it was started, by which process, from which step. */
export interface AttemptRecord {
  time: string;
  pid: number;
  fromStep: number;
}

export const ATTEMPTS_FILE = "attempts.jsonl";
/** Sub-folder of a fine-tune's folder with the suite's prediction files and summary.json. */
export const LONG_CONTEXT_FOLDER = "long-context";

/** Runs a base or a fine-tune; a finished one is loaded, not recomputed. */
export async function executeRun(run: StudyRun, options: PipelineOptions): Promise<BaseRecord | StudyRunResult> {
  return run.kind === "base" ? trainBase(run, options) : fineTuneAndEvaluate(run, options);
}

/**
 * Returns the record of a finished run, or undefined when it has none. A corrupt record is moved
 * aside to `<file>.corrupt-<time>` with a warning, so the run is recomputed (from its checkpoint,
 * which usually means only the evaluation reruns).
 */
export function finishedRecord(outDir: string, run: StudyRun, log: Logger = rootLogger): BaseRecord | StudyRunResult | undefined {
  const path = doneFile(outDir, run);
  if (!existsSync(path)) return undefined;
  try {
    return run.kind === "base" ? readBaseRecord(path, run.hash) : readStudyResult(path, run.hash);
  } catch (error) {
    if (!(error instanceof FileFormatError)) throw error;
    const aside = moveAside(path);
    log.warn(`${error.message.split(". Delete it")[0]}; moved it to ${aside} and will recompute ${describeRun(run)} (${run.hash})`);
    return undefined;
  }
}

/**
 * Pretrains a base at lBase with plain cross-entropy and writes base.json beside its checkpoint.
 * @throws TrainingDivergedError, RunInterruptedError, ConfigError (task mix without lib/tasks).
 */
export async function trainBase(run: BaseRun, options: PipelineOptions): Promise<BaseRecord> {
  const log = options.logger ?? rootLogger.child("study");
  const finished = finishedRecord(options.outDir, run, log);
  if (finished) return finished as BaseRecord;

  const started = performance.now();
  const folder = runFolder(options.outDir, run);
  const corpus = options.corpus ?? loadCorpus(run.corpus);
  const attempts = recordAttempt(folder);
  const outcome = await train(run.train, {
    outDir: folder,
    trainDocs: corpus.splits.train,
    validationDocs: corpus.splits.validation,
    batchSource: trainingBatchSource(corpus.splits.train, run.taskMix, run.seed, run.train.lTrain),
    logger: log,
    onStep: stepHook(run.train.steps, options),
  });
  checkStop(options);

  const evalStarted = performance.now();
  const validation = validationScore(outcome.model, corpus.splits.validation, run.train.lTrain, run.train.evalWindows, run.train.batchSize);
  outcome.model.dispose();
  const record: BaseRecord = {
    format: BASE_FORMAT,
    hash: run.hash,
    seed: run.seed,
    preset: options.preset,
    config: { train: run.train, corpus: run.corpus, taskMix: run.taskMix },
    checkpoint: CHECKPOINT_FILE,
    validation,
    cost: runCost(folder, run, started, evalStarted, attempts),
    provenance: provenance(),
  };
  writeJsonAtomic(join(folder, BASE_RECORD_FILE), record);
  log.info(`base seed ${run.seed} (${run.hash}) finished: validation loss ${validation.loss.toFixed(4)} at length ${run.train.lTrain}`);
  return record;
}

/**
 * Fine-tunes from the run's base and scores it: test perplexity at each multiple of lTrain, the
 * long-context suite, the misalignment metric and validation cross-entropy. Writes result.json.
 * @throws FileFormatError when the base has not finished or its checkpoint is unreadable (the
 *   message names the file and the fix); TrainingDivergedError; RunInterruptedError.
 */
export async function fineTuneAndEvaluate(run: FineTuneRun, options: PipelineOptions): Promise<StudyRunResult> {
  const log = options.logger ?? rootLogger.child("study");
  const finished = finishedRecord(options.outDir, run, log);
  if (finished) return finished as StudyRunResult;

  const started = performance.now();
  const baseFolder = runFolder(options.outDir, { kind: "base", hash: run.baseHash });
  const baseRecordPath = join(baseFolder, BASE_RECORD_FILE);
  if (!existsSync(baseRecordPath)) {
    throw new FileFormatError(
      `study: the base ${run.baseHash} of ${describeRun(run)} has not finished (${baseRecordPath} not found). ` +
        "Run the whole grid with scripts/study.ts, which trains bases first.",
    );
  }
  const baseCheckpoint = join(baseFolder, readBaseRecord(baseRecordPath, run.baseHash).checkpoint);
  try {
    readCheckpointInfo(baseCheckpoint);
  } catch (error) {
    throw new FileFormatError(
      `study: the checkpoint of base ${run.baseHash} is unreadable (${(error as Error).message}). ` +
        `Delete the folder ${baseFolder} to retrain that base, then run the study again.`,
    );
  }

  const folder = runFolder(options.outDir, run);
  const corpus = options.corpus ?? loadCorpus(run.corpus);
  const attempts = recordAttempt(folder);
  const outcome = await train(run.train, {
    outDir: folder,
    trainDocs: corpus.splits.train,
    validationDocs: corpus.splits.validation,
    initFrom: baseCheckpoint,
    batchSource: trainingBatchSource(corpus.splits.train, run.taskMix, run.seed, run.train.lTrain),
    logger: log,
    onStep: stepHook(run.train.steps, options),
  });
  checkStop(options);

  options.onProgress?.({ phase: "evaluate", step: run.train.steps, steps: run.train.steps });
  const evalStarted = performance.now();
  const model = outcome.model;
  const { lTrain } = run.train;
  const evaluation = run.evaluation;
  try {
    const lengths = evaluation.multipliers.map((m) => m * lTrain);
    const perplexity = evaluatePerplexity(model, corpus.splits.test, lengths, { maxWindows: evaluation.perplexityWindows }).map((row, i) => ({
      ...row,
      multiplier: evaluation.multipliers[i],
    }));
    checkStop(options);
    const probe = { strategy: { name: "suffix" as const }, divergence: { name: "sce" as const } };
    const metric = misalignment(model, corpus.splits.validation, probe.strategy, probe.divergence, {
      lTrain,
      numWindows: evaluation.misalignmentWindows,
      batchSize: evaluation.misalignmentBatchSize,
      seed: evaluation.misalignmentSeed,
    });
    const validation = validationScore(model, corpus.splits.validation, lTrain, evaluation.validationWindows, run.train.batchSize);
    checkStop(options);
    const longContext = evaluation.suite ? scoreLongContext(model, corpus, evaluation.suite, { outDir: join(folder, LONG_CONTEXT_FOLDER), logger: log }) : null;
    checkStop(options);

    const result: StudyRunResult = {
      format: RESULT_FORMAT,
      runHash: run.hash,
      baseHash: run.baseHash,
      preset: options.preset,
      seed: run.seed,
      memberships: run.memberships,
      config: { train: run.train, corpus: run.corpus, taskMix: run.taskMix, evaluation },
      provenance: provenance(),
      cost: runCost(folder, run, started, evalStarted, attempts),
      perplexity,
      longContext,
      misalignment: { ...metric, divergence: probe.divergence.name, strategy: probe.strategy.name },
      validation,
      training: trainingSummary(join(folder, METRICS_FILE)),
    };
    writeJsonAtomic(doneFile(options.outDir, run), result);
    const longest = perplexity.at(-1)!;
    log.info(
      `${describeRun(run)} (${run.hash}) finished: perplexity ${longest.perplexity.toFixed(3)} at ${longest.length} tokens, ` +
        `misalignment ${metric.value.toFixed(4)}, validation loss ${validation.loss.toFixed(4)}`,
    );
    return result;
  } finally {
    model.dispose();
  }
}

function stepHook(steps: number, options: PipelineOptions): (record: StepRecord) => void {
  return (record) => {
    options.onProgress?.({ phase: "train", step: record.step, steps });
    checkStop(options);
  };
}

function checkStop(options: PipelineOptions): void {
  if (options.shouldStop?.()) throw new RunInterruptedError("study: run stopped on request; its last checkpoint is kept and the next attempt resumes from it");
}

/** Appends this attempt to the run's attempts.jsonl and returns how many attempts there have been. */
function recordAttempt(folder: string): number {
  mkdirSync(folder, { recursive: true });
  const checkpoint = join(folder, CHECKPOINT_FILE);
  let fromStep = 0;
  if (existsSync(checkpoint)) {
    try {
      fromStep = readCheckpointInfo(checkpoint).step;
    } catch {
      // The trainer reports an unreadable checkpoint with the file name and the fix.
    }
  }
  const record: AttemptRecord = { time: new Date().toISOString(), pid: process.pid, fromStep };
  appendFileSync(join(folder, ATTEMPTS_FILE), `${JSON.stringify(record)}\n`);
  return readAttempts(folder).length;
}

/** Reads the attempts of a run, oldest first, or an empty list when it never started. */
export function readAttempts(folder: string): AttemptRecord[] {
  const path = join(folder, ATTEMPTS_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as AttemptRecord);
}

/** Reads the train records of a metrics.jsonl: one per step across all attempts, because the trainer truncates the file on resume. */
export function readStepRecords(path: string): StepRecord[] {
  if (!existsSync(path)) return [];
  const records: StepRecord[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as StepRecord;
      if (record.type === "train") records.push(record);
    } catch {
      // A line cut by a kill mid-append; the trainer drops it on the next resume.
    }
  }
  return records;
}

function runCost(folder: string, run: StudyRun, started: number, evalStarted: number, attempts: number): RunCost {
  const steps = readStepRecords(join(folder, METRICS_FILE));
  const trainSeconds = steps.reduce((total, record) => total + record.ms, 0) / 1000;
  const tokens = steps.length * run.train.batchSize * run.train.lTrain;
  const now = performance.now();
  return {
    wallSeconds: round((now - started) / 1000),
    trainSeconds: round(trainSeconds),
    evalSeconds: round((now - evalStarted) / 1000),
    tokensPerSecond: trainSeconds > 0 ? Math.round(tokens / trainSeconds) : 0,
    steps: steps.length,
    attempts,
  };
}

function trainingSummary(metricsPath: string): StudyRunResult["training"] {
  const steps = readStepRecords(metricsPath);
  const tail = steps.slice(-Math.max(1, Math.ceil(steps.length / 10)));
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
  const misalignments = tail.map((record) => record.misalignment).filter((value): value is number => value !== null);
  return {
    loss: mean(tail.map((record) => record.loss)),
    ce: mean(tail.map((record) => record.ce)),
    misalignment: misalignments.length ? mean(misalignments) : null,
  };
}

/** Mean cross-entropy at `length` over the first `windows` fixed validation windows. */
function validationScore(model: TransformerLM, docs: TokenizedDocument[], length: number, windows: number, batchSize: number): ValidationScore {
  const { tokens, count } = evaluationWindows(docs, length, windows);
  const loss = meanLoss(model, tokens, count, length, batchSize);
  return { loss, perplexity: Math.exp(loss), windows: count };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
