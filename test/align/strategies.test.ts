import { describe, expect, it } from "vitest";
import {
  type PairLayout,
  STRATEGY_NAMES,
  type StrategySpec,
  contiguousRuns,
  sampleLayout,
  validateLayout,
  validateStrategySpec,
} from "../../lib/align/strategies";
import { Random } from "../../lib/util/random";

/** Smallest lTrain each strategy accepts with its defaults. */
const MIN_L_TRAIN: Record<StrategySpec["name"], number> = {
  suffix: 2,
  "random-subsequence": 2,
  "sliding-window": 2,
  "prefix-suffix": 3,
};

const SPECS: StrategySpec[] = [
  { name: "suffix" },
  { name: "suffix", lastOnly: true },
  { name: "random-subsequence" },
  { name: "sliding-window" },
  { name: "prefix-suffix" },
];

/**
 * Checks a layout against a window of distinct tokens, independently of `validateLayout`: each
 * aligned pair must read the same token, predict the same target, and see a different context.
 */
function checkAgainstWindow(layout: PairLayout, lTrain: number, label: string): void {
  const window = Array.from({ length: layout.windowLength }, (_, i) => 1000 + i);
  const read = (view: number[]) => view.map((index) => window[index]);
  const targets = (view: number[]) => view.map((index) => window[index + 1]);

  expect(layout.long.length, `${label}: long view length`).toBe(lTrain);
  for (const short of layout.shorts) {
    expect(short.length, `${label}: short view length`).toBeLessThanOrEqual(lTrain);
    expect(Math.max(...short) + 1, `${label}: short target inside window`).toBeLessThan(layout.windowLength);
  }
  expect(Math.max(...layout.long) + 1, `${label}: long target inside window`).toBeLessThan(layout.windowLength);

  const longTokens = read(layout.long);
  const longTargets = targets(layout.long);
  for (const span of layout.spans) {
    const short = layout.shorts[span.short];
    const shortTokens = read(short);
    const shortTargets = targets(short);
    for (let t = 0; t < span.length; t++) {
      const i = span.longStart + t;
      const j = span.shortStart + t;
      expect(shortTokens[j], `${label}: aligned input at long ${i}`).toBe(longTokens[i]);
      expect(shortTargets[j], `${label}: aligned target at long ${i}`).toBe(longTargets[i]);
      expect(shortTokens.slice(0, j + 1), `${label}: context at long ${i} differs`).not.toEqual(longTokens.slice(0, i + 1));
    }
  }
}

describe("sampleLayout invariants", () => {
  for (const spec of SPECS) {
    it(`${spec.name}${"lastOnly" in spec && spec.lastOnly ? " lastOnly" : ""} aligns same tokens`, () => {
      const random = new Random(42);
      for (let trial = 0; trial < 300; trial++) {
        const lTrain = random.int(MIN_L_TRAIN[spec.name], 160);
        const layout = sampleLayout(spec, lTrain, random.fork(trial));
        checkAgainstWindow(layout, lTrain, `${spec.name} lTrain ${lTrain} trial ${trial}`);
      }
    });
  }

  it("same seed gives same layout", () => {
    for (const spec of SPECS) {
      expect(sampleLayout(spec, 64, new Random(9))).toEqual(sampleLayout(spec, 64, new Random(9)));
    }
  });
});

