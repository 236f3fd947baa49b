/**
 * Scale presets of the ablation study: model size, lengths, steps, seeds and evaluation sizes.
 * The experiments themselves (which variants run) are declared in grid.ts, and a preset only sets
 * the size of each run. docs/study.md gives the throughput measurements behind the sizes.
 */

import { BACKEND_NAMES, type BackendName } from "../backend";
import { deepMerge } from "../cli";
import { validateModelConfig, type ModelConfig } from "../model/config";
import { TASK_NAMES, type TaskName, type TaskOptions } from "../tasks";
import type { OptimizerConfig } from "../train/optimizer";
import { ConfigError, assert, intInRange, mustBe, numberInRange, oneOf } from "../util/errors";

/** Training stage settings: step count, batch size and optimizer overrides. */
export interface StageScale {
  steps: number;
  /** Windows per step. */
  batchSize: number;
  /** Overrides of the trainer's optimizer defaults (lr 3e-3, warm-up 20 steps, cosine to minLr). */
  optimizer: Partial<OptimizerConfig>;
}

/** The generated long-context tasks: which ones, with which generator settings, and how often in training. */
export interface TaskScale {
  /** Tasks mixed into training and scored by the suite. Each must fit in a row of lBase + 1 tokens. */
  names: TaskName[];
  /** Generator settings shared by the training mix and the suite (defaults in lib/tasks). */
  options: Partial<TaskOptions>;
  /** Fraction of training windows that are task instances during base pretraining, in [0, 0.95]. */
  baseFraction: number;
  /** The same fraction during the context-extension fine-tune. */
  fineTuneFraction: number;
}

/** Size of the generated long-context suite. */
export interface SuiteScale {
  /** Prompt lengths as multiples of lTrain; every bucket (≤1×, ≤2×, ≤4×, >4× lTrain) needs one. */
  lengthFactors: number[];
  /** Instances per task and length bucket. */
  instancesPerBucket: number;
}

/** Evaluation settings of every fine-tuned run. */
export interface EvaluationScale {
  /** Test perplexity at these multiples of lTrain. */
  multipliers: number[];
  /** Test windows per perplexity length at most. */
  perplexityWindows: number;
  /** Validation windows of lTrain tokens for the validation cross-entropy. */
  validationWindows: number;
  /** Validation windows scored by the misalignment metric (SCE, suffix pairs). */
  misalignmentWindows: number;
  /** Rows per forward pass of the misalignment metric; one pair layout is drawn per batch. */
  misalignmentBatchSize: number;
  /** The generated long-context suite, or null to skip it. */
  longContext: SuiteScale | null;
}

/** Everything a preset fixes. Validated by `validateStudyScale`. */
export interface StudyScale {
  /** Preset name, recorded in every result. */
  preset: string;
  description: string;
  /** One base and one run per configuration for each seed. Only `smoke` may use fewer than 3. */
  seeds: number[];
  /** Architecture of the base model; `ropeBase` is the base's RoPE θ. */
  model: Partial<ModelConfig>;
  /** Pretraining length of the base, shorter than lTrain. */
  lBase: number;
  /** Fine-tuning (extension) length: the `l_train` of the regularizer. */
  lTrain: number;
  /** The fine-tune multiplies the base's RoPE θ by this factor (context extension by a raised base). */
  ropeBaseFactor: number;
  base: StageScale;
  fineTune: StageScale;
  /** Checkpoint every this many steps, so a killed run loses at most this many. */
  checkpointEvery: number;
  /** Brown corpus settings; the split seed is fixed so every run is scored on the same test documents. */
  corpus: { source: string; seed: number; maxDocuments?: number };
  tasks: TaskScale;
  evaluation: EvaluationScale;
  /** Backend to force in every worker, or `auto`. Not part of any run's hash. */
  backend: BackendName | "auto";
}

export type PresetName = "smoke" | "default" | "paper";

export const PRESET_NAMES: readonly PresetName[] = ["smoke", "default", "paper"];

// Retrieval-style tasks whose shortest training row (about 50–60 bytes) fits in lBase + 1 = 65
// tokens. The recall task is left out: its shortest row is 161 bytes, and its 72-token answers
// make generation the dominant cost of evaluation.
const SMALL_TASKS: TaskScale = {
  names: ["passkey", "kv_retrieval", "counting"],
  options: { passkeyDigits: 4, kvPairs: 1, maxCount: 4 },
  baseFraction: 0.25,
  fineTuneFraction: 0.25,
};

/**
 * `smoke`: the whole grid in a few minutes on 2 cores, for CI. It uses ONE seed, so its tables have
 * no spread and no bootstrap intervals; it checks that the pipeline works, not what the study finds.
 */
