import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/backend";
import { copyBox } from "../../lib/kernels/wasmSlice";
import { Random } from "../../lib/util/random";

beforeAll(async () => {
  await initBackend();
});

/** Element-by-element slice of a row-major array: the definition the kernels must match. */
function referenceSlice(values: Float32Array, shape: number[], start: number[], extent: number[]): Float32Array {
  const out = new Float32Array(extent.reduce((a, b) => a * b, 1));
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  for (let flat = 0; flat < out.length; flat++) {
    let rest = flat;
    let source = 0;
    for (let axis = extent.length - 1; axis >= 0; axis--) {
      const coordinate = rest % extent[axis];
      rest = Math.floor(rest / extent[axis]);
      source += (start[axis] + coordinate) * strides[axis];
    }
    out[flat] = values[source];
  }
  return out;
}

function randomBox(rng: Random, shape: number[]): { start: number[]; extent: number[] } {
  const start = shape.map((n) => rng.int(0, n - 1));
  const extent = shape.map((n, axis) => rng.int(1, n - start[axis]));
  return { start, extent };
}

describe("copyBox", () => {
  it("matches definition on random boxes", () => {
    const rng = new Random(3);
    for (let trial = 0; trial < 400; trial++) {
      const rank = rng.int(1, 5);
      const shape = Array.from({ length: rank }, () => rng.int(1, 6));
      const size = shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from({ length: size }, (_, i) => i + 0.5);
      // Whole trailing axes are the merged fast path; force them in half of the trials.
      const box = randomBox(rng, shape);
      if (trial % 2 === 0) {
        for (let axis = rng.int(0, rank - 1); axis < rank; axis++) {
          box.start[axis] = 0;
          box.extent[axis] = shape[axis];
        }
      }
      const out = new Float32Array(box.extent.reduce((a, b) => a * b, 1));
      copyBox(values, shape, out, box.start, box.extent);
      expect([...out], `shape ${shape} start ${box.start} extent ${box.extent}`).toEqual([
        ...referenceSlice(values, shape, box.start, box.extent),
      ]);
    }
  });
});

describe("wasm slice kernels", () => {
  it("slice matches reference for float32 and int32", () => {
    const rng = new Random(4);
    for (let trial = 0; trial < 60; trial++) {
      const rank = rng.int(1, 4);
      const shape = Array.from({ length: rank }, () => rng.int(1, 7));
      const size = shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from({ length: size }, (_, i) => i - 3);
      const { start, extent } = randomBox(rng, shape);
      const expected = [...referenceSlice(values, shape, start, extent)];
      tf.tidy(() => {
        expect([...tf.slice(tf.tensor(values, shape), start, extent).dataSync()]).toEqual(expected);
        expect([...tf.slice(tf.tensor(values, shape, "int32"), start, extent).dataSync()]).toEqual(expected);
      });
    }
  });

  it("split and unstack match reference", () => {
    tf.tidy(() => {
      const shape = [4, 6, 5];
      const values = Float32Array.from({ length: 120 }, (_, i) => i * 0.25);
      const x = tf.tensor(values, shape);
      const parts = tf.split(x, [1, 3, 2], 1);
      expect(parts.map((p) => p.shape)).toEqual([[4, 1, 5], [4, 3, 5], [4, 2, 5]]);
      let begin = 0;
      for (const [i, width] of [1, 3, 2].entries()) {
        expect([...parts[i].dataSync()], `part ${i}`).toEqual([...referenceSlice(values, shape, [0, begin, 0], [4, width, 5])]);
        begin += width;
      }
      const rows = tf.unstack(x, 2);
      expect(rows).toHaveLength(5);
      for (const [i, row] of rows.entries()) {
        expect(row.shape).toEqual([4, 6]);
        expect([...row.dataSync()]).toEqual([...referenceSlice(values, shape, [0, 0, i], [4, 6, 1])]);
      }
      expect([...x.dataSync()]).toEqual([...values]);
    });
  });

  it("string tensors take stock path", () => {
    tf.tidy(() => {
      const words = tf.tensor(["a", "b", "c", "d", "e", "f"], [3, 2], "string");
      expect(tf.slice(words, [1, 0], [2, 1]).arraySync()).toEqual([["c"], ["e"]]);
      // tf.split accepts numeric tensors only, so SplitV never receives strings.
      expect(tf.unstack(words, 1).map((part) => part.arraySync())).toEqual([["a", "c", "e"], ["b", "d", "f"]]);
    });
  });

  it("slice gradient pads with zeros", () => {
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.slice(input, [0, 1], [2, 2]), tf.tensor2d([[1, 2], [3, 4]]))))(x);
      expect([...grad.dataSync()]).toEqual([0, 1, 2, 0, 3, 4]);
    });
  });
});
