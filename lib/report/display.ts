/**
 * Thin wrappers around tslab's display API for notebook cells. Inside a tslab kernel they send the
 * output to the notebook. Outside one (tests, scripts) they do nothing, because tslab's display
 * throws "Not ready" there. They return nothing: tslab prints a cell's last expression, so a
 * returned HTML string would show up a second time as text.
 */
import { type Figure, plotHtml, plotlyBundleHtml } from "./plotly";
import { type TableOptions, type TableSource, htmlTable } from "./tables";

interface TslabDisplay {
  html(html: string): void;
  markdown(markdown: string): void;
}

/**
 * Checks whether this process is a running tslab kernel. tslab's kernel module stores the output
 * writer of the running cell in `lastWriteDisplayData`. Outside a kernel that module is not loaded,
 * and nothing is imported here, because tslab pulls in a TypeScript compiler.
 */
export function inKernel(): boolean {
  let modulePath: string;
  try {
    modulePath = require.resolve("tslab/dist/jupyter");
  } catch {
    return false;
  }
  const loaded = require.cache[modulePath]?.exports as { lastWriteDisplayData?: unknown } | undefined;
  return loaded?.lastWriteDisplayData != null;
}

function tslabDisplay(): TslabDisplay | undefined {
  if (!inKernel()) return undefined;
  return (require("tslab") as { display: TslabDisplay }).display;
}

/** Displays an HTML fragment in the notebook. */
export function showHtml(html: string): void {
  tslabDisplay()?.html(html);
}

/** Displays Markdown text in the notebook (rendered by JupyterLab and by the report renderer). */
export function showMarkdown(markdown: string): void {
  tslabDisplay()?.markdown(markdown);
}

/** Displays a table built by `htmlTable`. */
export function showTable(source: TableSource, options: TableOptions = {}): void {
  showHtml(htmlTable(source, options));
}

/** Displays a Plotly figure; run `loadPlotly()` in an earlier cell. */
export function showPlot(figure: Figure, options: { height?: number } = {}): void {
  showHtml(plotHtml(figure, options));
}

/**
 * Displays the Plotly bundle inlined in a `<script>` (about 4.8 MB), so later plot cells draw
 * offline. Call it once, in an early cell. JupyterLab runs the script only in a trusted notebook
 * (`jupyter trust NOTEBOOK`); the HTML reports replace this output with one shared plotly.min.js.
 */
export function loadPlotly(): void {
  showHtml(plotlyBundleHtml());
}
