import { describe, expect, it } from "vitest";

import { evaluationWindows, sampleWindows } from "../../lib/data/windows";
import { ConfigError } from "../../lib/util/errors";
import { Random } from "../../lib/util/random";

/** Builds a document with tokens first, first + 1, …, so each token identifies its document and position. */
function makeDocument(id: string, first: number, length: number): { id: string; tokens: Int32Array } {
  return { id, tokens: Int32Array.from({ length }, (_, i) => first + i) };
}

// a: 0..9 (10 tokens), b: 100..103 (4 tokens), c: 200..201 (2 tokens).
const documents = [makeDocument("a", 0, 10), makeDocument("b", 100, 4), makeDocument("c", 200, 2)];

describe("sampleWindows", () => {
  it("returns B × length contiguous rows", () => {
    const windows = sampleWindows(documents, 3, 50, new Random(1));
    expect(windows).toBeInstanceOf(Int32Array);
    expect(windows).toHaveLength(150);
    for (let b = 0; b < 50; b++) {
      const row = windows.slice(b * 3, b * 3 + 3);
      expect(row[1]).toBe(row[0] + 1);
      expect(row[2]).toBe(row[0] + 2);
    }
  });

  it("rows stay inside documents", () => {
    // Window 3: a starts 0..7, b starts 100..101, c (2 tokens) has no window.
    const windows = sampleWindows(documents, 3, 500, new Random(2));
    const starts = new Set<number>();
    for (let b = 0; b < 500; b++) starts.add(windows[b * 3]);
    expect([...starts].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 100, 101]);
  });

  it("documents weighted by positions", () => {
    // a has 8 window positions and b has 2, so b is drawn with probability 2/10. With 20000 draws
    // the standard deviation of the fraction is sqrt(0.2 · 0.8 / 20000) ≈ 0.0028; allow 0.015 (> 5σ).
    const draws = 20000;
    const windows = sampleWindows(documents, 3, draws, new Random(3));
    let fromB = 0;
    for (let b = 0; b < draws; b++) if (windows[b * 3] >= 100) fromB++;
    expect(Math.abs(fromB / draws - 0.2)).toBeLessThan(0.015);
  });

  it("positions uniform within document", () => {
    // Each of a's 8 starts has probability 0.8 / 8 = 0.1; std of a count over 20000 draws ≈ 42; allow 300.
    const draws = 20000;
    const windows = sampleWindows(documents, 3, draws, new Random(4));
    const counts = new Array<number>(8).fill(0);
    for (let b = 0; b < draws; b++) if (windows[b * 3] < 100) counts[windows[b * 3]]++;
    for (const count of counts) expect(Math.abs(count - 2000)).toBeLessThan(300);
  });

  it("same seed same windows", () => {
    expect(sampleWindows(documents, 3, 20, new Random(9))).toEqual(sampleWindows(documents, 3, 20, new Random(9)));
  });

  it("different seed different windows", () => {
    expect(sampleWindows(documents, 3, 20, new Random(9))).not.toEqual(sampleWindows(documents, 3, 20, new Random(10)));
  });

  it("window equal to document", () => {
    const windows = sampleWindows(documents, 10, 2, new Random(0));
    expect(Array.from(windows)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("rejects too-long window", () => {
    expect(() => sampleWindows(documents, 11, 1, new Random(0))).toThrow(
      /sampleWindows: no document has the 11 tokens a window needs; the longest \("a"\) has 10/,
    );
  });

  it("rejects empty document list", () => {
    expect(() => sampleWindows([], 3, 1, new Random(0))).toThrow(/sampleWindows: got no documents/);
  });

  it("rejects bad length", () => {
    expect(() => sampleWindows(documents, 0, 1, new Random(0))).toThrow(ConfigError);
    expect(() => sampleWindows(documents, 0, 1, new Random(0))).toThrow(/sampleWindows: length must be an integer in \[1, ∞\], got 0/);
  });

  it("rejects bad batch size", () => {
    expect(() => sampleWindows(documents, 3, 1.5, new Random(0))).toThrow(/sampleWindows: batchSize must be an integer in \[1, ∞\], got 1\.5/);
  });
});

describe("evaluationWindows", () => {
  it("tiles documents without overlap", () => {
    // Length 2 → rows of 3 tokens. a (10 tokens) gives floor(10 / 3) = 3 rows, b (4) gives 1, c (2) none.
    const windows = evaluationWindows(documents, 2);
    expect(windows.count).toBe(4);
    expect(windows.length).toBe(2);
    expect(Array.from(windows.tokens)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 102]);
  });

  it("maxWindows spreads evenly", () => {
    // N = 4, maxWindows = 2: indices floor(0.5 · 4 / 2) = 1 and floor(1.5 · 4 / 2) = 3.
    const windows = evaluationWindows(documents, 2, 2);
    expect(windows.count).toBe(2);
    expect(Array.from(windows.tokens)).toEqual([3, 4, 5, 100, 101, 102]);
  });

  it("maxWindows above count keeps all", () => {
    expect(evaluationWindows(documents, 2, 100).count).toBe(4);
  });

  it("same windows every call", () => {
    expect(evaluationWindows(documents, 1, 3)).toEqual(evaluationWindows(documents, 1, 3));
  });

  it("spread covers many documents", () => {
    // 20 documents of 30 tokens with length 9 give 3 rows each (60 in all); 20 evenly spaced rows
    // are indices 1, 4, 7, …, one per document.
    const many = Array.from({ length: 20 }, (_, d) => makeDocument(`d${d}`, d * 1000, 30));
    const windows = evaluationWindows(many, 9, 20);
    const documentsUsed = new Set<number>();
    for (let i = 0; i < windows.count; i++) documentsUsed.add(Math.floor(windows.tokens[i * 10] / 1000));
    expect(documentsUsed.size).toBe(20);
  });

  it("rejects too-long window", () => {
    expect(() => evaluationWindows(documents, 10)).toThrow(
      /evaluationWindows: no document has the 11 tokens a window needs \(length 10 \+ 1 target\); the longest \("a"\) has 10/,
    );
  });

  it("rejects bad maxWindows", () => {
    expect(() => evaluationWindows(documents, 2, 0)).toThrow(/evaluationWindows: maxWindows must be an integer in \[1, ∞\], got 0/);
  });
});
