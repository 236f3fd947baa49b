/**
 * Divergences between two next-token distributions given as logits: the long view's (p) and the
 * short view's (q) prediction of the same window token. Each maps logits `[..., V]` to one value
 * per position `[...]`. All of them work from log-softmax, so no log(0) is ever taken. They are
 * differentiable with respect to both inputs on the wasm backend because they use only slice,
 * cumsum, logSumExp and elementwise ops (no gather).
 *
 * Shape legend: `...` any leading dims (usually B, T), N the product of the leading dims, V vocab.
 */

import * as tf from "@tensorflow/tfjs";
import { logSoftmax } from "../model/layers";
import { ConfigError, assert, intInRange, mustBe, nearest, numberInRange, oneOf, show } from "../util/errors";

/** Direction of the KL divergence: `long||short` is KL(p_long ‖ q_short). */
export type KlDirection = "long||short" | "short||long";

export const KL_DIRECTIONS: readonly KlDirection[] = ["long||short", "short||long"];

/** A divergence and its options, as a run config names it. */
export type DivergenceSpec =
  | { name: "sce" }
  | { name: "kl"; direction: KlDirection }
  | { name: "js" }
  | { name: "wasserstein" }
  | {
      name: "sinkhorn";
      /** Entropic regularization, in the units of the cost matrix. */
      epsilon: number;
      /** Number of Sinkhorn iterations (each updates both dual potentials once). */
      iterations: number;
      /** Ground cost [V, V]; `|i − j|` over token ids when absent. The caller owns and disposes it. */
      cost?: tf.Tensor2D;
    };

export type DivergenceName = DivergenceSpec["name"];

export const DIVERGENCE_NAMES: readonly DivergenceName[] = ["sce", "kl", "js", "wasserstein", "sinkhorn"];

/**
 * Defaults for `sinkhorn`: ε = 1 blurs the plan by about one token id under the cost |i − j|.
 * NOTE: 100 iterations converge for vocabularies of tens of tokens, but at V = 256 a test pair was
 * still 11 % below W1 after 300 iterations (docs/alignment.md lists the measurements).
 */
export const SINKHORN_DEFAULTS = { epsilon: 1, iterations: 100 } as const;

/** Range of a divergence's per-position value for vocabulary size V. */
export interface DivergenceBounds {
  min: number;
  max: number;
}

type SpecOf<N extends DivergenceName> = Extract<DivergenceSpec, { name: N }>;

/** One registry entry: the function, whether swapping the views leaves it unchanged, its range and a summary. */
export interface DivergenceRecord<N extends DivergenceName = DivergenceName> {
  name: N;
  /**
   * Computes the per-position divergence.
   * @param longLogits [..., V] logits of the long view.
   * @param shortLogits [..., V] logits of the short view, same shape.
   * @returns [...] float32.
   */
  fn: (longLogits: tf.Tensor, shortLogits: tf.Tensor, spec: SpecOf<N>) => tf.Tensor;
  symmetric: boolean;
  /** Value range for vocabulary size V (for `sinkhorn`, with the default cost |i − j|). */
  bounds: (vocabSize: number) => DivergenceBounds;
  doc: string;
}

/**
 * Symmetric cross-entropy `SCE(p, q) = −Σ p log q − Σ q log p = H(p) + H(q) + KL(p‖q) + KL(q‖p)`.
 * It is not zero at equality: `SCE(p, p) = 2 H(p)`, so minimizing it also lowers the entropy of
 * both predictions.
 * @returns [...]
 */
export function symmetricCrossEntropy(longLogits: tf.Tensor, shortLogits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logP = logSoftmax(longLogits); // [..., V]
    const logQ = logSoftmax(shortLogits); // [..., V]
    const crossPQ = tf.sum(tf.mul(tf.softmax(longLogits), logQ), -1); // [...]
    const crossQP = tf.sum(tf.mul(tf.softmax(shortLogits), logP), -1); // [...]
    return tf.neg(tf.add(crossPQ, crossQP));
  });
}

/**
 * Kullback-Leibler divergence `KL(a‖b) = Σ a (log a − log b)`, with (a, b) = (p_long, q_short) for
 * `long||short` and swapped for `short||long`.
 * @returns [...]
 */
