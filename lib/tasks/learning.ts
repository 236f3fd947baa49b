import { initBackend, type BackendInfo } from "../backend";
import { loadCorpus } from "../data/corpus";
import { TransformerLM } from "../model/transformer";
import { train } from "../train/trainer";
import { Logger } from "../util/logger";
import { evaluateLongContext, type LongContextResult } from "./evaluate";
import { taskMixBatchSource } from "./mix";
import { buildSuite, type Suite } from "./suite";
import type { TaskName, TaskOptions } from "./types";

/** Settings of a task-mix learning run; every field has a default that learned the passkey task. */
export interface TaskLearningOptions {
  /** Optimizer steps (default 3000: with seed 0, copying appeared between steps 2250 and 3000). */
  steps?: number;
  /** Training length in tokens (default 64). */
  lTrain?: number;
  /** Rows per step (default 16). */
  batchSize?: number;
  /** Peak learning rate, decaying to a tenth (default 1e-2). */
  lr?: number;
  model?: { dModel?: number; nLayers?: number; nHeads?: number };
  /** Share of task rows in a batch (default 1). */
  fraction?: number;
  /** Tasks mixed into training and scored (default passkey). */
  tasks?: TaskName[];
  /** Generator settings (default 3-digit pass keys). */
  taskOptions?: Partial<TaskOptions>;
  /** Suite records per task and bucket (default 16). */
  instancesPerBucket?: number;
  /** Score the ≤1× bucket every this many steps during training; 0 (default) never. */
  probeEvery?: number;
  /** Seed of weights, batches, the corpus split and the suite (default 0). */
  seed?: number;
  /** Called with each probe's step and ≤1× score. */
  onProbe?: (step: number, score: number | null) => void;
}

/** Scores before and after training, with the probes taken during it. */
export interface TaskLearningResult {
  before: LongContextResult;
  after: LongContextResult;
  probes: { step: number; score: number | null }[];
  trainSeconds: number;
  finalLoss: number | undefined;
  backend: BackendInfo;
}

/**
 * Trains a small byte-level model on Brown corpus windows with generated task instances mixed in,
 * and scores the untrained and the trained model on a suite built from test-split documents. It
 * shows that the training mix teaches the task format at lTrain.
 */
export async function runTaskLearning(options: TaskLearningOptions = {}): Promise<TaskLearningResult> {
  const steps = options.steps ?? 3000;
  const lTrain = options.lTrain ?? 64;
  const seed = options.seed ?? 0;
  const tasks = options.tasks ?? ["passkey"];
  const fraction = options.fraction ?? 1;
  const taskOptions = options.taskOptions ?? { passkeyDigits: 3 };
  const lr = options.lr ?? 1e-2;
  const probeEvery = options.probeEvery ?? 0;
  const model = { dModel: 64, nLayers: 2, nHeads: 4, ...options.model, seed };
  const quiet = new Logger("tasks", "warn");

  const backend = await initBackend();
  const corpus = loadCorpus({ source: "brown", seed });
  const suite = buildSuite(
    { lTrain, tasks, lengthFactors: [1, 1.5, 3, 5], instancesPerBucket: options.instancesPerBucket ?? 16, seed, taskOptions },
    corpus.splits.test,
  );
  const atLTrain: Suite = { ...suite, records: suite.records.filter((record) => record.token_length <= lTrain) };

  const untrained = new TransformerLM(model);
  const before = evaluateLongContext(untrained, suite, { lTrain, logger: quiet });
  untrained.dispose();

  const probes: TaskLearningResult["probes"] = [];
  const started = performance.now();
  const run = await train(
    {
      model,
      lTrain,
      batchSize: options.batchSize ?? 16,
      steps,
      evalEvery: steps,
      evalWindows: 8,
      logEvery: 100,
      seed,
      optimizer: { lr, minLr: lr / 10, warmupSteps: 20 },
      alignment: { alpha: 0 },
      data: { tasks, fraction, taskOptions },
    },
    {
      trainDocs: corpus.splits.train,
      validationDocs: corpus.splits.validation,
      logger: quiet,
      batchSource: taskMixBatchSource({ trainDocs: corpus.splits.train, fraction, tasks, lTrain, seed, taskOptions }),
      onStep: (record, trained) => {
        if (probeEvery === 0 || record.step % probeEvery !== 0) return;
        const score = evaluateLongContext(trained, atLTrain, { lTrain, logger: quiet }).tasks[0].buckets[0].score;
        probes.push({ step: record.step, score });
        options.onProbe?.(record.step, score);
      },
    },
  );
  const trainSeconds = (performance.now() - started) / 1000;
  const after = evaluateLongContext(run.model, suite, { lTrain, logger: quiet });
  run.model.dispose();
  return { before, after, probes, trainSeconds, finalLoss: run.history.at(-1)?.loss, backend };
}
