/**
 * The long-short alignment training loss: next-token cross-entropy plus alpha times the mean
 * divergence between the long and short views' predictions at aligned positions,
 * `loss = CE + α · misalignment` (Du et al., ICML 2025, "Long-Short Alignment", with α = 0.1 best there).
 *
 * Shape legend: B batch, W window length (inputs + 1 target), T view length, V vocab.
 */

import * as tf from "@tensorflow/tfjs";
import { stopGradient } from "../model/layers";
import { crossEntropyFromLogits } from "../train/loss";
import type { CausalLM } from "../model/types";
import { ConfigError, ToolkitError, assert, mustBe, numberInRange, oneOf, show } from "../util/errors";
import { type DivergenceSpec, computeDivergence, rejectUnknownKeys, validateDivergenceSpec } from "./divergences";
import { type AlignedSpan, type PairLayout, type StrategySpec, contiguousRuns, validateLayout, validateStrategySpec } from "./strategies";

/** Views the cross-entropy term is taken on. */
export type CeViews = "long" | "both";

export const CE_VIEWS: readonly CeViews[] = ["long", "both"];

/** Side of the divergence treated as a constant (no gradient flows through it). */
export type StopGradientSide = "none" | "short" | "long";

export const STOP_GRADIENT_SIDES: readonly StopGradientSide[] = ["none", "short", "long"];

/** Options of the alignment loss. */
export interface AlignmentConfig {
  /** Weight of the misalignment term; 0 trains on cross-entropy alone (misalignment is still reported). */
  alpha: number;
  divergence: DivergenceSpec;
  strategy: StrategySpec;
  /** `long`: CE on the long view only; `both`: token-weighted mean CE over all views. */
  ceOn: CeViews;
  /** Side whose logits get no gradient from the misalignment term (CE gradients are unaffected). */
  stopGradient: StopGradientSide;
}

/** Defaults: the pairing and divergence of Du et al., α = 0.1, CE on the long view, gradients through both sides. */
export const DEFAULT_ALIGNMENT_CONFIG: Readonly<AlignmentConfig> = Object.freeze<AlignmentConfig>({
  alpha: 0.1,
  divergence: { name: "sce" },
  strategy: { name: "suffix" },
  ceOn: "long",
  stopGradient: "none",
});

/**
 * Checks an alignment config and fills defaults for fields left out.
 * @throws ConfigError naming the field and the value.
 */
export function validateAlignmentConfig(raw: unknown): AlignmentConfig {
  const where = "alignment config";
  const record = (raw ?? {}) as Record<string, unknown>;
  assert(
    typeof record === "object" && !Array.isArray(record),
    () => mustBe(where, "the config", "an object", raw),
    ConfigError,
  );
  rejectUnknownKeys(where, record, ["alpha", "divergence", "strategy", "ceOn", "stopGradient"]);
  return {
    alpha: numberInRange(where, "alpha", record.alpha ?? DEFAULT_ALIGNMENT_CONFIG.alpha, 0),
    divergence: validateDivergenceSpec(record.divergence ?? DEFAULT_ALIGNMENT_CONFIG.divergence, `${where}: divergence`),
    strategy: validateStrategySpec(record.strategy ?? DEFAULT_ALIGNMENT_CONFIG.strategy, `${where}: strategy`),
    ceOn: oneOf(where, "ceOn", record.ceOn ?? DEFAULT_ALIGNMENT_CONFIG.ceOn, CE_VIEWS),
    stopGradient: oneOf(where, "stopGradient", record.stopGradient ?? DEFAULT_ALIGNMENT_CONFIG.stopGradient, STOP_GRADIENT_SIDES),
  };
}

/** The loss and its parts for one batch. */
export interface AlignmentLoss {
  /** `ce + alpha · misalignment`. */
  loss: tf.Scalar;
  /** Mean next-token cross-entropy in nats over the tokens of the views chosen by `ceOn`. */
  ce: tf.Scalar;
  /** Mean divergence over all aligned positions of all rows. */
  misalignment: tf.Scalar;
  /** Number of aligned (row, position) pairs averaged: B × the summed span lengths. */
  alignedPositions: number;
}

