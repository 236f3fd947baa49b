import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DIVERGENCES,
  DIVERGENCE_NAMES,
  type DivergenceSpec,
  computeDivergence,
  embeddingDistanceCost,
  indexDistanceCost,
  validateDivergenceSpec,
} from "../../lib/align/divergences";
import { initBackend } from "../../lib/backend";
import { Random } from "../../lib/util/random";

/** Logits whose softmax is exactly `probs` (log-softmax of log-probabilities is the identity). */
function logitsOf(...rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows.map((row) => row.map(Math.log)));
}

function values(spec: DivergenceSpec, longLogits: tf.Tensor, shortLogits: tf.Tensor): number[] {
  return tf.tidy(() => Array.from(computeDivergence(spec, longLogits, shortLogits).dataSync()));
}

function randomLogits(random: Random, rows: number, vocabSize: number, scale = 1): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: rows * vocabSize }, () => scale * random.normal()), [rows, vocabSize]);
}

const ALL_SPECS: DivergenceSpec[] = [
  { name: "sce" },
  { name: "kl", direction: "long||short" },
  { name: "kl", direction: "short||long" },
  { name: "js" },
  { name: "wasserstein" },
  { name: "sinkhorn", epsilon: 0.5, iterations: 50 },
];

let tensorsBefore = 0;

beforeAll(async () => {
  await initBackend();
});

beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});

afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe("divergence hand-computed values", () => {
  // p = [1/2, 1/2], q = [1/4, 3/4]
  const p2 = [0.5, 0.5];
  const q2 = [0.25, 0.75];

  it("sce of two-token distributions", () => {
    // −Σ p ln q = −(½ ln ¼ + ½ ln ¾) = ln 2 + ½ ln(4/3); −Σ q ln p = ln 2. Sum = 2 ln 2 + ½ ln(4/3).
    const [value] = tf.tidy(() => values({ name: "sce" }, logitsOf(p2), logitsOf(q2)));
    expect(value).toBeCloseTo(2 * Math.LN2 + 0.5 * Math.log(4 / 3), 5);
  });

  it("sce of three-token distributions", () => {
    // p = [½, ¼, ¼], q = [¼, ¼, ½]: −Σ p ln q = ½·2ln2 + ¼·2ln2 + ¼·ln2 = 1.75 ln 2, and by symmetry
    // of the example −Σ q ln p = 1.75 ln 2, so SCE = 3.5 ln 2.
    const [value] = tf.tidy(() => values({ name: "sce" }, logitsOf([0.5, 0.25, 0.25]), logitsOf([0.25, 0.25, 0.5])));
    expect(value).toBeCloseTo(3.5 * Math.LN2, 5);
  });

  it("kl long||short direction", () => {
    // KL(p‖q) = ½ ln(½/¼) + ½ ln(½/¾) = ½ ln(4/3) ≈ 0.1438410.
    const [value] = tf.tidy(() => values({ name: "kl", direction: "long||short" }, logitsOf(p2), logitsOf(q2)));
    expect(value).toBeCloseTo(0.5 * Math.log(4 / 3), 5);
  });

  it("kl short||long direction", () => {
    // KL(q‖p) = ¼ ln(¼/½) + ¾ ln(¾/½) = −¼ ln 2 + ¾ ln 1.5 ≈ 0.1308120.
    const [value] = tf.tidy(() => values({ name: "kl", direction: "short||long" }, logitsOf(p2), logitsOf(q2)));
    expect(value).toBeCloseTo(-0.25 * Math.LN2 + 0.75 * Math.log(1.5), 5);
  });

  it("js of two-token distributions", () => {
    // m = [3/8, 5/8]. KL(p‖m) = ½ ln(4/3) + ½ ln(4/5); KL(q‖m) = ¼ ln(2/3) + ¾ ln(6/5).
    // JS = ½ (KL(p‖m) + KL(q‖m)) ≈ 0.0338221.
    const expected = 0.5 * (0.5 * Math.log(4 / 3) + 0.5 * Math.log(4 / 5) + 0.25 * Math.log(2 / 3) + 0.75 * Math.log(6 / 5));
    const [value] = tf.tidy(() => values({ name: "js" }, logitsOf(p2), logitsOf(q2)));
    expect(value).toBeCloseTo(expected, 5);
  });

  it("wasserstein of three-token distributions", () => {
    // F_p = [½, ¾, 1], F_q = [¼, ½, 1]: |¼| + |¼| = ½ (moving ¼ of the mass from id 0 to id 2 costs ¼·2).
    const [value] = tf.tidy(() => values({ name: "wasserstein" }, logitsOf([0.5, 0.25, 0.25]), logitsOf([0.25, 0.25, 0.5])));
    expect(value).toBeCloseTo(0.5, 5);
  });
});

