/**
 * Pair strategies: how a window of tokens is cut into one long view and one or more short views,
 * and which view positions are aligned (compared by a divergence).
 *
 * Conventions for every layout:
 * - A view is a list of window indices. View position t reads `window[view[t]]`, and its target is
 *   `window[view[t] + 1]`, so the window carries one extra token after the last input.
 * - An aligned pair (long position i, short position j) has `long[i] === short[j]`: both views have
 *   just read the same window token and predict the same next token, with different contexts.
 * - One layout is sampled per batch and shared by every row, so views stack into [B, T] tensors.
 */

import { ConfigError, ToolkitError, assert, intInRange, mustBe, oneOf, show } from "../util/errors";
import type { Random } from "../util/random";
import { rejectUnknownKeys } from "./divergences";

/** A run of aligned positions: `length` consecutive positions from `longStart` in the long view and `shortStart` in short view `short`. */
export interface AlignedSpan {
  /** Index into `PairLayout.shorts`. */
  short: number;
  longStart: number;
  shortStart: number;
  length: number;
}

/** Layout of one batch: the window indices each view reads, and the aligned positions. */
export interface PairLayout {
  /** Tokens to draw per row, including one extra token at the end for the last target. */
  windowLength: number;
  /** Window indices of the long view's input tokens (contiguous). */
  long: number[];
  /** Window indices of each short view's input tokens (increasing; contiguous runs). */
  shorts: number[][];
  /** Aligned positions as contiguous runs, so tensors can be sliced (no gather on wasm). */
  spans: AlignedSpan[];
}

/** A pair strategy and its options; options left out are derived from lTrain when the layout is sampled. */
export type StrategySpec =
  | {
      name: "suffix";
      /** Smallest number of tokens the short view drops from the start (default 1). */
      extraMin?: number;
      /** Largest number of tokens dropped (default floor(lTrain / 2)). */
      extraMax?: number;
      /** Compare only the last overlapping position instead of the whole overlap. */
      lastOnly?: boolean;
    }
  | {
      name: "random-subsequence";
      /** Minimum short-view length (default max(1, floor(lTrain / 4))). */
      minLength?: number;
      /** Maximum short-view length (default max(minLength, floor(lTrain / 2))). */
      maxLength?: number;
    }
  | {
      name: "sliding-window";
      /** Width of every short view (default max(1, floor(lTrain / 2))). */
      width?: number;
      /** Distance between consecutive short views (default max(1, floor(lTrain / 4))). */
      stride?: number;
    }
  | {
      name: "prefix-suffix";
      /** Document-start tokens kept by the short view (default max(1, floor(lTrain / 8))). */
      prefixLength?: number;
      /** Smallest middle span dropped (default 1). */
      extraMin?: number;
      /** Largest middle span dropped (default max(1, min(floor(lTrain / 2), lTrain − prefixLength − 1))). */
      extraMax?: number;
    };

export type StrategyName = StrategySpec["name"];

export const STRATEGY_NAMES: readonly StrategyName[] = ["suffix", "random-subsequence", "sliding-window", "prefix-suffix"];

const STRATEGY_KEYS: { readonly [N in StrategyName]: readonly string[] } = {
  suffix: ["name", "extraMin", "extraMax", "lastOnly"],
  "random-subsequence": ["name", "minLength", "maxLength"],
  "sliding-window": ["name", "width", "stride"],
  "prefix-suffix": ["name", "prefixLength", "extraMin", "extraMax"],
};

/**
 * Checks a strategy config (an object with `name` and its options, or a bare name). Options stay
 * undefined when left out; `sampleLayout` derives them from lTrain and checks them against it.
 * @throws ConfigError naming the field and the value.
 */
