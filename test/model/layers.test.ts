import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/backend";
import { batchMatMul, dense, embed, stopGradient } from "../../lib/model/layers";

beforeAll(async () => {
  await initBackend();
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe("custom-gradient layers", () => {
  it("dense matches plain formulation", () => {
    // Values and gradients of the 2-D custom-gradient dense against tfjs autograd on x·W + b.
    const x = tf.randomNormal([6, 5], 0, 1, "float32", 1) as tf.Tensor2D;
    const w = tf.randomNormal([5, 4], 0, 1, "float32", 2) as tf.Tensor2D;
    const b = tf.randomNormal([4], 0, 1, "float32", 3) as tf.Tensor1D;
    const upstream = tf.randomNormal([6, 4], 0, 1, "float32", 4);
    const fast = tf.grads((x, w, b) => tf.sum(tf.mul(dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), upstream)));
    const plain = tf.grads((x, w, b) => tf.sum(tf.mul(tf.add(tf.matMul(x, w), b), upstream)));
    const gf = fast([x, w, b]);
    const gp = plain([x, w, b]);
    expect(maxAbsDiff(dense(x, w, b), tf.add(tf.matMul(x, w), b))).toBeLessThan(1e-5);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(gf[i], gp[i])).toBeLessThan(1e-4);
    const gNoBias = tf.grads((x, w) => tf.sum(tf.mul(dense(x as tf.Tensor2D, w as tf.Tensor2D), upstream)))([x, w]);
    expect(maxAbsDiff(gNoBias[1], gp[1])).toBeLessThan(1e-4);
  });

  it("batchMatMul matches plain formulation", () => {
    const a = tf.randomNormal([3, 4, 5], 0, 1, "float32", 5) as tf.Tensor3D;
    const b = tf.randomNormal([3, 5, 2], 0, 1, "float32", 6) as tf.Tensor3D;
    const upstream = tf.randomNormal([3, 4, 2], 0, 1, "float32", 7);
    const gf = tf.grads((a, b) => tf.sum(tf.mul(batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), upstream)))([a, b]);
    const gp = tf.grads((a, b) => tf.sum(tf.mul(tf.matMul(a, b), upstream)))([a, b]);
    expect(maxAbsDiff(gf[0], gp[0])).toBeLessThan(1e-4);
    expect(maxAbsDiff(gf[1], gp[1])).toBeLessThan(1e-4);
  });

  it("embed gradient sums rows per id", () => {
    // ids [1, 3, 1]: row 1 receives upstream rows 0 and 2, row 3 receives row 1, rows 0 and 2 nothing.
    const table = tf.randomNormal([4, 2], 0, 1, "float32", 8) as tf.Tensor2D;
    const ids = tf.tensor1d([1, 3, 1], "int32");
    const upstream = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const grad = tf.grad((t) => tf.sum(tf.mul(embed(ids, t as tf.Tensor2D), upstream)))(table);
    expect(grad.arraySync()).toEqual([[0, 0], [6, 8], [0, 0], [3, 4]]);
    expect(maxAbsDiff(embed(ids, table), tf.gather(table, ids))).toBe(0);
  });

  it("stopGradient blocks gradient", () => {
    const x = tf.tensor1d([1, 2, 3]);
    const grad = tf.grad((x) => tf.sum(tf.add(tf.square(stopGradient(x)), x)))(x);
    expect(Array.from(grad.dataSync())).toEqual([1, 1, 1]);
  });
});
