/** The files a finished run leaves: base.json for a base, result.json for a fine-tune, and their readers. */

import type { ResolvedCorpusConfig } from "../data/corpus";
import type { PerplexityRow } from "../eval/perplexity";
import type { TrainConfig } from "../train/config";
import { FileFormatError } from "../util/errors";
import type { Provenance } from "../util/provenance";
import { readJsonFile } from "./files";
import type { EvaluationSpec, Membership, TaskMixSpec } from "./grid";
import type { LongContextScores } from "./longContext";

export const BASE_FORMAT = "lsa-study-base-1";
export const RESULT_FORMAT = "lsa-study-result-1";

/** Training cost of a run, summed over every attempt (a resumed run counts each step once). */
export interface RunCost {
  /** Seconds of the final attempt, from worker start to the result file (includes loading and evaluation). */
  wallSeconds: number;
  /** Seconds in training steps, summed from metrics.jsonl over all steps. */
  trainSeconds: number;
  /** Seconds of the final evaluation. */
  evalSeconds: number;
  /** Training tokens (batchSize × lTrain per step, the long view) per second of trainSeconds. */
  tokensPerSecond: number;
  steps: number;
  /** Number of times the run was started before it finished (1 when never interrupted). */
  attempts: number;
}

/** Validation cross-entropy at lTrain on fixed validation windows. */
export interface ValidationScore {
  /** Mean next-token cross-entropy in nats. */
  loss: number;
  perplexity: number;
  windows: number;
}

/** Contents of base.json: a pretrained base that fine-tunes start from. */
export interface BaseRecord {
  format: typeof BASE_FORMAT;
  hash: string;
  seed: number;
  preset: string;
  config: { train: TrainConfig; corpus: ResolvedCorpusConfig; taskMix: TaskMixSpec };
  /** File name of the final checkpoint inside the base's folder. */
  checkpoint: string;
  validation: ValidationScore;
  cost: RunCost;
  provenance: Provenance;
}

/** The misalignment metric on validation windows, and the probe that measured it. */
export interface MisalignmentScore {
  value: number;
  alignedPositions: number;
  windows: number;
  divergence: string;
  strategy: string;
}

/** Perplexity of one evaluation length, with its multiple of lTrain. */
export interface PerplexityScore extends PerplexityRow {
  multiplier: number;
}

/** Contents of result.json: one fine-tuned run and every score of it. */
export interface StudyRunResult {
  format: typeof RESULT_FORMAT;
  runHash: string;
  baseHash: string;
  preset: string;
  seed: number;
  memberships: Membership[];
  config: { train: TrainConfig; corpus: ResolvedCorpusConfig; taskMix: TaskMixSpec; evaluation: EvaluationSpec };
  provenance: Provenance;
  cost: RunCost;
  /** Test perplexity by length. */
  perplexity: PerplexityScore[];
  /** Generated long-context suite; null when it was not scored. */
  longContext: LongContextScores | null;
  misalignment: MisalignmentScore;
  validation: ValidationScore;
  /** Means over the last tenth of training steps. */
  training: { loss: number; ce: number; misalignment: number | null };
}

/**
 * Reads and checks a result.json.
 * @param expectedHash when given, the file must belong to this run.
 * @throws FileFormatError naming the file, what is wrong and how to fix it.
 */
export function readStudyResult(path: string, expectedHash?: string): StudyRunResult {
  const fix = "Delete it (or run the study again, which moves a corrupt result aside and re-evaluates the run from its checkpoint).";
  const value = readJsonFile(path, fix) as Partial<StudyRunResult> | null;
  const problem = resultProblem(value, expectedHash);
  if (problem) throw new FileFormatError(`${path} is not a valid study result: ${problem}. ${fix}`);
  return value as StudyRunResult;
}

function resultProblem(value: Partial<StudyRunResult> | null, expectedHash: string | undefined): string | undefined {
  if (!value || typeof value !== "object") return "the top level is not an object";
  if (value.format !== RESULT_FORMAT) return `format is ${JSON.stringify(value.format)}, expected ${JSON.stringify(RESULT_FORMAT)}`;
  if (typeof value.runHash !== "string") return "runHash is missing";
  if (expectedHash !== undefined && value.runHash !== expectedHash) return `it belongs to run ${value.runHash}, not ${expectedHash}`;
  if (!Array.isArray(value.perplexity) || value.perplexity.some((row) => typeof row?.perplexity !== "number")) return "perplexity rows are missing";
  if (typeof value.validation?.loss !== "number") return "validation.loss is missing";
  if (typeof value.misalignment?.value !== "number") return "misalignment.value is missing";
  if (!Array.isArray(value.memberships)) return "memberships are missing";
  if (typeof value.cost?.trainSeconds !== "number") return "cost is missing";
  return undefined;
}

/**
 * Reads and checks a base.json.
 * @throws FileFormatError naming the file, what is wrong and how to fix it.
 */
export function readBaseRecord(path: string, expectedHash?: string): BaseRecord {
  const fix = "Delete it (or run the study again, which moves a corrupt record aside and rewrites it from the base's checkpoint).";
  const value = readJsonFile(path, fix) as Partial<BaseRecord> | null;
  let problem: string | undefined;
  if (!value || typeof value !== "object") problem = "the top level is not an object";
  else if (value.format !== BASE_FORMAT) problem = `format is ${JSON.stringify(value.format)}, expected ${JSON.stringify(BASE_FORMAT)}`;
  else if (expectedHash !== undefined && value.hash !== expectedHash) problem = `it belongs to base ${value.hash}, not ${expectedHash}`;
  else if (typeof value.checkpoint !== "string") problem = "checkpoint is missing";
  if (problem) throw new FileFormatError(`${path} is not a valid base record: ${problem}. ${fix}`);
  return value as BaseRecord;
}
