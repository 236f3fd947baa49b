/**
 * The study notebooks' logic, kept out of their cells: loading the results a notebook reports on,
 * turning experiment tables into display rows and figure data, and writing the conclusions as
 * sentences computed from this run's numbers.
 */
import { isAbsolute, join, resolve } from "node:path";
import { availableMetrics, experimentTable, lowerIsBetter, runMetrics, type CorrelationRow, type CostRow, type ExperimentTable, type VariantRow } from "../experiments/analysis";
import type { BaseRecord, StudyRunResult } from "../experiments/records";
import { loadBaseRecords, loadResults } from "../experiments/results";
import { pairedBootstrap } from "../stats/bootstrap";
import { correlation } from "../stats/correlation";
import { describe, formatMeanStd } from "../stats/describe";
import { FileFormatError } from "../util/errors";
import { gitCommit } from "../util/provenance";
import { escapeHtml, type ReportProvenance } from "./html";
import { bucketScoreFigure, plotHtml, type BucketScore, type ErrorLineSeries, type IntervalSeries, type ScatterPoint, type VariantCurve } from "./plotly";
import { formatInterval, formatNumber, formatSigned, htmlTable } from "./tables";

/** The results one notebook reports on. */
export interface StudyContext {
  preset: string;
  resultsDir: string;
  results: StudyRunResult[];
  bases: BaseRecord[];
  provenance: ReportProvenance;
}

/**
 * Loads the finished runs of a preset. The preset comes from `options.preset`, else the
 * `LSA_PRESET` environment variable, else `default`. The folder comes from `options.resultsDir`,
 * else `LSA_RESULTS`, else `../results/<preset>` relative to the working directory, which is
 * notebooks/ for a notebook.
 * @throws FileFormatError when the folder has no finished run of the preset, with the command that makes them.
 */
export function openStudy(options: { preset?: string; resultsDir?: string } = {}): StudyContext {
  const preset = options.preset ?? process.env.LSA_PRESET ?? "default";
  const given = options.resultsDir ?? process.env.LSA_RESULTS ?? join("..", "results", preset);
  const resultsDir = isAbsolute(given) ? given : resolve(given);
  const results = loadResults(resultsDir, { preset });
  if (results.length === 0) {
    throw new FileFormatError(
      `openStudy: no finished runs of preset ${JSON.stringify(preset)} in ${resultsDir}. ` +
        `Run \`npx tsx scripts/run-all.ts --preset ${preset}\` (or \`npx tsx scripts/study.ts --preset ${preset} --out ${resultsDir}\`) first.`,
    );
  }
  return { preset, resultsDir, results, bases: loadBaseRecords(resultsDir), provenance: studyProvenance(results, preset) };
}

/**
 * Preset, backend and commit of a set of results, for the report header. Several backends or
 * commits (a study resumed after a code change) are all listed.
 */
export function studyProvenance(results: readonly { provenance: StudyRunResult["provenance"] }[], preset: string): ReportProvenance {
  const backends = new Set<string>();
  const commits = new Set<string>();
  for (const result of results) {
    const backend = result.provenance.backend;
    backends.add(backend ? `${backend.name} (${backend.package})` : "unknown");
    commits.add(result.provenance.commit);
  }
  return {
    preset,
    backend: backends.size ? [...backends].join(", ") : undefined,
    commit: commits.size ? [...commits].join(", ") : gitCommit(),
    extra: { runs: String(results.length) },
  };
}

