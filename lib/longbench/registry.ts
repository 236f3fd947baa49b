/**
 * Name → record registries for the LongBench v1 metrics and datasets. Each metric and each dataset
 * is one record; lookups of an unknown name throw a ConfigError that lists the options and the
 * nearest match.
 */

import { ConfigError, oneOf } from "../util/errors";
import {
  type MetricFn,
  classificationScore,
  codeSimScore,
  countScore,
  qaF1,
  retrievalScore,
  retrievalZhScore,
  rougeScore,
} from "./metrics";

/** Names of the ported metrics, as `eval.py` calls their functions without the `_score` suffix. */
export type MetricName = "qa_f1" | "rouge" | "classification" | "count" | "retrieval" | "retrieval_zh" | "code_sim";

/** One registered metric. */
export interface MetricRecord {
  name: MetricName;
  fn: MetricFn;
  /** True for every LongBench metric: 1 is a perfect answer, 0 a wrong one. */
  higherIsBetter: boolean;
  /** Description of the computation, in one or two sentences. */
  doc: string;
}

/** One LongBench dataset as `eval.py` scores it. */
export interface DatasetRecord {
  /** The name `eval.py` takes from the prediction file's stem. */
  name: string;
  metric: MetricName;
  /** Whether the prediction is cut to its first line before scoring (trec, triviaqa, samsum, lsht). */
  firstLineOnly: boolean;
  language: "en" | "zh";
  /** Whether LongBench-E (the length-balanced subset scored with `eval.py --e`) contains it. */
  inLongBenchE: boolean;
}

const METRIC_RECORDS: readonly MetricRecord[] = [
  {
    name: "qa_f1",
    fn: (prediction, groundTruth) => qaF1(prediction, groundTruth),
    higherIsBetter: true,
    doc: "Token-multiset F1 after lowercasing and removing ASCII punctuation, the articles a/an/the and extra whitespace.",
  },
  {
    name: "rouge",
    fn: (prediction, groundTruth) => rougeScore(prediction, groundTruth),
    higherIsBetter: true,
    doc: "Summary-level ROUGE-L F of the Python rouge 1.0.1 package: sentences split on '.', distinct-word sets, 0 on inputs the package raises on.",
  },
  {
    name: "classification",
    fn: (prediction, groundTruth, context) => classificationScore(prediction, groundTruth, context.allClasses),
    higherIsBetter: true,
    doc: "1/k when the gold class is among the k classes found in the prediction (after dropping gold-substring classes with the Python skip), else 0.",
  },
  {
    name: "count",
    fn: (prediction, groundTruth) => countScore(prediction, groundTruth),
    higherIsBetter: true,
    doc: "Share of the digit runs in the prediction that equal the gold count; 0 when the prediction has no digits.",
  },
  {
    name: "retrieval",
    fn: (prediction, groundTruth) => retrievalScore(prediction, groundTruth),
    higherIsBetter: true,
    doc: "Share of the digit runs in the prediction that equal N from the answer's first 'Paragraph N'.",
  },
  {
    name: "retrieval_zh",
    fn: (prediction, groundTruth) => retrievalZhScore(prediction, groundTruth),
    higherIsBetter: true,
    doc: "As retrieval, with N taken from the answer's first '段落N'.",
  },
  {
    name: "code_sim",
    fn: (prediction, groundTruth) => codeSimScore(prediction, groundTruth),
    higherIsBetter: true,
    doc: "fuzzywuzzy fuzz.ratio / 100 (difflib similarity, autojunk on) of the first line without ` # or // against the gold line.",
  },
];

const DATASET_RECORDS: readonly DatasetRecord[] = [
  { name: "narrativeqa", metric: "qa_f1", firstLineOnly: false, language: "en", inLongBenchE: false },
  { name: "qasper", metric: "qa_f1", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "multifieldqa_en", metric: "qa_f1", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "hotpotqa", metric: "qa_f1", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "2wikimqa", metric: "qa_f1", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "musique", metric: "qa_f1", firstLineOnly: false, language: "en", inLongBenchE: false },
  { name: "gov_report", metric: "rouge", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "qmsum", metric: "rouge", firstLineOnly: false, language: "en", inLongBenchE: false },
  { name: "multi_news", metric: "rouge", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "trec", metric: "classification", firstLineOnly: true, language: "en", inLongBenchE: true },
  { name: "triviaqa", metric: "qa_f1", firstLineOnly: true, language: "en", inLongBenchE: true },
  { name: "samsum", metric: "rouge", firstLineOnly: true, language: "en", inLongBenchE: true },
  { name: "passage_count", metric: "count", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "passage_retrieval_en", metric: "retrieval", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "lcc", metric: "code_sim", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "repobench-p", metric: "code_sim", firstLineOnly: false, language: "en", inLongBenchE: true },
  { name: "lsht", metric: "classification", firstLineOnly: true, language: "zh", inLongBenchE: false },
  { name: "passage_retrieval_zh", metric: "retrieval_zh", firstLineOnly: false, language: "zh", inLongBenchE: false },
];

/**
 * Chinese datasets whose metrics need the jieba word segmenter, with the LongBench metric each uses.
 * Looking one up throws an error that names the missing metric instead of "unknown dataset".
 */
const UNPORTED_DATASETS: Readonly<Record<string, string>> = {
  multifieldqa_zh: "qa_f1_zh",
  dureader: "rouge_zh",
  vcsum: "rouge_zh",
};

function indexByName<T extends { name: string }>(records: readonly T[], kind: string): ReadonlyMap<string, T> {
  const byName = new Map<string, T>();
  for (const record of records) {
    if (byName.has(record.name)) {
      throw new ConfigError(`LongBench registry: ${kind} ${JSON.stringify(record.name)} is registered twice. Remove one record`);
    }
    byName.set(record.name, record);
  }
  return byName;
}

const METRICS = indexByName(METRIC_RECORDS, "metric");
const DATASETS = indexByName(DATASET_RECORDS, "dataset");

/** Returns every registered metric, in registration order. */
export function listMetrics(): readonly MetricRecord[] {
  return METRIC_RECORDS;
}

/** Returns every registered dataset, in registration order. */
export function listDatasets(): readonly DatasetRecord[] {
  return DATASET_RECORDS;
}

/** The 13 English datasets of LongBench-E, in `pred.py`'s order. */
export const LONGBENCH_E_DATASETS: readonly string[] = DATASET_RECORDS.filter((d) => d.inLongBenchE).map((d) => d.name);

/**
 * Returns the metric record registered as `name`.
 * @throws ConfigError listing the metric names and the nearest match when `name` is unknown.
 */
export function getMetric(name: string): MetricRecord {
  const key = oneOf("getMetric", "metric", name, [...METRICS.keys()]);
  return METRICS.get(key)!;
}

/**
 * Returns the dataset record for `name`, the stem of a LongBench prediction file.
 * @throws ConfigError for the Chinese datasets whose metrics need jieba, and for an unknown name
 *   (listing the dataset names and the nearest match).
 */
export function getDataset(name: string): DatasetRecord {
  const unportedMetric = UNPORTED_DATASETS[name];
  if (unportedMetric !== undefined) {
    throw new ConfigError(
      `getDataset: dataset ${JSON.stringify(name)} is scored with LongBench's ${unportedMetric}, which segments ` +
        `Chinese with jieba and is not ported. Score this file with LongBench's own eval.py`,
    );
  }
  const key = oneOf("getDataset", "dataset", name, [...DATASETS.keys()]);
  return DATASETS.get(key)!;
}
