/**
 * Tables for notebooks and reports. Per experiment, they give mean ± std per variant over seeds and
 * the paired difference to the baseline with a bootstrap interval. Across runs, they correlate the
 * misalignment metric and validation CE with long-context quality, and they list costs per configuration.
 */

import { pairedBootstrap, type BootstrapOptions, type PairedDifference } from "../stats/bootstrap";
import { correlation } from "../stats/correlation";
import { describe, formatMeanStd, type Description } from "../stats/describe";
import { ConfigError, nearest, show } from "../util/errors";
import { describeAlignment, EXPERIMENTS, type ExperimentDeclaration } from "./grid";
import type { BaseRecord, StudyRunResult } from "./records";

/**
 * Collects the scalar metrics of one run, by name:
 * - `validation_ce`, `misalignment`;
 * - `perplexity@<m>x`, `loss@<m>x`, `tail_loss@<m>x` for each evaluation multiple m of lTrain, and
 *   `perplexity@longest`, `tail_loss@longest` for the largest m;
 * - `long_context` (suite average) and `long_context@<bucket>`, when the suite was scored;
 * - `train_loss`, `train_ce`: means over the last tenth of training steps;
 * - `train_seconds`, `eval_seconds`, `wall_seconds`, `tokens_per_second`.
 */
export function runMetrics(result: StudyRunResult): Record<string, number> {
  const metrics: Record<string, number> = {
    validation_ce: result.validation.loss,
    misalignment: result.misalignment.value,
    train_loss: result.training.loss,
    train_ce: result.training.ce,
    train_seconds: result.cost.trainSeconds,
    eval_seconds: result.cost.evalSeconds,
    wall_seconds: result.cost.wallSeconds,
    tokens_per_second: result.cost.tokensPerSecond,
  };
  for (const row of result.perplexity) {
    metrics[`perplexity@${row.multiplier}x`] = row.perplexity;
    metrics[`loss@${row.multiplier}x`] = row.loss;
    metrics[`tail_loss@${row.multiplier}x`] = row.tailLoss;
  }
  const longest = [...result.perplexity].sort((a, b) => a.multiplier - b.multiplier).at(-1);
  if (longest) {
    metrics["perplexity@longest"] = longest.perplexity;
    metrics["tail_loss@longest"] = longest.tailLoss;
  }
  if (result.longContext) {
    metrics.long_context = result.longContext.average;
    for (const bucket of result.longContext.buckets) metrics[`long_context@${bucket.bucket}`] = bucket.score;
  }
  return metrics;
}

/** Names of the metrics present in every given result, in the order runMetrics lists them. */
export function availableMetrics(results: readonly StudyRunResult[]): string[] {
  if (results.length === 0) return [];
  const sets = results.map((result) => new Set(Object.keys(runMetrics(result))));
  return Object.keys(runMetrics(results[0])).filter((name) => sets.every((set) => set.has(name)));
}

/** True when a lower value of the metric is better (losses, perplexity, misalignment, time). */
export function lowerIsBetter(metric: string): boolean {
  return !(metric.startsWith("long_context") || metric === "tokens_per_second");
}

function metricOf(result: StudyRunResult, metric: string, known: () => string[]): number {
  const value = runMetrics(result)[metric];
  if (value === undefined) {
    const names = known();
    const guess = nearest(metric, names);
    throw new ConfigError(`study analysis: unknown metric ${show(metric)} for run ${result.runHash}; metrics are ${names.join(", ")}${guess ? `. Did you mean ${show(guess)}?` : ""}`);
  }
  return value;
}

/** One variant of an experiment table. */
export interface VariantRow {
  variant: string;
  label: string;
  baseline: boolean;
  /** Seeds with a finished run, ascending. */
  seeds: number[];
  /** Per-seed values in the order of `seeds`. */
  values: number[];
  summary: Description | null;
  /** Paired (by seed) difference variant − baseline; null for the baseline itself or without common seeds. */
  difference: PairedDifference | null;
}

