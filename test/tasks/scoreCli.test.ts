import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scoreTaskPredictions } from "../../lib/tasks";

function line(pred: string, answer: string, tokenLength: number): string {
  return JSON.stringify({ pred, answers: [answer], all_classes: null, length: 20, token_length: tokenLength });
}

describe("longbench-score --suite", () => {
  it("reads suite predictions back", () => {
    // lTrain 100: token lengths 80 and 100 fall in ≤1×, 150 in 1–2×, 500 in >4×.
    // passkey (qa_f1): right, wrong, right, right → ≤1× 50, 1–2× 100, >4× 100.
    // counting (count): "3" vs 3 → 1; "2 and 3" vs 3 → 0.5.
    const dir = mkdtempSync(join(tmpdir(), "lsa-suite-score-"));
    writeFileSync(join(dir, "passkey.jsonl"), [line("4821", "4821", 80), line("1111", "4821", 100), line("77", "77", 150), line("5", "5", 500)].join("\n") + "\n");
    writeFileSync(join(dir, "counting.jsonl"), [line("3", "3", 90), line("2 and 3", "3", 300)].join("\n") + "\n");

    const output = execFileSync("npx", ["tsx", "scripts/longbench-score.ts", dir, "--suite", "100"], { encoding: "utf8" });
    const written = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
    const expected = scoreTaskPredictions(dir, 100);

    expect(output).toMatch(/^task\s+metric/);
    expect(Object.values(written.passkey)).toEqual(expected.tasks.find((t) => t.task === "passkey")!.buckets.map((b) => b.score));
    expect(written.passkey["0-1x"]).toBe(50);
    expect(written.counting["2-4x"]).toBe(50);
    expect(written.average.overall).toBe(expected.average.overall);
  });

  it("rejects a bad training length", () => {
    expect(() => execFileSync("npx", ["tsx", "scripts/longbench-score.ts", "/tmp", "--suite", "x"], { encoding: "utf8", stdio: "pipe" })).toThrow(
      /--suite needs the training length in tokens, a positive integer, got "x"/,
    );
  });
});
