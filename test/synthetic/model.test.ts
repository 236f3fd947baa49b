import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/backend";
import { evaluateRegressor } from "../../lib/synthetic/evaluate";
import { SequenceRegressor, START_TOKEN, type RegressorConfig } from "../../lib/synthetic/model";
import { TARGET_TRANSFORMS, constantMeanMse } from "../../lib/synthetic/tasks";
import { trainRegressor, type RegressionTrainingConfig } from "../../lib/synthetic/train";

beforeAll(async () => {
  await initBackend();
});

const tiny: RegressorConfig = {
  dModel: 16,
  nLayers: 1,
  nHeads: 2,
  mlpRatio: 2,
  position: "nope",
  headWidth: 16,
  startToken: true,
  maxTrainLength: 10,
  outputShift: 0.5,
  outputScale: 0.25,
  seed: 1,
};

const optimizer = { lr: 3e-3, minLr: 3e-4, warmupSteps: 10, weightDecay: 0, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, gradClip: 1 };

function training(steps: number): RegressionTrainingConfig {
  return { trainRange: { min: 1, max: 10 }, steps, batchSize: 32, optimizer, seed: 3 };
}

describe("SequenceRegressor", () => {
  it("encode prepends the start token", () => {
    const model = new SequenceRegressor(tiny);
    const tokens = model.encode(Int32Array.from([1, 0, 0, 1]), 2, 2);
    expect(tokens.shape).toEqual([2, 3]);
    expect(tokens.arraySync()).toEqual([[START_TOKEN, 1, 0], [START_TOKEN, 0, 1]]);
    tokens.dispose();
    model.dispose();
  });

  it("encode without start token", () => {
    const model = new SequenceRegressor({ ...tiny, startToken: false });
    const tokens = model.encode(Int32Array.from([1, 0, 0, 1]), 2, 2);
    expect(tokens.arraySync()).toEqual([[1, 0], [0, 1]]);
    tokens.dispose();
    model.dispose();
  });

  it("predict shape is [B]", () => {
    const model = new SequenceRegressor(tiny);
    const tokens = model.encode(new Int32Array(3 * 7), 3, 7);
    const output = model.predict(tokens);
    expect(output.shape).toEqual([3]);
    tf.dispose([tokens, output]);
    model.dispose();
  });

  it("first predictions sit near outputShift", () => {
    // The output layer starts at std 0.02 and zero bias, so z ≈ 0 and the output ≈ outputShift.
    const model = new SequenceRegressor({ ...tiny, outputShift: 5.5, outputScale: 2.9 });
    const tokens = model.encode(new Int32Array(4 * 5).fill(1), 4, 5);
    const values = Array.from(model.predict(tokens).dataSync());
    for (const value of values) expect(Math.abs(value - 5.5)).toBeLessThan(1);
    tokens.dispose();
    model.dispose();
  });

  it("maxLength by position encoding", () => {
    const learned = new SequenceRegressor({ ...tiny, position: "learned" });
    const nope = new SequenceRegressor(tiny);
    expect(learned.maxLength).toBe(10);
    expect(nope.maxLength).toBe(Infinity);
    learned.dispose();
    nope.dispose();
  });

  it("trainable params skip the language-model head", () => {
    const model = new SequenceRegressor(tiny);
    const names = [...model.trainableParams().keys()];
    expect(names).not.toContain("head.weight");
    expect(names).toContain("regression.out.bias");
    model.dispose();
  });

  it("rejects non-positive output scale", () => {
    expect(() => new SequenceRegressor({ ...tiny, outputScale: 0 })).toThrow(/outputScale must be a finite number in \(0, 1000000\], got 0/);
  });

  it("rejects odd head width for rope", () => {
    expect(() => new SequenceRegressor({ ...tiny, position: "rope", dModel: 6, nHeads: 2 })).toThrow(/dModel \/ nHeads must be even for RoPE/);
  });
});

