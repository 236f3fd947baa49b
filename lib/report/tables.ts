/**
 * HTML tables from danfo DataFrames or arrays of row objects, with escaping and number formatting.
 * danfo has no `to_html`, so a table is built from `df.columns` and `df.values`.
 */
import { formatMeanStd } from "../stats/describe";
import { ToolkitError, assert, mustBe } from "../util/errors";
import { escapeHtml } from "./html";

/**
 * The two fields of a danfo DataFrame this module reads; any object with them works. danfo types
 * `values` as 1-D or 2-D: a DataFrame's values are rows (arrays), a Series' are single values.
 */
export interface DataFrameLike {
  columns: string[];
  values: readonly unknown[];
}

/** Rows as objects keyed by column, or a DataFrame. */
export type TableSource = readonly Record<string, unknown>[] | DataFrameLike;

export interface TableOptions {
  caption?: string;
  /** Columns to show, in this order (default: all, in first-seen order). */
  columns?: string[];
  /** Header text per column key (default: the key). */
  headers?: Record<string, string>;
  /** Decimals for numbers: one value for all columns or per column key (default 3). */
  digits?: number | Record<string, number>;
}

/** A mean with its sample standard deviation, as `describe` in lib/stats returns. */
interface MeanStd {
  n?: number;
  mean: number;
  std: number;
}

/** A paired difference with its confidence interval, as `pairedBootstrap` in lib/stats returns. */
interface DifferenceWithInterval {
  meanDifference: number;
  lower: number;
  upper: number;
}

/**
 * Formats a number: integers as written, others with `digits` decimals; NaN as an en dash and
 * infinities as ±∞. A non-zero value that would round to zero is written in exponent form
 * (`2.1e-5`), so a tiny difference never reads as exactly 0.
 */
export function formatNumber(value: number, digits = 3): string {
  if (Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  if (Math.abs(value) < 0.5 * 10 ** -digits) return value.toExponential(1);
  return value.toFixed(digits);
}

/** Formats a signed number with an explicit `+` for positive values, e.g. `+0.120`, `-0.031` or `+2.1e-5`. */
export function formatSigned(value: number, digits = 3): string {
  const text = Number.isInteger(value) && Number.isFinite(value) ? value.toFixed(digits) : formatNumber(value, digits);
  return value > 0 ? `+${text}` : text;
}

/** Formats a confidence interval as `[lower, upper]`. */
export function formatInterval(lower: number, upper: number, digits = 3): string {
  return `[${formatSigned(lower, digits)}, ${formatSigned(upper, digits)}]`;
}

/** Formats a paired difference with its interval, e.g. `+0.120 [+0.010, +0.250]`. */
export function formatDifference(difference: DifferenceWithInterval, digits = 3): string {
  return `${formatSigned(difference.meanDifference, digits)} ${formatInterval(difference.lower, difference.upper, digits)}`;
}

function isMeanStd(value: unknown): value is MeanStd {
  return typeof value === "object" && value !== null && typeof (value as MeanStd).mean === "number" && typeof (value as MeanStd).std === "number";
}

function isDifference(value: unknown): value is DifferenceWithInterval {
  const candidate = value as DifferenceWithInterval;
  return typeof value === "object" && value !== null && typeof candidate.meanDifference === "number" && typeof candidate.lower === "number" && typeof candidate.upper === "number";
}

/**
 * Formats one cell as text and reports whether it is numeric (right-aligned). Numbers use
 * `formatNumber`. Objects with `mean` and `std` become `mean ± std` through lib/stats
 * `formatMeanStd`, which shows the mean alone when std is NaN (one seed). Objects with
 * `meanDifference`, `lower` and `upper` become a difference with its interval. null and
 * undefined are empty, and anything else is converted with String.
 */
export function formatCell(value: unknown, digits = 3): { text: string; numeric: boolean } {
  if (value === null || value === undefined) return { text: "", numeric: false };
  if (typeof value === "number") return { text: formatNumber(value, digits), numeric: true };
  if (typeof value === "bigint") return { text: String(value), numeric: true };
  if (isDifference(value)) return { text: formatDifference(value, digits), numeric: true };
  if (isMeanStd(value)) return { text: formatMeanStd({ n: value.n ?? 2, mean: value.mean, std: value.std }, digits), numeric: true };
  if (typeof value === "boolean") return { text: value ? "yes" : "no", numeric: false };
  if (typeof value === "object") return { text: JSON.stringify(value), numeric: false };
  return { text: String(value), numeric: false };
}

function isDataFrameLike(source: TableSource): source is DataFrameLike {
  return !Array.isArray(source) && typeof source === "object" && source !== null && Array.isArray((source as DataFrameLike).columns) && Array.isArray((source as DataFrameLike).values);
}

/** Converts a DataFrame to row objects keyed by column name. */
export function dataFrameRows(frame: DataFrameLike): Record<string, unknown>[] {
  return frame.values.map((row) => {
    const cells = Array.isArray(row) ? row : [row];
    return Object.fromEntries(frame.columns.map((column, i) => [column, cells[i]]));
  });
}

/**
 * Builds an HTML `<table>` with every header and cell escaped. Numeric cells get class `num` so the
 * report stylesheet right-aligns them.
 * @throws ToolkitError when `columns` names a column that no row has.
 */
export function htmlTable(source: TableSource, options: TableOptions = {}): string {
  const rows = isDataFrameLike(source) ? dataFrameRows(source) : [...source];
  const present = isDataFrameLike(source) ? [...source.columns] : [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const columns = options.columns ?? present;
  const missing = columns.filter((column) => !present.includes(column));
  assert(missing.length === 0 || rows.length === 0, () => mustBe("htmlTable", "columns", `names of existing columns (${present.join(", ")})`, missing), ToolkitError);

  const digitsOf = (column: string) => (typeof options.digits === "number" ? options.digits : options.digits?.[column] ?? 3);
  const header = columns.map((column) => `<th>${escapeHtml(options.headers?.[column] ?? column)}</th>`).join("");
  const body = rows.map((row) => {
    const cells = columns.map((column) => {
      const { text, numeric } = formatCell(row[column], digitsOf(column));
      return `<td${numeric ? ' class="num"' : ""}>${escapeHtml(text)}</td>`;
    });
    return `<tr>${cells.join("")}</tr>`;
  });
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>\n` : "";
  return `<table class="lsa-table">\n${caption}<thead><tr>${header}</tr></thead>\n<tbody>\n${body.join("\n")}\n</tbody>\n</table>`;
}