describe("divergence identities", () => {
  it("sce(p, p) equals twice the entropy", () => {
    const random = new Random(1);
    const logits = randomLogits(random, 4, 7, 2);
    const sce = values({ name: "sce" }, logits, logits);
    const probs = tf.tidy(() => tf.softmax(logits).arraySync());
    probs.forEach((row, i) => {
      const entropy = -row.reduce((total, p) => total + p * Math.log(p), 0);
      expect(sce[i]).toBeCloseTo(2 * entropy, 4);
    });
    logits.dispose();
  });

  it("kl(p, p) is zero in both directions", () => {
    const logits = randomLogits(new Random(2), 4, 7, 2);
    for (const direction of ["long||short", "short||long"] as const) {
      for (const value of values({ name: "kl", direction }, logits, logits)) {
        expect(Math.abs(value)).toBeLessThan(1e-6);
      }
    }
    logits.dispose();
  });

  it("kl directions differ on asymmetric pairs", () => {
    const [forward] = tf.tidy(() => values({ name: "kl", direction: "long||short" }, logitsOf([0.5, 0.5]), logitsOf([0.25, 0.75])));
    const [backward] = tf.tidy(() => values({ name: "kl", direction: "short||long" }, logitsOf([0.5, 0.5]), logitsOf([0.25, 0.75])));
    expect(Math.abs(forward - backward)).toBeGreaterThan(0.01);
  });

  it("symmetric divergences ignore view order", () => {
    const random = new Random(3);
    const a = randomLogits(random, 5, 6, 2);
    const b = randomLogits(random, 5, 6, 2);
    const specs: DivergenceSpec[] = [
      { name: "sce" },
      { name: "js" },
      { name: "wasserstein" },
      { name: "sinkhorn", epsilon: 0.1, iterations: 300 },
    ];
    for (const spec of specs) {
      expect(DIVERGENCES[spec.name].symmetric).toBe(true);
      const forward = values(spec, a, b);
      const backward = values(spec, b, a);
      forward.forEach((value, i) => expect(value, `${spec.name} row ${i}`).toBeCloseTo(backward[i], 4));
    }
    tf.dispose([a, b]);
  });

  it("js at most ln 2 with extreme logits", () => {
    // Point masses on different ids (logits ±50) have disjoint support up to e^−100: JS → ln 2.
    const vocabSize = 5;
    const rows: number[][] = [];
    const others: number[][] = [];
    for (let i = 0; i < vocabSize; i++) {
      rows.push(Array.from({ length: vocabSize }, (_, k) => (k === i ? 50 : -50)));
      others.push(Array.from({ length: vocabSize }, (_, k) => (k === (i + 2) % vocabSize ? 50 : -50)));
    }
    const a = tf.tensor2d(rows);
    const b = tf.tensor2d(others);
    const forward = values({ name: "js" }, a, b);
    const backward = values({ name: "js" }, b, a);
    for (let i = 0; i < vocabSize; i++) {
      expect(forward[i]).toBeLessThanOrEqual(Math.LN2 + 1e-6);
      expect(forward[i]).toBeCloseTo(Math.LN2, 5);
      expect(forward[i]).toBeCloseTo(backward[i], 6);
    }
    tf.dispose([a, b]);
  });

  it("js within bounds for random pairs", () => {
    const random = new Random(4);
    const a = randomLogits(random, 50, 8, 10);
    const b = randomLogits(random, 50, 8, 10);
    for (const value of values({ name: "js" }, a, b)) {
      expect(value).toBeGreaterThanOrEqual(-1e-6);
      expect(value).toBeLessThanOrEqual(Math.LN2 + 1e-6);
    }
    tf.dispose([a, b]);
  });

  it("every divergence finite at logits ±50", () => {
    const a = tf.tensor2d([[50, -50, -50, -50], [-50, -50, -50, 50]]);
    const b = tf.tensor2d([[-50, -50, -50, 50], [-50, -50, -50, 50]]);
    for (const spec of ALL_SPECS) {
      for (const value of values(spec, a, b)) expect(Number.isFinite(value), spec.name).toBe(true);
    }
    tf.dispose([a, b]);
  });

  it("every divergence within its bounds", () => {
    const random = new Random(5);
    const vocabSize = 6;
    const a = randomLogits(random, 20, vocabSize, 3);
    const b = randomLogits(random, 20, vocabSize, 3);
    for (const spec of ALL_SPECS) {
      const { min, max } = DIVERGENCES[spec.name].bounds(vocabSize);
      for (const value of values(spec, a, b)) {
        expect(value, spec.name).toBeGreaterThanOrEqual(min - 1e-5);
        expect(value, spec.name).toBeLessThanOrEqual(max + 1e-5);
      }
    }
    tf.dispose([a, b]);
  });
});

