import { describe, expect, it } from "vitest";

import { loadBrownDocuments } from "../../lib/data/brown";
import { DEFAULT_SPLIT_FRACTIONS, splitDocuments, validateSplitFractions } from "../../lib/data/split";
import { SPLIT_NAMES } from "../../lib/data/types";

/** `count` documents `d00`, `d01`, … of one genre. */
function makeDocuments(count: number, genre = "g"): { id: string; genre: string }[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${genre}-${String(i).padStart(2, "0")}`, genre }));
}

function sizes(split: Record<string, unknown[]>): number[] {
  return SPLIT_NAMES.map((name) => split[name].length);
}

function ids(split: Record<string, { id: string }[]>): string[][] {
  return SPLIT_NAMES.map((name) => split[name].map((d) => d.id));
}

describe("splitDocuments sizes", () => {
  it("ten documents 8/1/1", () => {
    expect(sizes(splitDocuments(makeDocuments(10), 0))).toEqual([8, 1, 1]);
  });

  it("six documents 4/1/1", () => {
    // 6 × (0.8, 0.1, 0.1) = (4.8, 0.6, 0.6): floors (4, 0, 0), two left over go to the largest
    // remainders train (0.8) and validation (0.6, first of the tie) → (5, 1, 0); test then takes one from train.
    expect(sizes(splitDocuments(makeDocuments(6), 0))).toEqual([4, 1, 1]);
  });

  it("three documents 1/1/1", () => {
    expect(sizes(splitDocuments(makeDocuments(3), 0))).toEqual([1, 1, 1]);
  });

  it("custom fractions 4/2/2", () => {
    const fractions = { train: 0.5, validation: 0.25, test: 0.25 };
    expect(sizes(splitDocuments(makeDocuments(8), 0, fractions))).toEqual([4, 2, 2]);
  });

  it("tiny genres fill every split", () => {
    // Each one-document genre goes to train, then validation and test each take one from train.
    const documents = [...makeDocuments(1, "a"), ...makeDocuments(1, "b"), ...makeDocuments(1, "c")];
    expect(sizes(splitDocuments(documents, 0))).toEqual([1, 1, 1]);
  });
});

describe("splitDocuments properties", () => {
  const documents = [...makeDocuments(20, "x"), ...makeDocuments(7, "y"), ...makeDocuments(2, "z")];

  it("splits are disjoint and complete", () => {
    const all = ids(splitDocuments(documents, 3)).flat();
    expect(all).toHaveLength(documents.length);
    expect(new Set(all).size).toBe(documents.length);
  });

  it("same seed same split", () => {
    expect(ids(splitDocuments(documents, 3))).toEqual(ids(splitDocuments(documents, 3)));
  });

  it("different seed different split", () => {
    expect(ids(splitDocuments(documents, 3))).not.toEqual(ids(splitDocuments(documents, 4)));
  });

  it("input order does not matter", () => {
    expect(ids(splitDocuments(documents.slice().reverse(), 3)).map((s) => s.sort())).toEqual(
      ids(splitDocuments(documents, 3)).map((s) => s.sort()),
    );
  });

  it("splits keep input order", () => {
    const train = ids(splitDocuments(documents, 3))[0];
    expect(train).toEqual(train.slice().sort());
  });

  it("genres of three or more everywhere", () => {
    const split = splitDocuments(documents, 3);
    for (const name of SPLIT_NAMES) {
      expect(new Set(split[name].map((d) => d.genre)).has("x")).toBe(true);
      expect(new Set(split[name].map((d) => d.genre)).has("y")).toBe(true);
    }
  });

  it("unstratified ignores genre", () => {
    // 29 × (0.8, 0.1, 0.1) = (23.2, 2.9, 2.9): floors (23, 2, 2), remainders 0.9, 0.9 → (23, 3, 3).
    expect(sizes(splitDocuments(documents, 3, DEFAULT_SPLIT_FRACTIONS, false))).toEqual([23, 3, 3]);
  });
});

describe("splitDocuments on Brown", () => {
  const brown = loadBrownDocuments();
  const split = splitDocuments(brown, 0);

  it("every split has every genre", () => {
    const genres = new Set(brown.map((d) => d.genre));
    for (const name of SPLIT_NAMES) {
      expect(new Set(split[name].map((d) => d.genre))).toEqual(genres);
    }
  });

  it("sizes near 80/10/10", () => {
    const [train, validation, test] = sizes(split);
    expect(train + validation + test).toBe(500);
    expect(train).toBeGreaterThanOrEqual(390);
    expect(validation).toBeGreaterThanOrEqual(45);
    expect(test).toBeGreaterThanOrEqual(45);
  });

  it("no document in two splits", () => {
    expect(new Set(ids(split).flat()).size).toBe(500);
  });
});

describe("splitDocuments errors", () => {
  it("fewer than three documents", () => {
    expect(() => splitDocuments(makeDocuments(2), 0)).toThrow(/need at least 3 documents .* got 2/);
  });

  it("duplicate ids", () => {
    const documents = [...makeDocuments(3), { id: "g-00", genre: "g" }];
    expect(() => splitDocuments(documents, 0)).toThrow(/document id "g-00" appears twice/);
  });
});

describe("validateSplitFractions", () => {
  it("accepts defaults", () => {
    expect(validateSplitFractions("cfg", { train: 0.8, validation: 0.1, test: 0.1 })).toEqual(DEFAULT_SPLIT_FRACTIONS);
  });

  const bad: [string, unknown, RegExp][] = [
    ["array", [0.8, 0.1, 0.1], /cfg: fractions must be an object \{ train, validation, test \}/],
    ["missing field", { train: 0.9, validation: 0.1 }, /cfg: fractions\.test must be a finite number in \(0, 1\], got undefined/],
    ["zero", { train: 0.9, validation: 0.1, test: 0 }, /cfg: fractions\.test must be a finite number in \(0, 1\], got 0/],
    ["one", { train: 1, validation: 0.1, test: 0.1 }, /cfg: fractions\.train must be below 1/],
    ["bad sum", { train: 0.7, validation: 0.1, test: 0.1 }, /cfg: fractions\.train \+ fractions\.validation \+ fractions\.test must be 1, got 0\.9\. Adjust/],
    ["unknown field", { train: 0.8, valid: 0.1, test: 0.1 }, /cfg: fractions has unknown field "valid"/],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => validateSplitFractions("cfg", value)).toThrow(message);
    });
  }
});
