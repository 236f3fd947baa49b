import type { StudyScale } from "../../lib/experiments/presets";

/**
 * Returns a study scale small enough that a worker trains and scores a run in about a second on
 * wasm: a one-layer width-8 model, a few steps and 12 Brown documents. It mixes in no tasks and
 * skips the suite, so these tests do not depend on the long-context suite.
 */
export function tinyScale(overrides: Partial<StudyScale> = {}): StudyScale {
  return {
    preset: "smoke",
    description: "test scale",
    seeds: [0],
    model: { dModel: 8, nLayers: 1, nHeads: 2, mlpRatio: 2 },
    lBase: 8,
    lTrain: 16,
    ropeBaseFactor: 4,
    base: { steps: 6, batchSize: 2, optimizer: { warmupSteps: 1 } },
    fineTune: { steps: 6, batchSize: 2, optimizer: { lr: 1e-3, minLr: 1e-4, warmupSteps: 1 } },
    checkpointEvery: 2,
    corpus: { source: "brown", seed: 0, maxDocuments: 12 },
    tasks: { names: ["passkey"], options: {}, baseFraction: 0, fineTuneFraction: 0 },
    evaluation: {
      multipliers: [1, 2],
      perplexityWindows: 2,
      validationWindows: 2,
      misalignmentWindows: 2,
      misalignmentBatchSize: 2,
      longContext: null,
    },
    backend: "auto",
    ...overrides,
  };
}

import type { Membership } from "../../lib/experiments/grid";
import { RESULT_FORMAT, type StudyRunResult } from "../../lib/experiments/records";
import { buildGrid } from "../../lib/experiments/grid";

/** Values of a hand-made result; everything else is filled from the tiny scale's first run. */
export interface FakeValues {
  hash: string;
  seed: number;
  memberships: Membership[];
  /** Perplexity at 1× and 2× lTrain. */
  perplexity: [number, number];
  validation: number;
  misalignment: number;
  longContext?: { average: number; tasks: { task: string; bucket: string; score: number }[] };
  trainSeconds?: number;
}

/** Builds a well-formed result with chosen scores, for loading, CSV and statistics tests. */
export function fakeResult(values: FakeValues): StudyRunResult {
  const run = buildGrid(tinyScale()).runs[0];
  const longContext = values.longContext
    ? {
        average: values.longContext.average,
        tasks: values.longContext.tasks.map((t) => ({ ...t, count: 1 })),
        generation: { prompts: values.longContext.tasks.length, newTokens: 10, seconds: 1 },
        buckets: [...new Set(values.longContext.tasks.map((t) => t.bucket))].map((bucket) => {
          const scores = values.longContext!.tasks.filter((t) => t.bucket === bucket).map((t) => t.score);
          return { bucket, score: scores.reduce((a, b) => a + b, 0) / scores.length };
        }),
      }
    : null;
  return {
    format: RESULT_FORMAT,
    runHash: values.hash,
    baseHash: "base00000000",
    preset: "smoke",
    seed: values.seed,
    memberships: values.memberships,
    config: { train: run.train, corpus: run.corpus, taskMix: run.taskMix, evaluation: run.evaluation },
    provenance: { commit: "test", backend: null, node: "v20", machine: { cpus: 2, cpuModel: "test", memoryGiB: 1 }, date: "2025-01-01T00:00:00.000Z" },
    cost: { wallSeconds: 2, trainSeconds: values.trainSeconds ?? 1, evalSeconds: 0.5, tokensPerSecond: 1000, steps: 6, attempts: 1 },
    perplexity: [
      { length: 16, multiplier: 1, perplexity: values.perplexity[0], loss: Math.log(values.perplexity[0]), tailLoss: 1, tokens: 32, windows: 2 },
      { length: 32, multiplier: 2, perplexity: values.perplexity[1], loss: Math.log(values.perplexity[1]), tailLoss: 2, tokens: 64, windows: 2 },
    ],
    longContext,
    misalignment: { value: values.misalignment, alignedPositions: 10, windows: 2, divergence: "sce", strategy: "suffix" },
    validation: { loss: values.validation, perplexity: Math.exp(values.validation), windows: 2 },
    training: { loss: 3, ce: 3, misalignment: null },
  };
}

/** Returns a membership in experiment `alpha`. */
export function inAlpha(variant: string, baseline = false): Membership {
  return { experiment: "alpha", variant, label: variant, baseline };
}
