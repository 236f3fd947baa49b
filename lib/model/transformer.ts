import * as tf from "@tensorflow/tfjs";
import { ToolkitError, assert, mustBe } from "../util/errors";
import { causalSelfAttention, type AttentionContext } from "./attention";
import { validateModelConfig, type ModelConfig } from "./config";
import { dense, embed, geluTanh, layerNorm } from "./layers";
import { alibiSlopes, attentionBias, ropeTables } from "./positional";
import type { CausalLM } from "./types";

/** Options of one forward pass that may differ from training. */
export interface ForwardOptions {
  /** RoPE position interpolation factor for this pass; defaults to the config's `ropeScale`. */
  ropeScale?: number;
  /** Added to every position index (RoPE and learned); used to test relative-position invariance. */
  positionOffset?: number;
}

/**
 * Decoder-only pre-LayerNorm transformer (GPT-2 layout: x + Attn(LN(x)), x + MLP(LN(x)), final LN,
 * untied output head). Parameters are tf.Variables named like PyTorch state dicts, for example
 * `blocks.0.attn.qkv.weight`, so checkpoints are readable by other tools.
 */
export class TransformerLM implements CausalLM {
  readonly config: ModelConfig;
  /** Trainable parameters in a fixed order (the order of checkpoints and optimizer state). */
  readonly params: Map<string, tf.Variable>;

  constructor(config: Partial<ModelConfig> = {}) {
    this.config = validateModelConfig(config);
    this.params = initParameters(this.config);
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  get maxContext(): number {
    return this.config.position === "learned" ? this.config.maxPositions : Infinity;
  }

  /** Number of trainable scalars. */
  get numParameters(): number {
    let total = 0;
    for (const variable of this.params.values()) total += variable.size;
    return total;
  }

  /** Trainable variables in checkpoint order. */
  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /**
   * Next-token logits for every position.
   * @param tokens [B, T] int32
   * @returns [B, T, V]
   */
  logits(tokens: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = tokens.shape;
      const hidden = this.hidden2d(tokens, options); // [B·T, D]
      const logits = dense(hidden, this.param("head.weight") as tf.Tensor2D); // [B·T, V]
      return tf.reshape(logits, [B, T, this.config.vocabSize]) as tf.Tensor3D; // [B, T, V]
    });
  }

  /**
   * Final hidden states after the last LayerNorm, for heads other than the language-model head
   * (the synthetic regression tasks read these).
   * @param tokens [B, T] int32
   * @returns [B, T, D]
   */
  hidden(tokens: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = tokens.shape;
      return tf.reshape(this.hidden2d(tokens, options), [B, T, this.config.dModel]) as tf.Tensor3D;
    });
  }

  /** Frees every parameter. The model cannot be used afterwards. */
  dispose(): void {
    for (const variable of this.params.values()) variable.dispose();
    this.params.clear();
  }

  private param(name: string): tf.Variable {
    const variable = this.params.get(name);
    if (!variable) throw new ToolkitError(`TransformerLM: parameter ${JSON.stringify(name)} is missing (model disposed?)`);
    return variable;
  }

  /** @returns [B·T, D] */
  private hidden2d(tokens: tf.Tensor2D, options: ForwardOptions): tf.Tensor2D {
    const { config } = this;
    const [B, T] = tokens.shape;
    const offset = options.positionOffset ?? 0;
    assert(tokens.dtype === "int32", () => mustBe("TransformerLM.logits", "tokens.dtype", "int32", tokens.dtype));
    assert(
      T + offset <= this.maxContext,
      () =>
        mustBe("TransformerLM.logits", "sequence length", `at most ${this.maxContext} for learned positions`, T + offset,
          "Use rope, alibi or nope to run past the position table, or raise maxPositions and retrain"),
    );

    let x = embed(tf.reshape(tokens, [B * T]) as tf.Tensor1D, this.param("embed.weight") as tf.Tensor2D); // [B·T, D]
    if (config.position === "learned") {
      const table = tf.slice(this.param("position.weight"), [offset, 0], [T, config.dModel]); // [T, D]
      x = tf.reshape(tf.add(tf.reshape(x, [B, T, config.dModel]), table), [B * T, config.dModel]); // [B·T, D]
    }

    const context = this.attentionContext(B, T, options);
    for (let layer = 0; layer < config.nLayers; layer++) {
      const p = (name: string) => this.param(`blocks.${layer}.${name}`);
      const attended = causalSelfAttention(
        layerNorm(x, p("ln1.weight") as tf.Tensor1D, p("ln1.bias") as tf.Tensor1D),
        {
          qkvWeight: p("attn.qkv.weight") as tf.Tensor2D,
          qkvBias: p("attn.qkv.bias") as tf.Tensor1D,
          projWeight: p("attn.proj.weight") as tf.Tensor2D,
          projBias: p("attn.proj.bias") as tf.Tensor1D,
        },
        context,
      );
      x = tf.add(x, attended);

      const normed = layerNorm(x, p("ln2.weight") as tf.Tensor1D, p("ln2.bias") as tf.Tensor1D);
      const up = geluTanh(dense(normed, p("mlp.fc.weight") as tf.Tensor2D, p("mlp.fc.bias") as tf.Tensor1D)); // [B·T, 4D]
      x = tf.add(x, dense(up, p("mlp.proj.weight") as tf.Tensor2D, p("mlp.proj.bias") as tf.Tensor1D)); // [B·T, D]
    }
    return layerNorm(x, this.param("lnFinal.weight") as tf.Tensor1D, this.param("lnFinal.bias") as tf.Tensor1D);
  }

  private attentionContext(B: number, T: number, options: ForwardOptions): AttentionContext {
    const { config } = this;
    const headDim = config.dModel / config.nHeads;
    switch (config.position) {
      case "rope":
        return {
          batch: B,
          length: T,
          numHeads: config.nHeads,
          rope: ropeTables(T, headDim, config.ropeBase, options.ropeScale ?? config.ropeScale, options.positionOffset ?? 0),
          bias: attentionBias(T),
        };
      case "alibi":
        return { batch: B, length: T, numHeads: config.nHeads, bias: attentionBias(T, alibiSlopes(config.nHeads)) };
      case "nope":
      case "learned":
        return { batch: B, length: T, numHeads: config.nHeads, bias: attentionBias(T) };
      default: {
        const unreachable: never = config.position;
        throw new ToolkitError(`TransformerLM: unknown position encoding ${String(unreachable)}`);
      }
    }
  }
}