describe("wasserstein and sinkhorn", () => {
  it("exact w1 of point masses", () => {
    // W1(δ_i, δ_j) = |i − j| with cost |i − j|; logits ±50 leave e^−100 of mass elsewhere.
    const vocabSize = 10;
    const pairs = [
      [0, 9],
      [3, 3],
      [7, 2],
      [4, 5],
    ];
    const pointMass = (id: number) => Array.from({ length: vocabSize }, (_, k) => (k === id ? 50 : -50));
    const a = tf.tensor2d(pairs.map(([i]) => pointMass(i)));
    const b = tf.tensor2d(pairs.map(([, j]) => pointMass(j)));
    const distances = values({ name: "wasserstein" }, a, b);
    pairs.forEach(([i, j], k) => expect(distances[k]).toBeCloseTo(Math.abs(i - j), 4));
    tf.dispose([a, b]);
  });

  it("sinkhorn near exact w1 at small epsilon", () => {
    // With cost |i − j| and ε = 0.05 the blur is e^{−1/ε} ≈ 2e−9 per unit of cost, so the entropic
    // cost matches W1 closely once converged (500 iterations measured to within 2e−6 on wasm).
    const random = new Random(6);
    const a = randomLogits(random, 6, 6, 2);
    const b = randomLogits(random, 6, 6, 2);
    const exact = values({ name: "wasserstein" }, a, b);
    const entropic = values({ name: "sinkhorn", epsilon: 0.05, iterations: 500 }, a, b);
    exact.forEach((value, i) => expect(Math.abs(entropic[i] - value), `row ${i}`).toBeLessThan(1e-4));
    tf.dispose([a, b]);
  });

  it("sinkhorn large epsilon exceeds w1", () => {
    // A blurred plan moves mass further than needed, so ⟨P, C⟩ ≥ W1 at convergence.
    const random = new Random(7);
    const a = randomLogits(random, 4, 6, 2);
    const b = randomLogits(random, 4, 6, 2);
    const exact = values({ name: "wasserstein" }, a, b);
    const entropic = values({ name: "sinkhorn", epsilon: 2, iterations: 200 }, a, b);
    exact.forEach((value, i) => expect(entropic[i], `row ${i}`).toBeGreaterThan(value + 1e-3));
    tf.dispose([a, b]);
  });

  it("sinkhorn with a custom cost", () => {
    // Cost 0 between ids 0 and 1 and 1 elsewhere off the diagonal: moving all mass from id 0 to id 1
    // is free, so the cost of δ_0 → δ_1 is 0, while δ_0 → δ_2 costs 1.
    const cost = tf.tensor2d([
      [0, 0, 1],
      [0, 0, 1],
      [1, 1, 0],
    ]);
    const a = tf.tensor2d([[50, -50, -50], [50, -50, -50]]);
    const b = tf.tensor2d([[-50, 50, -50], [-50, -50, 50]]);
    const [free, unit] = values({ name: "sinkhorn", epsilon: 0.05, iterations: 100, cost }, a, b);
    expect(free).toBeCloseTo(0, 4);
    expect(unit).toBeCloseTo(1, 4);
    tf.dispose([cost, a, b]);
  });

  it("sinkhorn rejects a mis-sized cost", () => {
    const cost = tf.zeros([3, 3]) as tf.Tensor2D;
    const a = tf.zeros([2, 4]);
    expect(() => computeDivergence({ name: "sinkhorn", epsilon: 1, iterations: 5, cost }, a, a)).toThrow(
      /cost must be a \[4, 4\] tensor.*got \[3,3\]/,
    );
    tf.dispose([cost, a]);
  });

  it("index distance cost matrix", () => {
    const cost = indexDistanceCost(3);
    expect(cost.arraySync()).toEqual([
      [0, 1, 2],
      [1, 0, 1],
      [2, 1, 0],
    ]);
    cost.dispose();
  });

  it("embedding distance cost matrix", () => {
    // Rows (0, 0), (3, 4), (0, 4): distances 5, 4 and 3.
    const embeddings = tf.tensor2d([
      [0, 0],
      [3, 4],
      [0, 4],
    ]);
    const cost = embeddingDistanceCost(embeddings);
    const expected = [
      [0, 5, 4],
      [5, 0, 3],
      [4, 3, 0],
    ];
    const actual = cost.arraySync();
    expected.forEach((row, i) => row.forEach((value, j) => expect(actual[i][j]).toBeCloseTo(value, 3)));
    tf.dispose([embeddings, cost]);
  });
});

