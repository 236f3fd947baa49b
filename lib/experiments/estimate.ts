/**
 * Throughput measurement for sizing presets: times a few training steps of every distinct stage
 * configuration of a grid and one evaluation, then projects the grid's wall time for a job count.
 */

import { misalignment } from "../align/misalignment";
import { loadCorpus } from "../data/corpus";
import { evaluatePerplexity } from "../eval/perplexity";
import { train } from "../train/trainer";
import { quantileSorted } from "../stats/bootstrap";
import { intInRange } from "../util/errors";
import { Logger } from "../util/logger";
import { describeAlignment, type StudyGrid, type TaskMixSpec } from "./grid";
import { scoreLongContext, trainingBatchSource } from "./longContext";

/** Measured speed of one stage configuration. */
export interface StageThroughput {
  /** `base`, or the regularizer in one line. */
  configuration: string;
  /** Milliseconds per step, the median of the timed steps (the first two are warm-up and not timed). */
  msPerStep: number;
  /** Long-view training tokens per second (batchSize × length per step). */
  tokensPerSecond: number;
  /** Runs in the grid with this configuration, and their steps each. */
  runs: number;
  steps: number;
}

export interface GridEstimate {
  stages: StageThroughput[];
  /** Seconds of one fine-tune's evaluation. */
  evalSeconds: number;
  /** Seconds to start a worker (Node, loader, backend, corpus), as assumed. */
  startupSeconds: number;
  /** Sum over runs of steps × ms/step + evaluation + start-up. */
  totalSeconds: number;
  /** totalSeconds / jobs, a lower bound, since bases must finish before their fine-tunes start. */
  wallSeconds: number;
  jobs: number;
}

/**
 * Times `timedSteps` steps (default 6, after 2 warm-up steps) of the base and of each distinct fine-tune
 * configuration, and one evaluation, in this process.
 * NOTE: the projection assumes that `jobs` parallel workers each run as fast as this single
 * process did, which holds only when there are at least `jobs` free cores.
 */
export async function estimateGrid(grid: StudyGrid, options: { jobs: number; timedSteps?: number; startupSeconds?: number; logger?: Logger }): Promise<GridEstimate> {
  const timedSteps = intInRange("estimateGrid", "timedSteps", options.timedSteps ?? 6, 1);
  const jobs = intInRange("estimateGrid", "jobs", options.jobs, 1);
  const quiet = new Logger("estimate", "warn");
  const log = options.logger ?? quiet;
  const corpus = loadCorpus(grid.scale.corpus);

  const configurations = new Map<string, { config: (typeof grid.runs)[number]["train"]; runs: number; mix: TaskMixSpec; seed: number }>();
  for (const base of grid.bases) {
    const entry = configurations.get("base") ?? { config: base.train, runs: 0, mix: base.taskMix, seed: base.seed };
    entry.runs += 1;
    configurations.set("base", entry);
  }
  for (const run of grid.runs) {
    const key = describeAlignment(run.train.alignment);
    const entry = configurations.get(key) ?? { config: run.train, runs: 0, mix: run.taskMix, seed: run.seed };
    entry.runs += 1;
    configurations.set(key, entry);
  }

  const stages: StageThroughput[] = [];
  let lastModel: Awaited<ReturnType<typeof train>>["model"] | undefined;
  for (const [configuration, entry] of configurations) {
    const steps = timedSteps + 2;
    const outcome = await train(
      { ...entry.config, steps, evalEvery: steps, evalWindows: 1, logEvery: steps },
      {
        trainDocs: corpus.splits.train,
        validationDocs: corpus.splits.validation,
        batchSource: trainingBatchSource(corpus.splits.train, entry.mix, entry.seed, entry.config.lTrain),
        logger: quiet,
      },
    );
    const timed = outcome.history.slice(2).map((record) => record.ms).sort((a, b) => a - b);
    const msPerStep = quantileSorted(timed, 0.5);
    const tokensPerSecond = Math.round((entry.config.batchSize * entry.config.lTrain * 1000) / msPerStep);
    stages.push({ configuration, msPerStep: Math.round(msPerStep), tokensPerSecond, runs: entry.runs, steps: entry.config.steps });
    log.info(`${configuration}: ${Math.round(msPerStep)} ms/step, ${tokensPerSecond} tokens/s`);
    lastModel?.dispose();
    lastModel = outcome.model;
  }

  // One evaluation, as the pipeline runs it, on the last fine-tune configuration's model.
  let evalSeconds = 0;
  const run = grid.runs[0];
  if (run && lastModel) {
    const started = performance.now();
    const evaluation = run.evaluation;
    evaluatePerplexity(lastModel, corpus.splits.test, evaluation.multipliers.map((m) => m * run.train.lTrain), { maxWindows: evaluation.perplexityWindows });
    misalignment(lastModel, corpus.splits.validation, { name: "suffix" }, { name: "sce" }, {
      lTrain: run.train.lTrain,
      numWindows: evaluation.misalignmentWindows,
      batchSize: evaluation.misalignmentBatchSize,
      seed: 0,
    });
    if (evaluation.suite) scoreLongContext(lastModel, corpus, evaluation.suite, { logger: quiet });
    evalSeconds = (performance.now() - started) / 1000;
  }
  lastModel?.dispose();

  // Measured with `node --import tsx` on a 2-core container: about 0.7 s to load the loader, tfjs
  // and the wasm backend, plus about 0.3 s to load the Brown corpus.
  const startupSeconds = options.startupSeconds ?? 1;
  const trainSeconds = stages.reduce((total, stage) => total + (stage.runs * stage.steps * stage.msPerStep) / 1000, 0);
  const runCount = grid.bases.length + grid.runs.length;
  const totalSeconds = trainSeconds + grid.runs.length * evalSeconds + runCount * startupSeconds;
  return { stages, evalSeconds, startupSeconds, totalSeconds, wallSeconds: totalSeconds / jobs, jobs };
}
