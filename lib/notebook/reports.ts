/**
 * Executes a list of notebooks and writes the HTML reports of a run: one page per notebook, the
 * executed notebooks, one shared plotly.min.js, and an index page linking them.
 *
 * Layout of the output folder:
 * - `index.html`: links every report in the folder, including pages from earlier calls that ran
 *   other notebooks;
 * - `reports.json`: the index entries, so a call that runs some notebooks keeps the others' links;
 * - `<name>.html`: the report of `<name>.ipynb`;
 * - `notebooks/<name>.ipynb`: the executed notebook with its outputs (the Plotly bundle stays
 *   inlined there, so it still draws offline in a trusted JupyterLab);
 * - `plotly.min.js`: the Plotly bundle, loaded by every report page.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { ConfigError, show } from "../util/errors";
import { type Logger, logger as rootLogger } from "../util/logger";
import { indexPage, type IndexEntry, type ReportProvenance } from "../report/html";
import { plotlyBundleText } from "../report/plotly";
import { executeNotebook } from "./execute";
import { notebookTitle, renderNotebook } from "./render";

/** File name of the shared Plotly bundle in a report folder. */
export const PLOTLY_FILE = "plotly.min.js";

/** File name of the index entries in a report folder. */
export const MANIFEST_FILE = "reports.json";

export interface BuildReportsOptions {
  /** Notebook paths, executed in this order. */
  notebooks: string[];
  /** Report folder (created when missing). */
  outDir: string;
  /** Environment variables for every kernel (for example LSA_PRESET and LSA_RESULTS). */
  env?: Record<string, string | undefined>;
  /** Shown at the top of every page. */
  provenance?: ReportProvenance;
  /** Title of the index page. */
  title?: string;
  cellTimeoutSeconds?: number;
  logger?: Logger;
}

/** One written report. */
export interface NotebookReport {
  /** The source notebook path, as given. */
  source: string;
  title: string;
  /** Path of the executed notebook. */
  executedPath: string;
  htmlPath: string;
  seconds: number;
}

/**
 * Lists the `.ipynb` files of `dir` in name order. With `selection` (such as `["01", "02"]`),
 * keeps the notebooks whose file name starts with one of the entries.
 * @throws ConfigError when the folder has no notebooks or an entry matches none or several.
 */
export function listNotebooks(dir: string, selection?: readonly string[]): string[] {
  if (!existsSync(dir)) throw new ConfigError(`listNotebooks: notebook folder ${show(dir)} not found`);
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb") && !name.startsWith("."))
    .sort();
  if (names.length === 0) throw new ConfigError(`listNotebooks: no .ipynb files in ${show(dir)}`);
  if (!selection || selection.length === 0) return names.map((name) => join(dir, name));
  return selection.map((entry) => {
    const matches = names.filter((name) => name.startsWith(entry) || name === `${entry}.ipynb`);
    if (matches.length !== 1) {
      throw new ConfigError(
        `listNotebooks: ${show(entry)} matches ${matches.length === 0 ? "no notebook" : `${matches.length} notebooks (${matches.join(", ")})`} in ${dir}; notebooks are ${names.join(", ")}`,
      );
    }
    return join(dir, matches[0]);
  });
}

/**
 * Executes each notebook in a fresh kernel and writes its report, then the index page. The first
 * failing cell stops the whole run: its notebook is saved up to that cell, no report or index is
 * written for it, and the NotebookCellError propagates.
 */
export async function buildReports(options: BuildReportsOptions): Promise<NotebookReport[]> {
  const log = options.logger ?? rootLogger.child("reports");
  mkdirSync(join(options.outDir, "notebooks"), { recursive: true });
  writeFileSync(join(options.outDir, PLOTLY_FILE), plotlyBundleText());

  const reports: NotebookReport[] = [];
  for (const source of options.notebooks) {
    const name = basename(source, ".ipynb");
    const executedPath = join(options.outDir, "notebooks", `${name}.ipynb`);
    log.info(`executing ${source}`);
    const executed = await executeNotebook(source, { env: options.env, outPath: executedPath, cellTimeoutSeconds: options.cellTimeoutSeconds, logger: log });
    const title = notebookTitle(executed.notebook) ?? name;
    const htmlPath = join(options.outDir, `${name}.html`);
    const provenance = { ...options.provenance, date: options.provenance?.date ?? new Date().toISOString() };
    writeFileSync(htmlPath, renderNotebook(executed.notebook, { title, provenance, plotlySrc: PLOTLY_FILE }));
    log.info(`wrote ${htmlPath} (${executed.seconds.toFixed(1)} s)`);
    reports.push({ source, title, executedPath, htmlPath, seconds: executed.seconds });
  }

  const fresh = reports.map((report) => ({
    href: relative(options.outDir, report.htmlPath),
    title: report.title,
    source: report.source,
    seconds: report.seconds,
  }));
  const entries = mergeIndexEntries(readManifest(options.outDir, log), fresh, options.outDir);
  const manifestPath = join(options.outDir, MANIFEST_FILE);
  writeFileSync(`${manifestPath}.tmp`, `${JSON.stringify(entries, null, 2)}\n`);
  renameSync(`${manifestPath}.tmp`, manifestPath);
  const index = indexPage({
    title: options.title ?? "Study reports",
    entries,
    provenance: { ...options.provenance, date: options.provenance?.date ?? new Date().toISOString() },
  });
  writeFileSync(join(options.outDir, "index.html"), index);
  return reports;
}

/**
 * Index entries of the folder: this call's reports, plus earlier entries whose page still exists
 * and that this call did not replace, in file-name order.
 */
export function mergeIndexEntries(earlier: readonly IndexEntry[], fresh: readonly IndexEntry[], outDir: string): IndexEntry[] {
  const byHref = new Map<string, IndexEntry>();
  for (const entry of earlier) if (existsSync(join(outDir, entry.href))) byHref.set(entry.href, entry);
  for (const entry of fresh) byHref.set(entry.href, entry);
  return [...byHref.values()].sort((a, b) => a.href.localeCompare(b.href));
}

/** Reads the folder's reports.json; a missing file gives no entries, an unreadable one a warning and no entries. */
function readManifest(outDir: string, log: Logger): IndexEntry[] {
  const path = join(outDir, MANIFEST_FILE);
  if (!existsSync(path)) return [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    const valid = Array.isArray(parsed) && parsed.every((e) => e && typeof e.href === "string" && typeof e.title === "string");
    if (valid) return parsed as IndexEntry[];
    log.warn(`${path} is not a list of {href, title} entries; the index lists only the reports of this run`);
  } catch (error) {
    log.warn(`${path} could not be read (${(error as Error).message}); the index lists only the reports of this run`);
  }
  return [];
}
