import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backendInfo, initBackend, type BackendInfo } from "../backend";
import type { PositionEncoding } from "../model/config";
import { FileFormatError } from "../util/errors";
import { configHash } from "../util/hash";
import { logger as rootLogger, type Logger } from "../util/logger";
import { evaluateRegressor, type EvaluationConfig, type LengthScore } from "./evaluate";
import { SequenceRegressor, type RegressorConfig } from "./model";
import { resolvePreset, type PresetName, type SyntheticPreset } from "./presets";
import { targetStatistics, targetTransform, transformsFor, type SyntheticTask, type TargetTransformName } from "./tasks";
import { trainRegressor, type RegressionTrainingConfig, type TrainingCurvePoint } from "./train";

/**
 * Schema version of run configs and result files. It is part of every config hash, so raising it
 * after a change to training or evaluation makes every cached result stale at once.
 */
export const SYNTHETIC_RESULT_VERSION = 1;

/** Default folder of cached results, relative to the working directory. */
export const DEFAULT_RESULTS_DIR = join("results", "synthetic");

/** Everything that determines one run's numbers; its hash names the result file. */
export interface RunConfig {
  version: number;
  task: SyntheticTask;
  transform: TargetTransformName;
  position: PositionEncoding;
  seed: number;
  model: RegressorConfig;
  training: RegressionTrainingConfig;
  evaluation: EvaluationConfig;
}

/** One trained and scored configuration, as stored in `<outDir>/<configHash>.json`. */
export interface RunResult {
  version: number;
  configHash: string;
  config: RunConfig;
  /** Name of the preset that first computed this result. Presets with equal settings share results. */
  preset: string;
  seed: number;
  backend: BackendInfo;
  numParameters: number;
  /** Seconds to build, train and score the model. */
  wallSeconds: number;
  trainSeconds: number;
  trainingCurve: TrainingCurvePoint[];
  finalTrainLoss: number;
  scores: LengthScore[];
  /** ISO time the run finished. */
  createdAt: string;
}

/** Outcome of `runGrid`. */
export interface GridRun {
  preset: SyntheticPreset;
  outDir: string;
  /** One result per configuration, in grid order. */
  results: RunResult[];
  /** Configurations trained by this call. */
  trained: number;
  /** Configurations read from the cache. */
  cached: number;
  wallSeconds: number;
}

export interface GridOptions {
  preset: PresetName | SyntheticPreset;
  /** Folder of the cached result files; default `results/synthetic`. */
  outDir?: string;
  logger?: Logger;
  /** Called after each configuration, trained or read from the cache. */
  onResult?: (result: RunResult, progress: { done: number; total: number; cached: boolean }) => void;
}

/**
 * Expands a preset into run configs: task × transform (length only) × position × seed, in that
 * nesting order.
 */
export function gridConfigs(preset: SyntheticPreset): RunConfig[] {
  const configs: RunConfig[] = [];
  for (const task of preset.tasks) {
    const transforms = task === "length" ? preset.transforms : transformsFor(task);
    for (const transform of transforms) {
      for (const position of preset.positions) {
        for (const seed of preset.seeds) configs.push(runConfig(preset, task, transform, position, seed));
      }
    }
  }
  return configs;
}

function runConfig(
  preset: SyntheticPreset,
  task: SyntheticTask,
  transform: TargetTransformName,
  position: PositionEncoding,
  seed: number,
): RunConfig {
  const { trainRange } = preset.training;
  const statistics = targetStatistics(task, targetTransform(transform), trainRange);
  return {
    version: SYNTHETIC_RESULT_VERSION,
    task,
    transform,
    position,
    seed,
    model: {
      ...preset.model,
      position,
      maxTrainLength: trainRange.max,
      outputShift: statistics.mean,
      outputScale: statistics.std,
      seed,
    },
    training: { ...preset.training, trainRange: { ...trainRange }, seed },
    evaluation: { ...preset.evaluation, lengths: [...preset.evaluation.lengths] },
  };
}

/** Short name of a configuration for logs, for example `length/sqrt/rope/seed 1`. */
export function runLabel(config: Pick<RunConfig, "task" | "transform" | "position" | "seed">): string {
  return `${config.task}/${config.transform}/${config.position}/seed ${config.seed}`;
}

