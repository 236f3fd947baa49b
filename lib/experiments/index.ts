/**
 * The ablation study of the long-short misalignment regularizer: experiments declared as data,
 * scale presets, the base → fine-tune → evaluate pipeline, a parallel resumable runner, result
 * loading with a tidy CSV, and the statistics tables. docs/study.md describes the protocol.
 */

export * from "./presets";
export * from "./grid";
export * from "./files";
export * from "./records";
export * from "./longContext";
export * from "./pipeline";
export * from "./runner";
export * from "./results";
export * from "./analysis";
export * from "./estimate";
export { EXIT_INTERRUPTED, readGridFile, type WorkerMessage } from "./worker";
