/**
 * Loading finished results of a study folder and writing them as one tidy CSV: one row per run ×
 * experiment membership × metric × evaluation length or bucket, readable by danfo and pandas.
 */

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FileFormatError, oneOf } from "../util/errors";
import { type Logger, logger as rootLogger } from "../util/logger";
import { BASE_RECORD_FILE, RESULT_FILE, writeFileAtomic } from "./files";
import { readBaseRecord, readStudyResult, type BaseRecord, type StudyRunResult } from "./records";

/** Policy of `loadResults` for a corrupt result file. */
export type CorruptPolicy = "throw" | "skip";

export interface LoadOptions {
  /**
   * `throw` (default) raises a FileFormatError naming the file and the fix; `skip` leaves the file
   * out with a warning (the runner uses this, then recomputes the run on its next start).
   */
  onCorrupt?: CorruptPolicy;
  /** Keep only results of this preset. */
  preset?: string;
  logger?: Logger;
}

/**
 * Reads every `runs/<hash>/result.json` of a study folder, sorted by run hash. Folders without a
 * result (runs not finished yet) are left out.
 * @throws FileFormatError for a missing folder, or a corrupt result under the `throw` policy.
 */
export function loadResults(outDir: string, options: LoadOptions = {}): StudyRunResult[] {
  const policy = oneOf("loadResults", "onCorrupt", options.onCorrupt ?? "throw", ["throw", "skip"]);
  const log = options.logger ?? rootLogger.child("study");
  if (!existsSync(outDir)) throw new FileFormatError(`loadResults: study folder ${outDir} not found. Run scripts/study.ts --out ${outDir} first.`);
  const results: StudyRunResult[] = [];
  for (const hash of listFolders(join(outDir, "runs"))) {
    const path = join(outDir, "runs", hash, RESULT_FILE);
    if (!existsSync(path)) continue;
    try {
      const result = readStudyResult(path, hash);
      if (options.preset === undefined || result.preset === options.preset) results.push(result);
    } catch (error) {
      if (policy === "throw" || !(error instanceof FileFormatError)) throw error;
      log.warn(`skipped ${error.message}`);
    }
  }
  return results;
}

/** Reads every finished base of a study folder (`bases/<hash>/base.json`), sorted by hash. */
export function loadBaseRecords(outDir: string): BaseRecord[] {
  return listFolders(join(outDir, "bases"))
    .map((hash) => join(outDir, "bases", hash, BASE_RECORD_FILE))
    .filter((path) => existsSync(path))
    .map((path) => readBaseRecord(path));
}

function listFolders(path: string): string[] {
  if (!existsSync(path)) return [];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** One row of the tidy table. Empty strings stand for "not applicable". */
export interface TidyRow {
  run_hash: string;
  base_hash: string;
  preset: string;
  experiment: string;
  variant: string;
  /** True for the experiment's baseline variant. */
  baseline: boolean;
  seed: number;
  /** One of TIDY_METRICS. */
  metric: string;
  /** Long-context task for `long_context` rows. */
  task: string;
  /** Length in tokens for perplexity, validation and misalignment rows; bucket name for long-context rows. */
  length_or_bucket: string;
  value: number;
}

export const TIDY_COLUMNS: readonly (keyof TidyRow)[] = [
  "run_hash",
  "base_hash",
  "preset",
  "experiment",
  "variant",
  "baseline",
  "seed",
  "metric",
  "task",
  "length_or_bucket",
  "value",
];

/**
 * Metrics of the tidy table:
 * - `perplexity`, `loss`, `tail_loss`: test split at each evaluation length (tokens);
 * - `validation_ce`: validation cross-entropy (nats) at lTrain;
 * - `misalignment`: SCE between suffix views on validation windows, at lTrain;
 * - `long_context`: suite score (0–100) per task and bucket; task `average` holds the mean over
 *   tasks per bucket, and bucket `all` the overall average;
 * - `train_seconds`, `eval_seconds`, `wall_seconds`, `tokens_per_second`: cost, no length.
 */
export const TIDY_METRICS = [
  "perplexity",
  "loss",
  "tail_loss",
  "validation_ce",
  "misalignment",
  "long_context",
  "train_seconds",
  "eval_seconds",
  "wall_seconds",
  "tokens_per_second",
] as const;

/** The tidy rows of some results; a run in k experiments contributes each of its rows k times. */
export function tidyRows(results: readonly StudyRunResult[]): TidyRow[] {
  const rows: TidyRow[] = [];
  for (const result of results) {
    const lTrain = String(result.config.train.lTrain);
    const memberships = result.memberships.length ? result.memberships : [{ experiment: "", variant: "", baseline: false }];
    for (const membership of memberships) {
      const add = (metric: (typeof TIDY_METRICS)[number], value: number, lengthOrBucket = "", task = "") =>
        rows.push({
          run_hash: result.runHash,
          base_hash: result.baseHash,
          preset: result.preset,
          experiment: membership.experiment,
          variant: membership.variant,
          baseline: membership.baseline,
          seed: result.seed,
          metric,
          task,
          length_or_bucket: lengthOrBucket,
          value,
        });
      for (const row of result.perplexity) {
        add("perplexity", row.perplexity, String(row.length));
        add("loss", row.loss, String(row.length));
        add("tail_loss", row.tailLoss, String(row.length));
      }
      add("validation_ce", result.validation.loss, lTrain);
      add("misalignment", result.misalignment.value, lTrain);
      if (result.longContext) {
        for (const score of result.longContext.tasks) add("long_context", score.score, score.bucket, score.task);
        for (const bucket of result.longContext.buckets) add("long_context", bucket.score, bucket.bucket, "average");
        add("long_context", result.longContext.average, "all", "average");
      }
      add("train_seconds", result.cost.trainSeconds);
      add("eval_seconds", result.cost.evalSeconds);
      add("wall_seconds", result.cost.wallSeconds);
      add("tokens_per_second", result.cost.tokensPerSecond);
    }
  }
  return rows;
}

/** Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). */
function csvField(value: string | number | boolean): string {
  const text = typeof value === "number" && !Number.isFinite(value) ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Formats tidy rows as CSV with a header line; a non-finite value is written as an empty field. */
export function toCsv(rows: readonly TidyRow[]): string {
  const lines = [TIDY_COLUMNS.join(",")];
  for (const row of rows) lines.push(TIDY_COLUMNS.map((column) => csvField(row[column])).join(","));
  return `${lines.join("\n")}\n`;
}

/** Writes the tidy CSV of `results` to `path` atomically. */
export function writeTidyCsv(path: string, results: readonly StudyRunResult[]): void {
  writeFileAtomic(path, toCsv(tidyRows(results)));
}