export function validateStrategySpec(raw: unknown, where = "strategy"): StrategySpec {
  const record: Record<string, unknown> = typeof raw === "string" ? { name: raw } : (raw as Record<string, unknown>);
  assert(
    record !== null && typeof record === "object" && !Array.isArray(record),
    () => mustBe(where, "the strategy", `a name or an object with "name" (one of ${STRATEGY_NAMES.join(", ")})`, raw),
    ConfigError,
  );
  const name = oneOf(where, "name", record.name, STRATEGY_NAMES);
  rejectUnknownKeys(where, record, STRATEGY_KEYS[name]);
  const optionalInt = (key: string): number | undefined =>
    record[key] === undefined ? undefined : intInRange(where, key, record[key], 1);
  switch (name) {
    case "suffix": {
      const lastOnly = record.lastOnly;
      assert(
        lastOnly === undefined || typeof lastOnly === "boolean",
        () => mustBe(where, "lastOnly", "a boolean", lastOnly),
        ConfigError,
      );
      const spec = { name, extraMin: optionalInt("extraMin"), extraMax: optionalInt("extraMax"), lastOnly };
      checkOrdered(where, "extraMin", spec.extraMin, "extraMax", spec.extraMax);
      return dropUndefined(spec);
    }
    case "random-subsequence": {
      const spec = { name, minLength: optionalInt("minLength"), maxLength: optionalInt("maxLength") };
      checkOrdered(where, "minLength", spec.minLength, "maxLength", spec.maxLength);
      return dropUndefined(spec);
    }
    case "sliding-window":
      return dropUndefined({ name, width: optionalInt("width"), stride: optionalInt("stride") });
    case "prefix-suffix": {
      const spec = {
        name,
        prefixLength: optionalInt("prefixLength"),
        extraMin: optionalInt("extraMin"),
        extraMax: optionalInt("extraMax"),
      };
      checkOrdered(where, "extraMin", spec.extraMin, "extraMax", spec.extraMax);
      return dropUndefined(spec);
    }
    default: {
      const unreachable: never = name;
      throw new ConfigError(`${where}: unknown strategy ${show(unreachable)}`);
    }
  }
}

/**
 * Samples one layout for a batch. Every strategy keeps each short view no longer than `lTrain`
 * and every view's inputs inside the window, and the result passes `validateLayout`.
 * @param lTrain training length: the long view has exactly this many input tokens.
 * @throws ConfigError when an option does not fit `lTrain` (the message names the option and value).
 */
export function sampleLayout(spec: StrategySpec, lTrain: number, rng: Random): PairLayout {
  intInRange("sampleLayout", "lTrain", lTrain, 2);
  let layout: PairLayout;
  switch (spec.name) {
    case "suffix":
      layout = sampleSuffix(spec, lTrain, rng);
      break;
    case "random-subsequence":
      layout = sampleRandomSubsequence(spec, lTrain, rng);
      break;
    case "sliding-window":
      layout = sampleSlidingWindow(spec, lTrain, rng);
      break;
    case "prefix-suffix":
      layout = samplePrefixSuffix(spec, lTrain, rng);
      break;
    default: {
      const unreachable: never = spec;
      throw new ConfigError(`sampleLayout: unknown strategy ${show(unreachable)}`);
    }
  }
  validateLayout(layout);
  return layout;
}

/**
 * `suffix`, the pairing of Du et al. (ICML 2025, "Long-Short Alignment"): both views have lTrain
 * tokens and the short one starts lExtra tokens later, so each overlap token is predicted with
 * contexts that differ by lExtra tokens.
 *
 * ```
 * window  0 ........ lExtra ........ lTrain−1 ........ lTrain+lExtra−1 | +1 target
 * long    [0 ...................... lTrain−1]
 * short            [lExtra ........................... lTrain+lExtra−1]
 * aligned          [lExtra ...... lTrain−1]      (lastOnly: only lTrain−1)
 * ```
 * lExtra ~ U[extraMin, extraMax], default [1, floor(lTrain / 2)], at most lTrain − 1 so the overlap
 * is never empty.
 */
function sampleSuffix(spec: Extract<StrategySpec, { name: "suffix" }>, lTrain: number, rng: Random): PairLayout {
  const where = `strategy "suffix" (lTrain ${lTrain})`;
  const extraMin = spec.extraMin ?? 1;
  const extraMax = spec.extraMax ?? Math.max(extraMin, Math.floor(lTrain / 2));
  intInRange(where, "extraMax", extraMax, extraMin, lTrain - 1);
  const extra = rng.int(extraMin, extraMax);

  const overlap = lTrain - extra;
  const spans: AlignedSpan[] = spec.lastOnly
    ? [{ short: 0, longStart: lTrain - 1, shortStart: overlap - 1, length: 1 }]
    : [{ short: 0, longStart: extra, shortStart: 0, length: overlap }];
  return { windowLength: lTrain + extra + 1, long: range(0, lTrain), shorts: [range(extra, lTrain)], spans };
}