export function klDivergence(longLogits: tf.Tensor, shortLogits: tf.Tensor, direction: KlDirection): tf.Tensor {
  return tf.tidy(() => {
    const logP = logSoftmax(longLogits); // [..., V]
    const logQ = logSoftmax(shortLogits); // [..., V]
    switch (direction) {
      case "long||short":
        return tf.sum(tf.mul(tf.softmax(longLogits), tf.sub(logP, logQ)), -1);
      case "short||long":
        return tf.sum(tf.mul(tf.softmax(shortLogits), tf.sub(logQ, logP)), -1);
      default: {
        const unreachable: never = direction;
        throw new ConfigError(`klDivergence: unknown direction ${show(unreachable)}`);
      }
    }
  });
}

/**
 * Jensen-Shannon divergence `JS(p, q) = ½ KL(p‖m) + ½ KL(q‖m)` with `m = ½ (p + q)`, in nats, so
 * `0 ≤ JS ≤ ln 2`. The mixture is formed in log space, `log m = logSumExp(log p, log q) − ln 2`, so
 * that a token with p ≈ q ≈ 0 never produces log(0).
 * @returns [...]
 */
export function jensenShannon(longLogits: tf.Tensor, shortLogits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logP = logSoftmax(longLogits); // [..., V]
    const logQ = logSoftmax(shortLogits); // [..., V]
    const logM = tf.sub(tf.logSumExp(tf.stack([logP, logQ]), 0), Math.LN2); // [..., V]
    const klPM = tf.sum(tf.mul(tf.softmax(longLogits), tf.sub(logP, logM)), -1); // [...]
    const klQM = tf.sum(tf.mul(tf.softmax(shortLogits), tf.sub(logQ, logM)), -1); // [...]
    return tf.mul(tf.add(klPM, klQM), 0.5);
  });
}

/**
 * Exact 1-Wasserstein distance over token ids with ground cost |i − j|:
 * `W1(p, q) = Σ_{k=0}^{V−2} |F_p(k) − F_q(k)|`, where F is the cumulative distribution over ids.
 * The last term (k = V − 1) is 1 − 1 = 0 and is left out so that its rounding noise adds nothing.
 * Range [0, V − 1]; point masses at ids i and j are |i − j| apart.
 * @returns [...]
 */
export function wasserstein1(longLogits: tf.Tensor, shortLogits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const vocabSize = longLogits.shape[longLogits.rank - 1];
    const axis = longLogits.rank - 1;
    const cdfP = tf.cumsum(tf.softmax(longLogits), axis); // [..., V]
    const cdfQ = tf.cumsum(tf.softmax(shortLogits), axis); // [..., V]
    const begin = new Array<number>(longLogits.rank).fill(0);
    const size = [...longLogits.shape.slice(0, -1), vocabSize - 1];
    const gap = tf.slice(tf.sub(cdfP, cdfQ), begin, size); // [..., V − 1]
    return tf.sum(tf.abs(gap), -1);
  });
}

/**
 * Builds the cost matrix `C[i, j] = |i − j|` over token ids.
 * @returns [V, V]
 */
export function indexDistanceCost(vocabSize: number): tf.Tensor2D {
  intInRange("indexDistanceCost", "vocabSize", vocabSize, 2);
  return tf.tidy(() => {
    const ids = tf.range(0, vocabSize, 1, "float32");
    return tf.abs(tf.sub(tf.reshape(ids, [vocabSize, 1]), tf.reshape(ids, [1, vocabSize]))) as tf.Tensor2D; // [V, V]
  });
}

/**
 * Computes Euclidean distances between rows of an embedding table, for a Sinkhorn cost that treats
 * tokens with similar embeddings as close.
 * @param embeddings [V, D]
 * @returns [V, V]
 */
export function embeddingDistanceCost(embeddings: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const squaredNorms = tf.sum(tf.square(embeddings), 1, true); // [V, 1]
    const dots = tf.matMul(embeddings, embeddings, false, true); // [V, V]
    const squared = tf.sub(tf.add(squaredNorms, tf.transpose(squaredNorms)), tf.mul(dots, 2)); // [V, V]
    // Rounding can leave tiny negatives on the diagonal; clamp before the square root.
    return tf.sqrt(tf.relu(squared)) as tf.Tensor2D;
  });
}

/**
 * Entropic optimal transport cost `⟨P, C⟩`, where P is the Sinkhorn plan between p and q for cost C
 * and regularization ε, computed in the log domain:
 * `u = log p − LSE_j(v_j − C_ij/ε)`, `v = log q − LSE_i(u_i − C_ij/ε)`, `log P_ij = u_i + v_j − C_ij/ε`.
 * Gradients flow through the unrolled iterations. As ε → 0 (with enough iterations) the value tends
 * to the exact optimal cost, W1 for C = |i − j|; a larger ε blurs the plan and raises the value.
 *
 * WARNING: every iteration builds [N, V, V] tensors, and the tape keeps them all for the backward
 * pass. At V = 256 this is about 65k floats per position per tensor, so use it on few positions.
 * @param cost [V, V]; `|i − j|` when undefined.
 * @returns [...]
 */
