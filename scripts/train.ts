/**
 * Trains a byte-level transformer on the Brown corpus (or a user corpus) and prints test perplexity
 * by context length. Usage: npx tsx scripts/train.ts [--config FILE] [flags]; --help lists the flags.
 */
import { join } from "node:path";
import { deepMerge, helpText, numberFlag, numberListFlag, parseFlags, readJsonFile, runMain, type FlagSpec } from "../lib/cli";
import { ConfigError } from "../lib/util/errors";
import { DEFAULT_RUN_SPEC, formatLongContextTable, formatPerplexityTable, runHash, trainAndEvaluate, type RunSpec } from "../lib/train/run";

const FLAGS: Record<string, FlagSpec> = {
  config: { type: "string", value: "FILE", help: "JSON run spec {train, corpus, evalMultipliers, evalMaxWindows, tasks}; flags override it." },
  out: { type: "string", value: "DIR", help: "Output folder (checkpoint, metrics.jsonl, result.json). Default runs/train-<hash>." },
  corpus: { type: "string", value: "SOURCE", help: "'brown' (default), a folder of .txt files, or a .jsonl file with a text field." },
  "max-documents": { type: "string", value: "N", help: "Use at most N documents of the corpus, spread across genres." },
  steps: { type: "string", value: "N", help: "Optimizer steps (default 300)." },
  "l-train": { type: "string", value: "TOKENS", help: "Training context length in tokens (default 128)." },
  "batch-size": { type: "string", value: "N", help: "Windows per step (default 16)." },
  lr: { type: "string", value: "RATE", help: "Peak learning rate after warm-up (default 3e-3)." },
  "d-model": { type: "string", value: "N", help: "Model width (default 64)." },
  layers: { type: "string", value: "N", help: "Transformer blocks (default 2)." },
  heads: { type: "string", value: "N", help: "Attention heads (default 4)." },
  position: { type: "string", value: "NAME", help: "Position encoding: rope (default), alibi, nope, learned." },
  "rope-base": { type: "string", value: "THETA", help: "RoPE base θ (default 10000)." },
  alpha: { type: "string", value: "A", help: "Weight of the long-short misalignment term (default 0: plain training)." },
  divergence: { type: "string", value: "NAME", help: "Divergence of the misalignment: sce (default), kl, js, wasserstein, sinkhorn." },
  strategy: { type: "string", value: "NAME", help: "Pair strategy: suffix (default), random-subsequence, sliding-window, prefix-suffix." },
  seed: { type: "string", value: "N", help: "Seed of batch sampling, weight init and the corpus split (default 0)." },
  "checkpoint-every": { type: "string", value: "N", help: "Steps between checkpoints (default 50); after kill -9 a rerun redoes at most this many (Ctrl-C saves the current step)." },
  "eval-multipliers": { type: "string", value: "LIST", help: "Test perplexity at these multiples of l-train (default 1,2,4,8)." },
  "eval-windows": { type: "string", value: "N", help: "Test windows per length at most (default 64)." },
  tasks: { type: "string", value: "LIST", help: "Generated tasks to mix into training and score: passkey, kv_retrieval, counting, recall." },
  "task-fraction": { type: "string", value: "P", help: "Share of training rows that are task instances, in [0, 1] (default 0.25 with --tasks)." },
  "suite-instances": { type: "string", value: "N", help: "Suite records per task and length bucket after training (default 8 with --tasks; 0 skips)." },
  "suite-factors": { type: "string", value: "LIST", help: "Suite prompt lengths as multiples of l-train (default 0.75,1,1.5,2,3,4,6,8); each bucket needs one." },
  backend: { type: "string", value: "NAME", help: "Force a backend: tensorflow, wasm or cpu (default auto; also LSA_BACKEND)." },
};

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText("Usage: npx tsx scripts/train.ts [--config FILE] [flags]", "Trains on the corpus and prints test perplexity by context length.", FLAGS));
    return;
  }
  const fromFile = typeof values.config === "string" ? readJsonFile(values.config) : {};
  const specFields = Object.keys(DEFAULT_RUN_SPEC).concat("tasks");
  for (const key of Object.keys(fromFile)) {
    if (!specFields.includes(key)) {
      throw new ConfigError(
        `config file ${values.config}: unknown field ${JSON.stringify(key)}; a run spec has ${specFields.join(", ")} ` +
          "(train fields such as steps go inside \"train\")",
      );
    }
  }
  const seed = numberFlag("seed", values.seed);
  const alpha = numberFlag("alpha", values.alpha);
  const fromFlags = {
    train: {
      steps: numberFlag("steps", values.steps),
      lTrain: numberFlag("l-train", values["l-train"]),
      batchSize: numberFlag("batch-size", values["batch-size"]),
      checkpointEvery: numberFlag("checkpoint-every", values["checkpoint-every"]),
      seed,
      backend: values.backend,
      optimizer: { lr: numberFlag("lr", values.lr) },
      model: {
        dModel: numberFlag("d-model", values["d-model"]),
        nLayers: numberFlag("layers", values.layers),
        nHeads: numberFlag("heads", values.heads),
        position: values.position,
        ropeBase: numberFlag("rope-base", values["rope-base"]),
        seed,
      },
      alignment: {
        alpha: alpha ?? (values.divergence || values.strategy ? undefined : 0),
        divergence: typeof values.divergence === "string" ? { name: values.divergence } : undefined,
        strategy: typeof values.strategy === "string" ? { name: values.strategy } : undefined,
      },
    },
    corpus: {
      source: values.corpus,
      seed,
      maxDocuments: numberFlag("max-documents", values["max-documents"]),
    },
    evalMultipliers: numberListFlag("eval-multipliers", values["eval-multipliers"]),
    evalMaxWindows: numberFlag("eval-windows", values["eval-windows"]),
  };
  const taskNames = typeof values.tasks === "string" ? values.tasks.split(",").map((name) => name.trim()) : undefined;
  if (taskNames) {
    const instances = numberFlag("suite-instances", values["suite-instances"]) ?? 8;
    (fromFlags as Record<string, unknown>).tasks = {
      names: taskNames,
      fraction: numberFlag("task-fraction", values["task-fraction"]) ?? 0.25,
      suite: instances > 0 ? { instancesPerBucket: instances, lengthFactors: numberListFlag("suite-factors", values["suite-factors"]) } : null,
    };
  }
  const defaults = structuredClone(DEFAULT_RUN_SPEC) as unknown as Record<string, unknown>;
  const spec = deepMerge(deepMerge(defaults, fromFile), dropUndefined(fromFlags) as Record<string, unknown>) as unknown as RunSpec;
  const outDir = typeof values.out === "string" ? values.out : join("runs", `train-${runHash(spec)}`);

  const result = await trainAndEvaluate(spec, { outDir });
  const first = result.evals[0];
  const last = result.evals.at(-1);
  process.stdout.write(`\nRun ${result.runHash} (backend ${result.provenance.backend?.name ?? "unknown"}, seed ${result.config.seed}) → ${outDir}\n`);
  if (first && last) {
    process.stdout.write(`validation loss ${first.valLoss.toFixed(4)} at step ${first.step} → ${last.valLoss.toFixed(4)} at step ${last.step}\n`);
  }
  process.stdout.write(`training throughput ${result.tokensPerSecond} tokens/s\n\nTest perplexity by context length:\n`);
  process.stdout.write(`${formatPerplexityTable(result.perplexity, result.config.lTrain)}\n`);
  if (result.longContext) {
    process.stdout.write(`\nGenerated long-context suite (not LongBench-E), score by prompt length in × lTrain:\n`);
    process.stdout.write(`${formatLongContextTable(result.longContext)}\n`);
  }
}

/** Removes undefined leaves and objects left empty, so flags that were not given do not override the file. */
function dropUndefined(value: unknown): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const cleaned = dropUndefined(item);
    if (cleaned === undefined) continue;
    if (cleaned && typeof cleaned === "object" && !Array.isArray(cleaned) && Object.keys(cleaned).length === 0) continue;
    out[key] = cleaned;
  }
  return out;
}

runMain(main);
