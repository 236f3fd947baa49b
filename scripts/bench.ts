/**
 * Measures training and evaluation throughput of the transformer on the active tfjs backend.
 * Usage: npm run bench -- [--steps N] [--warmup N] [--configs LIST] [--modes LIST] [--json];
 * --help lists the flags. docs/benchmarks.md records results and the PyTorch comparison.
 */
import { helpText, numberFlag, parseFlags, runMain, type FlagSpec } from "../lib/cli";
import {
  BENCH_CONFIG_NAMES,
  BENCH_MODES,
  formatBenchTable,
  runBenchmark,
  type BenchConfigName,
  type BenchMode,
} from "../lib/bench/throughput";

const FLAGS: Record<string, FlagSpec> = {
  steps: { type: "string", value: "N", help: "Timed training steps per config and mode (default 10)." },
  warmup: { type: "string", value: "N", help: "Untimed training steps before them (default 3)." },
  configs: { type: "string", value: "LIST", help: `Comma-separated configs: ${BENCH_CONFIG_NAMES.join(", ")} (default all).` },
  modes: { type: "string", value: "LIST", help: `Comma-separated modes: ${BENCH_MODES.join(", ")} (default all).` },
  "eval-windows": { type: "string", value: "N", help: "Windows of 8 × l_train tokens in the timed evaluation (default 8)." },
  seed: { type: "string", value: "N", help: "Seed of the random tokens and the model (default 0)." },
  json: { type: "boolean", help: "Print one JSON line per config and mode instead of a table." },
};

function listFlag(value: string | boolean | undefined): string[] | undefined {
  return typeof value === "string" ? value.split(",").map((item) => item.trim()).filter((item) => item !== "") : undefined;
}

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(
      helpText(
        "Usage: npm run bench -- [flags]",
        "Times training steps (real trainer, random byte tokens) and perplexity evaluation at 8 × l_train.",
        FLAGS,
      ),
    );
    return;
  }
  const records = await runBenchmark(
    {
      steps: numberFlag("steps", values.steps),
      warmup: numberFlag("warmup", values.warmup),
      configs: listFlag(values.configs) as BenchConfigName[] | undefined,
      modes: listFlag(values.modes) as BenchMode[] | undefined,
      evalWindows: numberFlag("eval-windows", values["eval-windows"]),
      seed: numberFlag("seed", values.seed),
    },
    (record) => {
      if (values.json) process.stdout.write(`${JSON.stringify(record)}\n`);
    },
  );
  if (!values.json) process.stdout.write(`${formatBenchTable(records)}\n`);
}

runMain(main);
