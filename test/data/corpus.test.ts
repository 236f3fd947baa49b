import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadCorpus, selectDocuments, validateCorpusConfig } from "../../lib/data/corpus";
import { decode } from "../../lib/data/tokenizer";
import { SPLIT_NAMES } from "../../lib/data/types";
import { ConfigError, FileFormatError } from "../../lib/util/errors";
import { logger } from "../../lib/util/logger";

const logLines: string[] = [];
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "corpus-"));
  logger.setSink((line) => logLines.push(line));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  logger.setSink((line) => process.stderr.write(`${line}\n`));
});

describe("validateCorpusConfig", () => {
  it("fills default fractions", () => {
    expect(validateCorpusConfig({ source: "brown", seed: 1 })).toEqual({
      source: "brown",
      seed: 1,
      fractions: { train: 0.8, validation: 0.1, test: 0.1 },
    });
  });

  it("keeps maxDocuments", () => {
    expect(validateCorpusConfig({ source: "brown", seed: 0, maxDocuments: 30 }).maxDocuments).toBe(30);
  });

  const bad: [string, unknown, RegExp][] = [
    ["non-object", "brown", /corpus config: the config must be an object/],
    ["unknown field", { source: "brown", seeds: 1 }, /corpus config: unknown field "seeds".*Did you mean "seed"\?/],
    ["numeric source", { source: 3, seed: 0 }, /corpus config: source must be "brown" or the path .*, got 3/],
    ["empty source", { source: " ", seed: 0 }, /corpus config: source must be/],
    ["missing seed", { source: "brown" }, /corpus config: seed must be an integer in \[0, 4294967295\], got undefined/],
    ["negative seed", { source: "brown", seed: -1 }, /corpus config: seed must be an integer .*got -1/],
    ["fractional seed", { source: "brown", seed: 0.5 }, /corpus config: seed must be an integer .*got 0\.5/],
    ["small maxDocuments", { source: "brown", seed: 0, maxDocuments: 2 }, /corpus config: maxDocuments must be an integer in \[3, ∞\], got 2/],
    ["bad fractions", { source: "brown", seed: 0, fractions: { train: 0.8, validation: 0.2, test: 0 } }, /corpus config: fractions\.test must be/],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => validateCorpusConfig(value)).toThrow(ConfigError);
      expect(() => validateCorpusConfig(value)).toThrow(message);
    });
  }
});

describe("selectDocuments", () => {
  const documents = [
    { id: "a1", genre: "a" },
    { id: "a2", genre: "a" },
    { id: "a3", genre: "a" },
    { id: "b1", genre: "b" },
    { id: "c1", genre: "c" },
    { id: "c2", genre: "c" },
  ];

  it("no cap returns all", () => {
    expect(selectDocuments(documents, undefined, 0)).toBe(documents);
  });

  it("genres take turns", () => {
    // Round 0 takes one each of a, b and c. Round 1 takes one more of a and c, because b has only one.
    const genres = selectDocuments(documents, 5, 0).map((d) => d.genre);
    expect(genres.filter((g) => g === "a")).toHaveLength(2);
    expect(genres.filter((g) => g === "b")).toHaveLength(1);
    expect(genres.filter((g) => g === "c")).toHaveLength(2);
  });

  it("keeps input order", () => {
    const chosen = selectDocuments(documents, 4, 7).map((d) => d.id);
    expect(chosen).toEqual(chosen.slice().sort());
  });

  it("input order does not matter", () => {
    const reversedInput = selectDocuments(documents.slice().reverse(), 4, 7);
    expect(selectDocuments(documents, 4, 7)).toEqual(reversedInput.slice().reverse());
  });
});

describe("loadCorpus Brown", () => {
  it("capped corpus has every genre per split", () => {
    // 45 documents over 15 genres is 3 per genre, and a genre of 3 gives one to each split.
    const corpus = loadCorpus({ source: "brown", seed: 0, maxDocuments: 45 });
    for (const name of SPLIT_NAMES) {
      expect(corpus.splits[name]).toHaveLength(15);
      expect(new Set(corpus.splits[name].map((d) => d.genre)).size).toBe(15);
    }
  });

  it("full corpus is deterministic", () => {
    const first = loadCorpus({ source: "brown", seed: 5 });
    const second = loadCorpus({ source: "brown", seed: 5 });
    for (const name of SPLIT_NAMES) {
      expect(second.splits[name].map((d) => d.id)).toEqual(first.splits[name].map((d) => d.id));
    }
    expect(first.name).toBe("brown");
    expect(first.seed).toBe(5);
  });

  it("tokens are the text bytes", () => {
    const corpus = loadCorpus({ source: "brown", seed: 0, maxDocuments: 3 });
    const document = corpus.splits.train[0];
    expect(decode(document.tokens)).toBe(document.text);
  });

  it("logs counts", () => {
    logLines.length = 0;
    loadCorpus({ source: "brown", seed: 0, maxDocuments: 30 });
    expect(logLines.join("\n")).toMatch(/loaded corpus brown: 30 of 500 documents, \d+ bytes \(train \d+, validation \d+, test \d+; seed 0\)/);
  });
});

describe("loadCorpus user corpus", () => {
  it("jsonl corpus splits 3/1/1", () => {
    // 5 × (0.8, 0.1, 0.1) = (4, 0.5, 0.5): floors (4, 0, 0), one left over goes to validation
    // (remainder 0.5, first of the tie) → (4, 1, 0); test then takes one from train → (3, 1, 1).
    const path = join(root, "five.jsonl");
    writeFileSync(path, ["one", "two", "three", "four", "five"].map((text) => JSON.stringify({ text })).join("\n"));
    const corpus = loadCorpus({ source: path, seed: 0 });
    expect(SPLIT_NAMES.map((name) => corpus.splits[name].length)).toEqual([3, 1, 1]);
    expect(corpus.name).toBe(path);
  });

  it("missing path", () => {
    const config = { source: join(root, "nothing-here"), seed: 0 };
    expect(() => loadCorpus(config)).toThrow(FileFormatError);
    expect(() => loadCorpus(config)).toThrow(/nothing-here could not be read \(ENOENT\)/);
  });
});
