/** LongBench v1 scoring, ported from THUDM/LongBench `metrics.py` and `eval.py`. */

export {
  PYTHON_PUNCTUATION,
  firstLine,
  normalizeAnswer,
  splitPythonWhitespace,
  stripLeadingNewlines,
} from "./normalize";
export {
  type MetricContext,
  type MetricFn,
  classificationScore,
  codeLine,
  codeSimScore,
  countScore,
  qaF1,
  retrievalScore,
  retrievalZhScore,
  rougeScore,
  tokenF1,
} from "./metrics";
export {
  DEFAULT_MAX_RECON_CALLS,
  type RougeLScore,
  type RougeOptions,
  RougeInputError,
  lcsWords,
  rougeL,
  splitRougeSentences,
  splitRougeWords,
} from "./rouge";
export { AUTOJUNK_MIN_LENGTH, type MatchingBlock, SequenceMatcher, codePoints, fuzzRatio } from "./sequenceMatcher";
export { numpyRound, pythonRound, pythonRoundInt, roundHalfEven } from "./rounding";
export {
  type DatasetRecord,
  LONGBENCH_E_DATASETS,
  type MetricName,
  type MetricRecord,
  getDataset,
  getMetric,
  listDatasets,
  listMetrics,
} from "./registry";
export {
  type BucketScore,
  type BucketSpec,
  LONGBENCH_E_BUCKETS,
  type LengthScore,
  type LongBenchEBucket,
  type LongBenchEScores,
  bucketIndex,
  bucketScores,
  longBenchEScores,
  makeBucketSpec,
  numpyMean,
  overallScore,
  pairwiseSum,
} from "./aggregate";
export {
  type LongBenchRecord,
  type PredictionFile,
  type PredictionRecord,
  datasetFromFileName,
  readLongBenchRecords,
  readPredictionFile,
  writeLongBenchRecords,
  writePredictionFile,
} from "./records";
export {
  type DatasetScore,
  type LongBenchEDatasetScore,
  type OverallDatasetScore,
  type ResultJson,
  type ScoreMode,
  formatResultJson,
  listPredictionFiles,
  resultJson,
  scorePredictionFile,
  scorePredictionFolder,
  scoreSample,
} from "./evaluate";