describe("divergence gradients", () => {
  // Central differences on float32: step h = 1e−2 on logits of order 1 keeps the rounding error of
  // the divergence (about 1e−7 relative) at ~1e−5 after dividing by 2h, and the truncation error
  // (h² · third derivative / 6) near 1e−5, so 2e−3 absolute leaves a wide margin yet catches a
  // missing or detached term (those change the gradient by O(0.1)).
  const step = 1e-2;
  const tolerance = 2e-3;
  const vocabSize = 5;
  const rows = 2;

  function checkGradients(spec: DivergenceSpec, seed: number): void {
    const random = new Random(seed);
    const longValues = Array.from({ length: rows * vocabSize }, () => random.normal());
    const shortValues = Array.from({ length: rows * vocabSize }, () => random.normal());
    const weights = tf.tensor1d(Array.from({ length: rows }, () => 0.5 + random.next()));
    const objective = (longLogits: tf.Tensor, shortLogits: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(computeDivergence(spec, longLogits, shortLogits), weights));
    const evaluate = (a: number[], b: number[]): number =>
      tf.tidy(() => objective(tf.tensor2d(a, [rows, vocabSize]), tf.tensor2d(b, [rows, vocabSize])).dataSync()[0]);

    const [longGrad, shortGrad] = tf.tidy(() =>
      tf
        .grads(objective)([tf.tensor2d(longValues, [rows, vocabSize]), tf.tensor2d(shortValues, [rows, vocabSize])])
        .map((g) => Array.from(g.dataSync())),
    );
    const sides = [
      { name: "long", analytic: longGrad, base: longValues, other: shortValues },
      { name: "short", analytic: shortGrad, base: shortValues, other: longValues },
    ];
    for (const side of sides) {
      for (let k = 0; k < side.base.length; k++) {
        const plus = side.base.slice();
        const minus = side.base.slice();
        plus[k] += step;
        minus[k] -= step;
        const numeric =
          side.name === "long"
            ? (evaluate(plus, side.other) - evaluate(minus, side.other)) / (2 * step)
            : (evaluate(side.other, plus) - evaluate(side.other, minus)) / (2 * step);
        expect(Math.abs(side.analytic[k] - numeric), `${spec.name} d/d${side.name}[${k}]`).toBeLessThan(tolerance);
      }
    }
    weights.dispose();
  }

  it("sce gradient matches finite differences", () => checkGradients({ name: "sce" }, 11));
  it("kl long||short gradient matches", () => checkGradients({ name: "kl", direction: "long||short" }, 12));
  it("kl short||long gradient matches", () => checkGradients({ name: "kl", direction: "short||long" }, 13));
  it("js gradient matches finite differences", () => checkGradients({ name: "js" }, 14));
  it("sinkhorn gradient matches finite differences", () =>
    checkGradients({ name: "sinkhorn", epsilon: 0.5, iterations: 30 }, 15));

  it("wasserstein gradient matches away from kinks", () => {
    // |F_p(k) − F_q(k)| has a kink where the CDFs cross. A step h on one logit moves each CDF value
    // by at most h/2, so the test takes the first seed whose CDF gaps all exceed 0.02 and no
    // finite-difference step crosses a kink.
    const smallestGap = (seed: number): number => {
      const random = new Random(seed);
      const a = Array.from({ length: rows * vocabSize }, () => random.normal());
      const b = Array.from({ length: rows * vocabSize }, () => random.normal());
      const gaps = tf.tidy(() => {
        const cdfA = tf.cumsum(tf.softmax(tf.tensor2d(a, [rows, vocabSize])), 1); // [rows, V]
        const cdfB = tf.cumsum(tf.softmax(tf.tensor2d(b, [rows, vocabSize])), 1); // [rows, V]
        return tf.sub(cdfA, cdfB).arraySync() as number[][];
      });
      return Math.min(...gaps.flatMap((row) => row.slice(0, -1).map(Math.abs)));
    };
    let seed = 16;
    while (smallestGap(seed) <= 0.02) seed++;
    expect(seed).toBeLessThan(100);
    checkGradients({ name: "wasserstein" }, seed);
  });
});

