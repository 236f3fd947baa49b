/**
 * Plotly figures for the study notebooks and reports, built as plain JSON (`{data, layout}`), and
 * the HTML that draws them: one `<div>` plus a `Plotly.newPlot` script per figure, after the Plotly
 * bundle has been loaded once per page.
 *
 * plotly.js is a browser package: `require("plotly.js-dist")` fails in Node ("self is not
 * defined"), so the bundle is read as text and sent to the page, never run here.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { transformSync } from "esbuild";
import { correlation } from "../stats/correlation";
import { ToolkitError, assert, mustBe } from "../util/errors";
import { configHash } from "../util/hash";
import { escapeHtml } from "./html";

/** One Plotly trace; the fields follow plotly.js's figure reference. */
export type PlotlyTrace = Record<string, unknown>;

/** A Plotly figure as JSON. */
export interface Figure {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
}

/** One point of a curve over context length: the mean over seeds and its spread. */
export interface LengthPoint {
  /** Context length in tokens. */
  length: number;
  mean: number;
  /** Sample standard deviation over seeds; NaN or undefined draws no error bar. */
  std?: number;
}

/** One variant's curve (for example `baseline` or `α = 0.3`). */
export interface VariantCurve {
  variant: string;
  points: LengthPoint[];
}

const BASE_LAYOUT = {
  font: { family: "system-ui, sans-serif", size: 13 },
  margin: { l: 70, r: 20, t: 70, b: 110 },
  // Below the x-axis title, so long legends never cover it.
  legend: { orientation: "h", y: -0.3, yanchor: "top" },
  hovermode: "closest",
};

/** Layout of a figure with many legend entries: a vertical legend right of the plot. */
const SIDE_LEGEND = { legend: { orientation: "v", x: 1.02, y: 1, yanchor: "top" }, margin: { l: 70, r: 20, t: 70, b: 60 } };

/** Turns NaN and ±Infinity into null, which Plotly treats as a missing value, so JSON stays valid. */
function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/**
 * Perplexity (or any metric) against context length, one line per variant, with ± std error
 * bars. The x axis is log-scaled with a tick at every evaluated length, and a dashed vertical line
 * marks the training length when `lTrain` is given.
 */
export function perplexityByLengthFigure(
  curves: VariantCurve[],
  options: { lTrain?: number; title?: string; yTitle?: string; logY?: boolean } = {},
): Figure {
  assert(curves.length > 0, () => mustBe("perplexityByLengthFigure", "curves", "a non-empty list of variants", curves), ToolkitError);
  const lengths = [...new Set(curves.flatMap((curve) => curve.points.map((p) => p.length)))].sort((a, b) => a - b);
  const data = curves.map((curve) => {
    const points = [...curve.points].sort((a, b) => a.length - b.length);
    return {
      type: "scatter",
      mode: "lines+markers",
      name: curve.variant,
      x: points.map((p) => p.length),
      y: points.map((p) => finiteOrNull(p.mean)),
      error_y: { type: "data", array: points.map((p) => finiteOrNull(p.std)), visible: true },
      hovertemplate: `${escapeHtml(curve.variant)}<br>length %{x}<br>%{y:.3f} ± %{error_y.array:.3f}<extra></extra>`,
    };
  });
  const shapes = options.lTrain
    ? [{ type: "line", xref: "x", yref: "paper", x0: options.lTrain, x1: options.lTrain, y0: 0, y1: 1, line: { dash: "dash", color: "#888", width: 1 } }]
    : [];
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: options.title ?? "Perplexity by context length" },
      xaxis: { title: { text: "context length (tokens)" }, type: "log", tickvals: lengths, ticktext: lengths.map(String) },
      yaxis: { title: { text: options.yTitle ?? "perplexity" }, type: options.logY ? "log" : "linear" },
      shapes,
      annotations: options.lTrain
        ? [{ x: Math.log10(options.lTrain), xref: "x", yref: "paper", y: 1, text: "lTrain", showarrow: false, yanchor: "bottom", font: { size: 11, color: "#666" } }]
        : [],
    },
  };
}

/** One series of `errorLineFigure`: points with a mean and a std over seeds. */
export interface ErrorLineSeries {
  name: string;
  points: { x: number; mean: number; std?: number }[];
}

/**
 * Lines with ± std error bars against a numeric x, such as a metric against α. One trace per
 * series; points are sorted by x.
 */
export function errorLineFigure(series: ErrorLineSeries[], options: { xTitle: string; yTitle: string; title?: string; logX?: boolean }): Figure {
  assert(series.length > 0, () => mustBe("errorLineFigure", "series", "a non-empty list", series), ToolkitError);
  const data = series.map((line) => {
    const points = [...line.points].sort((a, b) => a.x - b.x);
    return {
      type: "scatter",
      mode: "lines+markers",
      name: line.name,
      x: points.map((p) => p.x),
      y: points.map((p) => finiteOrNull(p.mean)),
      error_y: { type: "data", array: points.map((p) => finiteOrNull(p.std)), visible: true },
    };
  });
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: escapeHtml(options.title ?? `${options.yTitle} against ${options.xTitle}`) },
      xaxis: options.logX
        ? { title: { text: options.xTitle }, type: "log", tickvals: distinctSorted(series.flatMap((line) => line.points.map((p) => p.x))) }
        : { title: { text: options.xTitle }, type: "linear" },
      yaxis: { title: { text: options.yTitle } },
    },
  };
}