export function sinkhornCost(
  longLogits: tf.Tensor,
  shortLogits: tf.Tensor,
  epsilon: number,
  iterations: number,
  cost?: tf.Tensor2D,
): tf.Tensor {
  const vocabSize = longLogits.shape[longLogits.rank - 1];
  if (cost) {
    assert(
      cost.rank === 2 && cost.shape[0] === vocabSize && cost.shape[1] === vocabSize,
      () => mustBe("sinkhornCost", "cost", `a [${vocabSize}, ${vocabSize}] tensor (vocab size of the logits)`, cost.shape),
      ConfigError,
    );
  }
  return tf.tidy(() => {
    const leading = longLogits.shape.slice(0, -1);
    const numPositions = leading.reduce((a, b) => a * b, 1);
    const logP = tf.reshape(logSoftmax(longLogits), [numPositions, vocabSize]); // [N, V]
    const logQ = tf.reshape(logSoftmax(shortLogits), [numPositions, vocabSize]); // [N, V]
    const costMatrix = cost ?? indexDistanceCost(vocabSize); // [V, V]
    const logKernel = tf.reshape(tf.div(costMatrix, -epsilon), [1, vocabSize, vocabSize]); // [1, V, V]

    let u = tf.zerosLike(logP); // [N, V]
    let v = tf.zerosLike(logQ); // [N, V]
    for (let step = 0; step < iterations; step++) {
      const rowTerms = tf.add(logKernel, tf.reshape(v, [numPositions, 1, vocabSize])); // [N, V, V]
      u = tf.sub(logP, tf.logSumExp(rowTerms, 2)); // [N, V]
      const columnTerms = tf.add(logKernel, tf.reshape(u, [numPositions, vocabSize, 1])); // [N, V, V]
      v = tf.sub(logQ, tf.logSumExp(columnTerms, 1)); // [N, V]
    }

    const logPlan = tf.add(
      tf.add(logKernel, tf.reshape(u, [numPositions, vocabSize, 1])),
      tf.reshape(v, [numPositions, 1, vocabSize]),
    ); // [N, V, V]
    const transported = tf.sum(tf.mul(tf.exp(logPlan), tf.reshape(costMatrix, [1, vocabSize, vocabSize])), [1, 2]); // [N]
    return tf.reshape(transported, leading);
  });
}

/**
 * Every divergence by name. `symmetric` means swapping the long and short logits leaves the value
 * unchanged (for `sinkhorn`, only at convergence and for a symmetric cost).
 */
export const DIVERGENCES: { readonly [N in DivergenceName]: DivergenceRecord<N> } = {
  sce: {
    name: "sce",
    fn: (longLogits, shortLogits) => symmetricCrossEntropy(longLogits, shortLogits),
    symmetric: true,
    bounds: () => ({ min: 0, max: Infinity }),
    doc: "Symmetric cross-entropy −Σ p log q − Σ q log p; equals 2H(p) at q = p, not 0.",
  },
  kl: {
    name: "kl",
    fn: (longLogits, shortLogits, spec) => klDivergence(longLogits, shortLogits, spec.direction),
    symmetric: false,
    bounds: () => ({ min: 0, max: Infinity }),
    doc: "Kullback-Leibler divergence, KL(p_long‖q_short) by default; 0 exactly when q = p.",
  },
  js: {
    name: "js",
    fn: (longLogits, shortLogits) => jensenShannon(longLogits, shortLogits),
    symmetric: true,
    bounds: () => ({ min: 0, max: Math.LN2 }),
    doc: "Jensen-Shannon divergence in nats, bounded by ln 2; the mixture is formed in log space.",
  },
  wasserstein: {
    name: "wasserstein",
    fn: (longLogits, shortLogits) => wasserstein1(longLogits, shortLogits),
    symmetric: true,
    bounds: (vocabSize) => ({ min: 0, max: vocabSize - 1 }),
    doc: "Exact W1 over token ids with cost |i − j|, from the two CDFs; range [0, V − 1].",
  },
  sinkhorn: {
    name: "sinkhorn",
    fn: (longLogits, shortLogits, spec) =>
      sinkhornCost(longLogits, shortLogits, spec.epsilon, spec.iterations, spec.cost),
    symmetric: true,
    bounds: (vocabSize) => ({ min: 0, max: vocabSize - 1 }),
    doc: "Entropic OT cost ⟨P, C⟩ from log-domain Sinkhorn; cost |i − j| unless a [V, V] cost is given.",
  },
};

