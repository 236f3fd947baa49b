/**
 * Scoring of LongBench prediction files as `eval.py` does it (`scorer`, `scorer_e` and its main
 * loop), and the `result.json` it writes.
 */

import { readdirSync } from "node:fs";
import { join } from "node:path";

import { ConfigError, FileFormatError, ToolkitError } from "../util/errors";
import { type BucketScore, LONGBENCH_E_BUCKETS, type LongBenchEScores, bucketScores, overallScore } from "./aggregate";
import { firstLine } from "./normalize";
import { type PredictionFile, type PredictionRecord, readPredictionFile } from "./records";
import { type DatasetRecord, type MetricName, getDataset, getMetric } from "./registry";

/** `longbench-e`: `eval.py --e`, scores per length bucket. `overall`: plain `eval.py`, one score per dataset. */
export type ScoreMode = "longbench-e" | "overall";

/** One dataset's LongBench-E result. */
export interface LongBenchEDatasetScore {
  mode: "longbench-e";
  dataset: string;
  metric: MetricName;
  path: string;
  /** Count, mean and score per bucket, in bucket order. */
  buckets: BucketScore[];
  /** The bucket scores as they appear in `result.json`. */
  scores: LongBenchEScores;
}

/** One dataset's plain LongBench result. */
export interface OverallDatasetScore {
  mode: "overall";
  dataset: string;
  metric: MetricName;
  path: string;
  sampleCount: number;
  score: number;
}

export type DatasetScore = LongBenchEDatasetScore | OverallDatasetScore;

/**
 * Scores one sample: cuts the prediction to its first line for trec, triviaqa, samsum and lsht,
 * then returns the max, starting from 0, of the dataset's metric over the answers. A sample with
 * no answers scores 0.
 * @throws ToolkitError from the metric (a retrieval answer without `Paragraph N`, a
 *   classification sample without a class list).
 */
export function scoreSample(
  dataset: DatasetRecord,
  prediction: string,
  answers: readonly string[],
  allClasses: readonly string[] | null,
): number {
  const metric = getMetric(dataset.metric);
  const text = dataset.firstLineOnly ? firstLine(prediction) : prediction;
  let best = 0.0;
  for (const answer of answers) {
    const score = metric.fn(text, answer, { allClasses });
    if (score > best) best = score;
  }
  return best;
}

/** Scores every record of a file, naming the file and line when a metric rejects a sample. */
function scoreRecords(file: PredictionFile, dataset: DatasetRecord): number[] {
  return file.records.map((record: PredictionRecord, index) => {
    try {
      return scoreSample(dataset, record.pred, record.answers, record.all_classes);
    } catch (error) {
      if (error instanceof ToolkitError) {
        throw new FileFormatError(`${file.path} line ${index + 1}: ${error.message}`);
      }
      throw error;
    }
  });
}

function datasetOf(file: PredictionFile): DatasetRecord {
  try {
    return getDataset(file.dataset);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(`${file.path}: the file name gives the dataset. ${error.message}`);
    }
    throw error;
  }
}

/**
 * Scores one prediction file read with {@link readPredictionFile}.
 * In `longbench-e` mode each record needs `length`, and an empty bucket scores null (NaN in
 * `eval.py`).
 * @throws ConfigError when the file name is not a ported dataset; FileFormatError when a sample
 *   cannot be scored, or when an `overall` file is empty (Python divides by zero there).
 */
export function scorePredictionFile(file: PredictionFile, mode: ScoreMode): DatasetScore {
  const dataset = datasetOf(file);
  const scores = scoreRecords(file, dataset);

  switch (mode) {
    case "longbench-e": {
      const unbucketed = file.records.findIndex((record) => record.length === undefined);
      if (unbucketed >= 0) {
        throw new FileFormatError(
          `${file.path} line ${unbucketed + 1}: field "length" is missing, and LongBench-E buckets by it. ` +
            `Read the file with requireLength: true, or copy length from the LongBench data record`,
        );
      }
      const samples = scores.map((score, i) => ({ score, length: file.records[i].length as number }));
      const buckets = bucketScores(samples, LONGBENCH_E_BUCKETS);
      const bucketed: LongBenchEScores = { "0-4k": buckets[0].score, "4-8k": buckets[1].score, "8k+": buckets[2].score };
      return { mode, dataset: dataset.name, metric: dataset.metric, path: file.path, buckets, scores: bucketed };
    }
    case "overall": {
      if (scores.length === 0) {
        throw new FileFormatError(`${file.path}: file has no predictions, so it has no score. Remove the file or fill it`);
      }
      return { mode, dataset: dataset.name, metric: dataset.metric, path: file.path, sampleCount: scores.length, score: overallScore(scores) };
    }
    default: {
      const unhandled: never = mode;
      throw new ConfigError(`scorePredictionFile: unknown mode ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * Lists the prediction files of a folder as `eval.py` picks them: every name that ends in `jsonl`
 * (its test has no dot, so `x_jsonl` counts too), sorted by name. `eval.py` follows `os.listdir`
 * order, which only changes the key order of `result.json`.
 * @throws FileFormatError when the folder cannot be read or has no such file.
 */
export function listPredictionFiles(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new FileFormatError(`${folder} could not be read as a folder (${reason}). Give the folder that contains the <dataset>.jsonl prediction files`);
  }
  const files = names.filter((name) => name.endsWith("jsonl")).sort();
  if (files.length === 0) {
    throw new FileFormatError(`${folder} has no prediction files. Put one <dataset>.jsonl file per dataset there, as LongBench's pred.py writes them`);
  }
  return files.map((name) => join(folder, name));
}

/** Scores every prediction file in `folder` (see {@link listPredictionFiles}), in name order. */
export function scorePredictionFolder(folder: string, mode: ScoreMode): DatasetScore[] {
  return listPredictionFiles(folder).map((path) =>
    scorePredictionFile(readPredictionFile(path, { requireLength: mode === "longbench-e" }), mode),
  );
}

/** `result.json` content: `{dataset: {bucket: score}}` for LongBench-E, `{dataset: score}` otherwise. */
export type ResultJson = Record<string, LongBenchEScores | number>;

/** Builds the `result.json` object from dataset scores. */
export function resultJson(scores: readonly DatasetScore[]): ResultJson {
  const result: ResultJson = {};
  for (const score of scores) result[score.dataset] = score.mode === "longbench-e" ? score.scores : score.score;
  return result;
}

function formatResultNumber(value: number | null): string {
  if (value === null) return "null";
  // Python writes floats with a decimal point (100.0); the scores have at most two decimals.
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/**
 * Serializes `result.json` the way `json.dump(scores, f, ensure_ascii=False, indent=4)` lays it
 * out, except that an empty bucket is written as `null` where Python writes `NaN`, which is not
 * valid JSON.
 */
export function formatResultJson(result: ResultJson): string {
  const entries = Object.entries(result).map(([dataset, value]) => {
    if (typeof value === "number") return `    ${JSON.stringify(dataset)}: ${formatResultNumber(value)}`;
    const buckets = Object.entries(value).map(([bucket, score]) => `        ${JSON.stringify(bucket)}: ${formatResultNumber(score)}`);
    return `    ${JSON.stringify(dataset)}: {\n${buckets.join(",\n")}\n    }`;
  });
  return entries.length === 0 ? "{}" : `{\n${entries.join(",\n")}\n}`;
}
