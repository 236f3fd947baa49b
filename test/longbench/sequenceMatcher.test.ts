import { describe, expect, it } from "vitest";

import { SequenceMatcher, codePoints, fuzzRatio } from "../../lib/longbench";

function matcher(a: string, b: string): SequenceMatcher {
  return new SequenceMatcher(codePoints(a), codePoints(b));
}

describe("SequenceMatcher", () => {
  it("finds the shared run", () => {
    // "bcd" is shared: M = 3, T = 8, ratio 6/8.
    expect(matcher("abcd", "bcde").ratio()).toBe(0.75);
  });

  it("lists blocks with a sentinel", () => {
    // Longest first: "ab" at (0,0) is found before the equally long "cd", which the right-hand
    // region a[2:5] = "xcd" vs b[2:4] = "cd" then yields at (3,2).
    expect(matcher("abxcd", "abcd").matchingBlocks()).toEqual([
      { a: 0, b: 0, size: 2 },
      { a: 3, b: 2, size: 2 },
      { a: 5, b: 4, size: 0 },
    ]);
  });

  it("prefers the earliest match in a", () => {
    // a = "ab", b = "ba": i = 0 finds 'a' at j = 1 first; 'b' at (1,0) is not longer.
    expect(matcher("ab", "ba").matchingBlocks()).toEqual([
      { a: 0, b: 1, size: 1 },
      { a: 2, b: 2, size: 0 },
    ]);
  });

  it("rates two empty sequences as one", () => {
    expect(matcher("", "").ratio()).toBe(1);
  });

  it("marks popular elements from 200", () => {
    // len(b) = 200: limit 200/100 + 1 = 3 occurrences; "a" has 200.
    expect([...matcher("x", "a".repeat(200)).popular]).toEqual(["a"]);
    expect(matcher("x", "a".repeat(199)).popular.size).toBe(0);
  });

  it("extends a seed over popular elements", () => {
    // b = "z" + "a" × 199: "a" is popular but "z" is not. The seed "z" at (0,0) grows over the
    // following equal "a"s: a = "z" + "a" × 50 matches fully, M = 51.
    const m = matcher(`z${"a".repeat(50)}`, `z${"a".repeat(199)}`);
    expect(m.matchingBlocks()[0]).toEqual({ a: 0, b: 0, size: 51 });
  });

  it("disables autojunk on request", () => {
    const m = new SequenceMatcher(codePoints(`b${"a".repeat(100)}`), codePoints("a".repeat(200)), false);
    // M = 100, T = 301.
    expect(m.ratio()).toBe(200 / 301);
  });
});

describe("fuzzRatio", () => {
  it("counts code points like Python", () => {
    // [🙂, a] vs [🙂, b]: M = 1, T = 4 → 50 (UTF-16 units would give M = 2, T = 6 → 67).
    expect(fuzzRatio("🙂a", "🙂b")).toBe(50);
  });

  it("returns 100 for equal strings", () => {
    expect(fuzzRatio("", "")).toBe(100);
    expect(fuzzRatio("x", "x")).toBe(100);
  });

  it("returns 0 when one side is empty", () => {
    expect(fuzzRatio("", "x")).toBe(0);
    expect(fuzzRatio("x", "")).toBe(0);
  });
});
