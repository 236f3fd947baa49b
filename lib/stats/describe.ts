/** Summary statistics of a sample: mean, sample standard deviation, extremes. */

import { ToolkitError, assert, mustBe } from "../util/errors";

/** Mean, spread and extremes of a sample. */
export interface Description {
  n: number;
  mean: number;
  /** Sample standard deviation (divisor n − 1); NaN when n < 2. */
  std: number;
  /** Standard error of the mean, std / √n; NaN when n < 2. */
  sem: number;
  min: number;
  max: number;
}

/**
 * Checks that `values` is a non-empty list of finite numbers.
 * @throws ToolkitError naming the first bad entry.
 */
export function checkSample(where: string, name: string, values: readonly number[]): void {
  assert(Array.isArray(values) && values.length > 0, () => mustBe(where, name, "a non-empty array of numbers", values), ToolkitError);
  const bad = values.findIndex((value) => typeof value !== "number" || !Number.isFinite(value));
  assert(bad < 0, () => mustBe(where, `${name}[${bad}]`, "a finite number", values[bad]), ToolkitError);
}

/** Arithmetic mean, summed in float64. */
export function mean(values: readonly number[]): number {
  checkSample("mean", "values", values);
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

/** Sample standard deviation with divisor n − 1 (two-pass, so large offsets lose no precision); NaN for one value. */
export function std(values: readonly number[]): number {
  checkSample("std", "values", values);
  if (values.length < 2) return NaN;
  const center = mean(values);
  let squares = 0;
  for (const value of values) squares += (value - center) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** Mean, sample standard deviation, standard error and extremes of `values`. */
export function describe(values: readonly number[]): Description {
  checkSample("describe", "values", values);
  const deviation = std(values);
  return {
    n: values.length,
    mean: mean(values),
    std: deviation,
    sem: deviation / Math.sqrt(values.length),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/**
 * Formats `mean ± std` with `digits` decimals; a single value is shown without the ± part.
 * An empty description (n = 0) formats as an en dash.
 */
export function formatMeanStd(description: Pick<Description, "n" | "mean" | "std">, digits = 3): string {
  if (description.n === 0) return "–";
  if (!Number.isFinite(description.std)) return description.mean.toFixed(digits);
  return `${description.mean.toFixed(digits)} ± ${description.std.toFixed(digits)}`;
}
