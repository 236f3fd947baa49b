/** Generated long-context tasks in LongBench-E format: generators, suites, training mix, generation and scoring. */

export {
  ANSWER_END,
  DEFAULT_TASK_OPTIONS,
  type GenerationSource,
  PROMPT_TEMPLATE,
  SUITE_VERSION,
  TASK_NAMES,
  type TaskInstance,
  type TaskName,
  type TaskOptions,
  type TaskRecord,
  type TaskSpec,
} from "./types";
export { type Partition, type ValueKind, drawKey, drawNumber, partitionOf } from "./partition";
export { FillerSource, type FillerText, type InsertedText, byteLength, insertAtWordStarts, wordStarts } from "./filler";
export { PASSKEY_CUE, passkeyTask } from "./passkey";
export { KV_VALUE_DIGITS, kvCue, kvRetrievalTask } from "./kvRetrieval";
export { countWord, countingCue, countingTask } from "./counting";
export { RECALL_PREFIX_WORDS, recallCue, recallSentences, recallTask } from "./recall";
export { getTask, listTasks, taskDataset } from "./registry";
export {
  DEFAULT_LENGTH_FACTORS,
  type ResolvedSuiteConfig,
  SUITE_FILE,
  type Suite,
  type SuiteConfig,
  buildSuite,
  lengthBuckets,
  promptOf,
  readSuite,
  requestedLengths,
  taskRecords,
  toRecord,
  validateSuiteConfig,
  validateTaskOptions,
  wordCount,
  writeSuite,
} from "./suite";
export { type GenerateOptions, type Generation, type GenerationModel, generateGreedy, truncateMiddle } from "./generate";
export { FILL_SEPARATOR, type TaskMixOptions, type TrainingInstance, drawTrainingInstance, minRowLength, taskMixBatchSource } from "./mix";
export {
  type LongContextOptions,
  type LongContextResult,
  SUMMARY_FILE,
  type SuiteAverage,
  type TaskPrediction,
  type TaskScores,
  aggregateTaskScores,
  averageScores,
  evaluateLongContext,
  scoreTaskPredictions,
} from "./evaluate";