describe("evaluateRegressor", () => {
  it("learned positions past the table are null", () => {
    const model = new SequenceRegressor({ ...tiny, position: "learned" });
    const scores = evaluateRegressor(model, "length", TARGET_TRANSFORMS.identity, {
      lengths: [5, 10, 11, 50],
      samplesPerLength: 4,
      batchSize: 4,
      seed: 1,
    });
    expect(scores.map((score) => score.applicable)).toEqual([true, true, false, false]);
    expect(scores[2]).toEqual({ length: 11, applicable: false, mse: null, transformedMse: null, meanPrediction: null });
    expect(typeof scores[1].mse).toBe("number");
    model.dispose();
  });

  it("nope runs at every length", () => {
    const model = new SequenceRegressor(tiny);
    const scores = evaluateRegressor(model, "mean", TARGET_TRANSFORMS.identity, { lengths: [1, 50], samplesPerLength: 3, batchSize: 2, seed: 1 });
    expect(scores.every((score) => score.applicable && typeof score.mse === "number")).toBe(true);
    model.dispose();
  });

  it("identity scores agree in both spaces", () => {
    const model = new SequenceRegressor(tiny);
    const [score] = evaluateRegressor(model, "mean", TARGET_TRANSFORMS.identity, { lengths: [6], samplesPerLength: 5, batchSize: 5, seed: 2 });
    expect(score.transformedMse).toBeCloseTo(score.mse as number, 12);
    model.dispose();
  });
});

describe("trainRegressor", () => {
  it("keeps tensor count flat", () => {
    const before = tf.memory().numTensors;
    const model = new SequenceRegressor(tiny);
    trainRegressor(model, "length", TARGET_TRANSFORMS.log, training(3));
    evaluateRegressor(model, "length", TARGET_TRANSFORMS.log, { lengths: [2, 12], samplesPerLength: 3, batchSize: 2, seed: 1 });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("same seed gives same loss curve", () => {
    const run = () => {
      const model = new SequenceRegressor(tiny);
      const result = trainRegressor(model, "mean", TARGET_TRANSFORMS.identity, training(4), { curvePoints: 4 });
      model.dispose();
      return result.curve.map((point) => point.loss);
    };
    expect(run()).toEqual(run());
  });

  it("diverging loss raises", () => {
    const model = new SequenceRegressor({ ...tiny, outputShift: 1e6, outputScale: 1e6 });
    const huge = { ...training(2), optimizer: { ...optimizer, lr: 1e30 } };
    // An output scale of 1e6 and a learning rate of 1e30 overflow float32 within two steps.
    expect(() => trainRegressor(model, "length", TARGET_TRANSFORMS.identity, huge)).toThrow(/loss is (NaN|Infinity) at step \d.*Lower optimizer.lr \(now 1e\+30\)/);
    model.dispose();
  });

  it("mean task beats always-1/2 in range", () => {
    // 100 steps of a one-layer NoPE model. The check requires MSE at most a quarter of 0.25/l at
    // every training length; the untrained model below shows the check can fail.
    const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const evaluation = { lengths, samplesPerLength: 64, batchSize: 64, seed: 11 };
    const untrained = new SequenceRegressor(tiny);
    const before = evaluateRegressor(untrained, "mean", TARGET_TRANSFORMS.identity, evaluation);
    untrained.dispose();
    expect(before.some((score) => (score.mse as number) > constantMeanMse(score.length) / 4)).toBe(true);

    const model = new SequenceRegressor(tiny);
    trainRegressor(model, "mean", TARGET_TRANSFORMS.identity, training(100));
    const after = evaluateRegressor(model, "mean", TARGET_TRANSFORMS.identity, evaluation);
    model.dispose();
    for (const score of after) {
      expect({ length: score.length, mse: score.mse, belowQuarterFloor: (score.mse as number) < constantMeanMse(score.length) / 4 }).toMatchObject({
        belowQuarterFloor: true,
      });
    }
  });
});
