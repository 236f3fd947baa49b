/**
 * Scores a folder of LongBench v1 prediction files (`<dataset>.jsonl`, as LongBench's pred.py writes
 * them) like LongBench's `eval.py --e`, prints a table and writes `result.json`.
 *
 *   npx tsx scripts/longbench-score.ts PRED_DIR [--json OUT] [--no-e]
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";

import {
  type DatasetScore,
  LONGBENCH_E_BUCKETS,
  type ScoreMode,
  formatResultJson,
  resultJson,
  scorePredictionFolder,
} from "../lib/longbench";
import { scoreTaskPredictions } from "../lib/tasks";
import { ConfigError, nearest } from "../lib/util/errors";

const HELP = `Usage: npx tsx scripts/longbench-score.ts PRED_DIR [--json OUT] [--no-e] [--suite L_TRAIN]

Scores every <dataset>.jsonl file in PRED_DIR as LongBench v1's eval.py does. Each line must hold
"pred", "answers" and "all_classes", and "length" unless --no-e is given. The dataset comes from the
file name (gov_report.jsonl scores with ROUGE-L); English LongBench datasets plus lsht and
passage_retrieval_zh are supported.

Options:
  --json OUT   path of the result file (default: PRED_DIR/result.json). It holds
               {dataset: {"0-4k": score, "4-8k": score, "8k+": score}}, scores in percent with two
               decimals; a bucket with no samples is null (eval.py writes NaN there).
  --no-e       score like eval.py without --e: one score per dataset, round(100 * sum / n, 2),
               written as {dataset: score}; "length" is not needed.
  --suite L_TRAIN
               score prediction files of this project's generated suite (passkey, kv_retrieval,
               counting, recall; written by evaluateLongContext) with buckets relative to the
               training length L_TRAIN in tokens (<=1x, 1-2x, 2-4x, >4x, by "token_length"), and
               write {task: {bucket: score}, average: {bucket: score, overall}}. The generated suite
               is not LongBench-E: its scores are not comparable with published numbers.
  -h, --help   print this help and exit.
`;

interface Flags {
  predDir: string;
  jsonPath: string;
  mode: ScoreMode;
  /** Training length for the generated suite's relative buckets; undefined for LongBench files. */
  suiteLTrain?: number;
}

const KNOWN_FLAGS = ["--json", "--no-e", "--suite", "--help"];

function parseFlags(argv: readonly string[]): Flags | "help" {
  let predDir: string | undefined;
  let jsonPath: string | undefined;
  let mode: ScoreMode = "longbench-e";
  let suiteLTrain: number | undefined;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--no-e") {
      mode = "overall";
    } else if (arg === "--suite") {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) {
        throw new ConfigError(`longbench-score: --suite needs the training length in tokens, a positive integer, got ${JSON.stringify(argv[i])}`);
      }
      suiteLTrain = value;
    } else if (arg === "--json") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) {
        throw new ConfigError("longbench-score: --json needs a file path, as in --json out/result.json");
      }
      jsonPath = value;
    } else if (arg.startsWith("-")) {
      const guess = nearest(arg, KNOWN_FLAGS);
      throw new ConfigError(
        `longbench-score: unknown option ${JSON.stringify(arg)}. Options: ${KNOWN_FLAGS.join(", ")}` +
          (guess ? `. Did you mean ${guess}?` : ""),
      );
    } else if (predDir === undefined) {
      predDir = arg;
    } else {
      throw new ConfigError(`longbench-score: expected one PRED_DIR, got a second one ${JSON.stringify(arg)}. Run with --help`);
    }
  }

  if (predDir === undefined) {
    throw new ConfigError("longbench-score: PRED_DIR is missing. Give the folder of <dataset>.jsonl prediction files, or run with --help");
  }
  return { predDir, jsonPath: jsonPath ?? join(predDir, "result.json"), mode, suiteLTrain };
}

function formatScore(score: number | null): string {
  return score === null ? "missing" : score.toFixed(2);
}

/** Renders one row per dataset; LongBench-E rows show each bucket's score and sample count. */
function formatTable(scores: readonly DatasetScore[], mode: ScoreMode): string {
  const header =
    mode === "longbench-e"
      ? ["dataset", "metric", ...LONGBENCH_E_BUCKETS.labels.map((label) => `${label} (n)`)]
      : ["dataset", "metric", "n", "score"];
  const rows = scores.map((entry) => {
    if (entry.mode === "longbench-e") {
      return [entry.dataset, entry.metric, ...entry.buckets.map((bucket) => `${formatScore(bucket.score)} (${bucket.count})`)];
    }
    return [entry.dataset, entry.metric, String(entry.sampleCount), formatScore(entry.score)];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const render = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
  return [render(header), ...rows.map(render)].join("\n");
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags === "help") {
    process.stdout.write(HELP);
    return;
  }

  if (flags.suiteLTrain !== undefined) {
    scoreSuite(flags.predDir, flags.suiteLTrain, flags.jsonPath);
    return;
  }

  const scores = scorePredictionFolder(flags.predDir, flags.mode);
  process.stdout.write(`${formatTable(scores, flags.mode)}\n`);
  const anyMissing = scores.some((entry) => entry.mode === "longbench-e" && entry.buckets.some((bucket) => bucket.score === null));
  if (anyMissing) {
    process.stdout.write("missing: the bucket has no samples; result.json holds null for it (eval.py writes NaN).\n");
  }

  writeFileSync(flags.jsonPath, formatResultJson(resultJson(scores)));
  process.stdout.write(`wrote ${flags.jsonPath}\n`);
}

/** Scores the generated suite's prediction files, prints a task × bucket table and writes the JSON result. */
function scoreSuite(folder: string, lTrain: number, jsonPath: string): void {
  const { tasks, average } = scoreTaskPredictions(folder, lTrain);
  const labels = Object.keys(average.buckets);
  const header = ["task", "metric", ...labels.map((label) => `${label} (n)`)];
  const rows = tasks.map((task) => [task.task, task.metric, ...task.buckets.map((bucket) => `${formatScore(bucket.score)} (${bucket.count})`)]);
  rows.push(["average", "", ...labels.map((label) => formatScore(average.buckets[label]))]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const render = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
  process.stdout.write(`${[render(header), ...rows.map(render)].join("\n")}\noverall ${formatScore(average.overall)}\n`);

  const result: Record<string, unknown> = {};
  for (const task of tasks) result[task.task] = Object.fromEntries(task.buckets.map((bucket) => [bucket.label, bucket.score]));
  result.average = { ...average.buckets, overall: average.overall };
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 4)}\n`);
  process.stdout.write(`wrote ${jsonPath}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
