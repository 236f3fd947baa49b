import * as tf from "@tensorflow/tfjs";
import { validateModelConfig, type ModelConfig, type PositionEncoding } from "../model/config";
import { dense, geluTanh } from "../model/layers";
import { TransformerLM } from "../model/transformer";
import { ConfigError, ToolkitError, assert, intInRange, mustBe, numberInRange } from "../util/errors";

/**
 * A scalar regressor over bit sequences: the project's TransformerLM body, read at the last
 * position, followed by a one-hidden-layer feed-forward head that outputs one number.
 * Shapes: B batch, T tokens (bits plus the optional start token), D model width, F head width.
 */

/** Token id of the start token that precedes the bits when `startToken` is on; bits are ids 0 and 1. */
export const START_TOKEN = 2;

/** Architecture of the regressor. */
export interface RegressorConfig {
  /** Residual stream width D of the transformer. */
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Transformer MLP width as a multiple of dModel. */
  mlpRatio: number;
  position: PositionEncoding;
  /** Hidden width F of the regression head. */
  headWidth: number;
  /**
   * Prepend token 2 before the bits. Under NoPE the causal mask is the only source of position
   * information, and a fixed first token gives attention something to count against: uniform
   * attention puts weight 1/T on it, so the last position can read the length.
   */
  startToken: boolean;
  /**
   * Maximum training length in bits. Learned absolute positions get a table of exactly this many
   * tokens (plus one for the start token), so they cannot run past it.
   */
  maxTrainLength: number;
  /**
   * The regressor outputs outputShift + outputScale · z, where z is the head's output. Set to the
   * mean and standard deviation of the transformed training target, so z has unit scale for every
   * task and transform.
   */
  outputShift: number;
  outputScale: number;
  /** Seed of the weight initialization. */
  seed: number;
}

/**
 * Checks every field of a regressor config.
 * @throws ConfigError naming the field, the value and the allowed range.
 */
export function validateRegressorConfig(config: RegressorConfig, where = "regressor"): RegressorConfig {
  intInRange(where, "headWidth", config.headWidth, 1, 65536);
  intInRange(where, "maxTrainLength", config.maxTrainLength, 1, 1 << 20);
  numberInRange(where, "outputShift", config.outputShift, -1e6, 1e6);
  numberInRange(where, "outputScale", config.outputScale, 0, 1e6, true);
  assert(
    typeof config.startToken === "boolean",
    () => mustBe(where, "startToken", "a boolean", config.startToken),
    ConfigError,
  );
  transformerConfig(config, where);
  return config;
}

function transformerConfig(config: RegressorConfig, where = "regressor"): ModelConfig {
  return validateModelConfig(
    {
      vocabSize: config.startToken ? 3 : 2,
      dModel: config.dModel,
      nLayers: config.nLayers,
      nHeads: config.nHeads,
      mlpRatio: config.mlpRatio,
      position: config.position,
      maxPositions: config.maxTrainLength + (config.startToken ? 1 : 0),
      seed: config.seed,
    },
    where,
  );
}

/** Transformer body plus a scalar feed-forward head on the last position's hidden state. */
export class SequenceRegressor {
  readonly config: RegressorConfig;
  readonly body: TransformerLM;
  private readonly head: Map<string, tf.Variable>;

  constructor(config: RegressorConfig) {
    this.config = validateRegressorConfig(config);
    const { dModel: D, headWidth: F, seed } = config;
    // NOTE: TransformerLM creates each variable from an initial tensor that it never disposes.
    // Building inside tf.tidy frees those tensors; tidy does not track variables, so the
    // parameters survive.
    let body: TransformerLM | undefined;
    let head: Map<string, tf.Variable> | undefined;
    tf.tidy(() => {
      body = new TransformerLM(transformerConfig(config));
      // Fan-in scaling for the hidden layer, and a small output layer so the first predictions sit
      // near outputShift, the mean training target.
      head = new Map([
        ["regression.fc.weight", tf.variable(tf.randomNormal([D, F], 0, 1 / Math.sqrt(D), "float32", seed * 1009 + 501))],
        ["regression.fc.bias", tf.variable(tf.zeros([F]))],
        ["regression.out.weight", tf.variable(tf.randomNormal([F, 1], 0, 0.02, "float32", seed * 1009 + 502))],
        ["regression.out.bias", tf.variable(tf.zeros([1]))],
      ]);
    });
    this.body = body as TransformerLM;
    this.head = head as Map<string, tf.Variable>;
  }

