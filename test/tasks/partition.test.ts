import { describe, expect, it } from "vitest";

import { drawKey, drawNumber, partitionOf } from "../../lib/tasks/partition";
import { Random } from "../../lib/util/random";

describe("partitionOf", () => {
  it("splits numbers about in half", () => {
    // All 9000 four-digit numbers: a hash bit should give each side 50% ± a few percent.
    let train = 0;
    for (let n = 1000; n <= 9999; n++) if (partitionOf("number", String(n)) === "train") train++;
    expect(train / 9000).toBeGreaterThan(0.45);
    expect(train / 9000).toBeLessThan(0.55);
  });

  it("is a function of kind and value", () => {
    expect(partitionOf("number", "48213")).toBe(partitionOf("number", "48213"));
    // Keys and numbers are hashed apart: over 200 strings, some must land on different sides.
    const differing = Array.from({ length: 200 }, (_, i) => String(i)).filter((v) => partitionOf("key", v) !== partitionOf("number", v));
    expect(differing.length).toBeGreaterThan(0);
  });
});

describe("drawNumber", () => {
  it("draws from the requested partition", () => {
    const rng = new Random(1);
    for (let i = 0; i < 200; i++) {
      const value = drawNumber(rng, 5, "eval");
      expect(value).toMatch(/^[1-9]\d{4}$/);
      expect(partitionOf("number", value)).toBe("eval");
    }
  });

  it("one digit starts at 1", () => {
    const rng = new Random(2);
    const seen = new Set(Array.from({ length: 300 }, () => drawNumber(rng, 1, "train")));
    expect(seen.has("0")).toBe(false);
  });

  it("respects the exclusion set", () => {
    // One-digit numbers: 1..9, about half in each partition; excluding all but one leaves that one.
    const train = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].filter((v) => partitionOf("number", v) === "train");
    const exclude = new Set(train.slice(1));
    expect(drawNumber(new Random(3), 1, "train", exclude)).toBe(train[0]);
  });

  it("rejects an exhausted partition", () => {
    const train = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].filter((v) => partitionOf("number", v) === "train");
    expect(() => drawNumber(new Random(4), 1, "train", new Set(train))).toThrow(/no number in the train partition outside the \d+ excluded/);
  });

  it("rejects ten digits", () => {
    expect(() => drawNumber(new Random(5), 10, "train")).toThrow(/digits must be an integer in \[1, 9\], got 10/);
  });
});

describe("drawKey", () => {
  it("draws consonant-vowel keys", () => {
    const rng = new Random(6);
    for (let i = 0; i < 200; i++) {
      const key = drawKey(rng, "train");
      expect(key).toMatch(/^[bdfgklmnprstvz][aeiou][bdfgklmnprstvz][aeiou]$/);
      expect(partitionOf("key", key)).toBe("train");
    }
  });
});