/** Builds one paragraph naming what the notebook's numbers come from: preset, runs, seeds, sizes, backend and commit. */
export function studySummaryHtml(context: StudyContext): string {
  const first = context.results[0];
  const train = first.config.train;
  const seeds = [...new Set(context.results.map((r) => r.seed))].sort((a, b) => a - b);
  const parameters = `d_model ${train.model.dModel}, ${train.model.nLayers} layers, ${train.model.nHeads} heads`;
  const lines = [
    `Preset <b>${escapeHtml(context.preset)}</b>: ${context.results.length} finished fine-tunes over ${seeds.length} seed${seeds.length === 1 ? "" : "s"} (${seeds.join(", ")}), loaded from <code>${escapeHtml(context.resultsDir)}</code>.`,
    `Model: byte-level transformer, ${escapeHtml(parameters)}; fine-tuned at lTrain = ${train.lTrain} tokens for ${train.steps} steps with RoPE base θ = ${formatNumber(train.model.ropeBase)}.`,
    `Backend ${escapeHtml(context.provenance.backend ?? "unknown")}; commit ${escapeHtml(context.provenance.commit ?? "unknown")}.`,
  ];
  if (seeds.length < 2) {
    lines.push("<b>One seed only</b>: the tables have no spread and no confidence intervals, so they check the pipeline and say nothing about the method.");
  }
  return `<p>${lines.join("<br>\n")}</p>`;
}

/** Returns the fine-tuning length lTrain of the study, which is the same in every run of a preset. */
export function lTrainOf(context: StudyContext): number {
  return context.results[0].config.train.lTrain;
}

/** Lists the settings of this run, read from the result files, as rows `{setting, value}` for a table. */
export function settingsRows(context: StudyContext): { setting: string; value: string }[] {
  const first = context.results[0];
  const train = first.config.train;
  const base = context.bases[0]?.config;
  const evaluation = first.config.evaluation;
  const seeds = [...new Set(context.results.map((r) => r.seed))].sort((a, b) => a - b);
  const rows: [string, string][] = [
    ["corpus", `${first.config.corpus.source}${first.config.corpus.maxDocuments ? ` (at most ${first.config.corpus.maxDocuments} documents)` : ""}`],
    ["model", `byte-level transformer, d_model ${train.model.dModel}, ${train.model.nLayers} layers, ${train.model.nHeads} heads, ${train.model.position}`],
    ["base pretraining", base ? `lBase ${base.train.lTrain} tokens, ${base.train.steps} steps, RoPE θ ${formatNumber(base.train.model.ropeBase)}, task-instance fraction ${base.taskMix.fraction}` : "base record not found"],
    ["fine-tuning", `lTrain ${train.lTrain} tokens, ${train.steps} steps, RoPE θ ${formatNumber(train.model.ropeBase)}, batch ${train.batchSize}, task-instance fraction ${first.config.taskMix.fraction}`],
    ["loss", "CE + α · misalignment (α = 0 is plain fine-tuning)"],
    ["perplexity lengths", evaluation.multipliers.map((m) => `${m}× (${m * train.lTrain})`).join(", ")],
    ["perplexity windows per length", String(evaluation.perplexityWindows)],
    ["misalignment metric", `${first.misalignment.divergence} on ${first.misalignment.strategy} pairs, ${evaluation.misalignmentWindows} validation windows at lTrain`],
    ["long-context suite", suiteDescription((evaluation as unknown as Record<string, unknown>).suite ?? (evaluation as unknown as Record<string, unknown>).longContext)],
    ["seeds", seeds.join(", ")],
  ];
  return rows.map(([setting, value]) => ({ setting, value }));
}

/**
 * Describes the suite settings of a result in words. Result files have stored them as
 * `evaluation.suite` (null or the suite config) and, in earlier versions, as
 * `evaluation.longContext`, so the value is read without assuming one shape.
 */
function suiteDescription(suite: unknown): string {
  if (!suite || typeof suite !== "object") return "not scored in this run";
  const { instancesPerBucket, lengthFactors, tasks } = suite as { instancesPerBucket?: number; lengthFactors?: number[]; tasks?: string[] };
  const lengths = Array.isArray(lengthFactors) ? `, prompt lengths ${lengthFactors.join(", ")} × lTrain` : "";
  const names = Array.isArray(tasks) ? `${tasks.join(", ")}; ` : "";
  return `${names}${instancesPerBucket ?? "?"} instances per task and bucket${lengths}`;
}

/**
 * Lists the metrics the study notebooks report, in this order, among those every run has:
 * perplexity at the longest and at the training length, the suite average, the misalignment metric
 * and the validation CE.
 */
export function reportedMetrics(results: readonly StudyRunResult[]): string[] {
  const available = new Set(availableMetrics(results));
  return ["perplexity@longest", "perplexity@1x", "long_context", "misalignment", "validation_ce"].filter((metric) => available.has(metric));
}

