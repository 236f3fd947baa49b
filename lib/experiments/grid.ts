/**
 * The ablation study declared as data: each experiment lists its variants, and `buildGrid` turns
 * experiments × seeds into runs for a preset. A run is named by the hash of its full config, so a
 * configuration shared by several experiments (the α = 0 baseline, or SCE + suffix + α = 0.1) is
 * one run that belongs to all of them.
 */

import type { DivergenceName } from "../align/divergences";
import { validateAlignmentConfig, type AlignmentConfig } from "../align/loss";
import type { StrategyName } from "../align/strategies";
import { validateCorpusConfig, type ResolvedCorpusConfig } from "../data/corpus";
import { SUITE_VERSION, getTask, minRowLength, validateSuiteConfig, validateTaskOptions, type ResolvedSuiteConfig, type TaskName, type TaskOptions } from "../tasks";
import { runIdentity, validateTrainConfig, type TrainConfig } from "../train/config";
import { ConfigError, assert, nearest, show } from "../util/errors";
import { configHash } from "../util/hash";
import { validateStudyScale, type StudyScale } from "./presets";

/** Range of the suffix strategy's `l_extra` ~ U[1, max]: `half` is [1, lTrain/2], `full` is [1, lTrain − 1]. */
export type LExtraRange = "half" | "full";

/** One configuration of the regularizer. */
export interface VariantDeclaration {
  /** Short id used in tables, CSV files and `--experiments` output. */
  name: string;
  /** Human-readable label for reports. */
  label: string;
  alpha: number;
  divergence: DivergenceName;
  strategy: StrategyName;
  /** For the suffix strategy only; `half` when absent. */
  lExtra?: LExtraRange;
}

export type ExperimentName = "divergence" | "strategy" | "alpha" | "lextra";

export const EXPERIMENT_NAMES: readonly ExperimentName[] = ["divergence", "strategy", "alpha", "lextra"];

/** One ablation: a question, its variants, and the variant the others are compared with. */
export interface ExperimentDeclaration {
  name: ExperimentName;
  title: string;
  question: string;
  /** Name of the variant that paired differences are taken against. */
  baseline: string;
  variants: VariantDeclaration[];
}

// The configuration of Du et al. (ICML 2025, "Long-Short Alignment"): SCE on suffix pairs with
// l_extra ~ U[1, lTrain/2], α = 0.1.
const PAPER_CHOICE = { alpha: 0.1, divergence: "sce", strategy: "suffix" } as const;
const NO_REGULARIZER: VariantDeclaration = { name: "alpha-0", label: "α = 0 (no regularizer)", alpha: 0, divergence: "sce", strategy: "suffix" };

/**
 * The four grid experiments. The α = 0 run appears in each as a reference; it is trained once per
 * seed. The fifth study, the correlation of metrics, uses every finished run (see analysis.ts).
 */
export const EXPERIMENTS: readonly ExperimentDeclaration[] = [
  {
    name: "divergence",
    title: "Divergence ablation",
    question: "Does the choice of divergence between long and short predictions matter (suffix pairs, α = 0.1)?",
    baseline: NO_REGULARIZER.name,
    variants: [
      NO_REGULARIZER,
      { ...PAPER_CHOICE, name: "sce", label: "SCE (symmetric cross-entropy)" },
      { ...PAPER_CHOICE, name: "kl", label: "KL(long ‖ short)", divergence: "kl" },
      { ...PAPER_CHOICE, name: "js", label: "Jensen-Shannon", divergence: "js" },
      { ...PAPER_CHOICE, name: "wasserstein", label: "Wasserstein-1 on byte ids", divergence: "wasserstein" },
    ],
  },
  {
    name: "strategy",
    title: "Pair-strategy ablation",
    question: "Which long/short view pairing works best (SCE, α = 0.1)?",
    baseline: "suffix",
    variants: [
      NO_REGULARIZER,
      { ...PAPER_CHOICE, name: "suffix", label: "suffix" },
      { ...PAPER_CHOICE, name: "random-subsequence", label: "random subsequence", strategy: "random-subsequence" },
      { ...PAPER_CHOICE, name: "sliding-window", label: "sliding window", strategy: "sliding-window" },
      { ...PAPER_CHOICE, name: "prefix-suffix", label: "prefix + suffix", strategy: "prefix-suffix" },
    ],
  },
  {
    name: "alpha",
    title: "Regularizer weight α",
    question: "How does the weight α of the misalignment term trade off (SCE, suffix)?",
    baseline: NO_REGULARIZER.name,
    variants: [
      NO_REGULARIZER,
      { ...PAPER_CHOICE, name: "alpha-0.1", label: "α = 0.1" },
      { ...PAPER_CHOICE, name: "alpha-0.3", label: "α = 0.3", alpha: 0.3 },
      { ...PAPER_CHOICE, name: "alpha-0.5", label: "α = 0.5", alpha: 0.5 },
      { ...PAPER_CHOICE, name: "alpha-1", label: "α = 1.0", alpha: 1 },
    ],
  },
  {
    name: "lextra",
    title: "Sampling range of l_extra",
    question: "Does a wider shift between the suffix views, l_extra ∈ [1, lTrain − 1] instead of [1, lTrain/2], help or hurt?",
    baseline: "half",
    variants: [
      NO_REGULARIZER,
      { ...PAPER_CHOICE, name: "half", label: "l_extra ∈ [1, lTrain/2]", lExtra: "half" },
      { ...PAPER_CHOICE, name: "full", label: "l_extra ∈ [1, lTrain − 1]", lExtra: "full" },
    ],
  },
];