/**
 * Creates the parameters: normal(0, initStd) weights, zero biases, unit LayerNorm gains, and the
 * residual output projections scaled by 1/√(2·nLayers) as in GPT-2, so the residual stream's
 * variance does not grow with depth.
 */
function initParameters(config: ModelConfig): Map<string, tf.Variable> {
  const { vocabSize: V, dModel: D, nLayers, initStd, seed } = config;
  const hidden = config.mlpRatio * D;
  const params = new Map<string, tf.Variable>();
  let seedOffset = 0;
  const normal = (name: string, shape: number[], std = initStd) => {
    seedOffset += 1;
    params.set(name, tf.variable(tf.randomNormal(shape, 0, std, "float32", seed * 1009 + seedOffset), true, undefined));
  };
  const constant = (name: string, shape: number[], value: number) => {
    params.set(name, tf.variable(tf.fill(shape, value), true, undefined));
  };
  const residualStd = initStd / Math.sqrt(2 * nLayers);

  normal("embed.weight", [V, D]);
  if (config.position === "learned") normal("position.weight", [config.maxPositions, D]);
  for (let layer = 0; layer < nLayers; layer++) {
    const prefix = `blocks.${layer}`;
    constant(`${prefix}.ln1.weight`, [D], 1);
    constant(`${prefix}.ln1.bias`, [D], 0);
    normal(`${prefix}.attn.qkv.weight`, [D, 3 * D]);
    constant(`${prefix}.attn.qkv.bias`, [3 * D], 0);
    normal(`${prefix}.attn.proj.weight`, [D, D], residualStd);
    constant(`${prefix}.attn.proj.bias`, [D], 0);
    constant(`${prefix}.ln2.weight`, [D], 1);
    constant(`${prefix}.ln2.bias`, [D], 0);
    normal(`${prefix}.mlp.fc.weight`, [D, hidden]);
    constant(`${prefix}.mlp.fc.bias`, [hidden], 0);
    normal(`${prefix}.mlp.proj.weight`, [hidden, D], residualStd);
    constant(`${prefix}.mlp.proj.bias`, [D], 0);
  }
  constant("lnFinal.weight", [D], 1);
  constant("lnFinal.bias", [D], 0);
  normal("head.weight", [D, V]);
  return params;
}
