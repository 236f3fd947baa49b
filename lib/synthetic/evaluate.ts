import * as tf from "@tensorflow/tfjs";
import { intInRange } from "../util/errors";
import { Random } from "../util/random";
import type { SequenceRegressor } from "./model";
import { sampleBatch, type SyntheticTask, type TargetTransform } from "./tasks";

/** Scoring settings of a trained regressor. */
export interface EvaluationConfig {
  /** Test lengths in bits, each scored separately. */
  lengths: number[];
  /** Random sequences scored at each length. */
  samplesPerLength: number;
  /** Rows per forward pass. */
  batchSize: number;
  /**
   * Seed of the test sequences. It is the same for every run of a grid, so all models are scored
   * on the same inputs and differences between them are not sampling noise of the test set.
   */
  seed: number;
}

/** Scores at one test length; every number is null where the model cannot run at that length. */
export interface LengthScore {
  length: number;
  /** False for lengths past a learned position table; the numbers are then null, never 0. */
  applicable: boolean;
  /** Mean of (f⁻¹(prediction) − target)², on the original target scale. */
  mse: number | null;
  /** Mean of (prediction − f(target))², in the space the model was trained in. */
  transformedMse: number | null;
  /** Mean of f⁻¹(prediction), to see where a model drifts (for example a length prediction stuck at 10). */
  meanPrediction: number | null;
}

/**
 * Scores `model` at every test length. Lengths past `model.maxLength` (learned positions beyond
 * their table) are reported as not applicable with null scores.
 */
export function evaluateRegressor(
  model: SequenceRegressor,
  task: SyntheticTask,
  transform: TargetTransform,
  config: EvaluationConfig,
): LengthScore[] {
  intInRange("evaluateRegressor", "samplesPerLength", config.samplesPerLength, 1);
  intInRange("evaluateRegressor", "batchSize", config.batchSize, 1);
  return config.lengths.map((length) => {
    intInRange("evaluateRegressor", "test length", length, 1);
    if (length > model.maxLength) {
      return { length, applicable: false, mse: null, transformedMse: null, meanPrediction: null };
    }
    const rng = new Random(config.seed).fork(`test:${length}`);
    let squaredError = 0;
    let transformedSquaredError = 0;
    let predictionTotal = 0;
    for (let start = 0; start < config.samplesPerLength; start += config.batchSize) {
      const rows = Math.min(config.batchSize, config.samplesPerLength - start);
      const batch = sampleBatch(task, length, rows, rng.fork(`rows:${start}`));
      const predictions = predictRows(model, batch.bits, rows, length);
      for (let row = 0; row < rows; row++) {
        const target = batch.targets[row];
        const inverted = transform.inverse(predictions[row]);
        squaredError += (inverted - target) ** 2;
        transformedSquaredError += (predictions[row] - transform.forward(target)) ** 2;
        predictionTotal += inverted;
      }
    }
    const n = config.samplesPerLength;
    return {
      length,
      applicable: true,
      mse: squaredError / n,
      transformedMse: transformedSquaredError / n,
      meanPrediction: predictionTotal / n,
    };
  });
}

/** Predictions in the transformed space for `rows` sequences of `length` bits. */
function predictRows(model: SequenceRegressor, bits: Int32Array, rows: number, length: number): Float32Array {
  return tf.tidy(() => model.predict(model.encode(bits, rows, length)).dataSync() as Float32Array);
}
