import type { PositionEncoding } from "../model/config";
import type { RunResult } from "./experiment";
import { TARGET_TRANSFORMS, constantMeanMse, type LengthRange, type SyntheticTask, type TargetTransformName } from "./tasks";

/** Test scores of one task, transform, position encoding and length, aggregated over seeds. */
export interface SummaryRow {
  task: SyntheticTask;
  transform: TargetTransformName;
  position: PositionEncoding;
  /** Task and transform for tables and legends, for example `length √x`. */
  variant: string;
  length: number;
  /** Seeds with a score at this length. */
  seeds: number;
  /** False where the position encoding cannot run at this length; every number below is then null. */
  applicable: boolean;
  /** Mean over seeds of the original-scale MSE. */
  meanMse: number | null;
  /** Population standard deviation over seeds of the original-scale MSE. */
  stdMse: number | null;
  minMse: number | null;
  maxMse: number | null;
  /** Mean over seeds of the MSE in the transformed target space. */
  meanTransformedMse: number | null;
  /** Mean over seeds of the mean inverted prediction. */
  meanPrediction: number | null;
}

/** Name of a task and transform for tables and legends: `mean`, `length x`, `length √x`, … */
export function variantName(task: SyntheticTask, transform: TargetTransformName): string {
  return task === "mean" ? "mean" : `length ${TARGET_TRANSFORMS[transform].label}`;
}

/**
 * Aggregates results over seeds: one row per task, transform, position encoding and test length,
 * in the order the configurations first appear.
 */
export function summarize(results: readonly RunResult[]): SummaryRow[] {
  const groups = new Map<string, { result: RunResult; mse: number[]; transformed: number[]; predictions: number[]; length: number }>();
  for (const result of results) {
    const { task, transform, position } = result.config;
    for (const score of result.scores) {
      const key = `${task}|${transform}|${position}|${score.length}`;
      let group = groups.get(key);
      if (!group) {
        group = { result, mse: [], transformed: [], predictions: [], length: score.length };
        groups.set(key, group);
      }
      if (score.applicable && score.mse !== null) {
        group.mse.push(score.mse);
        if (score.transformedMse !== null) group.transformed.push(score.transformedMse);
        if (score.meanPrediction !== null) group.predictions.push(score.meanPrediction);
      }
    }
  }

  const rows: SummaryRow[] = [];
  for (const group of groups.values()) {
    const { task, transform, position } = group.result.config;
    const applicable = group.mse.length > 0;
    const mean = applicable ? average(group.mse) : null;
    rows.push({
      task,
      transform,
      position,
      variant: variantName(task, transform),
      length: group.length,
      seeds: group.mse.length,
      applicable,
      meanMse: mean,
      stdMse: mean === null ? null : Math.sqrt(average(group.mse.map((value) => (value - mean) ** 2))),
      minMse: applicable ? Math.min(...group.mse) : null,
      maxMse: applicable ? Math.max(...group.mse) : null,
      meanTransformedMse: group.transformed.length > 0 ? average(group.transformed) : null,
      meanPrediction: group.predictions.length > 0 ? average(group.predictions) : null,
    });
  }
  return rows;
}

