import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "../../lib/backend";
import type { BucketScore } from "../../lib/longbench";
import { SUMMARY_FILE, averageScores, evaluateLongContext, scoreTaskPredictions, type TaskScores } from "../../lib/tasks/evaluate";
import { buildSuite, promptOf } from "../../lib/tasks/suite";
import { SUITE_VERSION } from "../../lib/tasks/types";
import { Logger } from "../../lib/util/logger";
import { brownCorpus, oracleModel } from "./fixtures";

const quiet = new Logger("test", "silent");
const suite = buildSuite({ lTrain: 128, instancesPerBucket: 2, seed: 3 }, brownCorpus().splits.test);

beforeAll(async () => {
  await initBackend();
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "lsa-eval-"));
}

/** Returns a model that emits the answer of each record whose index within its task passes `keep`, and nothing for the rest. */
function partialOracle(keep: (index: number) => boolean) {
  const answers = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const record of suite.records) {
    const index = seen.get(record.dataset) ?? 0;
    seen.set(record.dataset, index + 1);
    if (keep(index)) answers.set(promptOf(record), record.answers[0]);
  }
  return oracleModel(answers);
}

describe("evaluateLongContext", () => {
  it("oracle scores 100 everywhere", () => {
    const result = evaluateLongContext(partialOracle(() => true), suite, { lTrain: 128, logger: quiet });
    for (const task of result.tasks) {
      expect(task.buckets.map((b) => b.score)).toEqual([100, 100, 100, 100]);
      expect(task.buckets.map((b) => b.count)).toEqual([2, 2, 2, 2]);
    }
    expect(result.average.overall).toBe(100);
  });

  it("half oracle scores 50 per bucket", () => {
    // Each bucket contains records 2b and 2b + 1 of a task; only even ones are answered, so every
    // bucket mean is (1 + 0) / 2 = 50 and so are the averages.
    const result = evaluateLongContext(partialOracle((i) => i % 2 === 0), suite, { lTrain: 128, logger: quiet });
    for (const task of result.tasks) expect(task.buckets.map((b) => b.score)).toEqual([50, 50, 50, 50]);
    expect(result.average).toEqual({ buckets: { "0-1x": 50, "1-2x": 50, "2-4x": 50, "4x+": 50 }, overall: 50 });
  });

  it("prediction files score back the same", () => {
    const outDir = tempDir();
    const result = evaluateLongContext(partialOracle((i) => i % 3 === 0), suite, { lTrain: 128, outDir, logger: quiet });
    const rescored = scoreTaskPredictions(outDir, 128);
    expect(rescored.tasks).toEqual(result.tasks);
    expect(rescored.average).toEqual(result.average);
  });

  it("writes LongBench prediction lines", () => {
    const outDir = tempDir();
    evaluateLongContext(partialOracle(() => true), suite, { lTrain: 128, outDir, logger: quiet });
    const lines = readFileSync(join(outDir, "passkey.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
    const records = suite.records.filter((r) => r.dataset === "passkey");
    expect(lines.length).toBe(records.length);
    expect(Object.keys(lines[0])).toEqual(["pred", "answers", "all_classes", "length", "token_length", "_id", "version"]);
    expect(lines[0].pred).toBe(records[0].answers[0]);
    expect(lines[0].token_length).toBe(records[0].token_length);
    const summary = JSON.parse(readFileSync(join(outDir, SUMMARY_FILE), "utf8"));
    expect(summary.version).toBe(SUITE_VERSION);
  });

  it("rescoring rejects a foreign file", () => {
    const outDir = tempDir();
    writeFileSync(join(outDir, "qasper.jsonl"), '{"pred":"","answers":["a"],"all_classes":null,"length":1,"token_length":5}\n');
    expect(() => scoreTaskPredictions(outDir, 128)).toThrow(/qasper\.jsonl: the file name must be <task>\.jsonl.*got "qasper"/);
  });

  it("rescoring needs token_length", () => {
    const outDir = tempDir();
    writeFileSync(join(outDir, "passkey.jsonl"), '{"pred":"","answers":["a"],"all_classes":null,"length":1}\n');
    expect(() => scoreTaskPredictions(outDir, 128)).toThrow(/passkey\.jsonl line 1: field "token_length" must be a positive integer, got undefined/);
  });
});

describe("averageScores", () => {
  const bucket = (score: number | null): BucketScore => ({ label: "", count: score === null ? 0 : 1, mean: score, score });

  it("averages tasks then buckets", () => {
    // Bucket means: (100 + 0) / 2 = 50, (50 + 50) / 2 = 50, 20 (one task), 0 (one task).
    // Overall: (50 + 50 + 20 + 0) / 4 = 30.
    const tasks: TaskScores[] = [
      { task: "passkey", metric: "qa_f1", buckets: [bucket(100), bucket(50), bucket(null), bucket(0)] },
      { task: "counting", metric: "count", buckets: [bucket(0), bucket(50), bucket(20), bucket(null)] },
    ];
    expect(averageScores(tasks, ["a", "b", "c", "d"])).toEqual({ buckets: { a: 50, b: 50, c: 20, d: 0 }, overall: 30 });
  });

  it("empty bucket everywhere is null", () => {
    const tasks: TaskScores[] = [{ task: "passkey", metric: "qa_f1", buckets: [bucket(10), bucket(null)] }];
    expect(averageScores(tasks, ["a", "b"])).toEqual({ buckets: { a: 10, b: null }, overall: 10 });
  });
});
