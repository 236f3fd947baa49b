/**
 * The long-short misalignment metric on held-out documents: the mean divergence between a model's
 * long-view and short-view predictions of the same tokens, over random windows.
 */

import * as tf from "@tensorflow/tfjs";
import { sampleWindows } from "../data/windows";
import type { TokenizedDocument } from "../data/types";
import type { CausalLM } from "../model/types";
import { intInRange } from "../util/errors";
import { Random } from "../util/random";
import type { DivergenceSpec } from "./divergences";
import { alignedDivergence, forwardViews } from "./loss";
import { type StrategySpec, sampleLayout } from "./strategies";

/** How many windows the metric draws, and from which seed. */
export interface MisalignmentOptions {
  /** Training length: the long view's input length. */
  lTrain: number;
  /** Total number of windows (rows) scored. */
  numWindows: number;
  /** Rows per forward pass; each batch samples its own layout. */
  batchSize: number;
  seed: number;
}

/** The metric and how much it averaged. */
export interface MisalignmentResult {
  /** Mean divergence over all aligned (row, position) pairs. */
  value: number;
  /** Number of aligned (row, position) pairs in the mean. */
  alignedPositions: number;
  /** Number of windows scored (equal to `numWindows`). */
  windows: number;
}

/**
 * Computes the misalignment of `model` on `docs`: for each batch, samples a layout with `strategy`,
 * draws windows uniformly over document positions, and averages the divergence over every aligned
 * pair (a mean over pairs, not over batches). The same seed gives the same layouts and windows.
 *
 * NOTE: one layout is drawn per batch, so changing `batchSize` changes which layouts are drawn and
 * therefore the value, even with the same seed and `numWindows`.
 * @throws ToolkitError when no document is long enough for a layout's window.
 */
export function misalignment(
  model: CausalLM,
  docs: readonly TokenizedDocument[],
  strategy: StrategySpec,
  divergence: DivergenceSpec,
  options: MisalignmentOptions,
): MisalignmentResult {
  const where = "misalignment";
  intInRange(where, "lTrain", options.lTrain, 2);
  intInRange(where, "numWindows", options.numWindows, 1);
  intInRange(where, "batchSize", options.batchSize, 1);

  // Separate streams, so the windows drawn do not depend on how many draws a strategy makes.
  const root = new Random(options.seed);
  const layoutRandom = root.fork("layouts");
  const windowRandom = root.fork("windows");

  let total = 0;
  let alignedPositions = 0;
  for (let done = 0; done < options.numWindows; done += options.batchSize) {
    const rows = Math.min(options.batchSize, options.numWindows - done);
    const layout = sampleLayout(strategy, options.lTrain, layoutRandom);
    const tokens = sampleWindows(docs, layout.windowLength, rows, windowRandom);
    const batchSum = tf.tidy(() => {
      const windows = tf.tensor2d(tokens, [rows, layout.windowLength], "int32"); // [B, W]
      const views = forwardViews(model, windows, layout);
      const aligned = alignedDivergence(
        views.long.logits,
        views.shorts.map((view) => view.logits),
        layout.spans,
        { divergence, stopGradient: "none" },
      );
      alignedPositions += aligned.count;
      return aligned.sum;
    });
    // Accumulate in float64: a float32 running sum would lose precision over many batches.
    total += batchSum.dataSync()[0];
    batchSum.dispose();
  }
  return { value: total / alignedPositions, alignedPositions, windows: options.numWindows };
}
