import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import {
  formatResultJson,
  getDataset,
  listPredictionFiles,
  readPredictionFile,
  resultJson,
  scorePredictionFile,
  scorePredictionFolder,
  scoreSample,
} from "../../lib/longbench";

const root = mkdtempSync(join(tmpdir(), "longbench-evaluate-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folderWith(files: Record<string, object[]>): string {
  const folder = mkdtempSync(join(root, "pred-"));
  for (const [name, records] of Object.entries(files)) {
    writeFileSync(join(folder, name), records.map((record) => `${JSON.stringify(record)}\n`).join(""));
  }
  return folder;
}

describe("scoreSample", () => {
  it("cuts first-line datasets", () => {
    // triviaqa keeps only "Paris": no overlap with "London".
    expect(scoreSample(getDataset("triviaqa"), "Paris\nLondon is the capital", ["London"], null)).toBe(0);
    // hotpotqa keeps both lines: [paris, london, is, capital] vs [london] → P = 1/4, R = 1 → 0.4.
    expect(scoreSample(getDataset("hotpotqa"), "Paris\nLondon is the capital", ["London"], null)).toBeCloseTo(0.4, 12);
  });

  it("skips leading newlines before cutting", () => {
    expect(scoreSample(getDataset("trec"), "\n\nLocation\nAnimal", ["Location"], ["Animal", "Location"])).toBe(1);
  });

  it("takes the max over answers", () => {
    // "Paris France" vs "Paris": 2/3; vs "Paris, France": 1.
    expect(scoreSample(getDataset("hotpotqa"), "Paris France", ["Paris", "Paris, France"], null)).toBe(1);
  });

  it("scores no answers as zero", () => {
    expect(scoreSample(getDataset("hotpotqa"), "Paris", [], null)).toBe(0);
  });
});

describe("scorePredictionFolder", () => {
  it("scores LongBench-E buckets", () => {
    const folder = folderWith({
      "hotpotqa.jsonl": [
        { pred: "Paris", answers: ["Paris"], all_classes: null, length: 100 },
        { pred: "It was Paris, France", answers: ["Paris"], all_classes: null, length: 5000 },
        { pred: "Rome", answers: ["Paris"], all_classes: null, length: 6000 },
      ],
      "passage_count.jsonl": [{ pred: "12 or 15", answers: ["12"], all_classes: null, length: 9000 }],
      "notes.txt": [{ ignored: true }],
    });
    const scores = scorePredictionFolder(folder, "longbench-e");
    // hotpotqa: 0-4k [1] → 100, 4-8k [0.4, 0] → 20, 8k+ empty → null. passage_count: 8k+ [0.5] → 50.
    expect(resultJson(scores)).toEqual({
      hotpotqa: { "0-4k": 100, "4-8k": 20, "8k+": null },
      passage_count: { "0-4k": null, "4-8k": null, "8k+": 50 },
    });
  });

  it("scores the overall mode", () => {
    const folder = folderWith({
      "trec.jsonl": [
        { pred: "ABC", answers: ["ABC"], all_classes: ["A", "AB", "ABC"] },
        { pred: "Animal", answers: ["Animal"], all_classes: ["Animal"] },
      ],
    });
    // Scores 0.5 and 1: round(100 × 1.5 / 2, 2) = 75.
    expect(resultJson(scorePredictionFolder(folder, "overall"))).toEqual({ trec: 75 });
  });

  it("names the line a metric rejects", () => {
    const folder = folderWith({
      "passage_retrieval_en.jsonl": [
        { pred: "Paragraph 1", answers: ["Paragraph 1"], all_classes: null, length: 1 },
        { pred: "Paragraph 1", answers: ["1"], all_classes: null, length: 1 },
      ],
    });
    expect(() => scorePredictionFolder(folder, "longbench-e")).toThrow(/passage_retrieval_en\.jsonl line 2: retrievalScore: answer must contain "Paragraph N"/);
  });

  it("names the file of an unknown dataset", () => {
    const folder = folderWith({ "hotpot.jsonl": [{ pred: "a", answers: ["a"], all_classes: null, length: 1 }] });
    expect(() => scorePredictionFolder(folder, "longbench-e")).toThrow(/hotpot\.jsonl: the file name gives the dataset\. .*Did you mean "hotpotqa"\?/);
  });

  it("rejects an empty file without buckets", () => {
    const folder = folderWith({ "hotpotqa.jsonl": [] });
    expect(() => scorePredictionFolder(folder, "overall")).toThrow(/hotpotqa\.jsonl: file has no predictions/);
    expect(resultJson(scorePredictionFolder(folder, "longbench-e"))).toEqual({ hotpotqa: { "0-4k": null, "4-8k": null, "8k+": null } });
  });

  it("rejects records without length", () => {
    const folder = folderWith({ "hotpotqa.jsonl": [{ pred: "a", answers: ["a"], all_classes: null }] });
    const file = readPredictionFile(join(folder, "hotpotqa.jsonl"), { requireLength: false });
    expect(() => scorePredictionFile(file, "longbench-e")).toThrow(/hotpotqa\.jsonl line 1: field "length" is missing, and LongBench-E buckets by it/);
  });

  it("rejects a folder without prediction files", () => {
    const folder = folderWith({ "a.txt": [] });
    expect(() => listPredictionFiles(folder)).toThrow(/has no prediction files/);
  });
});

describe("formatResultJson", () => {
  it("lays out like Python json.dump", () => {
    const text = formatResultJson({ trec: { "0-4k": 100, "4-8k": 31.17, "8k+": null }, lcc: 0 });
    expect(text).toBe('{\n    "trec": {\n        "0-4k": 100.0,\n        "4-8k": 31.17,\n        "8k+": null\n    },\n    "lcc": 0.0\n}');
  });

  it("parses back as JSON", () => {
    expect(JSON.parse(formatResultJson({ trec: { "0-4k": 100, "4-8k": 31.17, "8k+": null } }))).toEqual({
      trec: { "0-4k": 100, "4-8k": 31.17, "8k+": null },
    });
  });
});
