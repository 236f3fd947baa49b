import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initBackend, type BackendInfo } from "../backend";
import { alignmentLoss } from "../align/loss";
import { sampleLayout } from "../align/strategies";
import type { TokenizedDocument } from "../data/types";
import { evaluationWindows, sampleWindows } from "../data/windows";
import { TransformerLM } from "../model/transformer";
import { ToolkitError } from "../util/errors";
import { configHash } from "../util/hash";
import { Logger, ProgressBar, appendJsonl, logger as rootLogger } from "../util/logger";
import { Random } from "../util/random";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { SignalWatcher, TrainingInterruptedError, yieldToEventLoop } from "./interrupt";
import { runIdentity, validateTrainConfig, type TrainConfig, type TrainConfigInput } from "./config";
import { meanCrossEntropy } from "./loss";
import { AdamW, learningRate } from "./optimizer";

export { TrainingInterruptedError } from "./interrupt";

/** Raised when the loss becomes NaN or infinite; the last good checkpoint is left untouched. */
export class TrainingDivergedError extends ToolkitError {
  override name = "TrainingDivergedError";
  constructor(
    message: string,
    readonly step: number,
  ) {
    super(message);
  }
}

/**
 * Draws the token windows of one step: `[batchSize, windowLength]` int32, row-major. The default
 * draws random windows from the train documents; task mixtures supply their own.
 */
export type BatchSource = (step: number, rng: Random, windowLength: number, batchSize: number) => Int32Array;

/** One line of the training log (metrics.jsonl, `type: "train"`). */
export interface StepRecord {
  type: "train";
  step: number;
  loss: number;
  ce: number;
  misalignment: number | null;
  lr: number;
  gradNorm: number;
  ms: number;
  tokensPerSecond: number;
  backend: string;
}

/** One validation result (metrics.jsonl, `type: "eval"`). */
export interface EvalRecord {
  type: "eval";
  step: number;
  valLoss: number;
  valPerplexity: number;
  tokens: number;
}

export interface TrainOptions {
  /** Folder for config.json, metrics.jsonl and checkpoint.safetensors; none means nothing is written. */
  outDir?: string;
  /** Train documents (default batch source) and validation documents. */
  trainDocs: TokenizedDocument[];
  validationDocs: TokenizedDocument[];
  /** Overrides the default random-window batch source. */
  batchSource?: BatchSource;
  /**
   * Checkpoint to start from (weights only; the optimizer starts fresh), for fine-tuning a
   * pretrained base. Ignored when resuming this run's own checkpoint. The caller should record the
   * base's identity in `config.data`, since the path itself is not part of the run's hash.
   */
  initFrom?: string;
  /** Resume from `outDir`'s checkpoint when there is one (default true). */
  resume?: boolean;
  /** Stops after this step count without finishing, as a kill would; for tests of resumption. */
  stopAfterStep?: number;
  /**
   * With `outDir`, SIGINT or SIGTERM stops training after the current step, saves a checkpoint and
   * raises TrainingInterruptedError (default true). A step cannot be cut short: Node runs signal
   * handlers only between steps.
   */
  handleSignals?: boolean;
  logger?: Logger;
  /** Called after each step with its record and the model (for probes that read the weights). */
  onStep?: (record: StepRecord, model: TransformerLM) => void;
}

export interface TrainResult {
  config: TrainConfig;
  model: TransformerLM;
  backend: BackendInfo;
  /** Step the run started from (0, or the resumed checkpoint's step). */
  startStep: number;
  /** Completed steps. */
  step: number;
  history: StepRecord[];
  evals: EvalRecord[];
  /** Seconds spent in this call's training steps, excluding evaluation. */
  trainSeconds: number;
  /** Training tokens (long view) per second over this call's steps. */
  tokensPerSecond: number;
}

export const CHECKPOINT_FILE = "checkpoint.safetensors";
export const METRICS_FILE = "metrics.jsonl";

/**
 * Trains a TransformerLM. With `outDir`, a killed run resumes from its last checkpoint without
 * redoing finished steps: batches are drawn from a generator seeded by (seed, step), so a resumed
 * run draws exactly the batches the uninterrupted one would have.
 * @throws ConfigError before any training for an invalid config.
 * @throws TrainingDivergedError when the loss is NaN or infinite.
 * @throws TrainingInterruptedError after SIGINT or SIGTERM, once the checkpoint is saved (see `handleSignals`).
 */
