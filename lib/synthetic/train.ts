import * as tf from "@tensorflow/tfjs";
import { AdamW, learningRate, type OptimizerConfig } from "../train/optimizer";
import { ToolkitError, intInRange } from "../util/errors";
import { logger as rootLogger, type Logger } from "../util/logger";
import { Random } from "../util/random";
import type { SequenceRegressor } from "./model";
import { sampleBatch, sampleTrainLength, type LengthRange, type SyntheticTask, type TargetTransform } from "./tasks";

/** Training settings of one regressor. */
export interface RegressionTrainingConfig {
  /** Lengths in bits drawn uniformly for each batch. */
  trainRange: LengthRange;
  steps: number;
  /** Sequences per step; every sequence of one step has the same length. */
  batchSize: number;
  optimizer: OptimizerConfig;
  /** Seed of batch sampling; batch k comes from a stream forked from (seed, k). */
  seed: number;
}

/** Loss of the training batches, averaged over windows of steps. */
export interface TrainingCurvePoint {
  /** Last step of the window (1-based). */
  step: number;
  /** Mean squared error in the transformed target space, averaged over the window's batches. */
  loss: number;
}

export interface RegressionTrainingResult {
  curve: TrainingCurvePoint[];
  /** Mean training loss over the last window. */
  finalLoss: number;
  trainSeconds: number;
}

/**
 * Trains `model` with AdamW on mean squared error between its output and f(target), where f is
 * the target transform. Each step draws one length from the training range and a batch of that
 * length, so batches need no padding.
 * @throws ToolkitError when the loss becomes NaN or infinite, with the learning rate to lower.
 */
export function trainRegressor(
  model: SequenceRegressor,
  task: SyntheticTask,
  transform: TargetTransform,
  config: RegressionTrainingConfig,
  options: { logger?: Logger; curvePoints?: number } = {},
): RegressionTrainingResult {
  intInRange("trainRegressor", "steps", config.steps, 1);
  intInRange("trainRegressor", "batchSize", config.batchSize, 1);
  const log = options.logger ?? rootLogger.child("synthetic");
  const params = model.trainableParams();
  const variables = [...params.values()];
  // AdamW leaves the zero tensors that initialize its moment variables undisposed; tf.tidy frees
  // them and keeps the variables.
  let created: AdamW | undefined;
  tf.tidy(() => {
    created = new AdamW(params, config.optimizer);
  });
  const optimizer = created as AdamW;
  const window = Math.max(1, Math.ceil(config.steps / (options.curvePoints ?? 20)));
  const curve: TrainingCurvePoint[] = [];
  const started = performance.now();
  let windowTotal = 0;
  let windowCount = 0;

  try {
    for (let step = 0; step < config.steps; step++) {
      const rng = new Random(config.seed).fork(`batch:${step}`);
      const length = sampleTrainLength(config.trainRange, rng);
      const batch = sampleBatch(task, length, config.batchSize, rng.fork("bits"));
      const loss = trainStep(model, optimizer, variables, params, batch, transform, learningRate(step, config.steps, config.optimizer));

      if (!Number.isFinite(loss)) {
        throw new ToolkitError(
          `trainRegressor: loss is ${loss} at step ${step + 1} (${task}, ${transform.name}, ${model.config.position}). ` +
            `Lower optimizer.lr (now ${config.optimizer.lr}) or raise optimizer.warmupSteps (now ${config.optimizer.warmupSteps}).`,
        );
      }
      windowTotal += loss;
      windowCount += 1;
      if ((step + 1) % window === 0 || step + 1 === config.steps) {
        curve.push({ step: step + 1, loss: windowTotal / windowCount });
        log.debug(`step ${step + 1}/${config.steps} loss ${(windowTotal / windowCount).toExponential(3)}`);
        windowTotal = 0;
        windowCount = 0;
      }
    }
  } finally {
    optimizer.dispose();
  }

  return {
    curve,
    finalLoss: curve[curve.length - 1].loss,
    trainSeconds: (performance.now() - started) / 1000,
  };
}

/** Applies one AdamW step on one batch. @returns the batch loss before the update. */
function trainStep(
  model: SequenceRegressor,
  optimizer: AdamW,
  variables: tf.Variable[],
  params: Map<string, tf.Variable>,
  batch: { bits: Int32Array; targets: Float64Array; batchSize: number; length: number },
  transform: TargetTransform,
  lr: number,
): number {
  const transformed = Float32Array.from(batch.targets, (target) => transform.forward(target));
  const tokens = model.encode(batch.bits, batch.batchSize, batch.length); // [B, T]
  const targets = tf.tensor1d(transformed); // [B]
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(tf.sub(model.predict(tokens), targets))) as tf.Scalar,
    variables,
  );
  tf.dispose([tokens, targets]);
  const loss = value.dataSync()[0];
  value.dispose();

  if (Number.isFinite(loss)) {
    const named: Record<string, tf.Tensor> = {};
    for (const [name, variable] of params) named[name] = grads[variable.name];
    optimizer.apply(named, lr);
  }
  tf.dispose(grads);
  return loss;
}
