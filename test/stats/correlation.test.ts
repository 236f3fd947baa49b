import { describe, expect, it } from "vitest";
import { averageRanks, correlation, pearson, spearman } from "../../lib/stats/correlation";

describe("pearson", () => {
  it("perfect line gives one", () => {
    expect(pearson([1, 2, 3, 4], [3, 5, 7, 9])).toBe(1);
  });

  it("falling line gives minus one", () => {
    expect(pearson([1, 2, 3], [10, 0, -10])).toBe(-1);
  });

  it("hand-worked value", () => {
    // x = [1, 2, 3], y = [1, 3, 2]: deviations [-1, 0, 1] and [-1, 1, 0], so
    // sxy = 1, sxx = 2, syy = 2 and r = 1 / 2.
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12);
  });

  it("constant sample gives NaN", () => {
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNaN();
  });

  it("rejects samples of different length", () => {
    expect(() => pearson([1, 2], [1, 2, 3])).toThrow(/pearson: y.length must be equal to x.length \(2\), got 3/);
  });
});

describe("spearman", () => {
  it("average ranks for ties", () => {
    // The two 5s span ranks 2 and 3 and share 2.5.
    expect(averageRanks([1, 5, 5, 9])).toEqual([1, 2.5, 2.5, 4]);
    expect(averageRanks([3, 3, 3])).toEqual([2, 2, 2]);
  });

  it("hand-worked value with ties", () => {
    // x = [1, 2, 2, 3] ranks to [1, 2.5, 2.5, 4]; y = [1, 3, 2, 4] ranks to [1, 3, 2, 4].
    // Rank deviations from 2.5: [-1.5, 0, 0, 1.5] and [-1.5, 0.5, -0.5, 1.5], so sxy = 4.5,
    // sxx = 4.5, syy = 5 and rho = 4.5 / sqrt(22.5) = 3 / sqrt(10) = 0.948683
    // (scipy.stats.spearmanr gives 0.9486832980505138).
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(3 / Math.sqrt(10), 12);
  });

  it("monotone curve gives one", () => {
    // Spearman sees only order, so y = x³ is a perfect monotone relation while Pearson is below 1.
    const x = [1, 2, 3, 4, 5];
    const y = x.map((v) => v ** 3);
    expect(spearman(x, y)).toBe(1);
    expect(pearson(x, y)).toBeLessThan(1);
  });

  it("correlation reports both and n", () => {
    const result = correlation([1, 2, 3], [1, 3, 2]);
    expect(result.n).toBe(3);
    expect(result.pearson).toBeCloseTo(0.5, 12);
    // Ranks equal the values here, so Spearman equals Pearson.
    expect(result.spearman).toBeCloseTo(0.5, 12);
  });
});
