import { describe as group, expect, it } from "vitest";
import { describe, formatMeanStd, mean, std } from "../../lib/stats/describe";

group("describe", () => {
  it("mean and std of a small sample", () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 40 / 8 = 5; squared deviations sum to 9+1+1+1+0+0+4+16 = 32,
    // so the sample std is sqrt(32 / 7) = 2.13809.
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(values)).toBe(5);
    expect(std(values)).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it("std keeps precision at large offsets", () => {
    // The same sample shifted by 1e9: a one-pass formula would lose the 2.138 spread to rounding.
    const values = [2, 4, 4, 4, 5, 5, 7, 9].map((v) => v + 1e9);
    expect(std(values)).toBeCloseTo(Math.sqrt(32 / 7), 6);
  });

  it("single value has NaN std", () => {
    const summary = describe([3]);
    expect(summary.mean).toBe(3);
    expect(summary.std).toBeNaN();
    expect(formatMeanStd(summary, 2)).toBe("3.00");
  });

  it("summary fields and format", () => {
    const summary = describe([1, 2, 3]);
    // mean 2, std sqrt((1 + 0 + 1) / 2) = 1, sem 1 / sqrt(3).
    expect(summary.n).toBe(3);
    expect(summary.std).toBe(1);
    expect(summary.sem).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(summary.min).toBe(1);
    expect(summary.max).toBe(3);
    expect(formatMeanStd(summary, 1)).toBe("2.0 ± 1.0");
  });

  it("rejects empty and non-finite samples", () => {
    expect(() => mean([])).toThrow(/mean: values must be a non-empty array of numbers, got \[\]/);
    expect(() => std([1, NaN])).toThrow(/std: values\[1\] must be a finite number, got NaN/);
  });
});
