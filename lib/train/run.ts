import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCorpus, validateCorpusConfig, type CorpusConfig } from "../data/corpus";
import type { Corpus } from "../data/types";
import { evaluatePerplexity, type PerplexityRow } from "../eval/perplexity";
import { ConfigError, FileFormatError, assert, intInRange, mustBe } from "../util/errors";
import { configHash } from "../util/hash";
import { type Logger, logger as rootLogger } from "../util/logger";
import { provenance, type Provenance } from "../util/provenance";
import { runIdentity, validateTrainConfig, type TrainConfig, type TrainConfigInput } from "./config";
import { train, type EvalRecord } from "./trainer";

/** A training run plus its evaluation: what `scripts/train.ts` runs. */
export interface RunSpec {
  train: TrainConfigInput;
  corpus: CorpusConfig;
  /** Perplexity on the test split at these multiples of lTrain. */
  evalMultipliers: number[];
  /** Test windows per length at most. */
  evalMaxWindows: number;
}

export const DEFAULT_RUN_SPEC: Readonly<RunSpec> = Object.freeze({
  train: {},
  corpus: { source: "brown", seed: 0 },
  evalMultipliers: [1, 2, 4, 8],
  evalMaxWindows: 64,
});

/** Contents of `result.json`. */
export interface RunResult {
  /** Hash of the run's identity (train config without the backend choice, corpus, evaluation). */
  runHash: string;
  config: TrainConfig;
  corpus: CorpusConfig;
  perplexity: PerplexityRow[];
  evals: EvalRecord[];
  /** Mean training tokens per second of the steps run in this process. */
  tokensPerSecond: number;
  trainSeconds: number;
  wallSeconds: number;
  provenance: Provenance;
}

export const RESULT_FILE = "result.json";

/** Hashes the run's identity (train config minus backend, corpus, evaluation settings); it names the run's folder. */
export function runHash(spec: RunSpec): string {
  const config = validateTrainConfig(spec.train);
  return configHash({ train: runIdentity(config), corpus: validateCorpusConfig(spec.corpus), evalMultipliers: spec.evalMultipliers, evalMaxWindows: spec.evalMaxWindows });
}

/**
 * Trains on the corpus and scores test perplexity at each multiple of lTrain; writes `result.json`
 * to `outDir`. A finished run (result.json present) is loaded, not recomputed; an interrupted one
 * resumes from its checkpoint.
 * @throws ConfigError for an invalid spec, before loading data or training.
 */
export async function trainAndEvaluate(
  spec: RunSpec,
  options: { outDir?: string; logger?: Logger; corpus?: Corpus } = {},
): Promise<RunResult> {
  const log = options.logger ?? rootLogger.child("run");
  // The corpus config goes into the train config's data field so checkpoints record it.
  const corpusConfig = validateCorpusConfig(spec.corpus);
  const config = validateTrainConfig({ ...spec.train, data: { ...(spec.train.data ?? {}), corpus: corpusConfig } });
  assert(
    Array.isArray(spec.evalMultipliers) && spec.evalMultipliers.length > 0 && spec.evalMultipliers.every((m) => typeof m === "number" && m > 0 && Number.isInteger(m * config.lTrain)),
    () => mustBe("run", "evalMultipliers", "a non-empty list of positive numbers m with m × lTrain an integer", spec.evalMultipliers),
    ConfigError,
  );
  intInRange("run", "evalMaxWindows", spec.evalMaxWindows, 1);
  const hash = runHash(spec);

  const resultPath = options.outDir ? join(options.outDir, RESULT_FILE) : undefined;
  if (resultPath && existsSync(resultPath)) {
    const finished = readResult(resultPath);
    if (finished.runHash === hash) {
      log.info(`run ${hash} already finished: ${resultPath}`);
      return finished;
    }
    throw new FileFormatError(
      `trainAndEvaluate: ${resultPath} belongs to run ${finished.runHash}, not ${hash}. Use another output folder or delete it.`,
    );
  }

  const started = performance.now();
  const corpus = options.corpus ?? loadCorpus(spec.corpus);
  const outcome = await train(config, {
    outDir: options.outDir,
    trainDocs: corpus.splits.train,
    validationDocs: corpus.splits.validation,
    logger: log,
  });
  const lengths = spec.evalMultipliers.map((m) => m * config.lTrain);
  const perplexity = evaluatePerplexity(outcome.model, corpus.splits.test, lengths, { maxWindows: spec.evalMaxWindows });
  outcome.model.dispose();

  const result: RunResult = {
    runHash: hash,
    config,
    corpus: spec.corpus,
    perplexity,
    evals: outcome.evals,
    tokensPerSecond: outcome.tokensPerSecond,
    trainSeconds: outcome.trainSeconds,
    wallSeconds: (performance.now() - started) / 1000,
    provenance: provenance(),
  };
  if (options.outDir && resultPath) {
    mkdirSync(options.outDir, { recursive: true });
    writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

/** Reads a result.json, rejecting a corrupt one with the path and the fix. */
export function readResult(path: string): RunResult {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    if (typeof parsed.runHash !== "string" || !Array.isArray(parsed.perplexity)) throw new Error("missing runHash or perplexity");
    return parsed;
  } catch (error) {
    throw new FileFormatError(`readResult: ${path} is not a valid result file (${(error as Error).message}). Delete it to rerun the evaluation.`);
  }
}

/** Formats perplexity rows as an aligned text table. */
export function formatPerplexityTable(rows: PerplexityRow[], lTrain: number): string {
  const header = ["length", "× lTrain", "perplexity", "loss (nats)", "last-quarter loss", "tokens"];
  const body = rows.map((r) => [
    String(r.length),
    `${(r.length / lTrain).toFixed(r.length % lTrain === 0 ? 0 : 2)}×`,
    r.perplexity.toFixed(3),
    r.loss.toFixed(4),
    r.tailLoss.toFixed(4),
    String(r.tokens),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
