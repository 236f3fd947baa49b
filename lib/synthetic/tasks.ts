import { ConfigError, assert, intInRange, mustBe, oneOf } from "../util/errors";
import { Random } from "../util/random";

/**
 * Synthetic regression tasks on random bits, after Du, Huang, Wang and Wang, "Long-Short
 * Alignment" (ICML 2025, arXiv 2506.11769). Every input token is 0 or 1 with probability 1/2. A
 * scalar head predicts either the fraction of ones (`mean`) or the number of bits (`length`).
 */

/** `mean`: the target is the fraction of ones, in [0, 1]. `length`: the target is the number of bits. */
export type SyntheticTask = "mean" | "length";

export const SYNTHETIC_TASKS: readonly SyntheticTask[] = ["mean", "length"];

/** An invertible map applied to the length target before training ("output reparameterization"). */
export type TargetTransformName = "identity" | "sqrt" | "log" | "inverseSqrt";

export const TARGET_TRANSFORM_NAMES: readonly TargetTransformName[] = ["identity", "sqrt", "log", "inverseSqrt"];

/** One target transform: the forward map f used for training and its inverse used at evaluation. */
export interface TargetTransform {
  name: TargetTransformName;
  /** Formula for tables and plot legends. */
  label: string;
  /** f(x), defined for every x ≥ 1 (lengths start at 1). */
  forward(x: number): number;
  /**
   * f⁻¹(y). A prediction outside the image of [1, ∞) under f is first clamped into the image's
   * closure, so the inverse of any finite prediction is a finite number ≥ 0.
   */
  inverse(y: number): number;
}

// 1/√x maps [1, ∞) onto (0, 1]. A prediction at or below 0 would mean an infinite length, so the
// inverse clamps it to this value first, which caps an inverted prediction at 1e12.
const MIN_INVERSE_SQRT = 1e-6;

export const TARGET_TRANSFORMS: Readonly<Record<TargetTransformName, TargetTransform>> = Object.freeze({
  identity: { name: "identity", label: "x", forward: (x: number) => x, inverse: (y: number) => y },
  sqrt: {
    name: "sqrt",
    label: "√x",
    forward: (x: number) => Math.sqrt(x),
    // A negative prediction has no preimage; 0 is the nearest point of the image's closure.
    inverse: (y: number) => Math.max(y, 0) ** 2,
  },
  log: { name: "log", label: "log x", forward: (x: number) => Math.log(x), inverse: (y: number) => Math.exp(y) },
  inverseSqrt: {
    name: "inverseSqrt",
    label: "1/√x",
    forward: (x: number) => 1 / Math.sqrt(x),
    inverse: (y: number) => 1 / Math.min(Math.max(y, MIN_INVERSE_SQRT), 1) ** 2,
  },
});

/**
 * Looks up a target transform by name.
 * @throws ConfigError listing the known transforms and the nearest match.
 */
export function targetTransform(name: string): TargetTransform {
  return TARGET_TRANSFORMS[oneOf("targetTransform", "name", name, TARGET_TRANSFORM_NAMES)];
}

/**
 * Target transforms that apply to a task. The mean target includes 0, where log and 1/√x are
 * undefined, so the mean task is trained on the identity only.
 */
export function transformsFor(task: SyntheticTask): readonly TargetTransformName[] {
  switch (task) {
    case "mean":
      return ["identity"];
    case "length":
      return TARGET_TRANSFORM_NAMES;
    default: {
      const unreachable: never = task;
      throw new ConfigError(`transformsFor: unknown task ${String(unreachable)}`);
    }
  }
}

/** A closed range of sequence lengths in bits. */
export interface LengthRange {
  min: number;
  max: number;
}

/**
 * Checks that a length range has integer ends with 1 ≤ min ≤ max.
 * @throws ConfigError naming the field and the value.
 */
export function validateLengthRange(where: string, range: LengthRange): LengthRange {
  intInRange(where, "min", range.min, 1);
  intInRange(where, "max", range.max, range.min);
  return { min: range.min, max: range.max };
}