/** Builds one experiment table per reported metric. */
export function metricTables(context: StudyContext, experiment: string, metrics: readonly string[] = reportedMetrics(context.results)): ExperimentTable[] {
  return metrics.map((metric) => experimentTable(context.results, experiment, metric));
}

/** Builds a caption naming the experiment, the metric and its direction. */
export function tableCaption(table: ExperimentTable): string {
  return `${table.title}: ${table.metric} (${table.lowerIsBetter ? "lower" : "higher"} is better), paired differences to ${table.rows.find((r) => r.baseline)?.label ?? table.baseline}`;
}

/**
 * Renders the per-bucket score figure of an experiment as HTML, or a sentence stating that the
 * suite was not scored when no run has long-context scores.
 */
export function bucketScoresHtml(results: readonly StudyRunResult[], experiment: string): string {
  const rows = bucketScores(results, experiment);
  if (rows.length === 0) {
    return "<p><i>The long-context suite was not scored in this run (the preset's evaluation.longContext is false, or the suite module lib/tasks is missing), so there are no per-bucket scores.</i></p>";
  }
  return plotHtml(bucketScoreFigure(rows, { title: "Long-context suite score by length bucket (mean ± std over seeds)", yTitle: "score (0–100)" }));
}

/**
 * Collects a metric against the regularizer weight α over the runs of an experiment: one series,
 * with the mean and std over seeds at each α.
 */
export function metricByAlpha(results: readonly StudyRunResult[], experiment: string, metric: string): ErrorLineSeries {
  const members = experimentResults(results, experiment);
  const alphas = [...new Set(members.map((r) => r.config.train.alignment.alpha))].sort((a, b) => a - b);
  const points = alphas.map((alpha) => {
    const summary = describe(members.filter((r) => r.config.train.alignment.alpha === alpha).map((r) => runMetrics(r)[metric]));
    return { x: alpha, mean: summary.mean, std: summary.std };
  });
  return { name: metric, points };
}

/**
 * Writes a sentence on how a metric's mean moves along a sweep: monotone or not, and the change
 * from the first to the last point.
 */
export function trendSentence(series: ErrorLineSeries, xName: string, digits = 3): string {
  const means = series.points.map((p) => p.mean);
  if (means.length < 2) return `Only one value of ${xName} was run, so there is no trend in ${series.name}.`;
  const steps = means.slice(1).map((value, i) => value - means[i]);
  const shape = steps.every((d) => d < 0) ? "falls at every step" : steps.every((d) => d > 0) ? "rises at every step" : "is not monotone";
  const first = series.points[0];
  const last = series.points[series.points.length - 1];
  const direction = lowerIsBetter(series.name) ? "lower" : "higher";
  return `As ${xName} goes from ${first.x} to ${last.x}, the mean of ${series.name} (${direction} is better) ${shape}: ${formatNumber(first.mean, digits)} → ${formatNumber(last.mean, digits)} (${formatSigned(last.mean - first.mean, digits)}).`;
}

/**
 * Sentences on cost: training throughput of regularized fine-tunes relative to α = 0, and the
 * total worker time of the study.
 */
export function costConclusions(context: StudyContext): string[] {
  const plain = context.results.filter((r) => r.config.train.alignment.alpha === 0);
  const regularized = context.results.filter((r) => r.config.train.alignment.alpha > 0);
  const sentences: string[] = [];
  if (plain.length > 0 && regularized.length > 0) {
    const plainRate = describe(plain.map((r) => r.cost.tokensPerSecond)).mean;
    const ratios = regularized.map((r) => r.cost.tokensPerSecond / plainRate);
    sentences.push(
      `Regularized fine-tunes trained at ${(100 * Math.min(...ratios)).toFixed(0)}–${(100 * Math.max(...ratios)).toFixed(0)} % of the tokens/s of α = 0 ` +
        `(mean ${(100 * describe(ratios).mean).toFixed(0)} % over ${ratios.length} runs; α = 0 ran at ${plainRate.toFixed(0)} tokens/s on average).`,
    );
  }
  const fineTuneSeconds = context.results.reduce((sum, r) => sum + r.cost.wallSeconds, 0);
  const baseSeconds = context.bases.reduce((sum, b) => sum + b.cost.wallSeconds, 0);
  sentences.push(
    `Worker wall time summed over runs: ${(fineTuneSeconds / 60).toFixed(1)} min for ${context.results.length} fine-tunes (training and evaluation) and ${(baseSeconds / 60).toFixed(1)} min for ${context.bases.length} base${context.bases.length === 1 ? "" : "s"}; runs in parallel overlap, so the elapsed time was shorter.`,
  );
  return sentences;
}

