import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeJsonAtomic } from "../../lib/experiments/files";
import { buildGrid } from "../../lib/experiments/grid";
import { finishedRecord } from "../../lib/experiments/pipeline";
import { readStudyResult } from "../../lib/experiments/records";
import { TIDY_COLUMNS, loadResults, tidyRows, toCsv } from "../../lib/experiments/results";
import { Logger } from "../../lib/util/logger";
import { fakeResult, inAlpha, tinyScale } from "./fixtures";

const quiet = new Logger("test", "silent");

function studyFolder(): string {
  return mkdtempSync(join(tmpdir(), "lsa-results-"));
}

function writeResult(outDir: string, result: ReturnType<typeof fakeResult>): string {
  const path = join(outDir, "runs", result.runHash, "result.json");
  writeJsonAtomic(path, result);
  return path;
}

const sample = fakeResult({
  hash: "aaaa00000001",
  seed: 2,
  memberships: [inAlpha("alpha-0", true), { experiment: "divergence", variant: "alpha-0", label: "α = 0", baseline: true }],
  perplexity: [10, 20],
  validation: 2.5,
  misalignment: 0.75,
  longContext: { average: 40, tasks: [{ task: "passkey", bucket: "0-4k", score: 60 }, { task: "passkey", bucket: "4-8k", score: 20 }] },
});

describe("tidyRows", () => {
  it("one row per membership and metric", () => {
    // Per membership: 3 metrics × 2 lengths + validation_ce + misalignment + 2 task rows
    // + 2 bucket averages + 1 overall average + 4 cost rows = 17; two memberships give 34.
    const rows = tidyRows([sample]);
    expect(rows).toHaveLength(34);
    expect(rows.filter((r) => r.experiment === "alpha")).toHaveLength(17);
  });

  it("perplexity rows carry the length", () => {
    const rows = tidyRows([sample]).filter((r) => r.experiment === "alpha" && r.metric === "perplexity");
    expect(rows.map((r) => [r.length_or_bucket, r.value])).toEqual([
      ["16", 10],
      ["32", 20],
    ]);
  });

  it("long-context rows carry task and bucket", () => {
    const rows = tidyRows([sample]).filter((r) => r.experiment === "alpha" && r.metric === "long_context");
    expect(rows.map((r) => `${r.task}/${r.length_or_bucket}=${r.value}`)).toEqual([
      "passkey/0-4k=60",
      "passkey/4-8k=20",
      "average/0-4k=60",
      "average/4-8k=20",
      "average/all=40",
    ]);
  });

  it("run without memberships gets empty experiment", () => {
    const rows = tidyRows([{ ...sample, memberships: [] }]);
    expect(rows).toHaveLength(17);
    expect(rows[0].experiment).toBe("");
  });
});

describe("toCsv", () => {
  it("header lists the tidy columns", () => {
    const lines = toCsv(tidyRows([sample])).trim().split("\n");
    expect(lines[0]).toBe(TIDY_COLUMNS.join(","));
    expect(lines).toHaveLength(35);
  });

  it("quotes fields with commas and quotes", () => {
    const rows = tidyRows([{ ...sample, memberships: [inAlpha('a,"b"')] }]);
    const line = toCsv(rows).split("\n")[1];
    expect(line).toContain(',"a,""b""",');
  });

  it("writes non-finite values as empty", () => {
    const rows = tidyRows([{ ...sample, misalignment: { ...sample.misalignment, value: NaN } }]);
    const line = toCsv(rows).split("\n").find((l) => l.includes(",misalignment,"))!;
    expect(line.endsWith(",16,")).toBe(true);
  });
});

describe("loadResults", () => {
  it("reads every finished run sorted by hash", () => {
    const dir = studyFolder();
    writeResult(dir, { ...sample, runHash: "bbbb00000002" });
    writeResult(dir, sample);
    mkdirSync(join(dir, "runs", "cccc00000003"), { recursive: true });
    expect(loadResults(dir).map((r) => r.runHash)).toEqual(["aaaa00000001", "bbbb00000002"]);
  });

  it("filters by preset", () => {
    const dir = studyFolder();
    writeResult(dir, sample);
    expect(loadResults(dir, { preset: "default" })).toHaveLength(0);
  });

  it("corrupt result raises naming the file", () => {
    const dir = studyFolder();
    const path = writeResult(dir, sample);
    writeFileSync(path, '{"format": "lsa-study-result-1", "runHash": "aaaa00000001"');
    expect(() => loadResults(dir)).toThrow(/result\.json is not valid JSON .*Delete it \(or run the study again, which moves a corrupt result aside/);
  });

  it("corrupt result is skipped on request", () => {
    const dir = studyFolder();
    const path = writeResult(dir, sample);
    writeResult(dir, { ...sample, runHash: "bbbb00000002" });
    writeFileSync(path, "not json");
    expect(loadResults(dir, { onCorrupt: "skip", logger: quiet }).map((r) => r.runHash)).toEqual(["bbbb00000002"]);
  });

  it("result in the wrong folder is rejected", () => {
    const dir = studyFolder();
    const path = join(dir, "runs", "ffff00000000", "result.json");
    writeJsonAtomic(path, sample);
    expect(() => readStudyResult(path, "ffff00000000")).toThrow(/it belongs to run aaaa00000001, not ffff00000000/);
  });

  it("missing folder names the fix", () => {
    expect(() => loadResults("/nonexistent/study")).toThrow(/study folder \/nonexistent\/study not found. Run scripts\/study.ts --out \/nonexistent\/study first/);
  });
});

describe("finishedRecord", () => {
  it("moves a corrupt result aside", () => {
    // The documented policy: a corrupt result is kept for inspection and the run is recomputed.
    const dir = studyFolder();
    const run = buildGrid(tinyScale()).runs[0];
    const path = join(dir, "runs", run.hash, "result.json");
    mkdirSync(join(dir, "runs", run.hash), { recursive: true });
    writeFileSync(path, "{truncated");
    const lines: string[] = [];
    const log = new Logger("test", "warn", (line) => lines.push(line));
    expect(finishedRecord(dir, run, log)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
    const aside = readdirSync(join(dir, "runs", run.hash)).filter((name) => name.startsWith("result.json.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, "runs", run.hash, aside[0]), "utf8")).toBe("{truncated");
    expect(lines.join("\n")).toMatch(/is not valid JSON.*moved it to .*result\.json\.corrupt-.* and will recompute/);
  });

  it("returns a valid result", () => {
    const dir = studyFolder();
    const run = buildGrid(tinyScale()).runs[0];
    writeJsonAtomic(join(dir, "runs", run.hash, "result.json"), { ...sample, runHash: run.hash });
    expect((finishedRecord(dir, run, quiet) as { runHash: string }).runHash).toBe(run.hash);
  });
});
