import * as tf from "@tensorflow/tfjs";
import { existsSync } from "node:fs";
import { canonicalJson, configHash } from "../util/hash";
import { FileFormatError } from "../util/errors";
import type { TransformerLM } from "../model/transformer";
import type { AdamW } from "./optimizer";
import { readSafetensors, writeSafetensors, type NamedArray } from "./safetensors";

/** Version of the checkpoint layout; bump it when names or metadata change incompatibly. */
export const CHECKPOINT_FORMAT = "lsa-checkpoint-1";

/** Metadata a checkpoint stores beside the tensors. */
export interface CheckpointInfo {
  /** Completed training steps. */
  step: number;
  /** Hash of the config that must match to resume. */
  configHash: string;
  /** The full config as JSON. */
  config: unknown;
  /** Backend that wrote it. */
  backend: string;
}

/**
 * Saves the model's weights, the optimizer's moments and step, and `info` to a safetensors file,
 * atomically (see writeSafetensors). Optimizer tensors are named `optimizer.m.<param>` and
 * `optimizer.v.<param>`.
 */
export function saveCheckpoint(path: string, model: TransformerLM, optimizer: AdamW | undefined, info: CheckpointInfo): void {
  const tensors = new Map<string, NamedArray>();
  const add = (name: string, variable: tf.Variable) =>
    tensors.set(name, { dtype: "F32", shape: variable.shape, data: variable.dataSync() as Float32Array });
  for (const [name, variable] of model.params) add(name, variable);
  if (optimizer) {
    for (const [name, { m, v }] of optimizer.moments) {
      add(`optimizer.m.${name}`, m);
      add(`optimizer.v.${name}`, v);
    }
  }
  writeSafetensors(path, tensors, {
    format: CHECKPOINT_FORMAT,
    step: String(info.step),
    optimizer_step: String(optimizer?.step ?? 0),
    config_hash: info.configHash,
    config: canonicalJson(info.config),
    backend: info.backend,
  });
}

/** Reads only the metadata of a checkpoint, validating its structure. */
export function readCheckpointInfo(path: string): CheckpointInfo {
  const { metadata } = readSafetensors(path);
  return parseInfo(path, metadata);
}

function parseInfo(path: string, metadata: Record<string, string>): CheckpointInfo {
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new FileFormatError(
      `loadCheckpoint: ${path} has format ${JSON.stringify(metadata.format)}, expected ${JSON.stringify(CHECKPOINT_FORMAT)}. ` +
        "It was written by another tool or version; delete it or use another output folder.",
    );
  }
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new FileFormatError(`loadCheckpoint: ${path} has an invalid step ${JSON.stringify(metadata.step)}`);
  return { step, configHash: metadata.config_hash, config: JSON.parse(metadata.config ?? "null"), backend: metadata.backend };
}

/**
 * Restores weights (and optimizer state, when given) from `path` into existing variables.
 * @param expectedConfig when given, the checkpoint's config must hash to the same value.
 * @throws FileFormatError for a missing, corrupt or mismatched checkpoint, naming the file and the fix.
 */
export function loadCheckpoint(
  path: string,
  model: TransformerLM,
  optimizer?: AdamW,
  expectedConfig?: unknown,
): CheckpointInfo {
  if (!existsSync(path)) throw new FileFormatError(`loadCheckpoint: checkpoint not found: ${path}`);
  const { tensors, metadata } = readSafetensors(path);
  const info = parseInfo(path, metadata);
  if (expectedConfig !== undefined && configHash(expectedConfig) !== info.configHash) {
    throw new FileFormatError(
      `loadCheckpoint: ${path} was written by a different config (hash ${info.configHash}, this run ${configHash(expectedConfig)}); ` +
        `differing fields: ${diffFields(info.config, expectedConfig).join(", ") || "unknown"}. ` +
        "Use a new output folder for the new config, or delete the old checkpoint.",
    );
  }

  const assign = (name: string, variable: tf.Variable) => {
    const stored = tensors.get(name);
    if (!stored) throw new FileFormatError(`loadCheckpoint: ${path} has no tensor ${JSON.stringify(name)}; it does not match this model`);
    if (stored.shape.join(",") !== variable.shape.join(",")) {
      throw new FileFormatError(
        `loadCheckpoint: tensor ${name} in ${path} has shape [${stored.shape}], the model expects [${variable.shape}]`,
      );
    }
    tf.tidy(() => variable.assign(tf.tensor(stored.data, stored.shape, "float32")));
  };
  for (const [name, variable] of model.params) assign(name, variable);
  if (optimizer) {
    for (const [name, { m, v }] of optimizer.moments) {
      assign(`optimizer.m.${name}`, m);
      assign(`optimizer.v.${name}`, v);
    }
    optimizer.step = Number(metadata.optimizer_step ?? info.step);
  }
  return info;
}

/** Dotted paths of the leaves where two JSON values differ, for error messages. */
export function diffFields(a: unknown, b: unknown, prefix = ""): string[] {
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      diffFields((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key),
    );
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [prefix || "(root)"];
}

/**
 * Builds a TransformerLM from a checkpoint alone, using the model config stored in its metadata.
 * @throws FileFormatError for a missing or corrupt checkpoint, or one without a model config.
 */
export function modelFromCheckpoint(path: string, create: (config: unknown) => TransformerLM): { model: TransformerLM; info: CheckpointInfo } {
  const info = readCheckpointInfo(path);
  const modelConfig = (info.config as { model?: unknown } | null)?.model;
  if (!modelConfig) throw new FileFormatError(`modelFromCheckpoint: ${path} records no model config; it was not written by the trainer`);
  const model = create(modelConfig);
  loadCheckpoint(path, model);
  return { model, info };
}