/** Renders the settings table of this run as HTML. */
export function settingsHtml(context: StudyContext): string {
  return htmlTable(settingsRows(context), { caption: "Settings of this run (from the result files)" });
}

/** Returns the results that belong to one experiment. */
export function experimentResults(results: readonly StudyRunResult[], experiment: string): StudyRunResult[] {
  return results.filter((result) => result.memberships.some((m) => m.experiment === experiment));
}

/** Display rows of an experiment table: flat fields, so they fit a danfo DataFrame. */
export interface ExperimentDisplayRow {
  variant: string;
  seeds: number;
  "mean ± std": string;
  [difference: string]: string | number;
}

/**
 * Rows for a danfo DataFrame or `htmlTable`: variant label, seed count, mean ± std, and the paired
 * difference to the baseline with its 95 % bootstrap interval and a verdict.
 */
export function experimentDisplayRows(table: ExperimentTable, digits = 3): ExperimentDisplayRow[] {
  const baselineLabel = table.rows.find((row) => row.baseline)?.label ?? table.baseline;
  const differenceColumn = `Δ vs ${baselineLabel}`;
  return table.rows.map((row) => ({
    variant: row.label,
    seeds: row.summary?.n ?? 0,
    "mean ± std": row.summary ? formatMeanStd(row.summary, digits) : "no runs",
    [differenceColumn]: row.difference ? formatSigned(row.difference.meanDifference, digits) : row.baseline ? "(baseline)" : "–",
    "95% CI": row.difference && row.difference.n >= 2 ? formatInterval(row.difference.lower, row.difference.upper, digits) : "–",
    verdict: verdict(table, row),
  }));
}

function verdict(table: ExperimentTable, row: VariantRow): string {
  const difference = row.difference;
  if (!difference) return row.baseline ? "" : "no paired runs";
  if (difference.n < 2) return "one seed: no interval";
  if (!difference.excludesZero) return "interval includes 0";
  const better = difference.meanDifference < 0 === table.lowerIsBetter;
  return better ? "better (interval excludes 0)" : "worse (interval excludes 0)";
}

/**
 * Test perplexity against context length per variant of an experiment: mean and sample std over
 * seeds at each evaluated length. Variants keep the order of the experiment table.
 */
export function perplexityCurves(results: readonly StudyRunResult[], experiment: string): VariantCurve[] {
  const table = experimentTable(results, experiment, "validation_ce");
  return table.rows
    .filter((row) => row.summary !== null)
    .map((row) => {
      const members = variantResults(results, experiment, row.variant);
      const lengths = [...new Set(members.flatMap((r) => r.perplexity.map((p) => p.length)))].sort((a, b) => a - b);
      const points = lengths.map((length) => {
        const values = members.flatMap((r) => r.perplexity.filter((p) => p.length === length).map((p) => p.perplexity));
        const summary = describe(values);
        return { length, mean: summary.mean, std: summary.std };
      });
      return { variant: row.label, points };
    });
}

/**
 * Per variant, the difference of its test perplexity to the experiment's baseline at each
 * evaluated length, paired by seed, with the bootstrap 95 % interval. With one common seed the
 * interval collapses to the single difference. The baseline itself is left out.
 */
