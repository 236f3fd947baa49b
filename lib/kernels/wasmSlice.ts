/**
 * Replacement Slice, SplitV and Unpack kernels for the wasm backend of tfjs 4.22.
 *
 * The stock wasm Slice kernel starts with `backend.readSync(x.dataId)`, which copies the WHOLE input
 * out of the wasm heap before it copies the requested part; SplitV and Unpack call it once per
 * output. Cutting the long and short views out of [2B, T, V] logits therefore copied 4 MiB per view,
 * and splitting the fused QKV projection copied the projection three times. The kernels below read
 * the input through a view of the heap instead, so each output costs only its own size. Values are
 * identical: both versions copy the same elements (test/kernels/wasmSlice.test.ts compares them).
 * Measured effects are in docs/benchmarks.md.
 *
 * Only float32, int32 and bool tensors take the new path; string tensors go to the stock kernel.
 */

import * as tf from "@tensorflow/tfjs";

/** The part of the wasm backend's interface these kernels use (BackendWasm in tfjs-backend-wasm). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Names of the kernels this module replaces. */
export const WASM_SLICE_KERNELS = ["Slice", "SplitV", "Unpack"] as const;

let registered = false;

/**
 * Registers the replacement kernels for the `wasm` backend, once per process. Call it after the
 * wasm backend has registered its own kernels (after `require("@tensorflow/tfjs-backend-wasm")`).
 * @returns the names of the replaced kernels.
 */
export function registerWasmSliceKernels(): readonly string[] {
  if (registered) return WASM_SLICE_KERNELS;
  const stockSlice = tf.getKernel("Slice", "wasm");
  if (!stockSlice) return [];
  const stock = stockSlice.kernelFunc;

  replace("Slice", (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    if (x.dtype === "string") return stock(args);
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceFromHeap(args.backend as unknown as HeapBackend, x, start, extent);
  });

  // String tensors keep the stock path: their bytes live outside the heap.
  const cut = (args: KernelArgs, x: tf.TensorInfo, start: number[], extent: number[]): tf.TensorInfo =>
    x.dtype === "string"
      ? (stock({ ...args, inputs: { x }, attrs: { begin: start, size: extent } }) as tf.TensorInfo)
      : sliceFromHeap(args.backend as unknown as HeapBackend, x, start, extent);

  replace("SplitV", (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const dim = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, dim);
    const start = new Array<number>(x.shape.length).fill(0);
    return sizes.map((part) => {
      const extent = [...x.shape];
      extent[dim] = part;
      const out = cut(args, x, [...start], extent);
      start[dim] += part;
      return out;
    });
  });

  replace("Unpack", (args) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    const rank = value.shape.length;
    const raw = (args.attrs as unknown as { axis: number }).axis;
    const dim = raw < 0 ? raw + rank : raw;
    const outShape = value.shape.filter((_, i) => i !== dim);
    const extent = [...value.shape];
    extent[dim] = 1;
    return Array.from({ length: value.shape[dim] }, (_, index) => {
      const start = new Array<number>(rank).fill(0);
      start[dim] = index;
      const out = cut(args, value, start, extent);
      return { dataId: out.dataId, dtype: out.dtype, shape: outShape };
    });
  });

  registered = true;
  return WASM_SLICE_KERNELS;
}

function replace(kernelName: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): void {
  const existing = tf.getKernel(kernelName, "wasm");
  if (existing) tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc, setupFunc: existing?.setupFunc });
}

/**
 * Copies the box `[start, start + extent)` of `x` into a new tensor. Trailing axes taken whole are
 * merged into one contiguous run, so a slice along the leading axis is a single copy.
 */
function sliceFromHeap(backend: HeapBackend, x: tf.TensorInfo, start: number[], extent: number[]): tf.TensorInfo {
  // Allocate first: malloc may grow the heap, which detaches views taken before it.
  const out = backend.makeOutput(extent, x.dtype);
  const total = extent.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const input = backend.typedArrayFromHeap(x);
  const output = backend.typedArrayFromHeap(out);
  copyBox(input, x.shape, output, start, extent);
  return out;
}

/**
 * Writes the box `[start, start + extent)` of a row-major array of `shape` to `output`, row-major.
 * Exported for tests.
 */
export function copyBox(
  input: { subarray(begin: number, end: number): ArrayLike<number> },
  shape: readonly number[],
  output: { set(values: ArrayLike<number>, offset: number): void },
  start: readonly number[],
  extent: readonly number[],
): void {
  const rank = shape.length;
  if (rank === 0) {
    output.set(input.subarray(0, 1), 0);
    return;
  }
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  // The innermost axis that is cut: every axis after it is taken whole, so one run spans it.
  let cut = rank - 1;
  while (cut > 0 && start[cut] === 0 && extent[cut] === shape[cut]) cut--;
  const run = extent[cut] * strides[cut];
  let base = 0;
  for (let axis = 0; axis <= cut; axis++) base += start[axis] * strides[axis];

  // Odometer over the axes before `cut`.
  const index = new Array<number>(cut).fill(0);
  let written = 0;
  for (;;) {
    let offset = base;
    for (let axis = 0; axis < cut; axis++) offset += index[axis] * strides[axis];
    output.set(input.subarray(offset, offset + run), written);
    written += run;
    let axis = cut - 1;
    while (axis >= 0) {
      index[axis] += 1;
      if (index[axis] < extent[axis]) break;
      index[axis] = 0;
      axis -= 1;
    }
    if (axis < 0) break;
  }
}