function average(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

/** Finds the summary row of one task, transform, position encoding and length, if the grid has it. */
export function findRow(
  summary: readonly SummaryRow[],
  task: SyntheticTask,
  transform: TargetTransformName,
  position: PositionEncoding,
  length: number,
): SummaryRow | undefined {
  return summary.find(
    (row) => row.task === task && row.transform === transform && row.position === position && row.length === length,
  );
}

/** One row of the wide MSE table: a variant and position encoding, with a column per length. */
export type MseTableRow = { variant: string; position: string } & Record<string, string | number | null>;

/**
 * Wide table of mean MSE over seeds: one row per variant and position encoding, one column
 * `l=<length>` per requested length (null where not applicable or not scored). A last row gives
 * the 0.25/l score of always predicting 1/2 on the mean task, for comparison.
 */
export function mseTable(summary: readonly SummaryRow[], lengths: readonly number[]): MseTableRow[] {
  const table: MseTableRow[] = [];
  const seen = new Set<string>();
  for (const row of summary) {
    const key = `${row.task}|${row.transform}|${row.position}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const entry: MseTableRow = { variant: row.variant, position: row.position };
    for (const length of lengths) {
      entry[`l=${length}`] = findRow(summary, row.task, row.transform, row.position, length)?.meanMse ?? null;
    }
    table.push(entry);
  }
  if (summary.some((row) => row.task === "mean")) {
    const floor: MseTableRow = { variant: "mean: always 1/2", position: "-" };
    for (const length of lengths) floor[`l=${length}`] = constantMeanMse(length);
    table.push(floor);
  }
  return table;
}

/** Formats the wide MSE table as aligned text, numbers in 3-digit scientific notation, n/a for null. */
export function formatMseTable(rows: readonly MseTableRow[]): string {
  if (rows.length === 0) return "(no results)";
  const columns = Object.keys(rows[0]);
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i].length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i])).join("  ").trimEnd();
  return [line(columns), line(widths.map((width) => "-".repeat(width))), ...cells.map(line)].join("\n");
}

function formatCell(value: string | number | null): string {
  if (value === null) return "n/a";
  if (typeof value === "number") return value.toExponential(2);
  return value;
}

/**
 * Sentences that state what this grid's numbers show: mean-task MSE against the 0.25/l floor, the
 * length task inside and past the training range, and each length transform against the raw
 * target. Every number comes from `summary`.
 */
export function conclusions(summary: readonly SummaryRow[], trainRange: LengthRange): string[] {
  const lines: string[] = [];
  const lengths = [...new Set(summary.map((row) => row.length))].sort((a, b) => a - b);
  const longest = lengths[lengths.length - 1];
  const inRange = lengths.filter((length) => length <= trainRange.max);
  const edge = inRange[inRange.length - 1];
  const positions = [...new Set(summary.map((row) => row.position))];
  const fmt = (value: number) => value.toExponential(2);
  if (longest === undefined) return ["No results to summarize."];

  const meanRows = positions
    .map((position) => findRow(summary, "mean", "identity", position, longest))
    .filter((row): row is SummaryRow => row !== undefined && row.meanMse !== null);
  for (const row of meanRows) {
    const floor = constantMeanMse(longest);
    const ratio = floor / (row.meanMse as number);
    lines.push(
      `Mean task, ${row.position}: test MSE at length ${longest} is ${fmt(row.meanMse as number)}, ` +
        (ratio >= 1 ? `${ratio.toFixed(1)}× below` : `${(1 / ratio).toFixed(1)}× above`) +
        ` the ${fmt(floor)} of always predicting 1/2 (mean over ${row.seeds} seeds).`,
    );
  }
  if (meanRows.length > 1) {
    const best = meanRows.reduce((a, b) => ((a.meanMse as number) <= (b.meanMse as number) ? a : b));
    lines.push(`Lowest mean-task MSE at length ${longest}: ${best.position} (${fmt(best.meanMse as number)}).`);
  }

  const notApplicable = positions.filter((position) =>
    summary.some((row) => row.position === position && row.length === longest && !row.applicable),
  );
  if (notApplicable.length > 0) {
    lines.push(`${notApplicable.join(", ")} cannot run past length ${trainRange.max} (its position table ends there), so it has no score at longer lengths.`);
  }

  for (const position of positions) {
    const atEdge = edge === undefined ? undefined : findRow(summary, "length", "identity", position, edge);
    const atEnd = findRow(summary, "length", "identity", position, longest);
    if (atEdge?.meanMse == null || atEnd?.meanMse == null) continue;
    lines.push(
      `Length task (raw target), ${position}: MSE ${fmt(atEdge.meanMse)} at length ${edge} and ${fmt(atEnd.meanMse)} at length ${longest}; ` +
        `the mean prediction at length ${longest} is ${(atEnd.meanPrediction ?? NaN).toFixed(1)}.`,
    );
  }

  // The two targets live on different scales, so compare root MSE relative to the target's size:
  // 1/2 for the mean, the length itself for the length task.
  const relative: string[] = [];
  for (const position of positions) {
    const mean = findRow(summary, "mean", "identity", position, longest)?.meanMse;
    const length = findRow(summary, "length", "identity", position, longest)?.meanMse;
    if (mean == null || length == null) continue;
    const percent = (mse: number, scale: number) => `${((100 * Math.sqrt(mse)) / scale).toPrecision(2)}%`;
    relative.push(`${position} ${percent(mean, 0.5)} (mean) vs ${percent(length, longest)} (length)`);
  }
  if (relative.length > 0) {
    lines.push(`Root MSE at length ${longest} relative to the target (1/2 for mean, ${longest} for length): ${relative.join("; ")}.`);
  }

  for (const transform of ["sqrt", "log", "inverseSqrt"] as const) {
    const compared: string[] = [];
    let lower = 0;
    for (const position of positions) {
      const raw = findRow(summary, "length", "identity", position, longest)?.meanMse;
      const changed = findRow(summary, "length", transform, position, longest)?.meanMse;
      if (raw == null || changed == null) continue;
      if (changed < raw) lower += 1;
      compared.push(`${position} ${fmt(changed)} (${(changed / raw).toFixed(2)}× the raw target's)`);
    }
    if (compared.length === 0) continue;
    lines.push(
      `Length target ${TARGET_TRANSFORMS[transform].label}, MSE at length ${longest}: lower than with the raw target for ` +
        `${lower} of ${compared.length} position encodings: ${compared.join("; ")}.`,
    );
  }
  return lines;
}