export function perplexityDifferenceCurves(results: readonly StudyRunResult[], experiment: string): IntervalSeries[] {
  const table = experimentTable(results, experiment, "validation_ce");
  const baselineRuns = variantResults(results, experiment, table.baseline);
  const perplexityAt = (run: StudyRunResult, length: number) => run.perplexity.find((p) => p.length === length)?.perplexity;
  return table.rows
    .filter((row) => !row.baseline && row.summary !== null)
    .map((row) => {
      const runs = variantResults(results, experiment, row.variant);
      const lengths = [...new Set(runs.flatMap((r) => r.perplexity.map((p) => p.length)))].sort((a, b) => a - b);
      const points = lengths.flatMap((length) => {
        const pairs = runs.flatMap((run) => {
          const partner = baselineRuns.find((b) => b.seed === run.seed);
          const a = perplexityAt(run, length);
          const b = partner ? perplexityAt(partner, length) : undefined;
          return a !== undefined && b !== undefined ? [[a, b] as const] : [];
        });
        if (pairs.length === 0) return [];
        const difference = pairedBootstrap(pairs.map(([a]) => a), pairs.map(([, b]) => b));
        return [{ x: length, mean: difference.meanDifference, lower: difference.lower, upper: difference.upper }];
      });
      return { name: row.label, points };
    })
    .filter((series) => series.points.length > 0);
}

/** Returns the results of one variant of an experiment, one per seed. */
function variantResults(results: readonly StudyRunResult[], experiment: string, variant: string): StudyRunResult[] {
  return results.filter((r) => r.memberships.some((m) => m.experiment === experiment && m.variant === variant));
}

/**
 * Mean and std over seeds of the long-context suite's score per length bucket, per variant.
 * Returns an empty list when no run of the experiment scored the suite.
 */
export function bucketScores(results: readonly StudyRunResult[], experiment: string): BucketScore[] {
  const table = experimentTable(results, experiment, "validation_ce");
  const rows: BucketScore[] = [];
  for (const row of table.rows) {
    const members = variantResults(results, experiment, row.variant).filter((r) => r.longContext !== null);
    const buckets = [...new Set(members.flatMap((r) => r.longContext!.buckets.map((b) => b.bucket)))];
    for (const bucket of buckets) {
      const values = members.flatMap((r) => r.longContext!.buckets.filter((b) => b.bucket === bucket).map((b) => b.score));
      const summary = describe(values);
      rows.push({ bucket, variant: row.label, mean: summary.mean, std: summary.std });
    }
  }
  return rows;
}

/** Returns the value of a named metric (see runMetrics in lib/experiments/analysis) of one run, or NaN when the run lacks it. */
export function metricValue(result: StudyRunResult, metric: string): number {
  return runMetrics(result)[metric] ?? NaN;
}

/** Builds one point per run for a correlation scatter of two named metrics, labelled with its variants and seed. */
export function correlationPoints(results: readonly StudyRunResult[], xMetric: string, yMetric: string): ScatterPoint[] {
  return results.map((result) => {
    const first = result.memberships[0];
    return {
      x: metricValue(result, xMetric),
      y: metricValue(result, yMetric),
      label: `${result.memberships.map((m) => `${m.experiment}/${m.variant}`).join(", ")} seed ${result.seed}`,
      group: first ? first.label : "run",
    };
  });
}

/** Targets of the correlation study: perplexity at every evaluated multiple of lTrain, and the suite average when scored. */
export function correlationTargets(results: readonly StudyRunResult[]): string[] {
  const available = availableMetrics(results);
  return [...available.filter((metric) => /^perplexity@[\d.]+x$/.test(metric)), ...(available.includes("long_context") ? ["long_context"] : [])];
}

/**
 * Correlates the metrics after subtracting each seed's mean from both. Runs of one seed share a
 * base model, and differences between bases can dominate the across-run correlation while saying
 * nothing about the regularizer. Centering within each seed keeps only the variation between the
 * variants of a seed. Seeds with a single run are left out, since centering leaves them at zero.
 */
