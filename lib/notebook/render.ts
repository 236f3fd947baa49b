/**
 * Renders an executed notebook as one HTML report page: Markdown cells rendered, code cells as
 * escaped source, and their outputs (HTML inlined, text escaped, images as data URLs). The output
 * that inlines the Plotly bundle is replaced by `<script src="plotly.min.js">`, so every report of
 * a run shares one copy of the bundle.
 */
import { PLOTLY_BUNDLE_ATTRIBUTE } from "../report/plotly";
import { escapeHtml, reportPage, type ReportProvenance } from "../report/html";
import { joinText, type Notebook, type NotebookOutput } from "./format";
import { renderMarkdown } from "./markdown";

export interface RenderOptions {
  /** Page title (default: the text of the first level-1 Markdown heading, else "Notebook"). */
  title?: string;
  provenance?: ReportProvenance;
  /** URL of the shared Plotly bundle relative to the page (default `plotly.min.js`). */
  plotlySrc?: string;
  /** Show code cell sources (default true). */
  showCode?: boolean;
}

const MARKED_BUNDLE = new RegExp(`^\\s*<script\\b[^>]*\\b${PLOTLY_BUNDLE_ATTRIBUTE}\\b`);
/** An unmarked `<script>` whose text starts with plotly.js's licence header, as plotly.js-dist ships it. */
const PLAIN_BUNDLE = /^\s*<script>\s*\/\*\*?\s*\*?\s*plotly\.js v\d/;

/**
 * True for a display output that inlines the Plotly bundle: one made by `plotlyBundleHtml` (marked
 * with an attribute), or a bare `<script>` holding plotly.js-dist's file, which starts with its
 * `plotly.js v…` header.
 */
export function isPlotlyBundleOutput(output: NotebookOutput): boolean {
  if (output.output_type !== "display_data" && output.output_type !== "execute_result") return false;
  const html = output.data["text/html"];
  if (html === undefined) return false;
  const start = joinMime(html).slice(0, 500);
  return MARKED_BUNDLE.test(start) || PLAIN_BUNDLE.test(start);
}

function joinMime(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.join("");
  return JSON.stringify(value, null, 2);
}

/** Removes terminal colour codes, which tracebacks and some loggers contain. */
function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

/** Renders one output as HTML. Rich MIME types win over plain text, in Jupyter's order of preference. */
export function renderOutput(output: NotebookOutput, plotlySrc = "plotly.min.js"): string {
  switch (output.output_type) {
    case "stream":
      return `<pre class="stream ${output.name}">${escapeHtml(stripAnsi(joinMime(output.text)))}</pre>`;
    case "error": {
      const text = [`${output.ename}: ${output.evalue}`, ...output.traceback].join("\n");
      return `<pre class="error">${escapeHtml(stripAnsi(text))}</pre>`;
    }
    case "display_data":
    case "execute_result": {
      if (isPlotlyBundleOutput(output)) return `<script src="${escapeHtml(plotlySrc)}"></script>`;
      const data = output.data;
      if (data["text/html"] !== undefined) return joinMime(data["text/html"]);
      if (data["image/svg+xml"] !== undefined) return joinMime(data["image/svg+xml"]);
      for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
        if (data[mime] !== undefined) return `<img src="data:${mime};base64,${escapeHtml(joinMime(data[mime]).replace(/\s/g, ""))}" alt="">`;
      }
      if (data["text/markdown"] !== undefined) return renderMarkdown(joinMime(data["text/markdown"]));
      if (data["application/json"] !== undefined) return `<pre>${escapeHtml(joinMime(data["application/json"]))}</pre>`;
      const plain = data["text/plain"] ?? data["text/latex"];
      if (plain !== undefined) return `<pre>${escapeHtml(stripAnsi(joinMime(plain)))}</pre>`;
      return `<pre class="stderr">no renderable MIME type among ${escapeHtml(Object.keys(data).join(", ") || "(none)")}</pre>`;
    }
    default: {
      const unknown: never = output;
      return `<pre class="error">unknown output ${escapeHtml(JSON.stringify(unknown))}</pre>`;
    }
  }
}

/** Returns the text of the first level-1 heading in the notebook's Markdown cells, without `*` and backtick markers. */
export function notebookTitle(notebook: Notebook): string | undefined {
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "markdown") continue;
    const heading = /^\s{0,3}#\s+(.+?)\s*#*\s*$/m.exec(joinText(cell.source));
    if (heading) return heading[1].replace(/[*`]/g, "");
  }
  return undefined;
}

/**
 * Renders the notebook as a complete HTML page. A page whose outputs call Plotly but contain no
 * bundle output loads the shared bundle in its head instead.
 */
export function renderNotebook(notebook: Notebook, options: RenderOptions = {}): string {
  const plotlySrc = options.plotlySrc ?? "plotly.min.js";
  const showCode = options.showCode ?? true;
  const sections: string[] = [];
  let hasBundle = false;
  let usesPlotly = false;

  for (const cell of notebook.cells) {
    const source = joinText(cell.source);
    if (cell.cell_type === "markdown") {
      sections.push(`<section class="cell markdown">\n${renderMarkdown(source)}\n</section>`);
      continue;
    }
    if (cell.cell_type !== "code") {
      sections.push(`<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`);
      continue;
    }
    const parts: string[] = [];
    if (showCode && source.trim() !== "") parts.push(`<pre class="source"><code class="language-typescript">${escapeHtml(source)}</code></pre>`);
    for (const output of cell.outputs) {
      if (isPlotlyBundleOutput(output)) hasBundle = true;
      const html = renderOutput(output, plotlySrc);
      if (html.includes("Plotly.newPlot")) usesPlotly = true;
      parts.push(`<div class="output">${html}</div>`);
    }
    if (parts.length > 0) sections.push(`<section class="cell code">\n${parts.join("\n")}\n</section>`);
  }

  return reportPage({
    title: options.title ?? notebookTitle(notebook) ?? "Notebook",
    body: sections.join("\n"),
    provenance: options.provenance,
    plotlySrc: usesPlotly && !hasBundle ? plotlySrc : undefined,
  });
}