/**
 * Computes the alignment loss for one batch. Views are cut from `windows` with slice and concat
 * (wasm has no gather gradient), and views of equal length share one `model.logits` call.
 * @param windows [B, layout.windowLength] int32 token ids drawn for this layout.
 * @throws ToolkitError when `windows` does not match the layout or a view exceeds `model.maxContext`.
 */
export function alignmentLoss(
  model: CausalLM,
  windows: tf.Tensor2D,
  layout: PairLayout,
  config: AlignmentConfig,
): AlignmentLoss {
  const parts = tf.tidy(() => {
    const views = forwardViews(model, windows, layout);
    const ceViews = config.ceOn === "long" ? [views.long] : [views.long, ...views.shorts];
    const ce = crossEntropy(ceViews);
    const aligned = alignedDivergence(views.long.logits, views.shorts.map((v) => v.logits), layout.spans, config);
    const misalignment = tf.div(aligned.sum, aligned.count) as tf.Scalar;
    const loss = tf.add(ce, tf.mul(misalignment, config.alpha)) as tf.Scalar;
    return { loss, ce, misalignment };
  });
  return { ...parts, alignedPositions: windows.shape[0] * totalSpanLength(layout.spans) };
}

/** One view's logits and next-token targets. */
export interface ViewOutput {
  /** [B, T, V] */
  logits: tf.Tensor3D;
  /** [B, T] int32 */
  targets: tf.Tensor2D;
}

/**
 * Runs the model on the long view and every short view of `layout`. Views of equal length are
 * stacked along the batch axis so they share one forward pass.
 * @param windows [B, W] int32.
 * @returns the long view's and each short view's logits [B, T, V] and targets [B, T].
 */
export function forwardViews(
  model: CausalLM,
  windows: tf.Tensor2D,
  layout: PairLayout,
): { long: ViewOutput; shorts: ViewOutput[] } {
  validateLayout(layout);
  assert(
    windows.rank === 2 && windows.shape[1] === layout.windowLength && windows.dtype === "int32",
    () =>
      mustBe("alignmentLoss", "windows", `an int32 [B, ${layout.windowLength}] tensor (layout.windowLength)`, {
        shape: windows.shape,
        dtype: windows.dtype,
      }),
    ToolkitError,
  );
  const allViews = [layout.long, ...layout.shorts];
  const longest = Math.max(...allViews.map((view) => view.length));
  assert(
    longest <= model.maxContext,
    () => mustBe("alignmentLoss", "the longest view", `at most model.maxContext = ${model.maxContext} tokens`, longest),
    ToolkitError,
  );

  const batchSize = windows.shape[0];
  const inputs = allViews.map((view) => cutView(windows, view, 0)); // each [B, T]
  const targets = allViews.map((view) => cutView(windows, view, 1)); // each [B, T]

  // Group views by length, run each group as one [G·B, T] batch, then slice each view back out.
  const logits: tf.Tensor3D[] = new Array(allViews.length);
  const lengths = [...new Set(allViews.map((view) => view.length))];
  for (const length of lengths) {
    const members = allViews.flatMap((view, index) => (view.length === length ? [index] : []));
    const stacked = members.length === 1 ? inputs[members[0]] : tf.concat(members.map((m) => inputs[m]), 0); // [G·B, T]
    const groupLogits = model.logits(stacked); // [G·B, T, V]
    const vocabSize = groupLogits.shape[2];
    members.forEach((m, g) => {
      logits[m] =
        members.length === 1 ? groupLogits : tf.slice(groupLogits, [g * batchSize, 0, 0], [batchSize, length, vocabSize]); // [B, T, V]
    });
  }
  const outputs = allViews.map((_, index) => ({ logits: logits[index], targets: targets[index] }));
  return { long: outputs[0], shorts: outputs.slice(1) };
}

