import { describe, expect, it } from "vitest";
import {
  TARGET_TRANSFORMS,
  TARGET_TRANSFORM_NAMES,
  constantMeanMse,
  sampleBatch,
  sampleTrainLength,
  targetStatistics,
  targetTransform,
  targetsOf,
  transformsFor,
  validateLengthRange,
} from "../../lib/synthetic/tasks";
import { Random } from "../../lib/util/random";

describe("targetsOf", () => {
  it("mean is fraction of ones", () => {
    // Rows 1101 → 3/4, 0000 → 0, 1111 → 1.
    const bits = Int32Array.from([1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(targetsOf("mean", bits, 3, 4))).toEqual([0.75, 0, 1]);
  });

  it("length is number of bits", () => {
    const bits = Int32Array.from([1, 0, 1, 0, 0, 1]);
    expect(Array.from(targetsOf("length", bits, 2, 3))).toEqual([3, 3]);
  });

  it("rejects mismatched bit count", () => {
    expect(() => targetsOf("mean", new Int32Array(5), 2, 3)).toThrow(/bits.length must be batchSize × length = 6, got 5/);
  });
});

describe("sampleBatch", () => {
  it("draws only bits 0 and 1", () => {
    const batch = sampleBatch("mean", 7, 50, new Random(1));
    expect(batch.bits.length).toBe(350);
    expect(new Set(batch.bits)).toEqual(new Set([0, 1]));
  });

  it("bits are roughly fair", () => {
    // 20 000 fair bits: the fraction of ones has std 0.5/√20000 ≈ 0.0035, so 0.02 is over 5 std.
    const batch = sampleBatch("mean", 100, 200, new Random(2));
    const ones = batch.bits.reduce((total, bit) => total + bit, 0);
    expect(Math.abs(ones / batch.bits.length - 0.5)).toBeLessThan(0.02);
  });

  it("targets match the drawn bits", () => {
    const batch = sampleBatch("mean", 5, 8, new Random(3));
    expect(Array.from(batch.targets)).toEqual(Array.from(targetsOf("mean", batch.bits, 8, 5)));
  });

  it("same seed gives same batch", () => {
    const a = sampleBatch("mean", 9, 16, new Random(4));
    const b = sampleBatch("mean", 9, 16, new Random(4));
    expect(Array.from(a.bits)).toEqual(Array.from(b.bits));
  });

  it("different seeds give different batches", () => {
    const a = sampleBatch("mean", 9, 16, new Random(4));
    const b = sampleBatch("mean", 9, 16, new Random(5));
    expect(Array.from(a.bits)).not.toEqual(Array.from(b.bits));
  });

  it("rejects zero length", () => {
    expect(() => sampleBatch("length", 0, 4, new Random(1))).toThrow(/length must be an integer in \[1, ∞\], got 0/);
  });
});

describe("sampleTrainLength", () => {
  it("covers the range and stays inside", () => {
    const rng = new Random(6);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleTrainLength({ min: 1, max: 10 }, rng));
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("is deterministic per seed", () => {
    const draw = (seed: number) => {
      const rng = new Random(seed);
      return Array.from({ length: 20 }, () => sampleTrainLength({ min: 1, max: 10 }, rng));
    };
    expect(draw(7)).toEqual(draw(7));
  });
});

describe("validateLengthRange", () => {
  it("rejects max below min", () => {
    expect(() => validateLengthRange("train", { min: 5, max: 3 })).toThrow(/train: max must be an integer in \[5, ∞\], got 3/);
  });

  it("rejects min of zero", () => {
    expect(() => validateLengthRange("train", { min: 0, max: 3 })).toThrow(/train: min must be an integer in \[1, ∞\], got 0/);
  });
});

describe("target transforms", () => {
  for (const name of TARGET_TRANSFORM_NAMES) {
    it(`${name} round trip`, () => {
      const transform = TARGET_TRANSFORMS[name];
      for (const x of [1, 2, 3, 7, 10, 23, 50, 1000]) {
        expect(transform.inverse(transform.forward(x))).toBeCloseTo(x, 9);
      }
    });
  }

  it("forward values by hand", () => {
    // √16 = 4, log e² = 2, 1/√4 = 0.5.
    expect(TARGET_TRANSFORMS.sqrt.forward(16)).toBe(4);
    expect(TARGET_TRANSFORMS.log.forward(Math.E ** 2)).toBeCloseTo(2, 12);
    expect(TARGET_TRANSFORMS.inverseSqrt.forward(4)).toBe(0.5);
  });

  it("sqrt inverse clamps negatives to 0", () => {
    expect(TARGET_TRANSFORMS.sqrt.inverse(-3)).toBe(0);
  });

  it("inverseSqrt inverse stays finite", () => {
    // y ≤ 0 is clamped to 1e-6, so the length is 1/(1e-6)² = 1e12 rather than infinite.
    expect(TARGET_TRANSFORMS.inverseSqrt.inverse(-0.5)).toBeCloseTo(1e12, -3);
    // y > 1 is clamped to 1, the image of length 1.
    expect(TARGET_TRANSFORMS.inverseSqrt.inverse(2)).toBe(1);
  });

  it("unknown name lists the options", () => {
    expect(() => targetTransform("sqr")).toThrow(/name must be one of "identity", "sqrt", "log", "inverseSqrt", got "sqr". Did you mean "sqrt"\?/);
  });

  it("mean task uses identity only", () => {
    expect(transformsFor("mean")).toEqual(["identity"]);
    expect(transformsFor("length")).toEqual(TARGET_TRANSFORM_NAMES);
  });
});

describe("targetStatistics", () => {
  it("length identity on 1..10", () => {
    // Uniform on 1..10: mean 5.5, variance (10² − 1)/12 = 8.25.
    const stats = targetStatistics("length", TARGET_TRANSFORMS.identity, { min: 1, max: 10 });
    expect(stats.mean).toBeCloseTo(5.5, 12);
    expect(stats.std).toBeCloseTo(Math.sqrt(8.25), 12);
  });

  it("mean task on 1..2", () => {
    // Var = 0.25 · (1/1 + 1/2)/2 = 0.1875.
    const stats = targetStatistics("mean", TARGET_TRANSFORMS.identity, { min: 1, max: 2 });
    expect(stats.mean).toBe(0.5);
    expect(stats.std).toBeCloseTo(Math.sqrt(0.1875), 12);
  });

  it("single length has unit scale", () => {
    expect(targetStatistics("length", TARGET_TRANSFORMS.log, { min: 4, max: 4 }).std).toBe(1);
  });
});

describe("constantMeanMse", () => {
  it("is 0.25 over length", () => {
    expect(constantMeanMse(1)).toBe(0.25);
    expect(constantMeanMse(50)).toBe(0.005);
  });

  it("matches a Monte Carlo estimate", () => {
    // 4000 rows of 8 bits: E[(m − 1/2)²] = 0.25/8 = 0.03125. The estimate's std is about
    // 0.03125·√2/√4000 ≈ 0.0007, so 0.003 is over 4 std.
    const batch = sampleBatch("mean", 8, 4000, new Random(9));
    const mse = batch.targets.reduce((total, m) => total + (m - 0.5) ** 2, 0) / batch.batchSize;
    expect(Math.abs(mse - constantMeanMse(8))).toBeLessThan(0.003);
  });
});
