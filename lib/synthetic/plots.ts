import { escapeHtml } from "../report/html";
import { plotHtml, plotlyBundleHtml as sharedPlotlyBundleHtml, type Figure } from "../report/plotly";
import type { LengthRange } from "./tasks";
import { constantMeanMse } from "./tasks";
import type { SummaryRow } from "./summary";

/**
 * Minimal report helpers for the synthetic experiment: plotly figure JSON and HTML tables. They
 * return data and strings only, so they run in tests and scripts as well as in a tslab notebook,
 * where the caller passes the strings to `tslab.display.html`.
 */

/** A plotly figure as `Plotly.newPlot` takes it. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** One curve of test MSE against length, with the spread over seeds. */
export interface MseSeries {
  name: string;
  /** Points in increasing length; lengths where the model cannot run are left out. */
  points: { length: number; mean: number; min: number; max: number }[];
}

/**
 * Curves from summary rows: one per distinct `nameOf(row)` among the rows that `include` keeps,
 * skipping rows without a score (not applicable lengths).
 */
export function seriesFromSummary(
  summary: readonly SummaryRow[],
  include: (row: SummaryRow) => boolean,
  nameOf: (row: SummaryRow) => string,
): MseSeries[] {
  const byName = new Map<string, MseSeries>();
  for (const row of summary) {
    if (!include(row) || row.meanMse === null || row.minMse === null || row.maxMse === null) continue;
    const name = nameOf(row);
    let series = byName.get(name);
    if (!series) {
      series = { name, points: [] };
      byName.set(name, series);
    }
    series.points.push({ length: row.length, mean: row.meanMse, min: row.minMse, max: row.maxMse });
  }
  for (const series of byName.values()) series.points.sort((a, b) => a.length - b.length);
  return [...byName.values()];
}

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

/** Options of `mseByLengthFigure`. */
export interface MseFigureOptions {
  title: string;
  /** Shaded as the training range. */
  trainRange: LengthRange;
  /** Draw the 0.25/l score of always predicting 1/2 (meaningful for the mean task only). */
  showConstantMeanFloor?: boolean;
  yTitle?: string;
}

/**
 * Builds a figure of test MSE against length on a log y axis. Each series is a line of its mean
 * over seeds above a shaded min–max band. The training range is a shaded rectangle, and the 0.25/l
 * floor of always predicting 1/2 is an optional dashed line. The band spans min–max rather than
 * ±std, because mean − std can be negative, which a log axis cannot draw.
 */
export function mseByLengthFigure(series: readonly MseSeries[], options: MseFigureOptions): PlotlyFigure {
  const data: Record<string, unknown>[] = [];
  series.forEach((entry, index) => {
    const color = COLORS[index % COLORS.length];
    const lengths = entry.points.map((point) => point.length);
    // Band: the max edge, then the min edge filled up to it; both hidden from the legend.
    data.push({
      type: "scatter",
      mode: "lines",
      x: lengths,
      y: entry.points.map((point) => point.max),
      line: { width: 0, color },
      hoverinfo: "skip",
      showlegend: false,
      legendgroup: entry.name,
    });
    data.push({
      type: "scatter",
      mode: "lines",
      x: lengths,
      y: entry.points.map((point) => point.min),
      fill: "tonexty",
      fillcolor: withAlpha(color, 0.2),
      line: { width: 0, color },
      hoverinfo: "skip",
      showlegend: false,
      legendgroup: entry.name,
    });
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: entry.name,
      x: lengths,
      y: entry.points.map((point) => point.mean),
      line: { color, width: 2 },
      marker: { size: 4 },
      legendgroup: entry.name,
    });
  });

  const allLengths = [...new Set(series.flatMap((entry) => entry.points.map((point) => point.length)))].sort((a, b) => a - b);
  if (options.showConstantMeanFloor && allLengths.length > 0) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: "always 1/2 (0.25/l)",
      x: allLengths,
      y: allLengths.map((length) => constantMeanMse(length)),
      line: { color: "black", dash: "dash", width: 1.5 },
    });
  }

  return {
    data,
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: "test length (bits)" } },
      yaxis: { title: { text: options.yTitle ?? "test MSE" }, type: "log", exponentformat: "power" },
      shapes: [trainingRangeShape(options.trainRange)],
      annotations: [
        {
          x: (options.trainRange.min + options.trainRange.max) / 2,
          y: 1,
          xref: "x",
          yref: "paper",
          yanchor: "bottom",
          text: "training lengths",
          showarrow: false,
        },
      ],
      legend: { orientation: "h", y: -0.2 },
      margin: { t: 60 },
    },
  };
}

