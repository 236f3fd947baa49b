/**
 * Runs the study grid of a preset, then executes every notebook headlessly in the tslab kernel and
 * writes an HTML report per notebook plus an index page.
 * Usage: npx tsx scripts/run-all.ts [--preset smoke|default|paper] [--notebooks 01,02] [--out reports]
 */
import { join, relative, resolve } from "node:path";
import { helpText, numberFlag, parseFlags, runMain, type FlagSpec } from "../lib/cli";
import { PRESET_NAMES, buildGrid, loadResults, presetScale, runGrid } from "../lib/experiments";
import { buildDist, buildReports, listNotebooks, readNotebook, staleDistFiles } from "../lib/notebook";
import type { ReportProvenance } from "../lib/report";
import { studyProvenance } from "../lib/report/study";
import { ConfigError, ToolkitError, oneOf } from "../lib/util/errors";
import { logger } from "../lib/util/logger";
import { gitCommit } from "../lib/util/provenance";

const FLAGS: Record<string, FlagSpec> = {
  preset: { type: "string", value: "NAME", help: `Study preset: ${PRESET_NAMES.join(", ")} (default: LSA_PRESET, else default).` },
  notebooks: { type: "string", value: "LIST", help: "Comma-separated notebook name prefixes, e.g. 01,02 (default: every notebook)." },
  out: { type: "string", value: "DIR", help: "Report folder: index.html, one page per notebook, notebooks/, plotly.min.js (default reports)." },
  results: { type: "string", value: "DIR", help: "Study folder the grid writes and the notebooks read (default results/<preset>)." },
  "notebook-dir": { type: "string", value: "DIR", help: "Folder of the .ipynb files (default notebooks)." },
  jobs: { type: "string", value: "N", help: "Study runs in parallel (default: available cores)." },
  "cell-timeout": { type: "string", value: "SECONDS", help: "Maximum seconds one notebook cell may run (default 1800)." },
  "skip-study": { type: "boolean", help: "Do not run the grid; the notebooks read whatever finished runs the results folder has." },
  "skip-build": { type: "boolean", help: "Do not rebuild dist/ even when lib/ is newer." },
};

/** Checks the notebook metadata flag `"lsa": {"study": true}`, which notebooks reading the study's results set. */
function needsStudy(path: string): boolean {
  const metadata = readNotebook(path).metadata.lsa as { study?: boolean } | undefined;
  return metadata?.study === true;
}

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText("Usage: npx tsx scripts/run-all.ts [--preset NAME] [--notebooks LIST] [--out DIR]", "Runs the study grid, executes the notebooks in tslab and writes HTML reports. See docs/reports.md.", FLAGS));
    return;
  }
  const log = logger.child("run-all");
  const root = resolve(__dirname, "..");
  const preset = oneOf("run-all", "--preset", values.preset ?? (process.env.LSA_PRESET || "default"), PRESET_NAMES);
  const outDir = resolve(typeof values.out === "string" ? values.out : "reports");
  const resultsDir = resolve(typeof values.results === "string" ? values.results : `results/${preset}`);
  const selection = typeof values.notebooks === "string" ? values.notebooks.split(",").map((entry) => entry.trim()).filter(Boolean) : undefined;
  const notebookDir = typeof values["notebook-dir"] === "string" ? values["notebook-dir"] : relative(process.cwd(), join(root, "notebooks")) || ".";
  const notebooks = listNotebooks(notebookDir, selection);
  const jobs = numberFlag("jobs", values.jobs);
  const cellTimeoutSeconds = numberFlag("cell-timeout", values["cell-timeout"]) ?? 1800;
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new ConfigError(`--jobs must be a positive integer, got ${jobs}`);

  if (!values["skip-build"]) {
    const stale = staleDistFiles(root);
    if (stale.length > 0) {
      log.info(`dist/ is older than ${stale.length} file(s) of lib/ (first: ${stale[0]}); rebuilding with tsc -p tsconfig.build.json`);
      buildDist(root);
    }
  }

  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\nSIGINT: stopping; finished study runs are kept. Press Ctrl-C again to exit at once.\n");
    controller.abort();
  });

  if (!values["skip-study"] && notebooks.some(needsStudy)) {
    const grid = buildGrid(presetScale(preset));
    const summary = await runGrid(grid, { outDir: resultsDir, jobs, display: "log", signal: controller.signal });
    if (summary.interrupted) {
      process.exitCode = 130;
      return;
    }
    const failures = [...summary.failed, ...summary.skipped];
    if (failures.length > 0) {
      throw new ToolkitError(
        `run-all: ${failures.length} study run(s) did not finish, so the reports would be incomplete:\n` +
          failures.map((f) => `  ${f.label} (${f.hash}): ${f.error}; log ${f.logPath}`).join("\n"),
      );
    }
  }

  const results = loadResultsIfAny(resultsDir, preset);
  const provenance: ReportProvenance = results.length > 0 ? studyProvenance(results, preset) : { preset, commit: gitCommit() };
  if (controller.signal.aborted) return;

  const reports = await buildReports({
    notebooks,
    outDir,
    env: { LSA_PRESET: preset, LSA_RESULTS: resultsDir, LSA_LOG_LEVEL: process.env.LSA_LOG_LEVEL ?? "warn" },
    provenance,
    title: `Study reports (preset ${preset})`,
    cellTimeoutSeconds,
    logger: log,
  });
  process.stdout.write(`Wrote ${reports.length} report(s) and ${join(outDir, "index.html")}:\n${reports.map((r) => `  ${r.htmlPath}  (${r.seconds.toFixed(1)} s)`).join("\n")}\n`);
}

/** Loads the finished runs of the preset; returns none when the folder does not exist yet (notebooks without study data). */
function loadResultsIfAny(resultsDir: string, preset: string) {
  try {
    return loadResults(resultsDir, { preset, onCorrupt: "skip" });
  } catch (error) {
    if (error instanceof ToolkitError && /not found/.test(error.message)) return [];
    throw error;
  }
}

runMain(main);