export function withinSeedCorrelationTable(results: readonly StudyRunResult[], options: { predictors: string[]; targets: string[] }): CorrelationRow[] {
  const seeds = [...new Set(results.map((r) => r.seed))];
  const centered = (metric: string): Map<StudyRunResult, number> => {
    const values = new Map<StudyRunResult, number>();
    for (const seed of seeds) {
      const members = results.filter((r) => r.seed === seed && Number.isFinite(metricValue(r, metric)));
      if (members.length < 2) continue;
      const center = describe(members.map((r) => metricValue(r, metric))).mean;
      for (const member of members) values.set(member, metricValue(member, metric) - center);
    }
    return values;
  };
  const rows: CorrelationRow[] = [];
  for (const predictor of options.predictors) {
    const xs = centered(predictor);
    for (const target of options.targets) {
      const ys = centered(target);
      const shared = [...xs.keys()].filter((run) => ys.has(run));
      if (shared.length < 2) {
        rows.push({ predictor, target, n: shared.length, pearson: NaN, spearman: NaN });
        continue;
      }
      rows.push({ predictor, target, ...correlation(shared.map((run) => xs.get(run)!), shared.map((run) => ys.get(run)!)) });
    }
  }
  return rows;
}

/**
 * Collects Spearman ρ of each predictor with perplexity at each evaluated multiple of lTrain, as
 * one series per predictor (x is the multiple), from rows of `correlationTable`. `label` is
 * appended to each series name, e.g. "within seeds".
 */
export function correlationByLength(rows: readonly CorrelationRow[], label?: string): ErrorLineSeries[] {
  const predictors = [...new Set(rows.map((row) => row.predictor))];
  return predictors.map((predictor) => ({
    name: label ? `${predictor} (${label})` : predictor,
    points: rows
      .filter((row) => row.predictor === predictor && /^perplexity@[\d.]+x$/.test(row.target))
      .map((row) => ({ x: Number(/^perplexity@([\d.]+)x$/.exec(row.target)![1]), mean: row.spearman })),
  }));
}

/** Rows of the correlation table for display. */
export function correlationDisplayRows(rows: readonly CorrelationRow[]): Record<string, string | number>[] {
  return rows.map((row) => ({
    predictor: row.predictor,
    target: row.target,
    runs: row.n,
    "Pearson r": Number.isFinite(row.pearson) ? row.pearson : NaN,
    "Spearman ρ": Number.isFinite(row.spearman) ? row.spearman : NaN,
  }));
}

/** Rows of the cost table for display: seconds and tokens/s as mean ± std over runs. */
export function costDisplayRows(rows: readonly CostRow[]): Record<string, string | number>[] {
  return rows.map((row) => ({
    configuration: row.configuration,
    runs: row.n,
    "train seconds": formatMeanStd(row.trainSeconds, 1),
    "wall seconds": formatMeanStd(row.wallSeconds, 1),
    "tokens/s": formatMeanStd(row.tokensPerSecond, 0),
  }));
}

/**
 * Writes sentences about one experiment table, computed from its numbers: which variant has the
 * best mean, and for each variant whether the paired 95 % interval separates its difference to the
 * baseline from zero. With one seed it states that no interval exists.
 */
