import { describe, expect, it } from "vitest";

import { FillerSource, byteLength, insertAtWordStarts, wordStarts } from "../../lib/tasks/filler";
import { Random } from "../../lib/util/random";
import { textDocument } from "./fixtures";

const documents = [
  textDocument("a", "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu."),
  textDocument("b", "One two three four five six seven eight nine ten eleven twelve."),
];

describe("FillerSource.take", () => {
  it("returns exactly the requested bytes", () => {
    const source = new FillerSource(documents);
    const rng = new Random(1);
    for (const bytes of [0, 1, 7, 40, 65, 300]) {
      expect(byteLength(source.take(rng, bytes).text)).toBe(bytes);
    }
  });

  it("starts at a word start", () => {
    const source = new FillerSource(documents);
    const rng = new Random(2);
    for (let i = 0; i < 50; i++) {
      const { text, documents: ids } = source.take(rng, 12);
      const whole = documents.find((d) => d.id === ids[0])!.text;
      // The part before a document break comes from the first document.
      const at = whole.indexOf(text.split("\n\n")[0]);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at === 0 || whole[at - 1] === " ").toBe(true);
    }
  });

  it("joins documents with a blank line", () => {
    // 300 bytes exceed both documents (68 and 64 bytes), so several are joined.
    const { text, documents: ids } = new FillerSource(documents).take(new Random(3), 300);
    expect(ids.length).toBeGreaterThan(2);
    expect(text).toContain(".\n\n");
  });

  it("blanks a cut multibyte character", () => {
    // "é" is two bytes (C3 A9); 2 bytes from "xé" starting at x cut it, leaving "x" and one space.
    const source = new FillerSource([textDocument("u", "xé")]);
    expect(source.take(new Random(4), 2).text).toBe("x ");
  });

  it("rejects documents without text", () => {
    expect(() => new FillerSource([textDocument("e", "")])).toThrow(/got 1 documents and none has text/);
  });
});

describe("insertAtWordStarts", () => {
  it("adds each piece and a space", () => {
    const text = "one two three";
    const { text: out, offsets } = insertAtWordStarts(text, ["AA", "BB"], new Random(5));
    // Two pieces of 2 bytes plus one space each: 13 + 6 = 19.
    expect(out.length).toBe(19);
    expect(out.slice(offsets[0], offsets[0] + 3)).toBe("AA ");
    expect(out.slice(offsets[1], offsets[1] + 3)).toBe("BB ");
    expect(out.replace("AA ", "").replace("BB ", "")).toBe(text);
  });

  it("lists word starts", () => {
    // "ab cd  ef": words start at 0, 3 and 7.
    expect(wordStarts("ab cd  ef")).toEqual([0, 3, 7]);
  });
});
