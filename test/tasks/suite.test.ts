import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { bucketIndex } from "../../lib/longbench";
import { byteLength } from "../../lib/tasks/filler";
import {
  buildSuite,
  lengthBuckets,
  promptOf,
  readSuite,
  requestedLengths,
  validateSuiteConfig,
  writeSuite,
} from "../../lib/tasks/suite";
import { SUITE_VERSION } from "../../lib/tasks/types";
import { brownCorpus } from "./fixtures";

const testDocs = brownCorpus().splits.test;
const config = { lTrain: 128, instancesPerBucket: 3, seed: 7 };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "lsa-suite-"));
}

function folderBytes(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) files[name] = readFileSync(join(folder, name), "utf8");
  return files;
}

describe("buildSuite", () => {
  it("same seed gives identical files", () => {
    const first = tempDir();
    const second = tempDir();
    writeSuite(first, buildSuite(config, testDocs));
    writeSuite(second, buildSuite(config, testDocs));
    expect(folderBytes(first)).toEqual(folderBytes(second));
  });

  it("different seeds give different records", () => {
    const a = buildSuite(config, testDocs);
    const b = buildSuite({ ...config, seed: 8 }, testDocs);
    const differing = a.records.filter((record, i) => record.context !== b.records[i].context);
    expect(differing.length).toBe(a.records.length);
  });

  it("meets requested token lengths", () => {
    // Bucket 0-1x has lengths 96 and 128 (factors 0.75 and 1); records cycle through them.
    const suite = buildSuite(config, testDocs);
    const lengths = requestedLengths(suite.config);
    for (const record of suite.records) {
      expect(byteLength(promptOf(record))).toBe(record.token_length);
      expect(lengths).toContain(record.token_length);
    }
    const passkey = suite.records.filter((r) => r.dataset === "passkey").map((r) => r.token_length);
    expect(passkey.slice(0, 3)).toEqual([96, 128, 96]);
  });

  it("fills every task and bucket", () => {
    // 4 tasks × 4 buckets × 3 instances.
    const suite = buildSuite(config, testDocs);
    expect(suite.records.length).toBe(48);
    const buckets = lengthBuckets(128);
    for (const task of suite.config.tasks) {
      const counts = [0, 0, 0, 0];
      for (const record of suite.records.filter((r) => r.dataset === task)) counts[bucketIndex(record.token_length, buckets)]++;
      expect(counts).toEqual([3, 3, 3, 3]);
    }
  });

  it("writes version and LongBench fields", () => {
    const record = buildSuite(config, testDocs).records[0];
    expect(record.version).toBe(SUITE_VERSION);
    expect(record.language).toBe("en");
    expect(record.all_classes).toBeNull();
    expect(record._id).toMatch(/^[0-9a-f]{32}$/);
    // length counts whitespace words of input, context and answers.
    const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
    expect(record.length).toBe(words(record.input) + words(record.context) + words(record.answers[0]));
  });

  it("uses only the given documents", () => {
    const ids = new Set(testDocs.map((d) => d.id));
    for (const record of buildSuite(config, testDocs).records) {
      for (const id of record.source_documents) expect(ids.has(id)).toBe(true);
    }
  });
});

describe("readSuite", () => {
  it("reads back what was written", () => {
    const folder = tempDir();
    const suite = buildSuite(config, testDocs, { source: "brown", seed: 0 });
    writeSuite(folder, suite);
    expect(readSuite(folder)).toEqual(suite);
  });

  it("rejects a record of another version", () => {
    const folder = tempDir();
    writeSuite(folder, buildSuite({ ...config, tasks: ["passkey"] }, testDocs));
    const path = join(folder, "passkey.jsonl");
    writeFileSync(path, readFileSync(path, "utf8").replace(`"version":"${SUITE_VERSION}"`, '"version":"tasks-0.0.1"'));
    expect(() => readSuite(folder)).toThrow(/passkey\.jsonl line 1: field "version" must be "tasks-1\.0\.0", the version in suite\.json, got "tasks-0\.0\.1"/);
  });

  it("rejects a folder without suite.json", () => {
    expect(() => readSuite(tempDir())).toThrow(/suite\.json not found/);
  });
});

describe("validateSuiteConfig", () => {
  it("fills defaults", () => {
    const resolved = validateSuiteConfig({ lTrain: 128 });
    expect(resolved.tasks).toEqual(["passkey", "kv_retrieval", "counting", "recall"]);
    expect(resolved.instancesPerBucket).toBe(8);
    expect(resolved.taskOptions).toEqual({ passkeyDigits: 5, kvPairs: 3, maxCount: 5 });
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["missing lTrain", {}, /suite config: lTrain must be an integer in \[2, 1048576\], got undefined/],
    ["unknown field", { lTrain: 128, seeds: 1 }, /unknown field "seeds".*Did you mean "seed"\?/],
    ["unknown task", { lTrain: 128, tasks: ["paskey"] }, /tasks\[0\] must be one of .*got "paskey". Did you mean "passkey"\?/],
    ["repeated task", { lTrain: 128, tasks: ["passkey", "passkey"] }, /tasks\[1\] must be a task not listed before, got "passkey"/],
    ["empty tasks", { lTrain: 128, tasks: [] }, /tasks must be a non-empty list of task names, got \[\]/],
    ["zero instances", { lTrain: 128, instancesPerBucket: 0 }, /instancesPerBucket must be an integer in \[1, 100000\], got 0/],
    ["negative factor", { lTrain: 128, lengthFactors: [-1, 2] }, /lengthFactors\[0\] must be a finite number in \(0, 1024\], got -1/],
    ["bad seed", { lTrain: 128, seed: 1.5 }, /seed must be an integer in \[0, 4294967295\], got 1.5/],
    ["bad option", { lTrain: 128, taskOptions: { kvPairs: 0 } }, /taskOptions\.kvPairs must be an integer in \[1, 20\], got 0/],
    ["unknown option", { lTrain: 128, taskOptions: { digits: 3 } }, /taskOptions: unknown field "digits"/],
    // kv_retrieval with 3 pairs needs 3 × (18-byte "Key abcd is #1234." + space) + 16 filler + 1 newline
    // + 13-byte cue = 87 bytes; 0.5 × 128 = 64.
    ["too short length", { lTrain: 128, lengthFactors: [0.5, 1.5, 3, 5] }, /lengthFactors 0\.5 gives 64-token prompts, but task kv_retrieval needs at least 87/],
    ["empty bucket", { lTrain: 128, lengthFactors: [1, 1.5, 3] }, /no length falls in bucket 4x\+.*Add a factor in \(4, ∞\)/],
    ["equal lengths", { lTrain: 128, lengthFactors: [1, 1.001, 1.5, 3, 5] }, /factors that give distinct lengths.*Two give 128 tokens/],
  ];
  for (const [name, value, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => validateSuiteConfig(value)).toThrow(message);
    });
  }

  it("buckets include their upper edge", () => {
    // lTrain 100: 100 → 0-1x, 101 → 1-2x, 400 → 2-4x, 401 → 4x+.
    const buckets = lengthBuckets(100);
    expect([100, 101, 400, 401].map((length) => buckets.labels[bucketIndex(length, buckets)])).toEqual(["0-1x", "1-2x", "2-4x", "4x+"]);
  });
});