/** A run's place in an experiment. */
export interface Membership {
  experiment: string;
  variant: string;
  label: string;
  /** True when this variant is the experiment's baseline. */
  baseline: boolean;
}

/** Evaluation settings of a fine-tuned run, part of its hash. */
export interface EvaluationSpec {
  /** Test perplexity at these multiples of lTrain. */
  multipliers: number[];
  perplexityWindows: number;
  validationWindows: number;
  misalignmentWindows: number;
  misalignmentBatchSize: number;
  /** Seed of the misalignment metric's windows and layouts, the same for every run. */
  misalignmentSeed: number;
  /** The long-context suite (generated from the test split), or null when it is not scored. */
  suite: ResolvedSuiteConfig | null;
  /** Version of the task generators, so a change of generator gives new run hashes. */
  suiteVersion: string;
}

/** Task instances mixed into training; part of the run's hash. */
export interface TaskMixSpec {
  /** Fraction of training windows that are generated task instances; 0 turns mixing off. */
  fraction: number;
  /** Tasks drawn for task rows (empty when fraction is 0). */
  tasks: TaskName[];
  taskOptions: TaskOptions;
  suiteVersion: string;
}

/** A pretrained base: one per seed, shared by every fine-tune of that seed. */
export interface BaseRun {
  kind: "base";
  hash: string;
  seed: number;
  train: TrainConfig;
  corpus: ResolvedCorpusConfig;
  taskMix: TaskMixSpec;
}

/** A context-extension fine-tune of a base with one regularizer configuration, plus its evaluation. */
export interface FineTuneRun {
  kind: "finetune";
  hash: string;
  seed: number;
  baseHash: string;
  train: TrainConfig;
  corpus: ResolvedCorpusConfig;
  taskMix: TaskMixSpec;
  evaluation: EvaluationSpec;
  /** Every experiment and variant of the declarations this configuration appears in. */
  memberships: Membership[];
}

export type StudyRun = BaseRun | FineTuneRun;

/** The runs of a study for one preset. */
export interface StudyGrid {
  preset: string;
  scale: StudyScale;
  /** The experiments whose runs are included. */
  experiments: ExperimentDeclaration[];
  /** Bases needed by `runs`, in seed order. */
  bases: BaseRun[];
  /** Deduplicated fine-tunes, ordered by seed, then by first appearance in the declarations. */
  runs: FineTuneRun[];
}

/** Options of `buildGrid`. */
export interface GridOptions {
  /** Experiments to include (default all declared). Memberships still list every declared experiment. */
  experiments?: readonly string[];
  /** Declarations to use instead of EXPERIMENTS (tests, custom studies). */
  declarations?: readonly ExperimentDeclaration[];
}

/**
 * Expands experiments × variants × seeds into runs, merging identical configurations into one
 * run with several memberships.
 * @throws ConfigError for an unknown experiment name (suggesting the nearest), a bad declaration or
 *   a scale whose configs do not validate.
 */
export function buildGrid(scale: StudyScale, options: GridOptions = {}): StudyGrid {
  validateStudyScale(scale);
  const declarations = options.declarations ?? EXPERIMENTS;
  validateDeclarations(declarations);
  const selected = selectExperiments(declarations, options.experiments);

  const corpus = validateCorpusConfig(scale.corpus);
  const byHash = new Map<string, FineTuneRun>();
  const order: string[] = [];
  const bases = new Map<number, BaseRun>();

  for (const seed of scale.seeds) {
    const base = baseRun(scale, seed, corpus);
    bases.set(seed, base);
    for (const experiment of declarations) {
      for (const variant of experiment.variants) {
        const run = fineTuneRun(scale, seed, corpus, base, variant);
        const membership: Membership = {
          experiment: experiment.name,
          variant: variant.name,
          label: variant.label,
          baseline: variant.name === experiment.baseline,
        };
        const existing = byHash.get(run.hash);
        if (existing) {
          existing.memberships.push(membership);
        } else {
          run.memberships.push(membership);
          byHash.set(run.hash, run);
          order.push(run.hash);
        }
      }
    }
  }

  const selectedNames = new Set(selected.map((experiment) => experiment.name));
  const runs = order.map((hash) => byHash.get(hash)!).filter((run) => run.memberships.some((m) => selectedNames.has(m.experiment as ExperimentName)));
  const neededSeeds = new Set(runs.map((run) => run.seed));
  return {
    preset: scale.preset,
    scale,
    experiments: selected,
    bases: [...bases.values()].filter((base) => neededSeeds.has(base.seed)),
    runs,
  };
}