export interface ExperimentTable {
  experiment: string;
  title: string;
  metric: string;
  lowerIsBetter: boolean;
  baseline: string;
  rows: VariantRow[];
}

export interface TableOptions {
  /** Variant to compare with, instead of the declared baseline. */
  baseline?: string;
  /** Bootstrap settings (default 10 000 resamples, 95 %, seed 0). */
  bootstrap?: BootstrapOptions;
  /** Declarations that give titles, variant order and baselines (default EXPERIMENTS). */
  declarations?: readonly ExperimentDeclaration[];
}

/**
 * Mean ± std per variant over seeds, and the difference to the baseline paired by seed with a
 * bootstrap 95 % interval. Variants without finished runs get a row with `summary: null`.
 * @throws ConfigError for an unknown experiment, baseline or metric.
 */
export function experimentTable(results: readonly StudyRunResult[], experiment: string, metric: string, options: TableOptions = {}): ExperimentTable {
  const declarations = options.declarations ?? EXPERIMENTS;
  const declaration = declarations.find((d) => d.name === experiment);
  const members = results.filter((result) => result.memberships.some((m) => m.experiment === experiment));
  if (!declaration && members.length === 0) {
    const names = declarations.map((d) => d.name as string);
    const guess = nearest(experiment, names);
    throw new ConfigError(`experimentTable: unknown experiment ${show(experiment)}; experiments are ${names.join(", ")}${guess ? `. Did you mean ${show(guess)}?` : ""}`);
  }

  // Variant order: declared order, then any variant found only in the results.
  const variants: { name: string; label: string }[] = declaration ? declaration.variants.map((v) => ({ name: v.name, label: v.label })) : [];
  for (const result of members) {
    for (const m of result.memberships) {
      if (m.experiment === experiment && !variants.some((v) => v.name === m.variant)) variants.push({ name: m.variant, label: m.label });
    }
  }
  const baseline = options.baseline ?? declaration?.baseline ?? members.flatMap((r) => r.memberships).find((m) => m.experiment === experiment && m.baseline)?.variant ?? variants[0]?.name;
  if (!variants.some((v) => v.name === baseline)) {
    throw new ConfigError(`experimentTable: baseline ${show(baseline)} is not a variant of ${show(experiment)}; variants are ${variants.map((v) => v.name).join(", ")}`);
  }

  const known = () => availableMetrics(members);
  const bySeed = (variant: string): Map<number, number> => {
    const values = new Map<number, number>();
    for (const result of members) {
      if (!result.memberships.some((m) => m.experiment === experiment && m.variant === variant)) continue;
      if (!values.has(result.seed)) values.set(result.seed, metricOf(result, metric, known));
    }
    return values;
  };

  const baselineValues = bySeed(baseline);
  const rows = variants.map<VariantRow>(({ name, label }) => {
    const values = bySeed(name);
    const seeds = [...values.keys()].sort((a, b) => a - b);
    const ordered = seeds.map((seed) => values.get(seed)!);
    const common = seeds.filter((seed) => baselineValues.has(seed));
    const difference =
      name === baseline || common.length === 0
        ? null
        : pairedBootstrap(
            common.map((seed) => values.get(seed)!),
            common.map((seed) => baselineValues.get(seed)!),
            options.bootstrap,
          );
    return {
      variant: name,
      label,
      baseline: name === baseline,
      seeds,
      values: ordered,
      summary: ordered.length ? describe(ordered) : null,
      difference,
    };
  });
  return { experiment, title: declaration?.title ?? experiment, metric, lowerIsBetter: lowerIsBetter(metric), baseline, rows };
}