/**
 * Token-weighted mean next-token cross-entropy over the given views (`crossEntropyFromLogits` per
 * view, weighted by its token count).
 * @returns scalar, nats per token.
 */
export function crossEntropy(views: readonly ViewOutput[]): tf.Scalar {
  return tf.tidy(() => {
    const count = views.reduce((total, view) => total + view.targets.size, 0);
    let total: tf.Tensor = tf.scalar(0);
    for (const { logits, targets } of views) {
      const [B, T, V] = logits.shape;
      const mean = crossEntropyFromLogits(tf.reshape(logits, [B * T, V]) as tf.Tensor2D, tf.reshape(targets, [B * T]) as tf.Tensor1D);
      total = tf.add(total, tf.mul(mean, targets.size / count));
    }
    return total as tf.Scalar;
  });
}

/**
 * Sums the divergence over every aligned (row, position) pair, with `tf.stopGradient`-like
 * blocking on the side named by `stopGradient`.
 * @param longLogits [B, T_long, V]
 * @param shortLogits each [B, T_k, V]
 * @returns `sum` (scalar) and `count` (B × summed span lengths).
 */
export function alignedDivergence(
  longLogits: tf.Tensor3D,
  shortLogits: readonly tf.Tensor3D[],
  spans: readonly AlignedSpan[],
  options: { divergence: DivergenceSpec; stopGradient: StopGradientSide },
): { sum: tf.Scalar; count: number } {
  const sum = tf.tidy(() => {
    const [batchSize, , vocabSize] = longLogits.shape;
    const longSide = options.stopGradient === "long" ? stopGradient(longLogits) : longLogits;
    const shortSides = shortLogits.map((logits) => (options.stopGradient === "short" ? stopGradient(logits) : logits));
    let total: tf.Tensor = tf.scalar(0);
    for (const span of spans) {
      const longPart = tf.slice(longSide, [0, span.longStart, 0], [batchSize, span.length, vocabSize]); // [B, L, V]
      const shortPart = tf.slice(shortSides[span.short], [0, span.shortStart, 0], [batchSize, span.length, vocabSize]); // [B, L, V]
      total = tf.add(total, tf.sum(computeDivergence(options.divergence, longPart, shortPart)));
    }
    return total as tf.Scalar;
  });
  return { sum, count: longLogits.shape[0] * totalSpanLength(spans) };
}

/**
 * Identity in the forward pass with a zero gradient, the equivalent of `tf.stop_gradient` in
 * TensorFlow (tfjs 4.22 has no such op). Defined with the model's custom-gradient layers.
 */
export { stopGradient };

/**
 * Cuts the columns `view[t] + offset` out of `windows` as contiguous slices joined by concat:
 * offset 0 gives a view's inputs, offset 1 its targets.
 * @returns [B, view.length] int32.
 */
export function cutView(windows: tf.Tensor2D, view: readonly number[], offset: 0 | 1): tf.Tensor2D {
  return tf.tidy(() => {
    const batchSize = windows.shape[0];
    const pieces = contiguousRuns(view).map((run) => tf.slice(windows, [0, run.start + offset], [batchSize, run.length])); // [B, run]
    return (pieces.length === 1 ? pieces[0] : tf.concat(pieces, 1)) as tf.Tensor2D; // [B, T]
  });
}

function totalSpanLength(spans: readonly AlignedSpan[]): number {
  return spans.reduce((total, span) => total + span.length, 0);
}

/** Formats a config for logs, with tensors (a Sinkhorn cost) shown by shape. */
export function describeAlignmentConfig(config: AlignmentConfig): string {
  const divergence =
    config.divergence.name === "sinkhorn" && config.divergence.cost
      ? { ...config.divergence, cost: `tensor ${show(config.divergence.cost.shape)}` }
      : config.divergence;
  return JSON.stringify({ ...config, divergence });
}
