/**
 * Checks a report folder written by scripts/run-all.ts (and optionally notebooks executed by other
 * tools such as jupyter nbconvert); exits 1 listing every problem. Used by CI.
 * Usage: npx tsx scripts/check-reports.ts [REPORT_DIR] [--notebook FILE.ipynb ...]
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { runMain } from "../lib/cli";
import { readNotebook } from "../lib/notebook/format";
import { checkExecutedNotebook, checkReportFolder } from "../lib/report/check";

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { notebook: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(
      "Usage: npx tsx scripts/check-reports.ts [REPORT_DIR] [--notebook FILE.ipynb ...]\n\n" +
        "Checks that every executed notebook ran without a failing cell and that every report page has\n" +
        "its tables and figures and loads the shared plotly bundle. Exits 1 listing the problems.\n",
    );
    return;
  }
  const problems: string[] = [];
  for (const dir of positionals) problems.push(...checkReportFolder(dir));
  for (const path of values.notebook ?? []) problems.push(...checkExecutedNotebook(readNotebook(path), basename(path)));
  if (problems.length > 0) {
    process.stderr.write(`${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}\n`);
    process.exit(1);
  }
  process.stdout.write(`checked ${positionals.length} report folder(s) and ${(values.notebook ?? []).length} notebook(s): ok\n`);
}

runMain(main);