describe("suffix strategy", () => {
  it("hand-worked layout for lExtra 3", () => {
    // lTrain 8, lExtra 3: window of 11 inputs + 1 target; long 0..7, short 3..10, overlap 3..7
    // at long positions 3..7 and short positions 0..4.
    const layout = sampleLayout({ name: "suffix", extraMin: 3, extraMax: 3 }, 8, new Random(0));
    expect(layout).toEqual({
      windowLength: 12,
      long: [0, 1, 2, 3, 4, 5, 6, 7],
      shorts: [[3, 4, 5, 6, 7, 8, 9, 10]],
      spans: [{ short: 0, longStart: 3, shortStart: 0, length: 5 }],
    });
  });

  it("lastOnly aligns the last long position", () => {
    const layout = sampleLayout({ name: "suffix", extraMin: 3, extraMax: 3, lastOnly: true }, 8, new Random(0));
    expect(layout.spans).toEqual([{ short: 0, longStart: 7, shortStart: 4, length: 1 }]);
  });

  it("lExtra covers the default range", () => {
    // Default lExtra ~ U[1, floor(16 / 2)] = U[1, 8]; 400 draws hit both ends with probability ≈ 1.
    const random = new Random(1);
    const extras = new Set<number>();
    for (let i = 0; i < 400; i++) extras.add(sampleLayout({ name: "suffix" }, 16, random).windowLength - 1 - 16);
    expect([...extras].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("rejects extraMax beyond lTrain", () => {
    expect(() => sampleLayout({ name: "suffix", extraMax: 8 }, 8, new Random(0))).toThrow(
      /strategy "suffix" \(lTrain 8\): extraMax must be an integer in \[1, 7\], got 8/,
    );
  });
});

describe("random-subsequence strategy", () => {
  it("short view inside the long view", () => {
    const random = new Random(2);
    for (let i = 0; i < 200; i++) {
      const layout = sampleLayout({ name: "random-subsequence" }, 32, random);
      const short = layout.shorts[0];
      expect(layout.windowLength).toBe(33);
      expect(short.length).toBeGreaterThanOrEqual(8);
      expect(short.length).toBeLessThanOrEqual(16);
      expect(short[0]).toBeGreaterThanOrEqual(1);
      expect(short[short.length - 1]).toBeLessThanOrEqual(31);
    }
  });

  it("rejects maxLength of lTrain", () => {
    expect(() => sampleLayout({ name: "random-subsequence", maxLength: 16 }, 16, new Random(0))).toThrow(
      /maxLength must be an integer in \[4, 15\], got 16/,
    );
  });
});

describe("sliding-window strategy", () => {
  it("views at the stride from a phase", () => {
    const random = new Random(3);
    for (let i = 0; i < 50; i++) {
      const layout = sampleLayout({ name: "sliding-window", width: 4, stride: 3 }, 16, random);
      const starts = layout.shorts.map((view) => view[0]);
      expect(starts[0]).toBeGreaterThanOrEqual(1);
      expect(starts[0]).toBeLessThanOrEqual(3);
      starts.forEach((start, k) => expect(start).toBe(starts[0] + 3 * k));
      expect(starts[starts.length - 1] + 4).toBeLessThanOrEqual(16);
      expect(starts[starts.length - 1] + 3 + 4).toBeGreaterThan(16);
      layout.shorts.forEach((view) => expect(view.length).toBe(4));
    }
  });

  it("rejects a stride past the end", () => {
    expect(() => sampleLayout({ name: "sliding-window", width: 12, stride: 5 }, 16, new Random(0))).toThrow(
      /stride must be an integer in \[1, 4\], got 5/,
    );
  });
});

describe("prefix-suffix strategy", () => {
  it("hand-worked layout for p 1 lExtra 3", () => {
    // lTrain 8, p 1, lExtra 3: window of 11 inputs + 1 target. Short = [0] ++ [4..10]; long = 0..7.
    // Aligned: window indices 4..7, at long positions 4..7 and short positions 1..4.
    const layout = sampleLayout({ name: "prefix-suffix", prefixLength: 1, extraMin: 3, extraMax: 3 }, 8, new Random(0));
    expect(layout).toEqual({
      windowLength: 12,
      long: [0, 1, 2, 3, 4, 5, 6, 7],
      shorts: [[0, 4, 5, 6, 7, 8, 9, 10]],
      spans: [{ short: 0, longStart: 4, shortStart: 1, length: 4 }],
    });
  });

  it("rejects prefix plus gap too long", () => {
    expect(() => sampleLayout({ name: "prefix-suffix", prefixLength: 4, extraMin: 4 }, 8, new Random(0))).toThrow(
      /extraMax must be an integer in \[4, 3\], got 4/,
    );
  });

  it("rejects lTrain below 3", () => {
    expect(() => sampleLayout({ name: "prefix-suffix" }, 2, new Random(0))).toThrow(/lTrain must be an integer in \[3, ∞\], got 2/);
  });
});

describe("strategy validation", () => {
  it("accepts a bare name", () => {
    for (const name of STRATEGY_NAMES) expect(validateStrategySpec(name)).toEqual({ name });
  });

  it("keeps given options", () => {
    expect(validateStrategySpec({ name: "suffix", extraMin: 2, extraMax: 5, lastOnly: true })).toEqual({
      name: "suffix",
      extraMin: 2,
      extraMax: 5,
      lastOnly: true,
    });
  });

  it("rejects unknown name with hint", () => {
    expect(() => validateStrategySpec("sufix")).toThrow(/strategy: name must be one of .*got "sufix"\. Did you mean "suffix"\?/);
  });

  it("rejects min above max", () => {
    expect(() => validateStrategySpec({ name: "random-subsequence", minLength: 9, maxLength: 4 })).toThrow(
      /maxLength must be at least minLength = 9, got 4/,
    );
  });

  it("rejects non-integer width", () => {
    expect(() => validateStrategySpec({ name: "sliding-window", width: 1.5 })).toThrow(/width must be an integer in \[1, ∞\], got 1\.5/);
  });

  it("rejects non-boolean lastOnly", () => {
    expect(() => validateStrategySpec({ name: "suffix", lastOnly: "yes" })).toThrow(/lastOnly must be a boolean, got "yes"/);
  });

  it("rejects an option of another strategy", () => {
    expect(() => validateStrategySpec({ name: "suffix", width: 4 })).toThrow(/unknown option "width" \(allowed: name, extraMin, extraMax, lastOnly\)/);
  });
});

describe("validateLayout", () => {
  const good: PairLayout = {
    windowLength: 6,
    long: [0, 1, 2, 3],
    shorts: [[2, 3, 4]],
    spans: [{ short: 0, longStart: 2, shortStart: 0, length: 2 }],
  };

  it("accepts a consistent layout", () => {
    expect(() => validateLayout(good)).not.toThrow();
  });

  it("rejects misaligned span", () => {
    const bad = { ...good, spans: [{ short: 0, longStart: 1, shortStart: 0, length: 2 }] };
    expect(() => validateLayout(bad)).toThrow(/spans\[0\] position 0 pairs window index 1 \(long\) with 2 \(short\)/);
  });

  it("rejects a view without a target", () => {
    const bad = { ...good, shorts: [[3, 4, 5]] };
    expect(() => validateLayout(bad)).toThrow(/shorts\[0\]\[2\] must be an integer in \[0, windowLength − 2 = 4\], got 5/);
  });

  it("rejects a non-contiguous long view", () => {
    const bad = { ...good, long: [0, 1, 3, 4] };
    expect(() => validateLayout(bad)).toThrow(/long must be contiguous, got \[0,1,3,4\]/);
  });

  it("rejects a span past the view", () => {
    const bad = { ...good, spans: [{ short: 0, longStart: 2, shortStart: 2, length: 2 }] };
    expect(() => validateLayout(bad)).toThrow(/spans\[0\] must be inside shorts\[0\] \(length 3\)/);
  });
});

describe("contiguousRuns", () => {
  it("splits at gaps", () => {
    expect(contiguousRuns([0, 1, 4, 5, 6, 9])).toEqual([
      { start: 0, length: 2 },
      { start: 4, length: 3 },
      { start: 9, length: 1 },
    ]);
  });
});
