/**
 * Training and evaluation throughput of the toolkit's transformer, measured through the real
 * trainer (`train`: AdamW, meanCrossEntropy or alignmentLoss, tf.variableGrads) and the real
 * perplexity evaluation (`evaluatePerplexity`), on random byte tokens. The configs and modes match
 * the PyTorch reference script described in docs/benchmarks.md, so the records compare directly.
 */

import * as tf from "@tensorflow/tfjs";
import type { AlignmentConfig } from "../align/loss";
import { backendInfo, initBackend } from "../backend";
import type { TokenizedDocument } from "../data/types";
import { evaluatePerplexity } from "../eval/perplexity";
import type { ModelConfig } from "../model/config";
import { train, type StepRecord } from "../train/trainer";
import type { TrainConfigInput } from "../train/config";
import { ConfigError, assert, intInRange, nearest } from "../util/errors";
import { Logger, logger as rootLogger } from "../util/logger";
import { Random } from "../util/random";

/** Model size and batch shape of one benchmark config. */
export interface BenchConfig {
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Training context length l_train in tokens. */
  lTrain: number;
  batchSize: number;
}

export type BenchConfigName = "reference" | "larger";

/**
 * The benchmark configs: byte vocabulary (256), RoPE, tanh-GELU MLP of width 4·D, untied head,
 * AdamW. `reference` is the toolkit's default model.
 */
export const BENCH_CONFIGS: Readonly<Record<BenchConfigName, BenchConfig>> = Object.freeze({
  reference: { dModel: 64, nLayers: 2, nHeads: 4, lTrain: 128, batchSize: 16 },
  larger: { dModel: 128, nLayers: 4, nHeads: 4, lTrain: 256, batchSize: 16 },
});

export const BENCH_CONFIG_NAMES = Object.keys(BENCH_CONFIGS) as BenchConfigName[];

/**
 * `plain`: next-token cross-entropy on windows of l_train tokens. `aligned`: the long-short
 * regularized step, CE plus 0.1 × symmetric cross-entropy between two views of l_train tokens
 * offset by l_extra = l_train / 4 (suffix strategy with a fixed offset).
 */
export type BenchMode = "plain" | "aligned";

export const BENCH_MODES: readonly BenchMode[] = ["plain", "aligned"];

/** Evaluation contexts are this many times l_train. */
export const EVAL_LENGTH_MULTIPLIER = 8;

/** One benchmark result; keys use the snake_case names of the PyTorch reference's output. */
export interface BenchRecord {
  framework: string;
  backend: string;
  mode: BenchMode;
  config: BenchConfigName;
  params: number;
  d_model: number;
  layers: number;
  heads: number;
  l_train: number;
  batch: number;
  /** Timed steps after warm-up. */
  steps: number;
  /** Median wall time of a timed training step, including the optimizer update. */
  step_ms: number;
  step_ms_min: number;
  step_ms_max: number;
  /** batch × l_train / median step time (in aligned mode, the tokens of one view). */
  tokens_per_s: number;
  /** Context length of the evaluation: 8 × l_train. */
  eval_length: number;
  /** Tokens scored per second by evaluatePerplexity at eval_length (forward only). */
  eval_tokens_per_s: number;
  /** tf.memory().numTensors after the last warm-up step (the first step without warm-up) and after the last step. */
  num_tensors_before: number;
  num_tensors_after: number;
  /** Peak resident set size of the whole process so far (process.resourceUsage().maxRSS), in MiB. */
  peak_rss_mb: number;
}

export interface BenchOptions {
  /** Timed training steps per config and mode. */
  steps: number;
  /** Untimed steps before them (the first steps compile and allocate). */
  warmup: number;
  configs: readonly BenchConfigName[];
  modes: readonly BenchMode[];
  /** Windows scored in the timed evaluation (at 8 × l_train each). */
  evalWindows: number;
  /** Seed of the random tokens and of the model. */
  seed: number;
}