/**
 * Builds a figure of the mean inverted prediction against length for the length task, one line
 * per series. The correct value y = length is a dashed line and the training range is shaded. A
 * model that cannot extrapolate shows a line that flattens near the maximum training length.
 */
export function predictionByLengthFigure(
  summary: readonly SummaryRow[],
  include: (row: SummaryRow) => boolean,
  nameOf: (row: SummaryRow) => string,
  options: { title: string; trainRange: LengthRange },
): PlotlyFigure {
  const lines = new Map<string, { x: number[]; y: number[] }>();
  for (const row of summary) {
    if (!include(row) || row.meanPrediction === null) continue;
    const name = nameOf(row);
    const line = lines.get(name) ?? { x: [], y: [] };
    line.x.push(row.length);
    line.y.push(row.meanPrediction);
    lines.set(name, line);
  }
  const data: Record<string, unknown>[] = [...lines.entries()].map(([name, line], index) => ({
    type: "scatter",
    mode: "lines+markers",
    name,
    x: line.x,
    y: line.y,
    line: { color: COLORS[index % COLORS.length], width: 2 },
    marker: { size: 4 },
  }));
  const lengths = [...new Set([...lines.values()].flatMap((line) => line.x))].sort((a, b) => a - b);
  data.push({
    type: "scatter",
    mode: "lines",
    name: "correct (y = length)",
    x: lengths,
    y: lengths,
    line: { color: "black", dash: "dash", width: 1.5 },
  });
  return {
    data,
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: "test length (bits)" } },
      yaxis: { title: { text: "mean predicted length" } },
      shapes: [trainingRangeShape(options.trainRange)],
      legend: { orientation: "h", y: -0.2 },
      margin: { t: 60 },
    },
  };
}

function trainingRangeShape(range: LengthRange): Record<string, unknown> {
  return {
    type: "rect",
    xref: "x",
    yref: "paper",
    x0: range.min,
    x1: range.max,
    y0: 0,
    y1: 1,
    fillcolor: "rgba(128, 128, 128, 0.15)",
    line: { width: 0 },
    layer: "below",
  };
}

function withAlpha(hex: string, alpha: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

/**
 * HTML that draws `figure` into a new `<div>` whose id is `id` with characters other than letters,
 * digits, `_` and `-` replaced by `_`. It is the report module's `plotHtml`, so the page must
 * already have loaded the plotly bundle (see `plotlyBundleHtml`).
 */
export function plotlyHtml(figure: PlotlyFigure, id: string, height = 420): string {
  return plotHtml(figure as Figure, { id: id.replace(/[^A-Za-z0-9_-]/g, "_"), height });
}

/**
 * Returns a `<script>` element that inlines the plotly.js bundle, so figures draw without network
 * access. It is the report module's loader: the minified bundle, marked so that the report
 * renderer replaces it with the shared `plotly.min.js`.
 */
export const plotlyBundleHtml = sharedPlotlyBundleHtml;

/** The part of a danfo DataFrame that `dataFrameHtml` reads. */
export interface TableLike {
  columns: string[];
  values: unknown[] | unknown[][];
}

export { escapeHtml };

/**
 * Renders a danfo DataFrame (any object with `columns` and row-major `values`) as an HTML
 * `<table>`. Numbers go through `formatNumber`, and null, undefined and NaN (danfo's missing
 * value) become `n/a`. Every cell is escaped.
 */
export function dataFrameHtml(
  frame: TableLike,
  formatNumber: (value: number) => string = (value) => value.toExponential(2),
): string {
  const cell = (value: unknown) =>
    escapeHtml(
      value === null || value === undefined || Number.isNaN(value)
        ? "n/a"
        : typeof value === "number"
          ? formatNumber(value)
          : String(value),
    );
  const rows = (frame.values as unknown[]).map((row) => (Array.isArray(row) ? row : [row]));
  const head = frame.columns.map((column) => `<th>${escapeHtml(String(column))}</th>`).join("");
  const body = rows.map((row) => `<tr>${row.map((value) => `<td>${cell(value)}</td>`).join("")}</tr>`).join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