/** Looks up experiments by name; all declared ones when `names` is absent or empty. */
function selectExperiments(declarations: readonly ExperimentDeclaration[], names: readonly string[] | undefined): ExperimentDeclaration[] {
  if (!names || names.length === 0) return [...declarations];
  const known = declarations.map((experiment) => experiment.name as string);
  return names.map((name) => {
    const found = declarations.find((experiment) => experiment.name === name);
    if (found) return found;
    const guess = nearest(name, known);
    throw new ConfigError(`study: unknown experiment ${show(name)}; experiments are ${known.join(", ")}${guess ? `. Did you mean ${show(guess)}?` : ""}`);
  });
}

function validateDeclarations(declarations: readonly ExperimentDeclaration[]): void {
  const names = new Set<string>();
  for (const experiment of declarations) {
    assert(!names.has(experiment.name), () => `study: experiment ${show(experiment.name)} is declared twice`, ConfigError);
    names.add(experiment.name);
    const variants = new Set<string>();
    for (const variant of experiment.variants) {
      assert(!variants.has(variant.name), () => `study: experiment ${show(experiment.name)} declares variant ${show(variant.name)} twice`, ConfigError);
      variants.add(variant.name);
      assert(
        variant.lExtra === undefined || variant.strategy === "suffix",
        () => `study: variant ${show(variant.name)} of ${show(experiment.name)} sets lExtra, which applies to the suffix strategy only, but uses ${show(variant.strategy)}`,
        ConfigError,
      );
    }
    assert(
      variants.has(experiment.baseline),
      () => `study: experiment ${show(experiment.name)} has baseline ${show(experiment.baseline)}, which is not one of its variants (${[...variants].join(", ")})`,
      ConfigError,
    );
  }
}

/** Builds the base of one seed: plain next-token training at lBase with the base's RoPE θ. */
function baseRun(scale: StudyScale, seed: number, corpus: ResolvedCorpusConfig): BaseRun {
  const taskMix = taskMixSpec(scale, scale.tasks.baseFraction, scale.lBase);
  const train = validateTrainConfig({
    model: { ...scale.model, seed },
    optimizer: scale.base.optimizer,
    lTrain: scale.lBase,
    batchSize: scale.base.batchSize,
    steps: scale.base.steps,
    evalEvery: scale.base.steps,
    evalWindows: scale.evaluation.validationWindows,
    checkpointEvery: scale.checkpointEvery,
    logEvery: logEvery(scale.base.steps),
    seed,
    alignment: { alpha: 0 },
    data: { stage: "base", corpus, taskMix },
    backend: scale.backend,
  });
  const hash = configHash({ kind: "base", train: runIdentity(train), corpus, taskMix });
  return { kind: "base", hash, seed, train, corpus, taskMix };
}

/** Builds a fine-tune of `base` at lTrain with the RoPE θ raised by ropeBaseFactor and the variant's regularizer. */
function fineTuneRun(scale: StudyScale, seed: number, corpus: ResolvedCorpusConfig, base: BaseRun, variant: VariantDeclaration): FineTuneRun {
  const taskMix = taskMixSpec(scale, scale.tasks.fineTuneFraction, scale.lTrain);
  const model = { ...base.train.model, ropeBase: base.train.model.ropeBase * scale.ropeBaseFactor };
  const train = validateTrainConfig({
    model,
    optimizer: scale.fineTune.optimizer,
    lTrain: scale.lTrain,
    batchSize: scale.fineTune.batchSize,
    steps: scale.fineTune.steps,
    evalEvery: scale.fineTune.steps,
    evalWindows: scale.evaluation.validationWindows,
    checkpointEvery: scale.checkpointEvery,
    logEvery: logEvery(scale.fineTune.steps),
    seed,
    alignment: variantAlignment(variant, scale.lTrain),
    data: { stage: "finetune", base: base.hash, corpus, taskMix },
    backend: scale.backend,
  });
  const evaluation = evaluationSpec(scale);
  const hash = configHash({ kind: "finetune", base: base.hash, train: runIdentity(train), corpus, taskMix, evaluation });
  return { kind: "finetune", hash, seed, baseHash: base.hash, train, corpus, taskMix, evaluation, memberships: [] };
}

