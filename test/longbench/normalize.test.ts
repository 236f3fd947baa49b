import { describe, expect, it } from "vitest";

import { PYTHON_PUNCTUATION, firstLine, normalizeAnswer, splitPythonWhitespace } from "../../lib/longbench";

describe("normalizeAnswer", () => {
  it("lowercases and drops punctuation and articles", () => {
    // "The Eiffel Tower." → "the eiffel tower" → " eiffel tower" → "eiffel tower"
    expect(normalizeAnswer("The Eiffel Tower.")).toBe("eiffel tower");
  });

  it("removes every article occurrence", () => {
    // "an apple a day" → " apple   day" → "apple day"
    expect(normalizeAnswer("an apple a day")).toBe("apple day");
  });

  it("keeps articles inside longer words", () => {
    expect(normalizeAnswer("Theater anthem another")).toBe("theater anthem another");
  });

  it("removes punctuation before articles", () => {
    // "(A)" → "(a)" → "a" → " " → ""; "don't" → "dont"; "a.b" → "ab" is no article.
    expect(normalizeAnswer("(A) don't a.b")).toBe("dont ab");
  });

  it("uses Unicode word boundaries like Python", () => {
    // Python's \b treats é and ١ as word characters, so "the" inside "éthe" and "the١" stays.
    expect(normalizeAnswer("éthe the١ the")).toBe("éthe the١");
  });

  it("drops exactly the 32 ASCII punctuation marks", () => {
    expect(PYTHON_PUNCTUATION).toHaveLength(32);
    expect(normalizeAnswer(`x${PYTHON_PUNCTUATION}y`)).toBe("xy");
    // Non-ASCII punctuation stays.
    expect(normalizeAnswer("x—y «z»")).toBe("x—y «z»");
  });
});

describe("splitPythonWhitespace", () => {
  it("splits on Python whitespace only", () => {
    // U+00A0, U+001C and U+0085 are whitespace for str.split(); U+FEFF and U+200B are not.
    expect(splitPythonWhitespace("a\u00a0b\u001cc\u0085d\ufeffe\u200bf")).toEqual(["a", "b", "c", "d\ufeffe\u200bf"]);
  });

  it("returns no pieces for blank text", () => {
    expect(splitPythonWhitespace(" \t\n ")).toEqual([]);
  });
});

describe("firstLine", () => {
  it("skips leading newlines", () => {
    expect(firstLine("\n\nLocation\nAbbreviation")).toBe("Location");
  });

  it("strips only newline characters", () => {
    // lstrip('\n') leaves the "\r" and the space, and only "\n" separates lines.
    expect(firstLine("\r\nfoo")).toBe("\r");
    expect(firstLine(" \nfoo")).toBe(" ");
  });

  it("returns empty for empty text", () => {
    expect(firstLine("")).toBe("");
  });
});