/**
 * `random-subsequence`: the short view is a contiguous piece of the long view of length
 * ℓ ~ U[minLength, maxLength] starting at s ~ U[1, lTrain − ℓ]. Each of its positions is aligned
 * with the same window token in the long view, which has s more tokens of context.
 *
 * ```
 * window  0 ... s ........ s+ℓ−1 ... lTrain−1 | +1 target
 * long    [0 ......................... lTrain−1]
 * short         [s ...... s+ℓ−1]       (all aligned)
 * ```
 * s starts at 1 because at s = 0 the short view is a prefix of the long one, and a causal model
 * then gives identical predictions (zero divergence, no signal). The default length range
 * [lTrain/4, lTrain/2] leaves a start range of at least lTrain/2, so context gaps from 1 to about
 * 3·lTrain/4 all occur, while each short view still has lTrain/4 or more aligned positions.
 */
function sampleRandomSubsequence(
  spec: Extract<StrategySpec, { name: "random-subsequence" }>,
  lTrain: number,
  rng: Random,
): PairLayout {
  const where = `strategy "random-subsequence" (lTrain ${lTrain})`;
  const minLength = spec.minLength ?? Math.max(1, Math.floor(lTrain / 4));
  const maxLength = spec.maxLength ?? Math.max(minLength, Math.floor(lTrain / 2));
  intInRange(where, "minLength", minLength, 1, lTrain - 1);
  intInRange(where, "maxLength", maxLength, minLength, lTrain - 1);
  const length = rng.int(minLength, maxLength);
  const start = rng.int(1, lTrain - length);
  return {
    windowLength: lTrain + 1,
    long: range(0, lTrain),
    shorts: [range(start, length)],
    spans: [{ short: 0, longStart: start, shortStart: 0, length }],
  };
}

/**
 * `sliding-window`: short views of `width` tokens at starts o, o + stride, o + 2·stride, … inside
 * the long view, with a random phase o ~ U[1, stride]; each view's positions are aligned with the
 * long view. Start 0 is never used because a prefix gives the long view's exact predictions.
 *
 * ```
 * window  0 . o ....... o+w−1 .............. lTrain−1 | +1 target
 * long    [0 ..................................... lTrain−1]
 * short 0     [o ...... o+w−1]
 * short 1           [o+s ...... o+s+w−1]
 * ```
 * Defaults w = lTrain/2 and s = lTrain/4 give one or two views. Views start while start + w ≤ lTrain.
 */
function sampleSlidingWindow(
  spec: Extract<StrategySpec, { name: "sliding-window" }>,
  lTrain: number,
  rng: Random,
): PairLayout {
  const where = `strategy "sliding-window" (lTrain ${lTrain})`;
  const width = spec.width ?? Math.max(1, Math.floor(lTrain / 2));
  intInRange(where, "width", width, 1, lTrain - 1);
  const stride = spec.stride ?? Math.max(1, Math.floor(lTrain / 4));
  intInRange(where, "stride", stride, 1, lTrain - width);
  const phase = rng.int(1, stride);

  const shorts: number[][] = [];
  const spans: AlignedSpan[] = [];
  for (let start = phase; start + width <= lTrain; start += stride) {
    spans.push({ short: shorts.length, longStart: start, shortStart: 0, length: width });
    shorts.push(range(start, width));
  }
  return { windowLength: lTrain + 1, long: range(0, lTrain), shorts, spans };
}

/**
 * `prefix-suffix`: the short view keeps the first p tokens of the window (the document start)
 * and drops the next lExtra tokens, so recent tokens are read with the start of the document but
 * without the middle. Window of lTrain + lExtra inputs; both views have lTrain tokens.
 *
 * ```
 * window  0 .. p−1 | p .. p+lExtra−1 | p+lExtra ........ lTrain−1 | lTrain .. lTrain+lExtra−1 | +1
 * long    [0 .. p−1 | p .. p+lExtra−1 | p+lExtra ........ lTrain−1]
 * short   [0 .. p−1]                  [p+lExtra ........ lTrain−1 | lTrain .. lTrain+lExtra−1]
 * aligned                             [p+lExtra ........ lTrain−1]
 *         long positions p+lExtra .. lTrain−1, short positions p .. lTrain−lExtra−1
 * ```
 * The first p positions are identical in both views (same tokens, same context), so they are not
 * aligned. The short view's last lExtra tokens lie beyond the long view and have no partner. Needs
 * p + lExtra ≤ lTrain − 1; defaults p = lTrain/8 and lExtra ~ U[1, lTrain/2] leave at least
 * 3·lTrain/8 aligned positions.
 */
