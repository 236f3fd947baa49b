import { describe, expect, it } from "vitest";

import { numpyRound, pythonRound, pythonRoundInt, roundHalfEven } from "../../lib/longbench";

describe("roundHalfEven", () => {
  it("breaks ties to even", () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(-2.5)).toBe(-2);
  });

  it("rounds non-ties to nearest", () => {
    expect(roundHalfEven(2.4)).toBe(2);
    expect(roundHalfEven(2.6)).toBe(3);
  });
});

describe("pythonRoundInt", () => {
  it("matches fuzzywuzzy intr on ties", () => {
    // int(round(12.5)) == 12 and int(round(37.5)) == 38 in Python 3.
    expect(pythonRoundInt(12.5)).toBe(12);
    expect(pythonRoundInt(37.5)).toBe(38);
  });
});

describe("pythonRound", () => {
  it("rounds the stored double, not its decimal text", () => {
    // 2.675 is stored as 2.67499999999999982236431605997495353221893310546875.
    expect(pythonRound(2.675, 2)).toBe(2.67);
  });

  it("breaks exact ties to even", () => {
    // 0.125 and 0.375 are exact doubles; Python gives 0.12 and 0.38.
    expect(pythonRound(0.125, 2)).toBe(0.12);
    expect(pythonRound(0.375, 2)).toBe(0.38);
    expect(pythonRound(-0.125, 2)).toBe(-0.12);
  });

  it("rounds up just above a tie", () => {
    // The double nearest 0.025 is 0.025000000000000001387…, so Python gives 0.03.
    expect(pythonRound(0.025, 2)).toBe(0.03);
  });
});

describe("numpyRound", () => {
  it("rounds after scaling like numpy", () => {
    // 2.675 * 100 == 267.5 exactly in doubles, rint(267.5) = 268; numpy 2.4.6 gives 2.68.
    expect(numpyRound(2.675, 2)).toBe(2.68);
    // 0.025 * 100 == 2.5, rint(2.5) = 2; numpy gives 0.02 where Python gives 0.03.
    expect(numpyRound(0.025, 2)).toBe(0.02);
  });

  it("keeps two-decimal values", () => {
    expect(numpyRound(31.17, 2)).toBe(31.17);
    expect(numpyRound(20, 2)).toBe(20);
  });
});