describe("divergence registry and validation", () => {
  it("registry covers every name", () => {
    for (const name of DIVERGENCE_NAMES) {
      const record = DIVERGENCES[name];
      expect(record.name).toBe(name);
      expect(record.doc.length).toBeGreaterThan(20);
      expect(typeof record.symmetric).toBe("boolean");
      expect(record.bounds(256).min).toBe(0);
    }
    expect(Object.keys(DIVERGENCES).sort()).toEqual([...DIVERGENCE_NAMES].sort());
  });

  it("validate fills defaults", () => {
    expect(validateDivergenceSpec("sce")).toEqual({ name: "sce" });
    expect(validateDivergenceSpec({ name: "kl" })).toEqual({ name: "kl", direction: "long||short" });
    expect(validateDivergenceSpec({ name: "sinkhorn" })).toEqual({ name: "sinkhorn", epsilon: 1, iterations: 100 });
  });

  it("validate rejects unknown name", () => {
    expect(() => validateDivergenceSpec({ name: "jsd" })).toThrow(/divergence: name must be one of .*got "jsd"\. Did you mean "js"\?/);
  });

  it("validate rejects bad kl direction", () => {
    expect(() => validateDivergenceSpec({ name: "kl", direction: "long" })).toThrow(/direction must be one of "long\|\|short", "short\|\|long", got "long"/);
  });

  it("validate rejects nonpositive epsilon", () => {
    expect(() => validateDivergenceSpec({ name: "sinkhorn", epsilon: 0 })).toThrow(/epsilon must be a finite number in \(0, ∞\), got 0/);
  });

  it("validate rejects fractional iterations", () => {
    expect(() => validateDivergenceSpec({ name: "sinkhorn", iterations: 2.5 })).toThrow(/iterations must be an integer in \[1, 10000\], got 2\.5/);
  });

  it("validate rejects non-tensor cost", () => {
    expect(() => validateDivergenceSpec({ name: "sinkhorn", cost: [[0]] })).toThrow(/cost must be a square \[V, V\] tf\.Tensor2D, got \[\[0\]\]/);
  });

  it("validate rejects unknown option", () => {
    expect(() => validateDivergenceSpec({ name: "sinkhorn", epsilom: 1 })).toThrow(/unknown option "epsilom".*Did you mean "epsilon"\?/);
  });

  it("compute rejects mismatched shapes", () => {
    const a = tf.zeros([2, 4]);
    const b = tf.zeros([2, 5]);
    expect(() => computeDivergence({ name: "sce" }, a, b)).toThrow(/shortLogits\.shape must be equal to longLogits\.shape \[2,4\], got \[2,5\]/);
    tf.dispose([a, b]);
  });
});