/**
 * Computes the divergence named by `spec` between the long and short views' logits.
 * @param longLogits [..., V]
 * @param shortLogits [..., V], same shape as `longLogits`.
 * @returns [...] float32.
 * @throws ToolkitError when the shapes differ or V < 2.
 */
export function computeDivergence(spec: DivergenceSpec, longLogits: tf.Tensor, shortLogits: tf.Tensor): tf.Tensor {
  const where = `divergence ${show(spec.name)}`;
  assert(
    longLogits.rank >= 1 && tf.util.arraysEqual(longLogits.shape, shortLogits.shape),
    () => mustBe(where, "shortLogits.shape", `equal to longLogits.shape ${show(longLogits.shape)}`, shortLogits.shape),
  );
  assert(
    longLogits.shape[longLogits.rank - 1] >= 2,
    () => mustBe(where, "the vocabulary size (last dim of the logits)", "at least 2", longLogits.shape),
  );
  switch (spec.name) {
    case "sce":
      return DIVERGENCES.sce.fn(longLogits, shortLogits, spec);
    case "kl":
      return DIVERGENCES.kl.fn(longLogits, shortLogits, spec);
    case "js":
      return DIVERGENCES.js.fn(longLogits, shortLogits, spec);
    case "wasserstein":
      return DIVERGENCES.wasserstein.fn(longLogits, shortLogits, spec);
    case "sinkhorn":
      return DIVERGENCES.sinkhorn.fn(longLogits, shortLogits, spec);
    default: {
      const unreachable: never = spec;
      throw new ConfigError(`computeDivergence: unknown divergence ${show(unreachable)}`);
    }
  }
}

/**
 * Checks a divergence config (an object with `name` and its options, or a bare name) and fills
 * defaults: `kl` direction `long||short`, `sinkhorn` epsilon 1 and 100 iterations.
 * @throws ConfigError naming the field and the value, for an unknown name, an unknown option or an
 *   option out of range.
 */
export function validateDivergenceSpec(raw: unknown, where = "divergence"): DivergenceSpec {
  const record: Record<string, unknown> = typeof raw === "string" ? { name: raw } : (raw as Record<string, unknown>);
  assert(
    record !== null && typeof record === "object" && !Array.isArray(record),
    () => mustBe(where, "the divergence", `a name or an object with "name" (one of ${DIVERGENCE_NAMES.join(", ")})`, raw),
    ConfigError,
  );
  const name = oneOf(where, "name", record.name, DIVERGENCE_NAMES);
  switch (name) {
    case "sce":
    case "js":
    case "wasserstein":
      rejectUnknownKeys(where, record, ["name"]);
      return { name };
    case "kl":
      rejectUnknownKeys(where, record, ["name", "direction"]);
      return { name, direction: oneOf(where, "direction", record.direction ?? "long||short", KL_DIRECTIONS) };
    case "sinkhorn": {
      rejectUnknownKeys(where, record, ["name", "epsilon", "iterations", "cost"]);
      const epsilon = numberInRange(where, "epsilon", record.epsilon ?? SINKHORN_DEFAULTS.epsilon, 0, Infinity, true);
      const iterations = intInRange(where, "iterations", record.iterations ?? SINKHORN_DEFAULTS.iterations, 1, 10_000);
      if (record.cost === undefined) return { name, epsilon, iterations };
      const cost = record.cost;
      assert(
        cost instanceof tf.Tensor && cost.rank === 2 && cost.shape[0] === cost.shape[1],
        () => mustBe(where, "cost", "a square [V, V] tf.Tensor2D", cost instanceof tf.Tensor ? cost.shape : cost),
        ConfigError,
      );
      return { name, epsilon, iterations, cost: cost as tf.Tensor2D };
    }
    default: {
      const unreachable: never = name;
      throw new ConfigError(`${where}: unknown divergence ${show(unreachable)}`);
    }
  }
}

/** Throws a ConfigError for the first key of `record` not in `allowed`, suggesting the nearest allowed key. */
export function rejectUnknownKeys(where: string, record: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (allowed.includes(key)) continue;
    const guess = nearest(key, allowed);
    throw new ConfigError(
      `${where}: unknown option ${show(key)} (allowed: ${allowed.join(", ")})` +
        (guess ? `. Did you mean ${show(guess)}?` : ""),
    );
  }
}