const SMOKE: StudyScale = {
  preset: "smoke",
  description: "CI check of the whole pipeline: tiny model, few steps, one seed (no statistics)",
  seeds: [0],
  model: { dModel: 16, nLayers: 1, nHeads: 2, mlpRatio: 2 },
  lBase: 64,
  lTrain: 128,
  ropeBaseFactor: 4,
  base: { steps: 20, batchSize: 2, optimizer: { warmupSteps: 5 } },
  fineTune: { steps: 8, batchSize: 2, optimizer: { lr: 1e-3, minLr: 1e-4, warmupSteps: 2 } },
  checkpointEvery: 10,
  corpus: { source: "brown", seed: 0, maxDocuments: 40 },
  tasks: SMALL_TASKS,
  evaluation: {
    multipliers: [1, 2, 4],
    perplexityWindows: 4,
    validationWindows: 4,
    misalignmentWindows: 4,
    misalignmentBatchSize: 4,
    longContext: { lengthFactors: [0.75, 1.5, 3, 5], instancesPerBucket: 1 },
  },
  backend: "auto",
};

// NOTE: sized from tokens/s measured on a shared 2-core container, and docs/study.md has the
// numbers and the arithmetic. On other machines run `scripts/study.ts --estimate` to check the wall time.
const DEFAULT: StudyScale = {
  preset: "default",
  description: "The whole study on a 2-core laptop CPU (wasm) in 30–60 minutes, 3 seeds",
  seeds: [0, 1, 2],
  model: { dModel: 64, nLayers: 2, nHeads: 4, mlpRatio: 4 },
  lBase: 64,
  lTrain: 128,
  ropeBaseFactor: 4,
  base: { steps: 2000, batchSize: 8, optimizer: { warmupSteps: 50 } },
  fineTune: { steps: 1000, batchSize: 4, optimizer: { lr: 1e-3, minLr: 1e-4, warmupSteps: 20 } },
  checkpointEvery: 50,
  corpus: { source: "brown", seed: 0 },
  tasks: SMALL_TASKS,
  evaluation: {
    multipliers: [1, 2, 4, 8],
    perplexityWindows: 32,
    validationWindows: 32,
    misalignmentWindows: 64,
    misalignmentBatchSize: 16,
    longContext: { lengthFactors: [0.75, 1, 1.5, 2, 3, 4, 6, 8], instancesPerBucket: 4 },
  },
  backend: "auto",
};

/** `paper`: a larger model and longer runs with 5 seeds, for a GPU or a long CPU run (hours to days on wasm). */
const PAPER: StudyScale = {
  preset: "paper",
  description: "Larger model, longer runs, 5 seeds: for a GPU (tfjs-node-gpu) or a long CPU run",
  seeds: [0, 1, 2, 3, 4],
  model: { dModel: 256, nLayers: 6, nHeads: 8, mlpRatio: 4 },
  lBase: 256,
  lTrain: 512,
  ropeBaseFactor: 4,
  base: { steps: 6000, batchSize: 16, optimizer: { lr: 1e-3, minLr: 1e-4, warmupSteps: 200 } },
  fineTune: { steps: 1000, batchSize: 16, optimizer: { lr: 3e-4, minLr: 3e-5, warmupSteps: 50 } },
  checkpointEvery: 200,
  corpus: { source: "brown", seed: 0 },
  tasks: { names: ["passkey", "kv_retrieval", "counting", "recall"], options: {}, baseFraction: 0.25, fineTuneFraction: 0.25 },
  evaluation: {
    multipliers: [1, 2, 4, 8],
    perplexityWindows: 64,
    validationWindows: 128,
    misalignmentWindows: 256,
    misalignmentBatchSize: 16,
    longContext: { lengthFactors: [0.75, 1, 1.5, 2, 3, 4, 6, 8], instancesPerBucket: 20 },
  },
  backend: "auto",
};

export const PRESETS: Readonly<Record<PresetName, Readonly<StudyScale>>> = Object.freeze({ smoke: SMOKE, default: DEFAULT, paper: PAPER });

/** Returns a deep copy of a named preset. @throws ConfigError for an unknown name, suggesting the nearest. */
export function presetScale(name: string): StudyScale {
  return structuredClone(PRESETS[oneOf("study", "preset", name, PRESET_NAMES)]) as StudyScale;
}

/**
 * Deep-merges `overrides` into a named preset, as `scripts/study.ts --config FILE` applies a JSON
 * file: objects merge field by field, and arrays and other values replace. The preset name
 * is kept unless the overrides set `preset`.
 * @throws ConfigError for an unknown preset or an invalid merged scale.
 */
export function resolveScale(name: string, overrides: Record<string, unknown> = {}): StudyScale {
  const merged = deepMerge(presetScale(name) as unknown as Record<string, unknown>, overrides) as unknown as StudyScale;
  return validateStudyScale(merged);
}

