/**
 * Shows that a small byte-level model learns the passkey task from the training mix: trains with
 * task instances mixed into corpus windows, and scores the untrained and the trained model on a
 * generated suite. Usage: npx tsx scripts/task-mix-demo.ts [flags]; --help lists the flags.
 */
import { writeFileSync } from "node:fs";

import { helpText, numberFlag, parseFlags, runMain, type FlagSpec } from "../lib/cli";
import { type LongContextResult, type TaskName } from "../lib/tasks";
import { runTaskLearning } from "../lib/tasks/learning";
import { ConfigError } from "../lib/util/errors";

const FLAGS: Record<string, FlagSpec> = {
  steps: { type: "string", value: "N", help: "Optimizer steps (default 3000; copying appeared between steps 2250 and 3000 with seed 0)." },
  "l-train": { type: "string", value: "TOKENS", help: "Training length (default 64)." },
  "batch-size": { type: "string", value: "N", help: "Rows per step (default 16)." },
  lr: { type: "string", value: "RATE", help: "Peak learning rate (default 1e-2, decaying to a tenth)." },
  "d-model": { type: "string", value: "N", help: "Model width (default 64)." },
  layers: { type: "string", value: "N", help: "Transformer blocks (default 2)." },
  heads: { type: "string", value: "N", help: "Attention heads (default 4)." },
  fraction: { type: "string", value: "P", help: "Share of task rows in a batch (default 1)." },
  tasks: { type: "string", value: "LIST", help: "Tasks mixed into training and scored (default passkey)." },
  "passkey-digits": { type: "string", value: "N", help: "Digits of the pass key (default 3)." },
  instances: { type: "string", value: "N", help: "Suite records per task and bucket (default 16)." },
  "probe-every": { type: "string", value: "N", help: "Score the 0-1x bucket every N steps during training (default 250; 0 turns it off)." },
  seed: { type: "string", value: "N", help: "Seed of weights, batches, the corpus split and the suite (default 0)." },
  json: { type: "string", value: "FILE", help: "Also write the results as JSON to FILE." },
};

function formatResult(name: string, result: LongContextResult): string {
  const rows = result.tasks.map((task) => {
    const cells = task.buckets.map((bucket) => `${bucket.label} ${bucket.score === null ? "-" : bucket.score.toFixed(1)} (n=${bucket.count})`);
    return `  ${name.padEnd(9)} ${task.task.padEnd(13)} ${cells.join("  ")}`;
  });
  return rows.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText("Usage: npx tsx scripts/task-mix-demo.ts [flags]", "Trains with the task mix and scores passkey before and after.", FLAGS));
    return;
  }
  const steps = numberFlag("steps", values.steps) ?? 3000;
  const lTrain = numberFlag("l-train", values["l-train"]) ?? 64;
  const seed = numberFlag("seed", values.seed) ?? 0;
  const probeEvery = numberFlag("probe-every", values["probe-every"]) ?? 250;
  const tasks = (typeof values.tasks === "string" ? values.tasks.split(",") : ["passkey"]) as TaskName[];
  const fraction = numberFlag("fraction", values.fraction) ?? 1;
  const taskOptions = { passkeyDigits: numberFlag("passkey-digits", values["passkey-digits"]) ?? 3 };
  if (!Number.isInteger(probeEvery) || probeEvery < 0) throw new ConfigError(`--probe-every must be a non-negative integer, got ${probeEvery}`);

  const result = await runTaskLearning({
    steps,
    lTrain,
    seed,
    tasks,
    fraction,
    taskOptions,
    lr: numberFlag("lr", values.lr) ?? 1e-2,
    batchSize: numberFlag("batch-size", values["batch-size"]) ?? 16,
    instancesPerBucket: numberFlag("instances", values.instances) ?? 16,
    model: {
      dModel: numberFlag("d-model", values["d-model"]) ?? 64,
      nLayers: numberFlag("layers", values.layers) ?? 2,
      nHeads: numberFlag("heads", values.heads) ?? 4,
    },
    probeEvery,
    onProbe: (step, score) => process.stdout.write(`step ${step}: ${tasks[0]} 0-1x ${score}\n`),
  });
  const { before, after, probes, trainSeconds } = result;
  process.stdout.write(`\n${steps} steps in ${trainSeconds.toFixed(1)} s (backend ${result.backend.name}), final loss ${result.finalLoss?.toFixed(3)}\n`);
  process.stdout.write(`${formatResult("untrained", before)}\n${formatResult("trained", after)}\n`);
  if (typeof values.json === "string") {
    writeFileSync(values.json, `${JSON.stringify({ steps, lTrain, seed, taskOptions, trainSeconds, probes, before, after }, null, 2)}\n`);
  }
}

runMain(main);
