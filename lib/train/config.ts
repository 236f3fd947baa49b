import { type BackendName, BACKEND_NAMES } from "../backend";
import { validateModelConfig, type ModelConfig } from "../model/config";
import { validateAlignmentConfig, type AlignmentConfig } from "../align/loss";
import { sampleLayout } from "../align/strategies";
import { Random } from "../util/random";
import { ConfigError, assert, intInRange, numberInRange, oneOf } from "../util/errors";
import type { OptimizerConfig } from "./optimizer";

/** Everything that determines a training run. Recorded in checkpoints and results; its hash names the run. */
export interface TrainConfig {
  model: ModelConfig;
  optimizer: OptimizerConfig;
  /** Training context length in tokens (`l_train` in Du et al., ICML 2025). */
  lTrain: number;
  /** Windows per step. */
  batchSize: number;
  /** Total optimizer steps. */
  steps: number;
  /** Validation every this many steps (and after the last step). */
  evalEvery: number;
  /** Validation windows of lTrain tokens scored each evaluation. */
  evalWindows: number;
  /** Checkpoint every this many steps (and after the last step) when the run has an output folder. */
  checkpointEvery: number;
  /** A training log line every this many steps. */
  logEvery: number;
  /** Seed of batch sampling (the model has its own seed in `model.seed`). */
  seed: number;
  /** Long-short alignment regularizer; `alpha = 0` trains with plain cross-entropy. */
  alignment: AlignmentConfig;
  /**
   * Description of the training data (corpus config, task mixture). The trainer records and hashes
   * it but does not read it: the caller's batch source must match it.
   */
  data: Record<string, unknown>;
  /** Backend to force, or `auto`. Not part of the run's identity, so it is left out of the hash. */
  backend: BackendName | "auto";
}

export const DEFAULT_OPTIMIZER_CONFIG: Readonly<OptimizerConfig> = Object.freeze({
  lr: 3e-3,
  minLr: 3e-4,
  warmupSteps: 20,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  epsilon: 1e-8,
  gradClip: 1,
});

/** Partial input to `validateTrainConfig`: every field optional, nested objects merged with defaults. */
export type TrainConfigInput = Partial<Omit<TrainConfig, "model" | "optimizer" | "alignment">> & {
  model?: Partial<ModelConfig>;
  optimizer?: Partial<OptimizerConfig>;
  alignment?: Partial<AlignmentConfig> | Record<string, unknown>;
};

const TOP_LEVEL_DEFAULTS = {
  lTrain: 128,
  batchSize: 16,
  steps: 300,
  evalEvery: 50,
  evalWindows: 64,
  checkpointEvery: 50,
  logEvery: 10,
  seed: 0,
  data: {} as Record<string, unknown>,
  backend: "auto" as const,
};

/**
 * Fills defaults and validates every field; run before any training so a bad value fails fast.
 * @throws ConfigError naming the field, the value and the allowed range.
 */
export function validateTrainConfig(input: TrainConfigInput = {}): TrainConfig {
  const known = new Set([...Object.keys(TOP_LEVEL_DEFAULTS), "model", "optimizer", "alignment"]);
  for (const key of Object.keys(input)) {
    assert(known.has(key), () => `train: unknown field ${JSON.stringify(key)}; known fields are ${[...known].join(", ")}`, ConfigError);
  }
  const merged = { ...TOP_LEVEL_DEFAULTS, ...input };
  const where = "train";
  intInRange(where, "lTrain", merged.lTrain, 2, 1 << 16);
  intInRange(where, "batchSize", merged.batchSize, 1, 4096);
  intInRange(where, "steps", merged.steps, 1, 1e9);
  intInRange(where, "evalEvery", merged.evalEvery, 1, 1e9);
  intInRange(where, "evalWindows", merged.evalWindows, 1, 1e6);
  intInRange(where, "checkpointEvery", merged.checkpointEvery, 1, 1e9);
  intInRange(where, "logEvery", merged.logEvery, 1, 1e9);
  intInRange(where, "seed", merged.seed, 0, 2 ** 31 - 1);
  oneOf(where, "backend", merged.backend, ["auto", ...BACKEND_NAMES]);

  const optimizer = validateOptimizerConfig({ ...DEFAULT_OPTIMIZER_CONFIG, ...(input.optimizer ?? {}) });
  const model = validateModelConfig(input.model ?? {});
  if (model.position === "learned") {
    assert(
      model.maxPositions >= merged.lTrain,
      () => `train: model.maxPositions (${model.maxPositions}) must be at least lTrain (${merged.lTrain}) for learned positions`,
      ConfigError,
    );
  }
  const alignment = validateAlignmentConfig(input.alignment ?? {});
  // Strategy parameters are checked against lTrain when a layout is drawn: draw one now, so an
  // impossible combination fails before training rather than at the first step.
  sampleLayout(alignment.strategy, merged.lTrain, new Random(0));
  return { ...merged, model, optimizer, alignment } as TrainConfig;
}

function validateOptimizerConfig(config: OptimizerConfig): OptimizerConfig {
  const where = "train.optimizer";
  const known = Object.keys(DEFAULT_OPTIMIZER_CONFIG);
  for (const key of Object.keys(config)) {
    assert(known.includes(key), () => `${where}: unknown field ${JSON.stringify(key)}; known fields are ${known.join(", ")}`, ConfigError);
  }
  numberInRange(where, "lr", config.lr, 0, 10, true);
  numberInRange(where, "minLr", config.minLr, 0, config.lr);
  intInRange(where, "warmupSteps", config.warmupSteps, 0);
  numberInRange(where, "weightDecay", config.weightDecay, 0, 1);
  numberInRange(where, "beta1", config.beta1, 0, 0.999999);
  numberInRange(where, "beta2", config.beta2, 0, 0.999999);
  numberInRange(where, "epsilon", config.epsilon, 0, 1, true);
  numberInRange(where, "gradClip", config.gradClip, 0);
  return config;
}

/** Returns the part of a config that identifies a run: everything but the backend choice. */
export function runIdentity(config: TrainConfig): Omit<TrainConfig, "backend"> {
  const { backend: _backend, ...rest } = config;
  return rest;
}