/** Formats an experiment table as aligned text, for logs and the CLI summary. */
export function formatExperimentTable(table: ExperimentTable, digits = 3): string {
  const header = ["variant", "n", `${table.metric} (mean ± std)`, `Δ vs ${table.baseline} [95% CI]`, ""];
  const body = table.rows.map((row) => {
    const diff = row.difference;
    let interval = row.baseline ? "(baseline)" : "–";
    if (diff) interval = `${signed(diff.meanDifference, digits)} [${signed(diff.lower, digits)}, ${signed(diff.upper, digits)}]`;
    let flag = "";
    if (diff?.excludesZero) flag = diff.meanDifference < 0 === table.lowerIsBetter ? "better" : "worse";
    return [row.variant, String(row.summary?.n ?? 0), row.summary ? formatMeanStd(row.summary, digits) : "–", interval, flag];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  return [`${table.title}: ${table.metric} (${table.lowerIsBetter ? "lower" : "higher"} is better)`, line(header), ...body.map(line)].join("\n");
}

function signed(value: number, digits: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(digits)}`;
}

/** One predictor-target pair of the correlation study. */
export interface CorrelationRow {
  predictor: string;
  target: string;
  n: number;
  pearson: number;
  spearman: number;
}

export interface CorrelationOptions {
  /** Default `misalignment` and `validation_ce`. */
  predictors?: string[];
  /** Default `perplexity@longest`, plus `long_context` when every run has the suite score. */
  targets?: string[];
}

/**
 * Correlates predictors with targets across runs (every run once, whatever its experiments). Only
 * runs with finite values of both metrics count, and `n` is their number.
 * @throws ConfigError for an unknown metric.
 */
export function correlationTable(results: readonly StudyRunResult[], options: CorrelationOptions = {}): CorrelationRow[] {
  const available = availableMetrics(results);
  const predictors = options.predictors ?? ["misalignment", "validation_ce"];
  const targets = options.targets ?? ["perplexity@longest", ...(available.includes("long_context") ? ["long_context"] : [])];
  const known = () => available;
  const rows: CorrelationRow[] = [];
  for (const predictor of predictors) {
    for (const target of targets) {
      const pairs = results
        .map((result) => [metricOf(result, predictor, known), metricOf(result, target, known)] as const)
        .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      if (pairs.length === 0) {
        rows.push({ predictor, target, n: 0, pearson: NaN, spearman: NaN });
        continue;
      }
      const coefficients = correlation(
        pairs.map(([x]) => x),
        pairs.map(([, y]) => y),
      );
      rows.push({ predictor, target, ...coefficients });
    }
  }
  return rows;
}

/** Cost of one configuration over its seeds. */
export interface CostRow {
  /** The regularizer in one line (`α=0.1 sce suffix[1,32]`), or `base` for pretraining. */
  configuration: string;
  /** `experiment/variant` names this configuration appears as. */
  variants: string[];
  n: number;
  trainSeconds: Description;
  wallSeconds: Description;
  tokensPerSecond: Description;
}

/**
 * Wall time, training time and tokens/s per configuration (fine-tunes grouped by regularizer, and
 * the bases as one `base` row when given).
 */
export function costTable(results: readonly StudyRunResult[], bases: readonly BaseRecord[] = []): CostRow[] {
  const groups = new Map<string, { variants: Set<string>; costs: StudyRunResult["cost"][] }>();
  const add = (key: string, variants: string[], cost: StudyRunResult["cost"]) => {
    const group = groups.get(key) ?? { variants: new Set<string>(), costs: [] };
    variants.forEach((v) => group.variants.add(v));
    group.costs.push(cost);
    groups.set(key, group);
  };
  for (const base of bases) add("base", [], base.cost);
  for (const result of results) {
    add(
      describeAlignment(result.config.train.alignment),
      result.memberships.map((m) => `${m.experiment}/${m.variant}`),
      result.cost,
    );
  }
  return [...groups.entries()].map(([configuration, group]) => ({
    configuration,
    variants: [...group.variants],
    n: group.costs.length,
    trainSeconds: describe(group.costs.map((c) => c.trainSeconds)),
    wallSeconds: describe(group.costs.map((c) => c.wallSeconds)),
    tokensPerSecond: describe(group.costs.map((c) => c.tokensPerSecond)),
  }));
}