export async function train(input: TrainConfigInput | TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const config = validateTrainConfig(input);
  const log = options.logger ?? rootLogger.child("train");
  const backend = await initBackend(config.backend);
  const identity = runIdentity(config);
  const model = new TransformerLM(config.model);
  const optimizer = new AdamW(model.params, config.optimizer);
  const checkpointPath = options.outDir ? join(options.outDir, CHECKPOINT_FILE) : undefined;
  const metricsPath = options.outDir ? join(options.outDir, METRICS_FILE) : undefined;

  let startStep = 0;
  if (options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    if (options.resume !== false && checkpointPath && existsSync(checkpointPath)) {
      startStep = loadCheckpoint(checkpointPath, model, optimizer, identity).step;
      log.info(`resumed from ${checkpointPath} at step ${startStep}`);
    }
    if (metricsPath) truncateMetrics(metricsPath, startStep);
    writeFileSync(join(options.outDir, "config.json"), `${JSON.stringify({ ...config, hash: configHash(identity) }, null, 2)}\n`);
  }

  if (startStep === 0 && options.initFrom) {
    // Weights only, and no config check: a fine-tuning run may change ropeBase or lTrain, while
    // tensor names and shapes must still match.
    const base = loadCheckpoint(options.initFrom, model);
    log.info(`initialized from ${options.initFrom} (step ${base.step})`);
  }

  const tokensPerStep = config.batchSize * config.lTrain;
  log.info(
    `model ${model.numParameters} parameters (${config.model.nLayers} layers, width ${config.model.dModel}, ` +
      `${config.model.position}); ${tokensPerStep} tokens/step; ${config.steps} steps; alpha ${config.alignment.alpha} ` +
      `(${config.alignment.divergence.name}, ${config.alignment.strategy.name}); backend ${backend.name}`,
  );

  const batchSource: BatchSource =
    options.batchSource ?? ((_step, rng, windowLength, batchSize) => sampleWindows(options.trainDocs, windowLength, batchSize, rng));
  const validation = evaluationWindows(options.validationDocs, config.lTrain, config.evalWindows);
  const history: StepRecord[] = [];
  const evals: EvalRecord[] = [];
  const progress = new ProgressBar(config.steps, "train");
  const lastStep = Math.min(config.steps, options.stopAfterStep ?? config.steps);
  let lastCheckpointStep = startStep;
  let trainMs = 0;
  const writeCheckpoint = (completed: number) => {
    saveCheckpoint(checkpointPath!, model, optimizer, { step: completed, configHash: configHash(identity), config: identity, backend: backend.name });
    lastCheckpointStep = completed;
  };
  const watcher = checkpointPath && options.handleSignals !== false ? new SignalWatcher() : undefined;
  try {
    for (let step = startStep; step < lastStep; step++) {
      const lr = learningRate(step, config.steps, config.optimizer);
      const started = performance.now();
      const outcome = trainStep(model, optimizer, config, batchSource, step, lr);
      const ms = performance.now() - started;
      trainMs += ms;

      if (!Number.isFinite(outcome.loss)) {
        const kept = checkpointPath && lastCheckpointStep > 0 ? `the last good checkpoint (step ${lastCheckpointStep}) is kept at ${checkpointPath}` : "no checkpoint was written yet";
        optimizer.dispose();
        model.dispose();
        throw new TrainingDivergedError(
          `train: loss is ${outcome.loss} at step ${step + 1}; ${kept}. Lower optimizer.lr (now ${config.optimizer.lr}), ` +
            `raise optimizer.warmupSteps, or lower alignment.alpha (now ${config.alignment.alpha}).`,
          step + 1,
        );
      }

      const record: StepRecord = {
        type: "train",
        step: step + 1,
        loss: outcome.loss,
        ce: outcome.ce,
        misalignment: outcome.misalignment,
        lr,
        gradNorm: outcome.gradNorm,
        ms: Math.round(ms * 10) / 10,
        tokensPerSecond: Math.round((tokensPerStep * 1000) / ms),
        backend: backend.name,
      };
      history.push(record);
      options.onStep?.(record, model);
      if (metricsPath) appendJsonl(metricsPath, record);
      progress.update(step + 1, `loss ${outcome.loss.toFixed(3)} ${record.tokensPerSecond} tok/s`);
      if ((step + 1) % config.logEvery === 0 || step === startStep) {
        const misalignment = outcome.misalignment === null ? "" : ` misalignment ${outcome.misalignment.toFixed(4)}`;
        log.info(
          `step ${step + 1}/${config.steps} loss ${outcome.loss.toFixed(4)} ce ${outcome.ce.toFixed(4)}${misalignment} ` +
            `lr ${lr.toExponential(2)} ${record.ms} ms ${record.tokensPerSecond} tok/s ${backend.name}`,
        );
      }

      const finished = step + 1 === config.steps;
      if ((step + 1) % config.evalEvery === 0 || finished) {
        const valLoss = meanLoss(model, validation.tokens, validation.count, config.lTrain, config.batchSize);
        const evalRecord: EvalRecord = {
          type: "eval",
          step: step + 1,
          valLoss,
          valPerplexity: Math.exp(valLoss),
          tokens: validation.count * config.lTrain,
        };
        evals.push(evalRecord);
        if (metricsPath) appendJsonl(metricsPath, evalRecord);
        log.info(`step ${step + 1} validation loss ${valLoss.toFixed(4)} perplexity ${evalRecord.valPerplexity.toFixed(3)}`);
      }
      if (checkpointPath && ((step + 1) % config.checkpointEvery === 0 || finished)) writeCheckpoint(step + 1);

      if (watcher) {
        await yieldToEventLoop();
        if (watcher.received) {
          if (lastCheckpointStep !== step + 1) writeCheckpoint(step + 1);
          progress.finish();
          optimizer.dispose();
          model.dispose();
          throw new TrainingInterruptedError(
            `train: stopped by ${watcher.received} after step ${step + 1} of ${config.steps}; ${checkpointPath} contains step ${step + 1}. ` +
              "Run the same command again to resume from it.",
            step + 1,
            watcher.received,
          );
        }
      }
    }
  } finally {
    watcher?.dispose();
  }
  progress.finish();
  optimizer.dispose();

  const stepsRun = lastStep - startStep;
  return {
    config,
    model,
    backend,
    startStep,
    step: lastStep,
    history,
    evals,
    trainSeconds: trainMs / 1000,
    tokensPerSecond: stepsRun > 0 ? Math.round((stepsRun * tokensPerStep * 1000) / trainMs) : 0,
  };
}

