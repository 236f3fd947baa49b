import * as tf from "@tensorflow/tfjs";
import { ToolkitError } from "../util/errors";

/** Hyperparameters of AdamW and its learning-rate schedule. */
export interface OptimizerConfig {
  /** Peak learning rate, reached at the end of warm-up. */
  lr: number;
  /** Learning rate at the end of the cosine decay. */
  minLr: number;
  /** Linear warm-up steps from 0 to `lr`. */
  warmupSteps: number;
  /** Decoupled weight decay (Loshchilov & Hutter), applied to matrices only, never to biases or LayerNorm gains. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Maximum global L2 norm of the gradient; 0 turns clipping off. */
  gradClip: number;
}

/**
 * Learning rate at `step` (0-based): linear warm-up over `warmupSteps`, then cosine decay from `lr`
 * to `minLr` at `totalSteps`.
 */
export function learningRate(step: number, totalSteps: number, config: OptimizerConfig): number {
  // 1) linear warm-up
  if (step < config.warmupSteps) return (config.lr * (step + 1)) / config.warmupSteps;
  // 2) past the end, hold the floor
  if (step >= totalSteps) return config.minLr;
  // 3) cosine decay in between
  const progress = (step - config.warmupSteps) / Math.max(1, totalSteps - config.warmupSteps);
  return config.minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (config.lr - config.minLr);
}

/**
 * AdamW with bias correction, decoupled weight decay and global-norm clipping. Its moment
 * estimates are plain variables named after the parameters, so checkpoints can store and restore
 * them exactly (tf.train.adam keeps them private and has no decoupled decay).
 */
export class AdamW {
  /** Completed update steps; bias correction uses it. */
  step = 0;
  readonly moments: Map<string, { m: tf.Variable; v: tf.Variable }> = new Map();

  constructor(
    private readonly params: Map<string, tf.Variable>,
    readonly config: OptimizerConfig,
  ) {
    for (const [name, variable] of params) {
      // tidy disposes the zero tensors the variables are copied from; variables themselves survive it.
      this.moments.set(
        name,
        tf.tidy(() => ({ m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) })),
      );
    }
  }

  /**
   * Clips the gradients to `gradClip` global norm and applies one AdamW update with learning rate `lr`.
   * @returns the global gradient norm before clipping.
   */
  apply(grads: Record<string, tf.Tensor>, lr: number): number {
    const { beta1, beta2, epsilon, weightDecay, gradClip } = this.config;
    const norm = tf.tidy(() => {
      const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
      return tf.sqrt(tf.addN(squares));
    });
    const gradNorm = norm.dataSync()[0];
    norm.dispose();
    const clipScale = gradClip > 0 && gradNorm > gradClip ? gradClip / (gradNorm + 1e-6) : 1;

    this.step += 1;
    const correction1 = 1 - Math.pow(beta1, this.step);
    const correction2 = 1 - Math.pow(beta2, this.step);
    tf.tidy(() => {
      for (const [name, variable] of this.params) {
        const grad = grads[name];
        if (!grad) throw new ToolkitError(`AdamW.apply: gradient of ${JSON.stringify(name)} is missing`);
        const { m, v } = this.moments.get(name)!;
        const g = clipScale === 1 ? grad : tf.mul(grad, clipScale);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        // Decay matrices only: biases, gains and vectors stay undecayed, as in GPT-2 training.
        const decayed = variable.rank >= 2 && weightDecay > 0 ? tf.mul(variable, 1 - lr * weightDecay) : variable;
        variable.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
    return gradNorm;
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}
