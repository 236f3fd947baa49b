import { describe, expect, it } from "vitest";

import {
  classificationScore,
  codeLine,
  codeSimScore,
  countScore,
  qaF1,
  retrievalScore,
  retrievalZhScore,
  tokenF1,
} from "../../lib/longbench";

describe("qaF1", () => {
  it("ignores articles and punctuation", () => {
    // "eiffel tower" vs "eiffel tower": c = 2, P = R = 1.
    expect(qaF1("The Eiffel Tower.", "Eiffel Tower")).toBe(1.0);
  });

  it("scores a partial answer", () => {
    // [it, was, paris, france] vs [paris]: c = 1, P = 1/4, R = 1, F1 = 2(1/4)/(5/4) = 0.4.
    expect(qaF1("It was Paris, France", "Paris")).toBeCloseTo(0.4, 12);
  });

  it("drops articles on both sides", () => {
    // [apple, day] vs [apple]: c = 1, P = 1/2, R = 1, F1 = 1/(3/2) = 2/3.
    expect(qaF1("an apple a day", "the apple")).toBeCloseTo(2 / 3, 12);
  });

  it("scores empty prediction as zero", () => {
    expect(qaF1("", "Paris")).toBe(0);
  });

  it("scores two empty answers as zero", () => {
    // Both normalize to no tokens, so c = 0 and the score is 0, not 1.
    expect(qaF1("", "")).toBe(0);
    expect(qaF1("The.", "a")).toBe(0);
  });

  it("counts repeated tokens once per match", () => {
    // [paris ×3] vs [paris]: c = min(3, 1) = 1, P = 1/3, R = 1, F1 = (2/3)/(4/3) = 0.5.
    expect(qaF1("Paris paris PARIS", "Paris")).toBeCloseTo(0.5, 12);
    // [paris ×2] vs [paris ×2, london]: c = 2, P = 1, R = 2/3, F1 = (4/3)/(5/3) = 0.8.
    expect(qaF1("paris paris", "paris paris london")).toBeCloseTo(0.8, 12);
  });
});

describe("tokenF1", () => {
  it("scores disjoint tokens as zero", () => {
    expect(tokenF1(["a"], ["b"])).toBe(0);
  });
});

describe("countScore", () => {
  it("shares credit among all numbers", () => {
    // Digit runs [12, 15]; one equals "12": 1/2.
    expect(countScore("There are 12 unique paragraphs out of 15", "12")).toBe(0.5);
  });

  it("scores no digits as zero", () => {
    expect(countScore("twelve", "12")).toBe(0);
  });

  it("compares numbers as strings", () => {
    // "012" is one run and is not the string "12".
    expect(countScore("there are 012", "12")).toBe(0);
  });

  it("counts repeated correct numbers", () => {
    // Runs [12, 12, 3]: 2/3.
    expect(countScore("12, 12 or 3", "12")).toBeCloseTo(2 / 3, 12);
  });

  it("counts Unicode digits like Python", () => {
    // Python's \d matches the Arabic-Indic "١٢": runs ["12", "١٢"], one equal to "12".
    expect(countScore("12 or ١٢", "12")).toBe(0.5);
  });

  it("splits numbers at separators", () => {
    // "1,234" gives runs [1, 234].
    expect(countScore("1,234", "234")).toBe(0.5);
  });
});

describe("retrievalScore", () => {
  it("scores the exact paragraph", () => {
    expect(retrievalScore("Paragraph 3", "Paragraph 3")).toBe(1);
  });

  it("shares credit among numbers", () => {
    // Gold id 3; runs [13, 3]: 1/2.
    expect(retrievalScore("Paragraph 13, or maybe 3", "Paragraph 3")).toBe(0.5);
  });

  it("takes the first paragraph id", () => {
    // Gold id is 2, the first "Paragraph N" of the answer.
    expect(retrievalScore("5", "Paragraph 2 and Paragraph 5")).toBe(0);
  });

  it("scores no digits as zero", () => {
    expect(retrievalScore("the third one", "Paragraph 3")).toBe(0);
  });

  it("rejects answer without paragraph label", () => {
    expect(() => retrievalScore("3", "3")).toThrow(/answer must contain "Paragraph N" with N a number, got "3"/);
  });

  it("matches the label case-sensitively", () => {
    expect(() => retrievalScore("3", "paragraph 3")).toThrow(/must contain "Paragraph N"/);
  });
});

describe("retrievalZhScore", () => {
  it("reads the Chinese label", () => {
    expect(retrievalZhScore("段落2", "段落2")).toBe(1);
  });

  it("rejects answer without label", () => {
    expect(() => retrievalZhScore("2", "Paragraph 2")).toThrow(/must contain "段落N"/);
  });
});

