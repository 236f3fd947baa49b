import * as tf from "@tensorflow/tfjs";
import { ToolkitError, assert, mustBe } from "../util/errors";
import { attentionChunkRows, causalSelfAttention, type AttentionContext } from "./attention";
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
      const head = this.param("head.weight") as tf.Tensor2D;
      const logits = this.byRowChunks(tokens, (chunk) => dense(this.hidden2d(chunk, options), head)); // [B·T, V]
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
      const hidden = this.byRowChunks(tokens, (chunk) => this.hidden2d(chunk, options)); // [B·T, D]
      return tf.reshape(hidden, [B, T, this.config.dModel]) as tf.Tensor3D; // [B, T, D]
    });
  }

  /**
   * Runs `forward` on groups of batch rows (see attentionChunkRows) and stacks the results, so a
   * long context keeps its attention scores small.
   * @param tokens [B, T] int32
   * @returns [B·T, ·], the row-wise concatenation of `forward`'s [rows·T, ·] results
   */
  private byRowChunks(tokens: tf.Tensor2D, forward: (chunk: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
    const [B, T] = tokens.shape;
    const chunkRows = attentionChunkRows(B, T, this.config.nHeads);
    if (chunkRows >= B) return forward(tokens);
    const sizes = Array.from({ length: Math.ceil(B / chunkRows) }, (_, i) => Math.min(chunkRows, B - i * chunkRows));
    const outputs = tf.split(tokens, sizes, 0).map((chunk) => forward(chunk as tf.Tensor2D)); // [rows·T, ·] each
    return tf.concat(outputs, 0) as tf.Tensor2D; // [B·T, ·]
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
      // One scope per block frees its intermediates before the next block (the gradient tape
      // keeps its own copies of what the backward pass needs).
      x = tf.tidy(() => this.block(layer, x, context));
    }
    return layerNorm(x, this.param("lnFinal.weight") as tf.Tensor1D, this.param("lnFinal.bias") as tf.Tensor1D);
  }

  /**
   * One pre-LayerNorm block: x + Attn(LN(x)), then x + MLP(LN(x)).
   * @param x [B·T, D]
   * @returns [B·T, D]
   */
  private block(layer: number, x: tf.Tensor2D, context: AttentionContext): tf.Tensor2D {
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
    const residual = tf.add(x, attended) as tf.Tensor2D;

    const normed = layerNorm(residual, p("ln2.weight") as tf.Tensor1D, p("ln2.bias") as tf.Tensor1D);
    const up = geluTanh(dense(normed, p("mlp.fc.weight") as tf.Tensor2D, p("mlp.fc.bias") as tf.Tensor1D)); // [B·T, 4D]
    return tf.add(residual, dense(up, p("mlp.proj.weight") as tf.Tensor2D, p("mlp.proj.bias") as tf.Tensor1D)); // [B·T, D]
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
          rope: ropeTables(T, config.nHeads, headDim, config.ropeBase, options.ropeScale ?? config.ropeScale, options.positionOffset ?? 0),
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
  // The variable shares the initial tensor's data; disposing the initial tensor leaves the
  // variable as the only owner, so dispose() frees the memory.
  const register = (name: string, initial: tf.Tensor) => {
    params.set(name, tf.variable(initial, true, undefined));
    initial.dispose();
  };
  const normal = (name: string, shape: number[], std = initStd) => {
    seedOffset += 1;
    register(name, tf.randomNormal(shape, 0, std, "float32", seed * 1009 + seedOffset));
  };
  const constant = (name: string, shape: number[], value: number) => register(name, tf.fill(shape, value));
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
