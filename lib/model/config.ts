import { ConfigError, assert, intInRange, mustBe, numberInRange, oneOf } from "../util/errors";

/** Position encodings the transformer supports. */
export type PositionEncoding = "rope" | "alibi" | "nope" | "learned";

export const POSITION_ENCODINGS: readonly PositionEncoding[] = ["rope", "alibi", "nope", "learned"];

/** Architecture of the decoder-only transformer. Every field is validated by `validateModelConfig`. */
export interface ModelConfig {
  /** Vocabulary size V; 256 for the byte tokenizer, 2 or 3 for the synthetic bit tasks. */
  vocabSize: number;
  /** Residual stream width D. */
  dModel: number;
  /** Number of transformer blocks. */
  nLayers: number;
  /** Attention heads H; must divide dModel, and for RoPE dModel / nHeads must be even. */
  nHeads: number;
  /** MLP hidden width as a multiple of dModel (4 in GPT-2). */
  mlpRatio: number;
  /** Position encoding used by attention. */
  position: PositionEncoding;
  /** RoPE base θ (10000 in RoFormer and Llama); raising it is the usual context-extension trick. */
  ropeBase: number;
  /**
   * RoPE position interpolation factor: positions are divided by it (1 = off). Usually left at 1 for
   * training and raised at evaluation time to stretch a model to longer contexts.
   */
  ropeScale: number;
  /** Size of the learned absolute position table, the longest context the `learned` encoding allows. */
  maxPositions: number;
  /** Standard deviation of the normal initializer (0.02 as in GPT-2). */
  initStd: number;
  /** Seed of the weight initialization. */
  seed: number;
}

export const DEFAULT_MODEL_CONFIG: Readonly<ModelConfig> = Object.freeze({
  vocabSize: 256,
  dModel: 64,
  nLayers: 2,
  nHeads: 4,
  mlpRatio: 4,
  position: "rope",
  ropeBase: 10000,
  ropeScale: 1,
  maxPositions: 2048,
  initStd: 0.02,
  seed: 0,
});

/**
 * Fills defaults and checks every field of a model config.
 * @throws ConfigError naming the field, the value and the allowed range.
 */
export function validateModelConfig(raw: Partial<ModelConfig> = {}, where = "model"): ModelConfig {
  const unknown = Object.keys(raw).filter((key) => !(key in DEFAULT_MODEL_CONFIG));
  assert(
    unknown.length === 0,
    () => `${where}: unknown field ${JSON.stringify(unknown[0])}; known fields are ${Object.keys(DEFAULT_MODEL_CONFIG).join(", ")}`,
    ConfigError,
  );
  const config: ModelConfig = { ...DEFAULT_MODEL_CONFIG, ...raw };
  intInRange(where, "vocabSize", config.vocabSize, 2, 65536);
  intInRange(where, "dModel", config.dModel, 2, 8192);
  intInRange(where, "nLayers", config.nLayers, 1, 256);
  intInRange(where, "nHeads", config.nHeads, 1, 256);
  numberInRange(where, "mlpRatio", config.mlpRatio, 0, 64, true);
  assert(
    Number.isInteger(config.mlpRatio * config.dModel),
    () => mustBe(where, "mlpRatio", "a value making mlpRatio × dModel an integer", config.mlpRatio),
    ConfigError,
  );
  oneOf(where, "position", config.position, POSITION_ENCODINGS);
  numberInRange(where, "ropeBase", config.ropeBase, 1, Infinity, true);
  numberInRange(where, "ropeScale", config.ropeScale, 0, Infinity, true);
  intInRange(where, "maxPositions", config.maxPositions, 1, 1 << 20);
  numberInRange(where, "initStd", config.initStd, 0, 10, true);
  intInRange(where, "seed", config.seed, 0, 2 ** 31 - 1);
  assert(
    config.dModel % config.nHeads === 0,
    () =>
      mustBe(where, "nHeads", `a divisor of dModel=${config.dModel}`, config.nHeads,
        `Choose nHeads from ${divisors(config.dModel).join(", ")} (train.ts flags --heads and --d-model)`),
    ConfigError,
  );
  assert(
    config.position !== "rope" || (config.dModel / config.nHeads) % 2 === 0,
    () =>
      mustBe(where, "dModel / nHeads", "even for RoPE, which rotates channel pairs", config.dModel / config.nHeads,
        "Change dModel or nHeads"),
    ConfigError,
  );
  return config;
}

/** Divisors of a positive integer n, ascending. */
function divisors(n: number): number[] {
  const found: number[] = [];
  for (let d = 1; d <= n && found.length < 64; d++) if (n % d === 0) found.push(d);
  return found;
}
