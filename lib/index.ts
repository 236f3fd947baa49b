/**
 * Public entry point of the toolkit, one namespace per area. Notebooks and scripts may also import
 * a module directly (for example `dist/lib/train/run`), which loads less.
 */
export * as align from "./align";
export * as data from "./data";
export * as experiments from "./experiments";
export * as longbench from "./longbench";
export * as notebook from "./notebook";
export * as report from "./report";
export * as stats from "./stats";
export * as synthetic from "./synthetic";
export * as tasks from "./tasks";
export { initBackend, backendInfo, type BackendInfo, type BackendName } from "./backend";
export { TransformerLM, type ForwardOptions } from "./model/transformer";
export { validateModelConfig, type ModelConfig, type PositionEncoding } from "./model/config";
export type { CausalLM } from "./model/types";
export { train, TrainingDivergedError, TrainingInterruptedError, type TrainOptions, type TrainResult } from "./train/trainer";
export { validateTrainConfig, type TrainConfig } from "./train/config";
export { trainAndEvaluate, type RunSpec, type RunResult } from "./train/run";
export { loadCheckpoint, saveCheckpoint, modelFromCheckpoint } from "./train/checkpoint";
export { evaluatePerplexity, type PerplexityRow } from "./eval/perplexity";
export { ConfigError, FileFormatError, ToolkitError } from "./util/errors";
export { Random } from "./util/random";
export { logger, Logger } from "./util/logger";