  /** Maximum input length in bits that the position encoding allows: the table size for learned, else Infinity. */
  get maxLength(): number {
    return this.body.maxContext - (this.config.startToken ? 1 : 0);
  }

  /**
   * Parameters that receive gradients, in a fixed order. The body's language-model head
   * (`head.weight`) is not used by regression and is left out, since it would get no gradient.
   */
  trainableParams(): Map<string, tf.Variable> {
    const params = new Map<string, tf.Variable>();
    for (const [name, variable] of this.body.params) {
      if (name !== "head.weight") params.set(name, variable);
    }
    for (const [name, variable] of this.head) params.set(name, variable);
    return params;
  }

  get numParameters(): number {
    let total = 0;
    for (const variable of this.trainableParams().values()) total += variable.size;
    return total;
  }

  /**
   * Token ids for `batchSize` rows of `length` bits, with the start token in front when configured.
   * @returns [B, T] int32, T = length (+ 1 with the start token)
   */
  encode(bits: Int32Array, batchSize: number, length: number): tf.Tensor2D {
    assert(
      bits.length === batchSize * length,
      () => mustBe("SequenceRegressor.encode", "bits.length", `batchSize × length = ${batchSize * length}`, bits.length),
    );
    if (!this.config.startToken) return tf.tensor2d(bits, [batchSize, length], "int32");
    const tokens = new Int32Array(batchSize * (length + 1));
    for (let row = 0; row < batchSize; row++) {
      tokens[row * (length + 1)] = START_TOKEN;
      tokens.set(bits.subarray(row * length, (row + 1) * length), row * (length + 1) + 1);
    }
    return tf.tensor2d(tokens, [batchSize, length + 1], "int32");
  }

  /**
   * Scalar prediction per row, in the transformed target space.
   * The head reads the last position: under causal attention it is the only position whose
   * hidden state depends on every token. Mean-pooling would average states of prefixes that never
   * saw the later bits, so it would not compute the mean or the length of the whole input.
   * @param tokens [B, T] int32 from `encode`
   * @returns [B]
   */
  predict(tokens: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const [B, T] = tokens.shape;
      const D = this.config.dModel;
      const hidden = this.body.hidden(tokens); // [B, T, D]
      const last = tf.reshape(tf.slice(hidden, [0, T - 1, 0], [B, 1, D]), [B, D]) as tf.Tensor2D; // [B, D]
      const features = geluTanh(dense(last, this.param("regression.fc.weight"), this.param<tf.Tensor1D>("regression.fc.bias"))); // [B, F]
      const z = dense(features, this.param("regression.out.weight"), this.param<tf.Tensor1D>("regression.out.bias")); // [B, 1]
      const output = tf.add(tf.mul(z, this.config.outputScale), this.config.outputShift); // [B, 1]
      return tf.reshape(output, [B]) as tf.Tensor1D; // [B]
    });
  }

  dispose(): void {
    this.body.dispose();
    for (const variable of this.head.values()) variable.dispose();
    this.head.clear();
  }

  private param<T extends tf.Tensor = tf.Tensor2D>(name: string): T {
    const variable = this.head.get(name);
    if (!variable) throw new ToolkitError(`SequenceRegressor: parameter ${JSON.stringify(name)} is missing (model disposed?)`);
    return variable as unknown as T;
  }
}
