import { describe, expect, it } from "vitest";
import { pairedBootstrap, quantileSorted } from "../../lib/stats/bootstrap";

describe("pairedBootstrap", () => {
  // b is arbitrary; a = b + 2 + noise, where the noise [-0.5, 0.5, -0.2, 0.2, 0] has mean 0, so the
  // true (and observed) mean difference is exactly 2.
  const b = [3.1, 2.7, 4.0, 3.3, 2.9];
  const noise = [-0.5, 0.5, -0.2, 0.2, 0];
  const a = b.map((value, i) => value + 2 + noise[i]);

  it("interval contains the true difference", () => {
    const result = pairedBootstrap(a, b, { seed: 7 });
    expect(result.meanDifference).toBeCloseTo(2, 12);
    expect(result.lower).toBeLessThan(2);
    expect(result.upper).toBeGreaterThan(2);
    // Every resampled mean lies within the range of the differences, [1.5, 2.5].
    expect(result.lower).toBeGreaterThanOrEqual(1.5);
    expect(result.upper).toBeLessThanOrEqual(2.5);
    expect(result.excludesZero).toBe(true);
  });

  it("same seed gives the same interval", () => {
    const first = pairedBootstrap(a, b, { seed: 3, resamples: 2000 });
    const second = pairedBootstrap(a, b, { seed: 3, resamples: 2000 });
    expect(second).toEqual(first);
  });

  it("different seed changes the interval", () => {
    const first = pairedBootstrap(a, b, { seed: 3, resamples: 2000 });
    const other = pairedBootstrap(a, b, { seed: 4, resamples: 2000 });
    expect([other.lower, other.upper]).not.toEqual([first.lower, first.upper]);
  });

  it("constant differences give a point interval", () => {
    // Every resample of [3, 3, 3] has mean 3.
    const result = pairedBootstrap([4, 5, 6], [1, 2, 3], { resamples: 100 });
    expect(result.lower).toBe(3);
    expect(result.upper).toBe(3);
  });

  it("single pair never excludes zero", () => {
    // One pair: every resample is that pair, so the interval is the point 3.
    const result = pairedBootstrap([4], [1]);
    expect(result.lower).toBe(3);
    expect(result.upper).toBe(3);
    expect(result.excludesZero).toBe(false);
  });

  it("interval straddling zero is flagged", () => {
    // Differences [1, -1, 0.5, -0.5] have mean 0.
    const result = pairedBootstrap([1, -1, 0.5, -0.5], [0, 0, 0, 0], { seed: 1 });
    expect(result.lower).toBeLessThan(0);
    expect(result.upper).toBeGreaterThan(0);
    expect(result.excludesZero).toBe(false);
  });

  it("rejects unpaired samples", () => {
    expect(() => pairedBootstrap([1, 2], [1])).toThrow(/pairedBootstrap: b.length must be equal to a.length \(2\), one value per pair, got 1/);
  });

  it("rejects a confidence of one", () => {
    expect(() => pairedBootstrap([1], [1], { confidence: 1 })).toThrow(/pairedBootstrap: confidence must be a finite number in \(0, 0.999999\], got 1/);
  });
});

describe("quantileSorted", () => {
  it("interpolates between order statistics", () => {
    // Position 0.5 · 3 = 1.5: halfway between 2 and 3.
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    // Position 0.25 · 3 = 0.75: 1 + 0.75 · (2 − 1).
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
  });
});