export const DEFAULT_BENCH_OPTIONS: Readonly<BenchOptions> = Object.freeze({
  steps: 10,
  warmup: 3,
  configs: BENCH_CONFIG_NAMES,
  modes: BENCH_MODES,
  evalWindows: 8,
  seed: 0,
});

/**
 * Fills defaults and checks every option.
 * @throws ConfigError naming the option, the value and the known names.
 */
export function validateBenchOptions(raw: Partial<BenchOptions> = {}): BenchOptions {
  const options = { ...DEFAULT_BENCH_OPTIONS, ...dropUndefined(raw) };
  const where = "bench";
  intInRange(where, "steps", options.steps, 1, 100_000);
  intInRange(where, "warmup", options.warmup, 0, 100_000);
  intInRange(where, "evalWindows", options.evalWindows, 1, 10_000);
  intInRange(where, "seed", options.seed, 0, 2 ** 31 - 1);
  checkNames(where, "configs", options.configs, BENCH_CONFIG_NAMES);
  checkNames(where, "modes", options.modes, BENCH_MODES);
  return options;
}

function checkNames(where: string, name: string, values: readonly string[], known: readonly string[]): void {
  assert(values.length > 0, () => `${where}: ${name} must name at least one of ${known.join(", ")}`, ConfigError);
  for (const value of values) {
    const hint = nearest(value, known);
    assert(
      known.includes(value),
      () => `${where}: unknown ${name.replace(/s$/, "")} ${JSON.stringify(value)}; known: ${known.join(", ")}${hint ? `. Did you mean "${hint}"?` : ""}`,
      ConfigError,
    );
  }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const benchLogger = rootLogger.child("bench");

/**
 * Runs every config × mode: `warmup + steps` training steps through `train`, then a timed
 * perplexity evaluation at 8 × l_train. Calls `onRecord` as each result is ready, and logs a
 * warning when the tensor count changes during the timed steps.
 */
export async function runBenchmark(input: Partial<BenchOptions> = {}, onRecord?: (record: BenchRecord) => void): Promise<BenchRecord[]> {
  const options = validateBenchOptions(input);
  await initBackend();
  const records: BenchRecord[] = [];
  for (const configName of options.configs) {
    for (const mode of options.modes) {
      const record = await benchmarkOne(configName, mode, options);
      records.push(record);
      onRecord?.(record);
    }
  }
  return records;
}

async function benchmarkOne(configName: BenchConfigName, mode: BenchMode, options: BenchOptions): Promise<BenchRecord> {
  const bench = BENCH_CONFIGS[configName];
  const totalSteps = options.warmup + options.steps;
  const tensorCounts: number[] = [];
  const silent = new Logger("bench", "silent");

  const result = await train(trainConfig(bench, mode, totalSteps, options.seed), {
    trainDocs: [],
    validationDocs: [randomDocument("validation", bench.lTrain + 1, options.seed)],
    batchSource: (_step, rng, windowLength, batchSize) => randomTokens(rng, windowLength * batchSize),
    logger: silent,
    onStep: () => tensorCounts.push(tf.memory().numTensors),
  });

  const timed = result.history.slice(options.warmup).map((record: StepRecord) => record.ms);
  const stepMs = median(timed);
  const evalLength = EVAL_LENGTH_MULTIPLIER * bench.lTrain;
  const evalTokensPerSecond = measureEvaluation(result.model, evalLength, options);
  const before = tensorCounts[Math.max(0, options.warmup - 1)];
  const after = tensorCounts[tensorCounts.length - 1];
  if (after !== before) {
    benchLogger.warn(`tensor count went from ${before} to ${after} during the timed ${mode} steps of ${configName}: a training step leaks tensors`);
  }
  const params = result.model.numParameters;
  result.model.dispose();

  return {
    framework: `tfjs-${tf.version.tfjs}`,
    backend: backendInfo()?.name ?? tf.getBackend(),
    mode,
    config: configName,
    params,
    d_model: bench.dModel,
    layers: bench.nLayers,
    heads: bench.nHeads,
    l_train: bench.lTrain,
    batch: bench.batchSize,
    steps: timed.length,
    step_ms: round(stepMs, 2),
    step_ms_min: round(Math.min(...timed), 2),
    step_ms_max: round(Math.max(...timed), 2),
    tokens_per_s: Math.round((bench.batchSize * bench.lTrain * 1000) / stepMs),
    eval_length: evalLength,
    eval_tokens_per_s: Math.round(evalTokensPerSecond),
    num_tensors_before: before,
    num_tensors_after: after,
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
  };
}

/** Builds the trainer config of one benchmark run, with no evaluation or logging before the last step. */
function trainConfig(bench: BenchConfig, mode: BenchMode, steps: number, seed: number): TrainConfigInput {
  const model: Partial<ModelConfig> = {
    vocabSize: 256,
    dModel: bench.dModel,
    nLayers: bench.nLayers,
    nHeads: bench.nHeads,
    mlpRatio: 4,
    position: "rope",
    seed,
  };
  return {
    model,
    lTrain: bench.lTrain,
    batchSize: bench.batchSize,
    steps,
    evalEvery: steps,
    evalWindows: 1,
    logEvery: steps,
    seed,
    alignment: alignmentFor(mode, bench.lTrain),
  };
}

function alignmentFor(mode: BenchMode, lTrain: number): Partial<AlignmentConfig> {
  switch (mode) {
    case "plain":
      return { alpha: 0 };
    case "aligned": {
      const extra = Math.max(1, Math.floor(lTrain / 4));
      return { alpha: 0.1, divergence: { name: "sce" }, strategy: { name: "suffix", extraMin: extra, extraMax: extra } };
    }
    default: {
      const unreachable: never = mode;
      throw new ConfigError(`bench: unknown mode ${String(unreachable)}`);
    }
  }
}

/**
 * Scores `evalWindows` windows of `length` tokens with evaluatePerplexity (batch size as it
 * chooses) after one untimed window.
 * @returns tokens scored per second
 */
function measureEvaluation(model: Parameters<typeof evaluatePerplexity>[0], length: number, options: BenchOptions): number {
  const documents = [randomDocument("eval", (length + 1) * options.evalWindows, options.seed + 1)];
  evaluatePerplexity(model, documents, [length], { maxWindows: 1 });
  const started = performance.now();
  const [row] = evaluatePerplexity(model, documents, [length], { maxWindows: options.evalWindows });
  const seconds = (performance.now() - started) / 1000;
  return row.tokens / seconds;
}

function randomTokens(rng: Random, count: number): Int32Array {
  const tokens = new Int32Array(count);
  for (let i = 0; i < count; i++) tokens[i] = rng.int(0, 255);
  return tokens;
}

function randomDocument(id: string, length: number, seed: number): TokenizedDocument {
  return { id, genre: "random", text: "", tokens: randomTokens(new Random(seed).fork(id), length) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Formats records as an aligned text table, one row per config and mode. */
export function formatBenchTable(records: readonly BenchRecord[]): string {
  const header = ["config", "mode", "params", "step ms", "tokens/s", "eval tokens/s", "tensors", "peak RSS MiB"];
  const rows = records.map((r) => [
    r.config,
    r.mode,
    String(r.params),
    `${r.step_ms} (${r.step_ms_min}–${r.step_ms_max})`,
    String(r.tokens_per_s),
    `${r.eval_tokens_per_s} @${r.eval_length}`,
    `${r.num_tensors_before}→${r.num_tensors_after}`,
    String(r.peak_rss_mb),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  const frameworks = [...new Set(records.map((r) => `${r.framework} on ${r.backend}`))].join(", ");
  return [`${frameworks || "no records"}`, line(header), ...rows.map(line)].join("\n");
}
