import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

const repoRoot = resolve(__dirname, "../..");
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
const script = join(repoRoot, "scripts", "longbench-score.ts");

const root = mkdtempSync(join(tmpdir(), "longbench-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(tsx, [script, ...args], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeLines(path: string, records: object[]): void {
  writeFileSync(path, records.map((record) => `${JSON.stringify(record)}\n`).join(""));
}

const predDir = mkdtempSync(join(root, "pred-"));
writeLines(join(predDir, "hotpotqa.jsonl"), [
  { pred: "Paris", answers: ["Paris"], all_classes: null, length: 100 },
  { pred: "It was Paris, France", answers: ["Paris"], all_classes: null, length: 5000 },
  { pred: "Rome", answers: ["Paris"], all_classes: null, length: 6000 },
]);
writeLines(join(predDir, "trec.jsonl"), [
  { pred: "\nABC\nA", answers: ["ABC"], all_classes: ["A", "AB", "ABC"], length: 9000 },
  { pred: "Animal", answers: ["Animal"], all_classes: ["Animal"], length: 200 },
]);

describe("longbench-score CLI", () => {
  it("scores a folder like eval.py --e", () => {
    const run = runCli([predDir]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // hotpotqa: 0-4k [1] → 100, 4-8k [0.4, 0] → 20, 8k+ none. trec: 0-4k [1] → 100, 8k+ [0.5] → 50.
    expect(run.stdout).toMatch(/hotpotqa\s+qa_f1\s+100\.00 \(1\)\s+20\.00 \(2\)\s+missing \(0\)/);
    expect(run.stdout).toMatch(/trec\s+classification\s+100\.00 \(1\)\s+missing \(0\)\s+50\.00 \(1\)/);
    expect(run.stdout).toMatch(/result\.json holds null for it/);
    const written = JSON.parse(readFileSync(join(predDir, "result.json"), "utf8"));
    expect(written).toEqual({
      hotpotqa: { "0-4k": 100, "4-8k": 20, "8k+": null },
      trec: { "0-4k": 100, "4-8k": null, "8k+": 50 },
    });
  });

  it("writes overall scores with --no-e", () => {
    const out = join(root, "overall.json");
    const run = runCli([predDir, "--no-e", "--json", out]);
    expect(run.status).toBe(0);
    // hotpotqa: round(100 × 1.4 / 3, 2) = 46.67; trec: round(100 × 1.5 / 2, 2) = 75.
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ hotpotqa: 46.67, trec: 75 });
    expect(run.stdout).toMatch(/trec\s+classification\s+2\s+75\.00/);
  });

  it("explains every flag in help", () => {
    const run = runCli(["--help"]);
    expect(run.status).toBe(0);
    for (const flag of ["--json OUT", "--no-e", "--help"]) expect(run.stdout).toContain(flag);
  });

  it("fails on an unknown flag", () => {
    const run = runCli([predDir, "--no_e"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/unknown option "--no_e".*Did you mean --no-e\?/);
  });

  it("fails without a folder", () => {
    const run = runCli([]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/PRED_DIR is missing/);
  });

  it("fails on a malformed file", () => {
    const badDir = mkdtempSync(join(root, "bad-"));
    writeFileSync(join(badDir, "lcc.jsonl"), '{"pred": "x", "answers": ["x"], "all_classes": null}\n');
    const run = runCli([badDir]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/lcc\.jsonl line 1: field "length" is missing/);
  });
});
