import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import {
  type LongBenchRecord,
  datasetFromFileName,
  readLongBenchRecords,
  readPredictionFile,
  writeLongBenchRecords,
  writePredictionFile,
} from "../../lib/longbench";
import { FileFormatError } from "../../lib/util/errors";

const folder = mkdtempSync(join(tmpdir(), "longbench-records-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let fileCount = 0;
function fileWith(text: string, name = `f${fileCount++}.jsonl`): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

const RECORD: LongBenchRecord = {
  input: "Who wrote it?",
  context: "Passage 1: …",
  answers: ["Jane Austen"],
  length: 4210,
  dataset: "hotpotqa",
  language: "en",
  all_classes: null,
  _id: "abc123",
};

const PREDICTION = '{"pred": "Jane Austen", "answers": ["Jane Austen"], "all_classes": null, "length": 4210}';

describe("readLongBenchRecords", () => {
  it("round-trips written records", () => {
    const path = join(folder, "data.jsonl");
    writeLongBenchRecords(path, [RECORD, { ...RECORD, _id: "def", all_classes: ["A", "B"], language: "zh" }]);
    expect(readLongBenchRecords(path)).toEqual([RECORD, { ...RECORD, _id: "def", all_classes: ["A", "B"], language: "zh" }]);
  });

  it("rejects a missing field", () => {
    const { _id, ...withoutId } = RECORD;
    const path = fileWith(`${JSON.stringify(withoutId)}\n`);
    expect(() => readLongBenchRecords(path)).toThrow(/line 1: field "_id" is missing/);
  });

  it("rejects an unknown language", () => {
    const path = fileWith(`${JSON.stringify({ ...RECORD, language: "fr" })}\n`);
    expect(() => readLongBenchRecords(path)).toThrow(/line 1: field "language" must be "en" or "zh", got "fr"/);
  });
});

describe("readPredictionFile", () => {
  it("reads records and the dataset name", () => {
    const path = fileWith(`${PREDICTION}\n`, "2wikimqa.jsonl");
    const file = readPredictionFile(path, { requireLength: true });
    expect(file.dataset).toBe("2wikimqa");
    expect(file.records).toEqual([{ pred: "Jane Austen", answers: ["Jane Austen"], all_classes: null, length: 4210 }]);
  });

  it("accepts CRLF and no final newline", () => {
    const path = fileWith(`${PREDICTION}\r\n${PREDICTION}`);
    expect(readPredictionFile(path, { requireLength: true }).records).toHaveLength(2);
  });

  it("round-trips written predictions", () => {
    const path = join(folder, "trec.jsonl");
    const records = [
      { pred: "Location", answers: ["Location"], all_classes: ["Location", "Animal"], length: 12 },
      { pred: "x", answers: [], all_classes: ["Location"] },
    ];
    writePredictionFile(path, records);
    expect(readPredictionFile(path, { requireLength: false }).records).toEqual(records);
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(3);
  });

  it("rejects invalid JSON with its line", () => {
    const path = fileWith(`${PREDICTION}\n{"pred": "x",\n`);
    expect(() => readPredictionFile(path, { requireLength: true })).toThrow(FileFormatError);
    expect(() => readPredictionFile(path, { requireLength: true })).toThrow(
      new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} line 2: invalid JSON .*Write one complete JSON object per line`),
    );
  });

  it("rejects a blank line", () => {
    const path = fileWith(`${PREDICTION}\n\n${PREDICTION}\n`);
    expect(() => readPredictionFile(path, { requireLength: true })).toThrow(/line 2: line is blank/);
  });

  it("rejects a non-object line", () => {
    const path = fileWith("[1, 2]\n");
    expect(() => readPredictionFile(path, { requireLength: false })).toThrow(/line 1: the line must be a JSON object, got \[1,2\]/);
  });

  it("rejects a missing prediction", () => {
    const path = fileWith('{"answers": ["a"], "all_classes": null, "length": 1}\n');
    expect(() => readPredictionFile(path, { requireLength: true })).toThrow(/line 1: field "pred" is missing\. Write pred as a JSON string/);
  });

  it("rejects answers given as a string", () => {
    const path = fileWith('{"pred": "a", "answers": "a", "all_classes": null, "length": 1}\n');
    expect(() => readPredictionFile(path, { requireLength: true })).toThrow(
      /line 1: field "answers" must be a list of strings, got "a"\. Write answers as a JSON list of strings/,
    );
  });

  it("rejects a non-integer length", () => {
    const path = fileWith('{"pred": "a", "answers": ["a"], "all_classes": null, "length": "abc"}\n');
    expect(() => readPredictionFile(path, { requireLength: true })).toThrow(/field "length" must be a non-negative integer, got "abc"/);
  });

  it("rejects a bad class list", () => {
    const path = fileWith('{"pred": "a", "answers": ["a"], "all_classes": "A", "length": 1}\n');
    expect(() => readPredictionFile(path, { requireLength: true })).toThrow(/field "all_classes" must be null or a list of strings/);
  });

  it("requires length only for LongBench-E", () => {
    const path = fileWith('{"pred": "a", "answers": ["a"], "all_classes": null}\n');
    expect(readPredictionFile(path, { requireLength: false }).records[0].length).toBeUndefined();
    expect(() => readPredictionFile(path, { requireLength: true })).toThrow(/line 1: field "length" is missing/);
  });

  it("names a missing file", () => {
    expect(() => readPredictionFile(join(folder, "absent.jsonl"), { requireLength: true })).toThrow(/absent\.jsonl could not be read \(ENOENT\)/);
  });
});

describe("datasetFromFileName", () => {
  it("cuts at the first dot", () => {
    expect(datasetFromFileName("/x/repobench-p.jsonl")).toBe("repobench-p");
    expect(datasetFromFileName("gov_report.v2.jsonl")).toBe("gov_report");
  });
});
