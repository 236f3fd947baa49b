import { describe, expect, it } from "vitest";

import { decode } from "../../lib/data/tokenizer";
import { FillerSource } from "../../lib/tasks/filler";
import { composeTaskRow, drawTrainingInstance, taskMixBatchSource } from "../../lib/tasks/mix";
import { partitionOf } from "../../lib/tasks/partition";
import { buildSuite } from "../../lib/tasks/suite";
import { DEFAULT_TASK_OPTIONS, TASK_NAMES } from "../../lib/tasks/types";
import { Random } from "../../lib/util/random";
import { brownCorpus } from "./fixtures";

const { train: trainDocs, test: testDocs } = brownCorpus().splits;
const base = { trainDocs, fraction: 1, tasks: ["passkey"] as const, lTrain: 64, seed: 0 };

function rows(batch: Int32Array, width: number): string[] {
  return Array.from({ length: batch.length / width }, (_, b) => decode(batch.subarray(b * width, (b + 1) * width)));
}

describe("taskMixBatchSource", () => {
  it("rows end with answer and newline", () => {
    const source = taskMixBatchSource({ ...base, tasks: ["passkey"] });
    const batch = source(0, new Random(1), 65, 16);
    expect(batch.length).toBe(16 * 65);
    for (const row of rows(batch, 65)) {
      // Prompt, then the 5-digit pass key stated in the row, then the end marker.
      const match = /\nThe pass key is #(\d{5})\n$/.exec(row);
      expect(match).not.toBeNull();
      expect(row.indexOf(`The pass key is #${match![1]}.`)).toBeGreaterThanOrEqual(0);
    }
  });

  it("composeTaskRow puts fill, newline, instance", () => {
    // Window 8, instance [1, 2, 3]: gap 5 = 4 fill tokens (7s) + the newline (10).
    const row = composeTaskRow(Int32Array.from([1, 2, 3]), 8, (length) => new Int32Array(length).fill(7));
    expect(Array.from(row)).toEqual([7, 7, 7, 7, 10, 1, 2, 3]);
  });

  it("composeTaskRow with one free token", () => {
    // Gap 1 holds only the newline, and fill is never asked for.
    const row = composeTaskRow(Int32Array.from([1, 2, 3]), 4, () => {
      throw new Error("fill called");
    });
    expect(Array.from(row)).toEqual([10, 1, 2, 3]);
  });

  it("composeTaskRow with a full instance", () => {
    expect(Array.from(composeTaskRow(Int32Array.from([1, 2, 3]), 3, () => new Int32Array(0)))).toEqual([1, 2, 3]);
  });

  it("composeTaskRow rejects a long instance", () => {
    expect(() => composeTaskRow(Int32Array.from([1, 2, 3]), 2, () => new Int32Array(0))).toThrow(/instance length must be at most windowLength = 2, got 3/);
  });

  it("fraction zero gives corpus windows", () => {
    // With no task rows, every row is a window of some train document.
    const source = taskMixBatchSource({ ...base, fraction: 0 });
    for (const row of rows(source(0, new Random(3), 65, 8), 65)) {
      expect(trainDocs.some((d) => d.text.includes(row))).toBe(true);
    }
  });

  it("fraction sets the share of task rows", () => {
    // 400 rows at fraction 0.25: about 100 end with the pass-key answer (binomial sd ≈ 8.7).
    const source = taskMixBatchSource({ ...base, fraction: 0.25 });
    const all = rows(source(0, new Random(4), 65, 400), 65);
    const taskRows = all.filter((row) => /The pass key is #\d{5}\n$/.test(row)).length;
    expect(taskRows).toBeGreaterThan(70);
    expect(taskRows).toBeLessThan(130);
  });

  it("same generator gives same batch", () => {
    const source = taskMixBatchSource({ ...base, tasks: [...TASK_NAMES], lTrain: 256 });
    expect(source(3, new Random(5), 257, 4)).toEqual(source(3, new Random(5), 257, 4));
    const other = taskMixBatchSource({ ...base, tasks: [...TASK_NAMES], lTrain: 256, seed: 1 });
    expect(other(3, new Random(5), 257, 4)).not.toEqual(source(3, new Random(5), 257, 4));
  });

  it("rejects a task longer than the row", () => {
    // recall needs a 96-byte prompt plus 64 answer bytes plus the newline: 161 > 65.
    expect(() => taskMixBatchSource({ ...base, tasks: ["recall"] })).toThrow(/tasks\[0\] \(recall\) needs rows of at least 161 tokens, got lTrain \+ 1 = 65/);
  });

  it("rejects an invalid fraction", () => {
    expect(() => taskMixBatchSource({ ...base, fraction: 1.5 })).toThrow(/fraction must be a finite number in \[0, 1\], got 1.5/);
  });

  it("rejects no tasks with a fraction", () => {
    expect(() => taskMixBatchSource({ ...base, tasks: [] })).toThrow(/tasks must be a non-empty list when fraction > 0, got \[\]/);
  });

  it("rejects an unknown task", () => {
    expect(() => taskMixBatchSource({ ...base, tasks: ["pass_key" as "passkey"] })).toThrow(/tasks\[0\] must be one of .*Did you mean "passkey"\?/);
  });
});

describe("train and eval disjointness", () => {
  // Training instances as the batch source draws them, against an evaluation suite.
  const filler = new FillerSource(trainDocs);
  const training = Array.from({ length: 400 }, (_, i) =>
    drawTrainingInstance(TASK_NAMES[i % 4], filler, new Random(i), 512, DEFAULT_TASK_OPTIONS).instance,
  );
  const suite = buildSuite({ lTrain: 128, instancesPerBucket: 25 }, testDocs);

  it("documents are disjoint", () => {
    const evalDocuments = new Set(suite.records.flatMap((r) => r.source_documents));
    const trainDocuments = new Set(training.flatMap((t) => t.documents));
    expect(evalDocuments.size).toBeGreaterThan(20);
    expect([...trainDocuments].filter((id) => evalDocuments.has(id))).toEqual([]);
  });

  it("keys are disjoint", () => {
    const evalKeys = new Set(suite.records.flatMap((r) => r.keys));
    const trainKeys = training.flatMap((t) => t.keys);
    expect(evalKeys.size).toBeGreaterThan(100);
    expect(trainKeys.filter((key) => evalKeys.has(key))).toEqual([]);
  });

  it("numbers are disjoint", () => {
    const evalNumbers = new Set(suite.records.flatMap((r) => r.numbers));
    const trainNumbers = training.flatMap((t) => t.numbers);
    expect(evalNumbers.size).toBeGreaterThan(100);
    expect(trainNumbers.filter((value) => evalNumbers.has(value))).toEqual([]);
  });

  it("partitions split by hash", () => {
    for (const record of suite.records) {
      for (const value of record.numbers) expect(partitionOf("number", value)).toBe("eval");
    }
  });
});
