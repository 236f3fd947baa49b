import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { cellFailure } from "../notebook/execute";
import { joinText, readNotebook, type Notebook } from "../notebook/format";
import type { CellOutput } from "../notebook/kernel";

/**
 * Checks on what `scripts/run-all.ts` writes, used by CI: every executed notebook ran without a
 * failing cell, and every report page has its tables and figures and loads the shared plotly bundle.
 */

/** Problems found in one report page; empty when it passes. */
export function checkReportPage(html: string, name: string): string[] {
  const problems: string[] = [];
  if (!/<table[\s>]/.test(html)) problems.push(`${name}: contains no <table>`);
  if (!/Plotly\.newPlot\(/.test(html)) problems.push(`${name}: contains no Plotly.newPlot figure`);
  if (!/<script[^>]+src="plotly\.min\.js"/.test(html)) problems.push(`${name}: does not load the shared plotly.min.js`);
  // A rendered notebook keeps the bundle in reports/plotly.min.js, never inline in every page.
  if (html.length > 2_000_000) problems.push(`${name}: is ${(html.length / 1e6).toFixed(1)} MB, so the plotly bundle is probably inlined`);
  return problems;
}

/** Problems found in an executed notebook: a code cell that failed, or one that never ran. */
export function checkExecutedNotebook(notebook: Notebook, name: string): string[] {
  const problems: string[] = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const outputs = cell.outputs.map((output) =>
      output.output_type === "stream" ? { ...output, text: joinText(output.text) } : output,
    ) as CellOutput[];
    const failure = cellFailure({ status: "ok", executionCount: cell.execution_count, outputs, seconds: 0 });
    if (failure) problems.push(`${name}: cell ${index + 1} failed: ${failure.split("\n")[0]}`);
  });
  const last = notebook.cells.filter((cell) => cell.cell_type === "code").at(-1);
  if (last && last.cell_type === "code" && last.outputs.length === 0 && joinText(last.source).trim() !== "") {
    problems.push(`${name}: the last code cell has no output, so the notebook may have stopped early`);
  }
  return problems;
}

/**
 * Checks a report folder written by run-all: each page, the index linking every page, the shared
 * bundle, and the executed notebooks under `notebooks/`.
 * @returns every problem found, empty when the folder passes.
 */
export function checkReportFolder(dir: string): string[] {
  if (!existsSync(dir)) return [`${dir}: report folder not found; run scripts/run-all.ts first`];
  const problems: string[] = [];
  const pages = readdirSync(dir).filter((file) => file.endsWith(".html") && file !== "index.html").sort();
  if (pages.length === 0) problems.push(`${dir}: contains no report pages`);
  if (!existsSync(join(dir, "plotly.min.js"))) problems.push(`${dir}: plotly.min.js is missing`);
  const index = existsSync(join(dir, "index.html")) ? readFileSync(join(dir, "index.html"), "utf8") : undefined;
  if (index === undefined) problems.push(`${dir}: index.html is missing`);
  for (const page of pages) {
    problems.push(...checkReportPage(readFileSync(join(dir, page), "utf8"), page));
    if (index !== undefined && !index.includes(`href="${page}"`)) problems.push(`index.html: does not link ${page}`);
  }
  // Each executed notebook keeps the plotly bundle inline so it draws in JupyterLab. They are too
  // large to commit, so only a folder that run-all just wrote has them.
  const notebookDir = join(dir, "notebooks");
  if (!existsSync(notebookDir)) return problems;
  const notebooks = readdirSync(notebookDir).filter((file) => file.endsWith(".ipynb")).sort();
  if (notebooks.length !== pages.length) {
    problems.push(`${dir}: ${pages.length} report pages but ${notebooks.length} executed notebooks in notebooks/`);
  }
  for (const file of notebooks) problems.push(...checkExecutedNotebook(readNotebook(join(notebookDir, file)), basename(file)));
  return problems;
}