interface StepOutcome {
  loss: number;
  ce: number;
  misalignment: number | null;
  gradNorm: number;
}

/**
 * Runs one optimizer step. With alpha = 0 and CE on the long view only, it is exactly the plain step:
 * the same windows of lTrain + 1 tokens and the same loss, so such a run matches plain training bit
 * for bit.
 */
function trainStep(
  model: TransformerLM,
  optimizer: AdamW,
  config: TrainConfig,
  batchSource: BatchSource,
  step: number,
  lr: number,
): StepOutcome {
  const rng = new Random(config.seed).fork(`batch:${step}`);
  const { alignment, batchSize, lTrain } = config;
  const plain = alignment.alpha === 0 && alignment.ceOn === "long";
  const layout = plain ? undefined : sampleLayout(alignment.strategy, lTrain, rng.fork("layout"));
  const windowLength = layout ? layout.windowLength : lTrain + 1;
  const windows = tf.tensor2d(batchSource(step, rng.fork("windows"), windowLength, batchSize), [batchSize, windowLength], "int32");

  let ce: tf.Scalar | undefined;
  let misalignment: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    if (!layout) {
      ce = tf.keep(meanCrossEntropy(model, windows));
      return ce;
    }
    const parts = alignmentLoss(model, windows, layout, alignment);
    ce = tf.keep(parts.ce);
    misalignment = tf.keep(parts.misalignment);
    return parts.loss;
  }, model.variables());
  windows.dispose();

  const loss = value.dataSync()[0];
  const ceValue = ce!.dataSync()[0];
  const misalignmentValue = misalignment ? misalignment.dataSync()[0] : null;
  value.dispose();
  ce?.dispose();
  misalignment?.dispose();

  let gradNorm = NaN;
  if (Number.isFinite(loss)) {
    const named: Record<string, tf.Tensor> = {};
    for (const [name, variable] of model.params) named[name] = grads[variable.name];
    gradNorm = optimizer.apply(named, lr);
  }
  tf.dispose(grads);
  return { loss, ce: ceValue, misalignment: misalignmentValue, gradNorm };
}

/** Mean next-token cross-entropy over `count` windows of `length` + 1 tokens, in batches. */
export function meanLoss(model: TransformerLM, tokens: Int32Array, count: number, length: number, batchSize: number): number {
  let total = 0;
  for (let start = 0; start < count; start += batchSize) {
    const rows = Math.min(batchSize, count - start);
    const value = tf.tidy(() => {
      const batch = tf.tensor2d(tokens.subarray(start * (length + 1), (start + rows) * (length + 1)), [rows, length + 1], "int32");
      return meanCrossEntropy(model, batch).dataSync()[0];
    });
    total += value * rows;
  }
  return total / count;
}

/** Drops metric lines past `step`, so a resumed run does not log finished steps twice. */
function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => {
      if (!line.trim()) return false;
      try {
        return (JSON.parse(line) as { step: number }).step <= step;
      } catch {
        return false;
      }
    });
  writeFileSync(path, kept.length ? `${kept.join("\n")}\n` : "");
}