export function experimentConclusions(table: ExperimentTable, digits = 3): string[] {
  const sentences: string[] = [];
  const direction = table.lowerIsBetter ? "lower" : "higher";
  const withRuns = table.rows.filter((row) => row.summary !== null);
  const baseline = table.rows.find((row) => row.baseline);
  const baselineLabel = baseline?.label ?? table.baseline;
  if (withRuns.length === 0) return [`No finished runs of ${table.title} for ${table.metric}.`];

  const best = [...withRuns].sort((a, b) => (table.lowerIsBetter ? a.summary!.mean - b.summary!.mean : b.summary!.mean - a.summary!.mean))[0];
  const tied = withRuns.filter((row) => row.summary!.mean === best.summary!.mean);
  if (tied.length === withRuns.length && withRuns.length > 1) {
    sentences.push(`On ${table.metric}, every variant has the same mean, ${formatNumber(best.summary!.mean, digits)}, so this metric does not tell them apart in this run.`);
  } else {
    sentences.push(`On ${table.metric} (${direction} is better), the best mean is ${best.label}: ${formatMeanStd(best.summary!, digits)} over ${best.summary!.n} seed${best.summary!.n === 1 ? "" : "s"}.`);
  }

  const pairs = Math.max(0, ...withRuns.map((row) => row.difference?.n ?? 0));
  if (pairs < 2) {
    sentences.push(`Each comparison with ${baselineLabel} has at most one paired seed, so no interval can be computed: these are single runs, not evidence for or against any variant.`);
    return sentences;
  }

  const separated: string[] = [];
  const unseparated: string[] = [];
  for (const row of table.rows) {
    const difference = row.difference;
    if (!difference || difference.n < 2) continue;
    const text = `${row.label} (Δ = ${formatSigned(difference.meanDifference, digits)}, 95% CI ${formatInterval(difference.lower, difference.upper, digits)}, ${difference.n} pairs)`;
    if (difference.excludesZero) {
      const better = difference.meanDifference < 0 === table.lowerIsBetter;
      separated.push(`${text} is ${better ? "better" : "worse"} than ${baselineLabel}`);
    } else {
      unseparated.push(text);
    }
  }
  if (separated.length > 0) sentences.push(`The interval excludes zero for: ${separated.join("; ")}.`);
  if (unseparated.length > 0) sentences.push(`The interval includes zero, so this run does not separate these from ${baselineLabel}: ${unseparated.join("; ")}.`);
  if (pairs <= 5) sentences.push(`The percentile bootstrap over ${pairs} paired seeds covers less than its nominal 95 % with so few pairs; read the intervals as a rough guide.`);
  return sentences;
}

/**
 * Sentences about a correlation table: each predictor's coefficients per target, and for each
 * target whether the misalignment metric or the validation CE tracks it more closely by |ρ|.
 * `scope` names how the table was computed, e.g. "across runs" or "within seeds".
 */
export function correlationConclusions(rows: readonly CorrelationRow[], scope = "across runs"): string[] {
  const sentences: string[] = [];
  const targets = [...new Set(rows.map((row) => row.target))];
  for (const target of targets) {
    const forTarget = rows.filter((row) => row.target === target);
    const described = forTarget.map((row) =>
      Number.isFinite(row.spearman) ? `${row.predictor}: Spearman ρ = ${row.spearman.toFixed(3)}, Pearson r = ${formatNumber(row.pearson, 3)}` : `${row.predictor}: undefined (${row.n} runs, or a constant metric)`,
    );
    sentences.push(`Against ${target}, ${scope} (${Math.max(...forTarget.map((r) => r.n))} runs): ${described.join("; ")}.`);
    const misalignment = forTarget.find((row) => row.predictor === "misalignment");
    const validation = forTarget.find((row) => row.predictor === "validation_ce");
    if (misalignment && validation && Number.isFinite(misalignment.spearman) && Number.isFinite(validation.spearman)) {
      // Compare at the precision shown, so the sentence never ranks two equal-looking numbers.
      const a = Math.abs(misalignment.spearman).toFixed(3);
      const b = Math.abs(validation.spearman).toFixed(3);
      const stronger = Number(a) > Number(b) ? "misalignment" : Number(a) < Number(b) ? "validation CE" : undefined;
      sentences.push(
        stronger
          ? `For ${target}, ${stronger} has the larger |ρ| (${a} for misalignment against ${b} for validation CE).`
          : `For ${target}, misalignment and validation CE have the same |ρ| to three decimals (${a}).`,
      );
    }
  }
  const smallest = Math.min(...rows.map((row) => row.n));
  if (rows.length > 0 && smallest >= 2 && smallest < 30) {
    // Spearman ρ = 1 − 6·Σd² / (n(n² − 1)); swapping two neighbouring ranks changes Σd² by 2.
    const step = 12 / (smallest * (smallest * smallest - 1));
    sentences.push(`With ${smallest} runs, swapping the ranks of two neighbouring runs moves Spearman ρ by ${step.toFixed(3)}, so small differences between coefficients mean little.`);
  }
  return sentences;
}

/** Sentences as an HTML list, for `showHtml`. */
export function conclusionsHtml(sentences: readonly string[]): string {
  return `<ul class="conclusions">\n${sentences.map((sentence) => `<li>${escapeHtml(sentence)}</li>`).join("\n")}\n</ul>`;
}
