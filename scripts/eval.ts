/**
 * Scores a trained checkpoint: test perplexity by context length (optionally with RoPE position
 * interpolation) and the long-short misalignment on held-out text.
 * Usage: npx tsx scripts/eval.ts --checkpoint FILE [flags]; --help lists the flags.
 */
import { validateDivergenceSpec } from "../lib/align/divergences";
import { misalignment } from "../lib/align/misalignment";
import { validateStrategySpec } from "../lib/align/strategies";
import { initBackend } from "../lib/backend";
import { helpText, numberFlag, numberListFlag, parseFlags, runMain, type FlagSpec } from "../lib/cli";
import { loadCorpus, type CorpusConfig } from "../lib/data/corpus";
import { evaluatePerplexity } from "../lib/eval/perplexity";
import { TransformerLM } from "../lib/model/transformer";
import type { ModelConfig } from "../lib/model/config";
import { modelFromCheckpoint } from "../lib/train/checkpoint";
import type { TrainConfig } from "../lib/train/config";
import { formatPerplexityTable } from "../lib/train/run";
import { ConfigError } from "../lib/util/errors";

const FLAGS: Record<string, FlagSpec> = {
  checkpoint: { type: "string", value: "FILE", help: "checkpoint.safetensors written by scripts/train.ts (required)." },
  corpus: { type: "string", value: "SOURCE", help: "Corpus to score (default: the run's own); split with the run's seed and fractions." },
  split: { type: "string", value: "NAME", help: "Split to score: test (default) or validation." },
  "eval-multipliers": { type: "string", value: "LIST", help: "Context lengths as multiples of the run's lTrain (default 1,2,4,8)." },
  "eval-windows": { type: "string", value: "N", help: "Windows per length at most (default 64)." },
  "rope-scale": { type: "string", value: "S", help: "RoPE position interpolation factor for the perplexity table, > 0 (default: the model's, usually 1)." },
  divergence: { type: "string", value: "NAME", help: "Divergence of the misalignment metric (default sce)." },
  strategy: { type: "string", value: "NAME", help: "Pair strategy of the misalignment metric (default suffix)." },
  "misalignment-windows": { type: "string", value: "N", help: "Held-out windows for the misalignment metric (default 64; 0 skips it)." },
  seed: { type: "string", value: "N", help: "Seed of the misalignment windows (default 0)." },
};

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText("Usage: npx tsx scripts/eval.ts --checkpoint FILE [flags]", "Scores a checkpoint by context length.", FLAGS));
    return;
  }
  if (typeof values.checkpoint !== "string") throw new ConfigError("--checkpoint is required: the checkpoint.safetensors of a training run");
  const split = values.split ?? "test";
  if (split !== "test" && split !== "validation") throw new ConfigError(`--split must be test or validation, got ${JSON.stringify(split)}`);

  // Check every flag before loading anything, so a bad value never costs an evaluation.
  const ropeScale = numberFlag("rope-scale", values["rope-scale"]);
  if (ropeScale !== undefined && !(ropeScale > 0)) throw new ConfigError(`--rope-scale must be a number > 0 (1 = no interpolation), got ${ropeScale}`);
  const evalWindows = numberFlag("eval-windows", values["eval-windows"]) ?? 64;
  if (!Number.isInteger(evalWindows) || evalWindows < 1) throw new ConfigError(`--eval-windows must be an integer >= 1, got ${evalWindows}`);
  const windows = numberFlag("misalignment-windows", values["misalignment-windows"]) ?? 64;
  if (!Number.isInteger(windows) || windows < 0) throw new ConfigError(`--misalignment-windows must be an integer >= 0 (0 skips the metric), got ${windows}`);
  const strategy = validateStrategySpec({ name: typeof values.strategy === "string" ? values.strategy : "suffix" });
  const divergence = validateDivergenceSpec({ name: typeof values.divergence === "string" ? values.divergence : "sce" });

  const backend = await initBackend();
  const { model, info } = modelFromCheckpoint(values.checkpoint, (config) => new TransformerLM(config as ModelConfig));
  const config = info.config as TrainConfig;
  // Split the corpus exactly as the training run did, so "test" means the same documents.
  const trained = (config.data?.corpus ?? { source: "brown", seed: config.seed }) as CorpusConfig;
  const corpus = loadCorpus(typeof values.corpus === "string" ? { ...trained, source: values.corpus } : trained);
  const docs = corpus.splits[split];
  const lTrain = config.lTrain;
  const multipliers = numberListFlag("eval-multipliers", values["eval-multipliers"]) ?? [1, 2, 4, 8];

  const rows = evaluatePerplexity(model, docs, multipliers.map((m) => Math.round(m * lTrain)), {
    maxWindows: evalWindows,
    forward: ropeScale === undefined ? {} : { ropeScale },
  });
  process.stdout.write(`Checkpoint ${values.checkpoint} (step ${info.step}, backend ${backend.name}), ${split} split:\n`);
  process.stdout.write(`${formatPerplexityTable(rows, lTrain)}\n`);

  if (windows > 0) {
    // NOTE: the metric runs at lTrain without position interpolation, so --rope-scale does not change it.
    const result = misalignment(model, docs, strategy, divergence, {
      lTrain,
      numWindows: windows,
      batchSize: 16,
      seed: numberFlag("seed", values.seed) ?? 0,
    });
    process.stdout.write(
      `\nmisalignment (${divergence.name}, ${strategy.name}): ${result.value.toFixed(5)} over ${result.alignedPositions} aligned positions in ${result.windows} windows\n`,
    );
  }
  model.dispose();
}

runMain(main);
