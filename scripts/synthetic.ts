/**
 * Runs the synthetic mean-vs-length grid (bits, train lengths 1..10, test lengths up to 50) and
 * prints test MSE by length. Results are cached per configuration, so a rerun trains only what is
 * missing.
 * Usage: npx tsx scripts/synthetic.ts [--preset smoke|default|gpu] [--out DIR]; --help lists the flags.
 */
import { helpText, numberListFlag, parseFlags, runMain, type FlagSpec } from "../lib/cli";
import {
  DEFAULT_RESULTS_DIR,
  PRESETS,
  PRESET_NAMES,
  conclusions,
  formatMseTable,
  mseTable,
  resolvePreset,
  runGrid,
  summarize,
} from "../lib/synthetic";

const FLAGS: Record<string, FlagSpec> = {
  preset: {
    type: "string",
    value: "NAME",
    help: `Experiment scale: ${PRESET_NAMES.map((name) => `${name} (${PRESETS[name].description})`).join("; ")}. Default: default.`,
  },
  out: { type: "string", value: "DIR", help: `Folder of the cached result files, one JSON per configuration (default ${DEFAULT_RESULTS_DIR}).` },
  lengths: {
    type: "string",
    value: "LIST",
    help: "Test lengths shown as table columns, comma-separated (default 1,5,10,20,30,50, kept where the preset scores them).",
  },
};

async function main(): Promise<void> {
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(
      helpText(
        "Usage: npx tsx scripts/synthetic.ts [--preset NAME] [--out DIR] [--lengths LIST]",
        "Trains a transformer regressor to predict the mean or the length of random bit sequences, for every\n" +
          "task, length-target transform, position encoding and seed of the preset, and prints test MSE by length.",
        FLAGS,
      ),
    );
    return;
  }
  const preset = resolvePreset(typeof values.preset === "string" ? values.preset : "default");
  const outDir = typeof values.out === "string" ? values.out : DEFAULT_RESULTS_DIR;
  const requested = numberListFlag("lengths", values.lengths) ?? [1, 5, 10, 20, 30, 50];
  const columns = requested.filter((length) => preset.evaluation.lengths.includes(length));

  const grid = await runGrid({ preset, outDir });
  const summary = summarize(grid.results);
  process.stdout.write(
    `\nPreset ${preset.name}: ${grid.results.length} configurations (${grid.trained} trained, ${grid.cached} cached) in ` +
      `${grid.wallSeconds.toFixed(1)} s, results in ${outDir}\n` +
      `Test MSE by length, mean over seeds ${preset.seeds.join(", ")}, on the original target scale (n/a: not applicable):\n\n`,
  );
  process.stdout.write(`${formatMseTable(mseTable(summary, columns))}\n\n`);
  for (const line of conclusions(summary, preset.training.trainRange)) process.stdout.write(`- ${line}\n`);
}

runMain(main);
