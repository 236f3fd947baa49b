import { describe, expect, it } from "vitest";

import { RougeInputError, lcsWords, rougeL, rougeScore, splitRougeSentences } from "../../lib/longbench";

/** F as the rouge package computes it from P and R. */
function fScore(p: number, r: number): number {
  return 2.0 * ((p * r) / (p + r + 1e-8));
}

describe("splitRougeSentences", () => {
  it("splits on periods and collapses spaces", () => {
    expect(splitRougeSentences("A  cat. A dog.")).toEqual(["A cat", "A dog"]);
  });

  it("keeps a space-only piece as empty sentence", () => {
    // "A cat. " → ["A cat", " "]; " " has length 1 before collapsing, so it stays as "".
    expect(splitRougeSentences("A cat. ")).toEqual(["A cat", ""]);
  });

  it("returns nothing for periods only", () => {
    expect(splitRougeSentences("...")).toEqual([]);
  });
});

describe("lcsWords", () => {
  it("breaks ties toward the later word", () => {
    // x = [a, b], y = [b, a]. At (2,2) b ≠ a and table[1][2] = table[2][1] = 1, so the walk
    // moves left to (2,1), where b = b matches. The LCS kept is [b], not [a].
    expect(lcsWords(["a", "b"], ["b", "a"], Infinity)).toEqual(["b"]);
  });
});

describe("rougeL", () => {
  it("scores the cat example by hand", () => {
    // One sentence each. Reference words {the, cat, is, on, mat}: m = 5; hypothesis words
    // {the, cat, sat, on, mat}: n = 5. LCS "the cat on the mat" has the distinct words
    // {the, cat, on, mat}: L = 4. R = P = 4/5, F = 2·0.64/(1.6 + 1e-8) = 0.799999995.
    const score = rougeL("the cat sat on the mat", "the cat is on the mat");
    expect(score.r).toBe(0.8);
    expect(score.p).toBe(0.8);
    expect(score.f).toBe(fScore(0.8, 0.8));
    expect(score.f).toBeCloseTo(0.8, 7);
  });

  it("unions LCS words across sentences", () => {
    // Reference sentences "the cat ran" and "a dog sat": m = |{the, cat, ran, a, dog, sat}| = 6.
    // Hypothesis sentences "the cat sat" and "the dog ran": n = |{the, cat, sat, dog, ran}| = 5.
    // "the cat ran" × "the cat sat" → {the, cat}; × "the dog ran" → {the, ran}.
    // "a dog sat" × "the cat sat" → {sat}; × "the dog ran" → {dog}. Union: 5 words, L = 5.
    // R = 5/6, P = 1.
    const score = rougeL("the cat sat. the dog ran", "the cat ran. a dog sat");
    expect(score.p).toBe(1);
    expect(score.r).toBe(5 / 6);
    expect(score.f).toBe(fScore(1, 5 / 6));
  });

  it("follows the package's LCS choice", () => {
    // Reference "a b. b": "a b" × "b a" keeps {b} (see lcsWords), "b" × "b a" keeps {b}.
    // L = 1, m = n = 2, so P = R = 1/2. Had the first LCS been [a], L would be 2.
    const score = rougeL("b a", "a b. b");
    expect(score.f).toBe(fScore(0.5, 0.5));
  });

  it("counts a trailing space sentence", () => {
    // "the cat. " has sentences ["the cat", ""], so n = |{the, cat, ""}| = 3, while L = 2, m = 2.
    expect(rougeL("the cat. ", "the cat").f).toBe(fScore(2 / 3, 1));
    expect(rougeL("the cat.", "the cat").f).toBe(fScore(1, 1));
  });

  it("keeps case and punctuation", () => {
    // "The" ≠ "the": L = 1 of m = n = 2.
    expect(rougeL("The cat", "the cat").f).toBe(fScore(0.5, 0.5));
    // "cat," ≠ "cat".
    expect(rougeL("the cat,", "the cat").f).toBe(fScore(0.5, 0.5));
  });

  it("scores a blank hypothesis as zero", () => {
    // " " is one empty sentence with the single word "", which the reference lacks: L = 0.
    expect(rougeL(" ", "the cat").f).toBe(0);
  });

  it("rejects an empty hypothesis", () => {
    expect(() => rougeL("", "the cat")).toThrow(RougeInputError);
    expect(() => rougeL("...", "the cat")).toThrow(/hypothesis "..." has no sentence/);
  });

  it("rejects an empty reference", () => {
    expect(() => rougeL("the cat", "")).toThrow(/reference "" has no sentence/);
  });

  it("passes just inside the recursion limit", () => {
    // 990 equal words: the walk takes 990 diagonal steps, 991 calls with 9 frames above = 1000.
    const words = Array(990).fill("z").join(" ");
    expect(rougeL(words, words).f).toBe(fScore(1, 1));
  });

  it("raises past the recursion limit", () => {
    // 991 equal words need 992 calls, one more than CPython's limit allows.
    const words = Array(991).fill("z").join(" ");
    expect(() => rougeL(words, words)).toThrow(/needs more than 991 recursive calls/);
  });

  it("computes past the limit when disabled", () => {
    const words = Array(991).fill("z").join(" ");
    expect(rougeL(words, words, { maxReconCalls: Infinity }).f).toBe(fScore(1, 1));
  });
});

describe("rougeScore", () => {
  it("scores raising inputs as zero", () => {
    expect(rougeScore("", "the cat")).toBe(0);
    expect(rougeScore("...", "the cat")).toBe(0);
    const words = Array(991).fill("z").join(" ");
    expect(rougeScore(words, words)).toBe(0);
  });

  it("returns the ROUGE-L F", () => {
    expect(rougeScore("the cat sat on the mat", "the cat is on the mat")).toBe(fScore(0.8, 0.8));
  });
});