function distinctSorted(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** A mean with an interval that need not be symmetric, such as a bootstrap CI. */
export interface IntervalPoint {
  x: number;
  mean: number;
  lower: number;
  upper: number;
}

/** One series of `differenceByLengthFigure`. */
export interface IntervalSeries {
  name: string;
  points: IntervalPoint[];
}

/**
 * Paired differences to a baseline against context length, one line per variant, with asymmetric
 * error bars from `lower` to `upper` and a line at zero. x is log-scaled with a tick at every
 * length; a dashed vertical line marks lTrain when given.
 */
export function differenceByLengthFigure(series: IntervalSeries[], options: { lTrain?: number; title?: string; yTitle?: string } = {}): Figure {
  assert(series.length > 0, () => mustBe("differenceByLengthFigure", "series", "a non-empty list of variants", series), ToolkitError);
  const lengths = distinctSorted(series.flatMap((line) => line.points.map((p) => p.x)));
  const data = series.map((line) => {
    const points = [...line.points].sort((a, b) => a.x - b.x);
    return {
      type: "scatter",
      mode: "lines+markers",
      name: line.name,
      x: points.map((p) => p.x),
      y: points.map((p) => finiteOrNull(p.mean)),
      error_y: {
        type: "data",
        symmetric: false,
        array: points.map((p) => finiteOrNull(p.upper - p.mean)),
        arrayminus: points.map((p) => finiteOrNull(p.mean - p.lower)),
        visible: true,
      },
    };
  });
  const zero = { type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: 0, y1: 0, line: { color: "#444", width: 1 } };
  const train = options.lTrain
    ? [{ type: "line", xref: "x", yref: "paper", x0: options.lTrain, x1: options.lTrain, y0: 0, y1: 1, line: { dash: "dash", color: "#888", width: 1 } }]
    : [];
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: escapeHtml(options.title ?? "Paired difference to the baseline by context length") },
      xaxis: { title: { text: "context length (tokens)" }, type: "log", tickvals: lengths, ticktext: lengths.map(String) },
      yaxis: { title: { text: options.yTitle ?? "Δ perplexity (variant − baseline)" }, zeroline: false },
      shapes: [zero, ...train],
    },
  };
}

/** One bar: a variant's mean score in one length bucket, with its std over seeds. */
export interface BucketScore {
  bucket: string;
  variant: string;
  mean: number;
  std?: number;
}

/**
 * Grouped bars of scores per length bucket, one colour per variant, with ± std error bars. Buckets
 * keep the order of their first appearance in `rows`.
 */
export function bucketScoreFigure(rows: BucketScore[], options: { title?: string; yTitle?: string } = {}): Figure {
  assert(rows.length > 0, () => mustBe("bucketScoreFigure", "rows", "a non-empty list of bucket scores", rows), ToolkitError);
  const buckets = [...new Set(rows.map((row) => row.bucket))];
  const variants = [...new Set(rows.map((row) => row.variant))];
  const data = variants.map((variant) => {
    const byBucket = new Map(rows.filter((row) => row.variant === variant).map((row) => [row.bucket, row]));
    return {
      type: "bar",
      name: variant,
      x: buckets,
      y: buckets.map((bucket) => finiteOrNull(byBucket.get(bucket)?.mean)),
      error_y: { type: "data", array: buckets.map((bucket) => finiteOrNull(byBucket.get(bucket)?.std)), visible: true },
    };
  });
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      barmode: "group",
      title: { text: options.title ?? "Score by length bucket" },
      xaxis: { title: { text: "length bucket" }, type: "category" },
      // Scores are never negative, so the axis starts at zero even when every bar is zero.
      yaxis: { title: { text: options.yTitle ?? "score" }, rangemode: "tozero" },
    },
  };
}

/** One point of a correlation scatter, e.g. one trained model. */
export interface ScatterPoint {
  x: number;
  y: number;
  /** Shown on hover, e.g. the variant and seed. */
  label?: string;
  /** Points of one group share a colour and a legend entry. */
  group?: string;
}

/** Least-squares line y = intercept + slope·x; undefined with fewer than 2 points or constant x. */
export function leastSquaresFit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } | undefined {
  if (points.length < 2) return undefined;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}

/**
 * Builds a scatter of y against x with the least-squares fit line. The title carries Pearson's r
 * and Spearman's ρ of all points. Points with a non-finite coordinate are left out.
 */