function samplePrefixSuffix(
  spec: Extract<StrategySpec, { name: "prefix-suffix" }>,
  lTrain: number,
  rng: Random,
): PairLayout {
  const where = `strategy "prefix-suffix" (lTrain ${lTrain})`;
  intInRange(where, "lTrain", lTrain, 3);
  const prefix = spec.prefixLength ?? Math.max(1, Math.floor(lTrain / 8));
  intInRange(where, "prefixLength", prefix, 1, lTrain - 2);
  const extraMin = spec.extraMin ?? 1;
  const extraMax = spec.extraMax ?? Math.max(extraMin, Math.min(Math.floor(lTrain / 2), lTrain - prefix - 1));
  intInRange(where, "extraMax", extraMax, extraMin, lTrain - prefix - 1);
  const extra = rng.int(extraMin, extraMax);

  const short = [...range(0, prefix), ...range(prefix + extra, lTrain - prefix)];
  return {
    windowLength: lTrain + extra + 1,
    long: range(0, lTrain),
    shorts: [short],
    spans: [{ short: 0, longStart: prefix + extra, shortStart: prefix, length: lTrain - prefix - extra }],
  };
}

/**
 * Checks the invariants every consumer relies on: the long view is contiguous, every view is
 * increasing and reads inside the window with room for its targets, spans lie inside their views,
 * and each aligned pair reads the same window token.
 * @throws ToolkitError naming the broken invariant.
 */
export function validateLayout(layout: PairLayout): void {
  const where = "validateLayout";
  const { windowLength, long, shorts, spans } = layout;
  intInRange(where, "windowLength", windowLength, 2);
  const checkView = (name: string, view: number[]): void => {
    assert(view.length >= 1, () => mustBe(where, name, "a non-empty list of window indices", view), ToolkitError);
    for (let t = 0; t < view.length; t++) {
      const index = view[t];
      assert(
        Number.isInteger(index) && index >= 0 && index <= windowLength - 2,
        () => mustBe(where, `${name}[${t}]`, `an integer in [0, windowLength − 2 = ${windowLength - 2}]`, index),
        ToolkitError,
      );
      assert(
        t === 0 || index > view[t - 1],
        () => mustBe(where, name, "strictly increasing", view),
        ToolkitError,
      );
    }
  };
  checkView("long", long);
  assert(
    long[long.length - 1] - long[0] === long.length - 1,
    () => mustBe(where, "long", "contiguous", long),
    ToolkitError,
  );
  shorts.forEach((view, k) => checkView(`shorts[${k}]`, view));
  assert(spans.length >= 1, () => mustBe(where, "spans", "non-empty", spans), ToolkitError);

  spans.forEach((span, s) => {
    const name = `spans[${s}]`;
    assert(
      Number.isInteger(span.short) && span.short >= 0 && span.short < shorts.length,
      () => mustBe(where, `${name}.short`, `an index into shorts (0..${shorts.length - 1})`, span.short),
      ToolkitError,
    );
    const short = shorts[span.short];
    assert(
      Number.isInteger(span.length) && span.length >= 1,
      () => mustBe(where, `${name}.length`, "a positive integer", span.length),
      ToolkitError,
    );
    assert(
      Number.isInteger(span.longStart) && span.longStart >= 0 && span.longStart + span.length <= long.length,
      () => mustBe(where, name, `inside the long view (length ${long.length})`, span),
      ToolkitError,
    );
    assert(
      Number.isInteger(span.shortStart) && span.shortStart >= 0 && span.shortStart + span.length <= short.length,
      () => mustBe(where, name, `inside shorts[${span.short}] (length ${short.length})`, span),
      ToolkitError,
    );
    for (let t = 0; t < span.length; t++) {
      const longIndex = long[span.longStart + t];
      const shortIndex = short[span.shortStart + t];
      assert(
        longIndex === shortIndex,
        () =>
          `${where}: ${name} position ${t} pairs window index ${longIndex} (long) with ${shortIndex} ` +
          `(short); aligned positions must read the same window token`,
        ToolkitError,
      );
    }
  });
}

/** Splits a view's index list into runs of consecutive indices, for slicing. */
export function contiguousRuns(view: readonly number[]): { start: number; length: number }[] {
  const runs: { start: number; length: number }[] = [];
  for (const index of view) {
    const last = runs[runs.length - 1];
    if (last && last.start + last.length === index) last.length++;
    else runs.push({ start: index, length: 1 });
  }
  return runs;
}

function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i);
}

function checkOrdered(where: string, lowName: string, low: number | undefined, highName: string, high: number | undefined): void {
  if (low === undefined || high === undefined) return;
  assert(high >= low, () => mustBe(where, highName, `at least ${lowName} = ${low}`, high), ConfigError);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
