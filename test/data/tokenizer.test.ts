import { describe, expect, it } from "vitest";

import { BYTE_VOCAB_SIZE, decode, encode, loneSurrogateIndex } from "../../lib/data/tokenizer";

describe("byte tokenizer", () => {
  it("vocabulary is 256 bytes", () => {
    expect(BYTE_VOCAB_SIZE).toBe(256);
  });

  const roundTrips: [string, string][] = [
    ["empty", ""],
    ["ascii", "The Fulton County Grand Jury said Friday.\n\tTabs and \u0000 NUL too."],
    ["accents", "café naïve Ångström façade"],
    ["cjk", "日本語のテキストと中文"],
    ["emoji", "👍🏽 family 👨‍👩‍👧 flag 🇫🇷"],
    ["leading byte-order mark", "\ufeffstarts with U+FEFF"],
    ["all code point sizes", "a\u00e9\u20ac\u{1f600}\u{10ffff}"],
  ];
  for (const [name, text] of roundTrips) {
    it(`round trip: ${name}`, () => {
      expect(decode(encode(text))).toBe(text);
    });
  }

  it("encode gives UTF-8 bytes", () => {
    // é = U+00E9 → C3 A9; € = U+20AC → E2 82 AC; 😀 = U+1F600 → F0 9F 98 80.
    expect(Array.from(encode("é€😀"))).toEqual([195, 169, 226, 130, 172, 240, 159, 152, 128]);
  });

  it("encode returns Int32Array", () => {
    expect(encode("ab")).toBeInstanceOf(Int32Array);
  });

  it("encode rejects lone surrogate", () => {
    expect(() => encode("a\ud800b")).toThrow(/lone UTF-16 surrogate U\+D800 at index 1/);
  });

  it("loneSurrogateIndex finds unpaired halves", () => {
    expect(loneSurrogateIndex("ok 😀")).toBe(-1);
    expect(loneSurrogateIndex("x\udc00")).toBe(1);
    expect(loneSurrogateIndex("\ud83d")).toBe(0);
  });

  it("decode replaces a cut character", () => {
    // "A€" is 41 E2 82 AC; cutting after E2 82 leaves one incomplete sequence → one U+FFFD.
    expect(decode([0x41, 0xe2, 0x82])).toBe("A\ufffd");
  });

  it("decode replaces stray continuation bytes", () => {
    // A window starting inside "€" begins with 82 AC: each continuation byte is its own invalid sequence.
    expect(decode([0x82, 0xac, 0x41])).toBe("\ufffd\ufffdA");
  });

  it("decode accepts plain arrays", () => {
    expect(decode([104, 105])).toBe("hi");
  });

  const badIds: [string, number[], RegExp][] = [
    ["256", [65, 256], /ids\[1\] must be an integer in \[0, 255\], got 256/],
    ["negative", [-1], /ids\[0\] must be an integer in \[0, 255\], got -1/],
    ["fraction", [1.5], /ids\[0\] must be an integer in \[0, 255\], got 1\.5/],
    ["NaN", [NaN], /ids\[0\] must be an integer in \[0, 255\], got NaN/],
  ];
  for (const [name, ids, message] of badIds) {
    it(`decode rejects id ${name}`, () => {
      expect(() => decode(ids)).toThrow(message);
    });
  }
});