const SCALE_KEYS: readonly (keyof StudyScale)[] = [
  "preset",
  "description",
  "seeds",
  "model",
  "lBase",
  "lTrain",
  "ropeBaseFactor",
  "base",
  "fineTune",
  "checkpointEvery",
  "corpus",
  "tasks",
  "evaluation",
  "backend",
];

/**
 * Checks every field of a scale, so a bad preset file fails before any training.
 * @throws ConfigError naming the field, the value and the rule.
 */
export function validateStudyScale(raw: StudyScale): StudyScale {
  const where = "study preset";
  for (const key of Object.keys(raw)) {
    assert((SCALE_KEYS as readonly string[]).includes(key), () => `${where}: unknown field ${JSON.stringify(key)}; known fields are ${SCALE_KEYS.join(", ")}`, ConfigError);
  }
  assert(typeof raw.preset === "string" && /^[\w.-]+$/.test(raw.preset), () => mustBe(where, "preset", "a name of letters, digits, '.', '_' or '-'", raw.preset), ConfigError);
  assert(
    Array.isArray(raw.seeds) && raw.seeds.length > 0 && new Set(raw.seeds).size === raw.seeds.length,
    () => mustBe(where, "seeds", "a non-empty list of distinct integers", raw.seeds),
    ConfigError,
  );
  raw.seeds.forEach((seed, i) => intInRange(where, `seeds[${i}]`, seed, 0, 2 ** 31 - 1));
  assert(
    raw.preset === "smoke" || raw.seeds.length >= 3,
    () => mustBe(where, "seeds", "at least 3 seeds (only the smoke preset may use fewer)", raw.seeds, "Add seeds, or use --preset smoke for a pipeline check"),
    ConfigError,
  );
  validateModelConfig(raw.model, `${where}: model`);
  intInRange(where, "lBase", raw.lBase, 2);
  intInRange(where, "lTrain", raw.lTrain, raw.lBase);
  numberInRange(where, "ropeBaseFactor", raw.ropeBaseFactor, 0, Infinity, true);
  intInRange(where, "base.steps", raw.base?.steps, 1);
  intInRange(where, "fineTune.steps", raw.fineTune?.steps, 1);
  intInRange(where, "base.batchSize", raw.base.batchSize, 1);
  intInRange(where, "fineTune.batchSize", raw.fineTune.batchSize, 1);
  intInRange(where, "checkpointEvery", raw.checkpointEvery, 1);
  assert(typeof raw.corpus?.source === "string", () => mustBe(where, "corpus.source", `"brown" or a corpus path`, raw.corpus?.source), ConfigError);
  assert(
    Array.isArray(raw.tasks?.names) && raw.tasks.names.every((name) => (TASK_NAMES as readonly string[]).includes(name)),
    () => mustBe(where, "tasks.names", `a list of task names among ${TASK_NAMES.join(", ")}`, raw.tasks?.names),
    ConfigError,
  );
  assert(raw.tasks.options !== null && typeof raw.tasks.options === "object", () => mustBe(where, "tasks.options", "an object of task generator settings", raw.tasks.options), ConfigError);
  numberInRange(where, "tasks.baseFraction", raw.tasks.baseFraction, 0, 0.95);
  numberInRange(where, "tasks.fineTuneFraction", raw.tasks.fineTuneFraction, 0, 0.95);

  const evaluation = raw.evaluation;
  assert(
    Array.isArray(evaluation?.multipliers) &&
      evaluation.multipliers.length > 0 &&
      evaluation.multipliers.every((m) => typeof m === "number" && m > 0 && Number.isInteger(m * raw.lTrain)),
    () => mustBe(where, "evaluation.multipliers", "a non-empty list of positive numbers m with m × lTrain an integer", evaluation?.multipliers),
    ConfigError,
  );
  intInRange(where, "evaluation.perplexityWindows", evaluation.perplexityWindows, 1);
  intInRange(where, "evaluation.validationWindows", evaluation.validationWindows, 1);
  intInRange(where, "evaluation.misalignmentWindows", evaluation.misalignmentWindows, 1);
  intInRange(where, "evaluation.misalignmentBatchSize", evaluation.misalignmentBatchSize, 1);
  if (evaluation.longContext !== null) {
    assert(
      typeof evaluation.longContext === "object" && Array.isArray(evaluation.longContext.lengthFactors),
      () => mustBe(where, "evaluation.longContext", "null or { lengthFactors, instancesPerBucket }", evaluation.longContext),
      ConfigError,
    );
    intInRange(where, "evaluation.longContext.instancesPerBucket", evaluation.longContext.instancesPerBucket, 1);
    assert(raw.tasks.names.length > 0, () => mustBe(where, "tasks.names", "a non-empty list when evaluation.longContext is set", raw.tasks.names), ConfigError);
  }
  oneOf(where, "backend", raw.backend, ["auto", ...BACKEND_NAMES]);
  return raw;
}