/**
 * Trains and scores every configuration of a preset that has no cached result in `outDir`, and
 * reads the others from it. Results are written one file per configuration as soon as each
 * finishes, so an interrupted grid resumes where it stopped.
 * @throws FileFormatError for a cached file that is not a valid result; the message names the file.
 */
export async function runGrid(options: GridOptions): Promise<GridRun> {
  const preset = resolvePreset(options.preset);
  const outDir = options.outDir ?? DEFAULT_RESULTS_DIR;
  const log = options.logger ?? rootLogger.child("synthetic");
  const configs = gridConfigs(preset);
  const started = performance.now();
  await initBackend();
  mkdirSync(outDir, { recursive: true });

  const results: RunResult[] = [];
  let trained = 0;
  for (const config of configs) {
    const hash = configHash(config);
    const path = join(outDir, `${hash}.json`);
    let result = readCachedResult(path, hash);
    const cached = result !== undefined;
    if (!result) {
      result = runOne(config, preset.name);
      writeResult(path, result);
      trained += 1;
      const at10 = result.scores.find((score) => score.length === config.training.trainRange.max)?.mse;
      log.info(
        `${runLabel(config)} trained in ${result.wallSeconds.toFixed(1)} s, final loss ${result.finalTrainLoss.toExponential(2)}` +
          (at10 === undefined || at10 === null ? "" : `, test MSE at length ${config.training.trainRange.max} ${at10.toExponential(2)}`),
      );
    }
    results.push(result);
    options.onResult?.(result, { done: results.length, total: configs.length, cached });
  }

  const wallSeconds = (performance.now() - started) / 1000;
  log.info(`preset ${preset.name}: ${configs.length} configurations, ${trained} trained, ${configs.length - trained} cached, ${wallSeconds.toFixed(1)} s`);
  return { preset, outDir, results, trained, cached: configs.length - trained, wallSeconds };
}

/** Builds, trains and scores one configuration. The caller must have run `initBackend`. */
export function runOne(config: RunConfig, presetName: string): RunResult {
  const started = performance.now();
  const transform = targetTransform(config.transform);
  const model = new SequenceRegressor(config.model);
  try {
    const training = trainRegressor(model, config.task, transform, config.training);
    const scores = evaluateRegressor(model, config.task, transform, config.evaluation);
    return {
      version: SYNTHETIC_RESULT_VERSION,
      configHash: configHash(config),
      config,
      preset: presetName,
      seed: config.seed,
      backend: backendInfo() as BackendInfo,
      numParameters: model.numParameters,
      wallSeconds: (performance.now() - started) / 1000,
      trainSeconds: training.trainSeconds,
      trainingCurve: training.curve,
      finalTrainLoss: training.finalLoss,
      scores,
      createdAt: new Date().toISOString(),
    };
  } finally {
    model.dispose();
  }
}

/**
 * Reads the cached result at `path`, or returns undefined when there is none.
 * A file that exists but cannot be used is an error rather than a silent recompute, because it
 * usually means an interrupted copy or a hand edit that someone should look at.
 * @throws FileFormatError naming the file, what is wrong and the fix (delete it to recompute).
 */
export function readCachedResult(path: string, expectedHash: string): RunResult | undefined {
  if (!existsSync(path)) return undefined;
  const fix = `Delete ${path} to recompute this configuration`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FileFormatError(`readCachedResult: ${path} is not valid JSON (${reason}). ${fix}.`);
  }
  const result = parsed as Partial<RunResult>;
  const problem =
    typeof parsed !== "object" || parsed === null
      ? "is not a JSON object"
      : result.version !== SYNTHETIC_RESULT_VERSION
        ? `has version ${JSON.stringify(result.version)}, expected ${SYNTHETIC_RESULT_VERSION}`
        : result.configHash !== expectedHash
          ? `has configHash ${JSON.stringify(result.configHash)}, expected ${JSON.stringify(expectedHash)} from its file name`
          : !Array.isArray(result.scores) || !result.config
            ? "is missing its scores or config"
            : undefined;
  if (problem) throw new FileFormatError(`readCachedResult: ${path} ${problem}. ${fix}.`);
  return result as RunResult;
}

/** Writes a result through a temporary file and a rename, so a killed run never leaves half a file. */
function writeResult(path: string, result: RunResult): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(result, null, 1)}\n`);
  renameSync(temporary, path);
}