/** A batch of equal-length bit sequences with their untransformed targets. */
export interface SyntheticBatch {
  /** Row-major [batchSize, length] bits, each 0 or 1. */
  bits: Int32Array;
  /** Untransformed target of each row: fraction of ones, or `length`. */
  targets: Float64Array;
  batchSize: number;
  length: number;
}

/**
 * Draws `batchSize` sequences of `length` independent fair bits and computes their targets.
 * Deterministic for a given `rng` state.
 */
export function sampleBatch(task: SyntheticTask, length: number, batchSize: number, rng: Random): SyntheticBatch {
  intInRange("sampleBatch", "length", length, 1);
  intInRange("sampleBatch", "batchSize", batchSize, 1);
  const bits = new Int32Array(batchSize * length);
  for (let i = 0; i < bits.length; i++) bits[i] = rng.next() < 0.5 ? 1 : 0;
  return { bits, targets: targetsOf(task, bits, batchSize, length), batchSize, length };
}

/**
 * Untransformed targets of `batchSize` rows of `length` bits.
 * @returns one target per row.
 */
export function targetsOf(task: SyntheticTask, bits: Int32Array, batchSize: number, length: number): Float64Array {
  assert(
    bits.length === batchSize * length,
    () => mustBe("targetsOf", "bits.length", `batchSize × length = ${batchSize * length}`, bits.length),
  );
  const targets = new Float64Array(batchSize);
  for (let row = 0; row < batchSize; row++) {
    switch (task) {
      case "mean": {
        let ones = 0;
        for (let t = 0; t < length; t++) ones += bits[row * length + t];
        targets[row] = ones / length;
        break;
      }
      case "length":
        targets[row] = length;
        break;
      default: {
        const unreachable: never = task;
        throw new ConfigError(`targetsOf: unknown task ${String(unreachable)}`);
      }
    }
  }
  return targets;
}

/** Draws a training length uniformly from the range, both ends included. */
export function sampleTrainLength(range: LengthRange, rng: Random): number {
  return rng.int(range.min, range.max);
}

/** Mean and standard deviation of a target over the training distribution. */
export interface TargetStatistics {
  mean: number;
  std: number;
}

/**
 * Mean and standard deviation of f(target) over the training distribution: lengths uniform on
 * the range and fair bits. The regressor outputs mean + std · z, so for every task and transform
 * the network's own output z has unit scale. An affine map does not change how f extrapolates,
 * so the comparison between transforms stays a comparison of their shapes.
 */
export function targetStatistics(task: SyntheticTask, transform: TargetTransform, range: LengthRange): TargetStatistics {
  const count = range.max - range.min + 1;
  switch (task) {
    case "mean": {
      // The mean of l fair bits has mean 1/2 and variance 0.25/l. The conditional mean does not
      // depend on l, so with l uniform on the range the total variance is 0.25 · E[1/l].
      let inverseTotal = 0;
      for (let length = range.min; length <= range.max; length++) inverseTotal += 1 / length;
      return { mean: 0.5, std: Math.sqrt((0.25 * inverseTotal) / count) };
    }
    case "length": {
      let total = 0;
      let squares = 0;
      for (let length = range.min; length <= range.max; length++) {
        const value = transform.forward(length);
        total += value;
        squares += value * value;
      }
      const mean = total / count;
      // A single training length has zero spread; 1 keeps the output scale usable.
      const variance = squares / count - mean * mean;
      return { mean, std: variance > 1e-12 ? Math.sqrt(variance) : 1 };
    }
    default: {
      const unreachable: never = task;
      throw new ConfigError(`targetStatistics: unknown task ${String(unreachable)}`);
    }
  }
}

/**
 * Expected squared error at `length` of always predicting 1/2 on the mean task.
 * The mean m of l fair bits has E[m] = 1/2 and Var(m) = Var(bit)/l = (1/2 · 1/2)/l, so
 * E[(m − 1/2)²] = Var(m) = 0.25/l. A model that has learned nothing about the input scores this.
 */
export function constantMeanMse(length: number): number {
  intInRange("constantMeanMse", "length", length, 1);
  return 0.25 / length;
}