/**
 * Returns the alignment config of a variant. Suffix strategies get explicit `extraMin`/`extraMax`, so the
 * same range always hashes the same whether or not a declaration names it.
 */
export function variantAlignment(variant: VariantDeclaration, lTrain: number): AlignmentConfig {
  const strategy =
    variant.strategy === "suffix"
      ? { name: "suffix", extraMin: 1, extraMax: variant.lExtra === "full" ? lTrain - 1 : Math.max(1, Math.floor(lTrain / 2)) }
      : { name: variant.strategy };
  return validateAlignmentConfig({ alpha: variant.alpha, divergence: { name: variant.divergence }, strategy });
}

/**
 * Builds the task mix of one stage and checks that every task fits in a training row of `length` + 1
 * tokens, so a preset that cannot work fails before any training.
 * @throws ConfigError naming the task, its shortest row and the fix.
 */
function taskMixSpec(scale: StudyScale, fraction: number, length: number): TaskMixSpec {
  // Without mixing, the task settings do not affect training, so they are left out of the hash.
  if (fraction === 0) return { fraction, tasks: [], taskOptions: validateTaskOptions("study preset tasks", {}), suiteVersion: SUITE_VERSION };
  const taskOptions = validateTaskOptions("study preset tasks", scale.tasks.options);
  for (const name of scale.tasks.names) {
    const minimum = minRowLength(getTask(name), taskOptions);
    assert(
      minimum <= length + 1,
      () => `study preset: task ${show(name)} needs training rows of at least ${minimum} tokens, but the stage trains on ${length} + 1. Raise lBase/lTrain, shrink tasks.options, or remove ${show(name)} from tasks.names`,
      ConfigError,
    );
  }
  return { fraction, tasks: [...scale.tasks.names], taskOptions, suiteVersion: SUITE_VERSION };
}

/** Builds the evaluation of every fine-tune. lib/tasks validates the suite config against lTrain. */
function evaluationSpec(scale: StudyScale): EvaluationSpec {
  const { longContext, ...sizes } = scale.evaluation;
  const suite = longContext
    ? validateSuiteConfig({
        tasks: scale.tasks.names,
        lTrain: scale.lTrain,
        lengthFactors: longContext.lengthFactors,
        instancesPerBucket: longContext.instancesPerBucket,
        seed: 0,
        taskOptions: scale.tasks.options,
      })
    : null;
  return { ...sizes, misalignmentSeed: 0, suite, suiteVersion: SUITE_VERSION };
}

function logEvery(steps: number): number {
  return Math.max(1, Math.round(steps / 10));
}

/** Lists every run of the grid, bases first. */
export function allRuns(grid: StudyGrid): StudyRun[] {
  return [...grid.bases, ...grid.runs];
}

/** Finds a run by hash (or a unique prefix of at least 4 characters). @throws ConfigError when none or several match. */
export function findRun(grid: StudyGrid, hashOrPrefix: string): StudyRun {
  const matches = allRuns(grid).filter((run) => hashOrPrefix.length >= 4 && run.hash.startsWith(hashOrPrefix));
  assert(
    matches.length === 1,
    () =>
      matches.length === 0
        ? `study: no run in the grid matches ${show(hashOrPrefix)}; give a run hash or a prefix of at least 4 characters (scripts/study.ts --dry-run lists them)`
        : `study: ${matches.length} runs in the grid match ${show(hashOrPrefix)}; give a longer prefix`,
    ConfigError,
  );
  return matches[0];
}

/**
 * Describes a run in a few words for logs and progress lines, such as `alpha/alpha-0.3 seed 1`,
 * naming its first membership in one of `preferred` experiments when it has one.
 */
export function describeRun(run: StudyRun, preferred: readonly string[] = []): string {
  if (run.kind === "base") return `base seed ${run.seed}`;
  const first = run.memberships.find((m) => preferred.includes(m.experiment)) ?? run.memberships[0];
  const name = first ? `${first.experiment}/${first.variant}` : describeAlignment(run.train.alignment);
  return `${name} seed ${run.seed}`;
}

/** Describes the regularizer of a config in one line, such as `α=0.1 sce suffix[1,32]`. */
export function describeAlignment(alignment: AlignmentConfig): string {
  const strategy = alignment.strategy;
  const range = strategy.name === "suffix" && strategy.extraMax !== undefined ? `[${strategy.extraMin ?? 1},${strategy.extraMax}]` : "";
  return `α=${alignment.alpha} ${alignment.divergence.name} ${strategy.name}${range}`;
}