export function correlationFigure(points: ScatterPoint[], options: { xTitle: string; yTitle: string; title?: string }): Figure {
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  assert(finite.length > 0, () => mustBe("correlationFigure", "points", "a list with at least one finite (x, y) point", points), ToolkitError);
  const groups = [...new Set(finite.map((p) => p.group ?? ""))];
  const data: PlotlyTrace[] = groups.map((group) => {
    const members = finite.filter((p) => (p.group ?? "") === group);
    return {
      type: "scatter",
      mode: "markers",
      name: group || "runs",
      x: members.map((p) => p.x),
      y: members.map((p) => p.y),
      text: members.map((p) => p.label ?? ""),
      marker: { size: 9 },
      hovertemplate: "%{text}<br>x %{x:.4g}<br>y %{y:.4g}<extra></extra>",
    };
  });

  const fit = leastSquaresFit(finite);
  if (fit) {
    const xs = finite.map((p) => p.x);
    const x0 = Math.min(...xs);
    const x1 = Math.max(...xs);
    data.push({
      type: "scatter",
      mode: "lines",
      name: "least-squares fit",
      x: [x0, x1],
      y: [fit.intercept + fit.slope * x0, fit.intercept + fit.slope * x1],
      line: { dash: "dot", color: "#444" },
      hoverinfo: "skip",
    });
  }

  const stats = finite.length >= 2 ? correlation(finite.map((p) => p.x), finite.map((p) => p.y)) : undefined;
  const coefficients = stats ? `Pearson r = ${formatCoefficient(stats.pearson)}, Spearman ρ = ${formatCoefficient(stats.spearman)}, n = ${stats.n}` : `n = ${finite.length}`;
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      ...(groups.length > 4 ? SIDE_LEGEND : {}),
      title: { text: `${escapeHtml(options.title ?? `${options.yTitle} against ${options.xTitle}`)}<br><sub>${coefficients}</sub>` },
      xaxis: { title: { text: options.xTitle } },
      yaxis: { title: { text: options.yTitle } },
    },
  };
}

function formatCoefficient(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : "undefined";
}

/** JSON that is safe inside an HTML `<script>`: `</` and the JS line separators are escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/<\//g, "<\\/")
    .replace(/<!--/g, "<\\!--")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

let plotCounter = 0;

/**
 * Builds the HTML that draws `figure`: a `<div>` and a script calling `Plotly.newPlot`. The page
 * must load the Plotly bundle first (`plotlyBundleHtml` in a notebook, a `<script src>` in a
 * report). Without it the div shows a message instead of staying blank.
 */
export function plotHtml(figure: Figure, options: { id?: string; height?: number } = {}): string {
  const id = options.id ?? `lsa-plot-${configHash(figure, 8)}-${++plotCounter}`;
  const height = options.height ?? 450;
  const layout = { height, ...figure.layout };
  return (
    `<div id="${escapeHtml(id)}" class="lsa-plot" style="width: 100%; height: ${height}px;"></div>\n` +
    `<script>(function () {\n` +
    `  var element = document.getElementById(${scriptJson(id)});\n` +
    `  if (typeof window.Plotly === "undefined") { element.textContent = "Plotly is not loaded: run the cell that loads the Plotly bundle first."; return; }\n` +
    `  window.Plotly.newPlot(element, ${scriptJson(figure.data)}, ${scriptJson(layout)}, {responsive: true, displaylogo: false});\n` +
    `})();</script>`
  );
}

/** The plotly.js-dist version in node_modules. */
export function plotlyVersion(): string {
  return (JSON.parse(readFileSync(require.resolve("plotly.js-dist/package.json"), "utf8")) as { version: string }).version;
}

/**
 * Returns the minified Plotly bundle as text. plotly.js-dist ships only the 10 MB unminified
 * build, so it is minified once with esbuild (about 4.8 MB for 4.1.1) and cached in
 * `node_modules/.cache/lsa-plotly/plotly-<version>.min.js`. Licence comments are kept at the end.
 */
export function plotlyBundleText(): string {
  const packageDir = dirname(require.resolve("plotly.js-dist/package.json"));
  const version = plotlyVersion();
  const cachePath = join(packageDir, "..", ".cache", "lsa-plotly", `plotly-${version}.min.js`);
  if (existsSync(cachePath)) return readFileSync(cachePath, "utf8");

  const source = readFileSync(join(packageDir, "plotly.js"), "utf8");
  const minified = transformSync(source, { minify: true, legalComments: "eof", loader: "js" }).code;
  mkdirSync(dirname(cachePath), { recursive: true });
  // Write then rename, so a parallel process never reads a half-written file.
  const partial = `${cachePath}.${process.pid}.tmp`;
  writeFileSync(partial, minified);
  renameSync(partial, cachePath);
  return minified;
}

/** Attribute that marks the output loading the Plotly bundle, so the report renderer can replace it with a shared file. */
export const PLOTLY_BUNDLE_ATTRIBUTE = "data-lsa-plotly-bundle";

/**
 * Builds a `<script>` element with the whole Plotly bundle inlined, for a notebook cell that runs
 * before any plot. Bundle 4.x assigns `window.Plotly` itself.
 */
export function plotlyBundleHtml(): string {
  const code = plotlyBundleText().replace(/<\/script/gi, "<\\/script").replace(/<!--/g, "<\\!--");
  return `<script ${PLOTLY_BUNDLE_ATTRIBUTE}="${plotlyVersion()}">${code}</script>`;
}
