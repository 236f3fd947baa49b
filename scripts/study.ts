/**
 * Runs the ablation study of the long-short misalignment regularizer: every run of the chosen
 * experiments in parallel worker processes, resumable, then prints the summary tables.
 * Usage: npx tsx scripts/study.ts --preset smoke|default|paper [--out DIR] [--jobs N] [--experiments a,b]
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { helpText, numberFlag, numberListFlag, parseFlags, readJsonFile, runMain, type FlagSpec } from "../lib/cli";
import {
  EXPERIMENT_NAMES,
  PRESET_NAMES,
  buildGrid,
  correlationTable,
  costTable,
  describeRun,
  estimateGrid,
  experimentTable,
  formatDuration,
  formatExperimentTable,
  loadBaseRecords,
  loadResults,
  resolveScale,
  runGrid,
  type DisplayMode,
  type StudyGrid,
  type StudyScale,
} from "../lib/experiments";
import { formatMeanStd } from "../lib/stats";
import { ConfigError, oneOf } from "../lib/util/errors";

const FLAGS: Record<string, FlagSpec> = {
  preset: { type: "string", value: "NAME", help: `Scale preset: ${PRESET_NAMES.join(", ")} (default: default).` },
  config: { type: "string", value: "FILE", help: "JSON file of preset fields to override, e.g. {\"seeds\": [0, 1, 2], \"fineTune\": {\"steps\": 400}}." },
  out: { type: "string", value: "DIR", help: "Study folder for checkpoints and results (default results/<preset>)." },
  jobs: { type: "string", value: "N", help: "Runs in parallel, one worker process each (default: available cores)." },
  experiments: { type: "string", value: "LIST", help: `Comma-separated experiments to run (default all: ${EXPERIMENT_NAMES.join(",")}).` },
  seeds: { type: "string", value: "LIST", help: "Comma-separated seeds, replacing the preset's." },
  display: { type: "string", value: "MODE", help: "Progress: auto (terminal line on a TTY), line, log or quiet (default auto)." },
  "dry-run": { type: "boolean", help: "Print the runs of the grid with their hashes and exit." },
  estimate: { type: "boolean", help: "Time a few steps of every configuration here and project the grid's wall time." },
  report: { type: "boolean", help: "Print the summary tables of the finished runs in --out without running anything." },
};

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText("Usage: npx tsx scripts/study.ts [--preset NAME] [--out DIR] [--jobs N] [--experiments LIST]", "Runs the ablation study grid and prints its tables. See docs/study.md.", FLAGS));
    return;
  }
  const presetName = typeof values.preset === "string" ? values.preset : "default";
  const scale: StudyScale = resolveScale(presetName, typeof values.config === "string" ? readJsonFile(values.config) : {});
  const seeds = numberListFlag("seeds", values.seeds);
  if (seeds) scale.seeds = seeds;
  const experiments = typeof values.experiments === "string" ? values.experiments.split(",").map((name) => name.trim()).filter(Boolean) : undefined;
  const grid = buildGrid(scale, { experiments });
  const outDir = typeof values.out === "string" ? values.out : join("results", scale.preset);
  const jobs = numberFlag("jobs", values.jobs) ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new ConfigError(`--jobs must be a positive integer, got ${jobs}`);

  if (values["dry-run"]) {
    process.stdout.write(formatGrid(grid));
    return;
  }
  if (values.estimate) {
    const estimate = await estimateGrid(grid, { jobs });
    process.stdout.write(`Throughput on this machine (preset ${grid.preset}):\n`);
    for (const stage of estimate.stages) {
      process.stdout.write(`  ${stage.configuration.padEnd(34)} ${String(stage.msPerStep).padStart(6)} ms/step ${String(stage.tokensPerSecond).padStart(7)} tokens/s  × ${stage.runs} runs × ${stage.steps} steps\n`);
    }
    process.stdout.write(
      `  evaluation ${estimate.evalSeconds.toFixed(1)} s per fine-tune; start-up ${estimate.startupSeconds} s per run\n` +
        `Projected: ${formatDuration(estimate.totalSeconds)} of work, about ${formatDuration(estimate.wallSeconds)} with ${jobs} jobs (if ${jobs} cores are free)\n`,
    );
    return;
  }
  if (values.report) {
    printReport(grid, outDir);
    return;
  }

  const display = oneOf("--display", "mode", values.display ?? "auto", ["auto", "line", "log", "quiet"]) as DisplayMode;
  const controller = new AbortController();
  let stops = 0;
  const stop = (signal: NodeJS.Signals) => {
    stops += 1;
    if (stops > 1) process.exit(130);
    process.stderr.write(`\n${signal}: stopping the workers after their current step; finished runs are kept and the others resume from their checkpoints. Press Ctrl-C again to exit at once.\n`);
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const summary = await runGrid(grid, { outDir, jobs, display, signal: controller.signal });
  if (!summary.interrupted) printReport(grid, outDir);
  if (summary.failed.length > 0 || summary.skipped.length > 0) process.exitCode = 1;
  if (summary.interrupted) process.exitCode = 130;
}

function formatGrid(grid: StudyGrid): string {
  const lines = [`Preset ${grid.preset}: ${grid.bases.length} bases, ${grid.runs.length} fine-tunes (seeds ${grid.scale.seeds.join(", ")})`];
  for (const base of grid.bases) lines.push(`  ${base.hash}  ${describeRun(base)}  lBase ${base.train.lTrain}, ${base.train.steps} steps`);
  for (const run of grid.runs) {
    const memberships = run.memberships.map((m) => `${m.experiment}/${m.variant}${m.baseline ? "*" : ""}`).join(", ");
    lines.push(`  ${run.hash}  seed ${run.seed}  ${memberships}  (base ${run.baseHash})`);
  }
  lines.push("  * baseline of its experiment");
  return `${lines.join("\n")}\n`;
}

function printReport(grid: StudyGrid, outDir: string): void {
  const results = loadResults(outDir, { preset: grid.preset });
  if (results.length === 0) {
    process.stdout.write(`No finished runs of preset ${grid.preset} in ${outDir}.\n`);
    return;
  }
  const out: string[] = [];
  for (const experiment of grid.experiments) {
    for (const metric of ["perplexity@longest", "validation_ce", "misalignment", ...(results.some((r) => r.longContext) ? ["long_context"] : [])]) {
      out.push(formatExperimentTable(experimentTable(results, experiment.name, metric)), "");
    }
  }
  out.push(`Correlations across ${results.length} runs:`);
  for (const row of correlationTable(results)) {
    out.push(`  ${row.predictor} vs ${row.target}: Pearson ${row.pearson.toFixed(3)}, Spearman ${row.spearman.toFixed(3)} (n = ${row.n})`);
  }
  out.push("", "Cost per configuration (train seconds, tokens/s):");
  for (const row of costTable(results, loadBaseRecords(outDir))) {
    out.push(`  ${row.configuration.padEnd(34)} n=${row.n}  ${formatMeanStd(row.trainSeconds, 1)} s  ${formatMeanStd(row.tokensPerSecond, 0)} tokens/s`);
  }
  out.push("", `Tidy table: ${join(outDir, "results.csv")}`);
  process.stdout.write(`${out.join("\n")}\n`);
}

runMain(main);