describe("classificationScore", () => {
  it("keeps the class after a removal", () => {
    // Found [A, AB, ABC]. i=0: A is in "ABC" and not equal → removed, list [AB, ABC];
    // i=1 now visits ABC (AB slid into slot 0 and is skipped) and keeps it. List [AB, ABC] → 1/2.
    expect(classificationScore("ABC", "ABC", ["A", "AB", "ABC"])).toBe(0.5);
  });

  it("skips every element after a removal", () => {
    // Found [A, AB, ABC, ABCD]. i=0: remove A → [AB, ABC, ABCD]; i=1: ABC removed → [AB, ABCD];
    // i=2 ends the loop. Without the skip the list would be [ABCD] and score 1.
    expect(classificationScore("ABCD", "ABCD", ["A", "AB", "ABC", "ABCD"])).toBe(0.5);
  });

  it("removes the first duplicate", () => {
    // Found [A, A, AB]. i=0: remove the first A → [A, AB]; i=1: AB equals the truth. Score 1/2.
    expect(classificationScore("AB", "AB", ["A", "A", "AB"])).toBe(0.5);
  });

  it("splits credit among found classes", () => {
    // Found [Animal, Plant]; neither is a strict substring of "Animal". Score 1/2.
    expect(classificationScore("Animal or Plant", "Animal", ["Animal", "Plant"])).toBe(0.5);
  });

  it("scores a single correct class", () => {
    expect(classificationScore("It is Location.", "Location", ["Abbreviation", "Location"])).toBe(1);
  });

  it("scores missing truth as zero", () => {
    expect(classificationScore("Location", "Animal", ["Animal", "Location"])).toBe(0);
  });

  it("matches classes case-sensitively", () => {
    expect(classificationScore("animal", "Animal", ["Animal"])).toBe(0);
  });

  it("scores empty class list as zero", () => {
    expect(classificationScore("Animal", "Animal", [])).toBe(0);
  });

  it("rejects a null class list", () => {
    expect(() => classificationScore("Animal", "Animal", null)).toThrow(/allClasses must be a list of class names, got null/);
  });
});

describe("codeLine", () => {
  it("skips comment and fence lines", () => {
    expect(codeLine("\n\n# set x\nx = 1\n")).toBe("x = 1");
    expect(codeLine("```python\nx = 1\n```")).toBe("x = 1");
    expect(codeLine("// note\nreturn a;")).toBe("return a;");
  });

  it("skips lines containing a URL", () => {
    // "//" anywhere in the line skips it, as in LongBench.
    expect(codeLine('url = "http://a"\nb = 2')).toBe("b = 2");
  });

  it("returns empty when every line is skipped", () => {
    expect(codeLine("# a\n// b")).toBe("");
  });
});

describe("codeSimScore", () => {
  it("scores an identical line as one", () => {
    expect(codeSimScore("\n# set x\nx = 1\ny = 2", "x = 1")).toBe(1);
  });

  it("counts indentation", () => {
    // "    return x" (12) vs "return x" (8): M = 8, ratio 16/20 = 0.8 → 80.
    expect(codeSimScore("    return x", "return x")).toBe(0.8);
    // "\treturn x" (9) vs "    return x" (12): M = 8, 16/21 = 0.7619… → 76.
    expect(codeSimScore("\treturn x", "    return x")).toBe(0.76);
  });

  it("rounds ties to even", () => {
    // "xa" vs "a" + 13 × "y": M = 1, T = 16, 100·2/16 = 12.5 → 12.
    expect(codeSimScore("xa", `a${"y".repeat(13)}`)).toBe(0.12);
    // "abcxxxxx" vs "abcyyyyy": M = 3, T = 16, 37.5 → 38.
    expect(codeSimScore("abcxxxxx", "abcyyyyy")).toBe(0.38);
  });

  it("scores two empty lines as one", () => {
    // The only line is a comment, so "" is compared with "": fuzz.ratio returns 100 for equal strings.
    expect(codeSimScore("# only a comment", "")).toBe(1);
  });

  it("scores one empty side as zero", () => {
    expect(codeSimScore("# only a comment", "x = 1")).toBe(0);
  });

  it("applies autojunk to long answers", () => {
    // Gold line "a" × 200: 'a' occurs more than 200/100 + 1 = 3 times, so it is popular and unindexed.
    // "b" + "a" × 100 then finds no seed match and M = 0.
    expect(codeSimScore(`b${"a".repeat(100)}`, "a".repeat(200))).toBe(0);
  });

  it("skips autojunk below 200 characters", () => {
    // Gold line "a" × 199: M = 100, T = 300, 100·200/300 = 66.67 → 67.
    expect(codeSimScore(`b${"a".repeat(100)}`, "a".repeat(199))).toBe(0.67);
  });
});
