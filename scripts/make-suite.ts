/**
 * Writes a generated long-context suite (LongBench-E-format JSONL per task plus suite.json) from
 * the test split of a corpus. Usage: npx tsx scripts/make-suite.ts --out DIR --l-train N [flags];
 * --help lists the flags.
 */
import { deepMerge, helpText, numberFlag, numberListFlag, parseFlags, readJsonFile, runMain, type FlagSpec } from "../lib/cli";
import { loadCorpus, validateCorpusConfig } from "../lib/data/corpus";
import { bucketIndex } from "../lib/longbench";
import { buildSuite, lengthBuckets, requestedLengths, taskRecords, validateSuiteConfig, writeSuite } from "../lib/tasks/suite";
import { ConfigError } from "../lib/util/errors";

const FLAGS: Record<string, FlagSpec> = {
  out: { type: "string", value: "DIR", help: "Folder to write <task>.jsonl and suite.json into (required)." },
  config: { type: "string", value: "FILE", help: "JSON suite config {lTrain, tasks, lengthFactors, instancesPerBucket, seed, taskOptions}; flags override it." },
  "l-train": { type: "string", value: "TOKENS", help: "Training length of the models to score; lengths and buckets are multiples of it (required here or in --config)." },
  tasks: { type: "string", value: "LIST", help: "Comma-separated tasks: passkey, kv_retrieval, counting, recall (default all)." },
  instances: { type: "string", value: "N", help: "Records per task and length bucket (default 8)." },
  "length-factors": { type: "string", value: "LIST", help: "Prompt lengths as multiples of l-train (default 0.75,1,1.5,2,3,4,6,8)." },
  seed: { type: "string", value: "N", help: "Seed of the suite's draws (default 0)." },
  "passkey-digits": { type: "string", value: "N", help: "Digits of the pass key, 1-9 (default 5)." },
  "kv-pairs": { type: "string", value: "N", help: "Key-value pairs per kv_retrieval record, 1-20 (default 3)." },
  "max-count": { type: "string", value: "N", help: "Largest count of the counting task, 1-9 (default 5)." },
  corpus: { type: "string", value: "SOURCE", help: "'brown' (default), a folder of .txt files, or a .jsonl file; its test split gives the filler." },
  "corpus-seed": { type: "string", value: "N", help: "Seed of the corpus split (default 0). Use the training run's seed so the test split is held out." },
  "max-documents": { type: "string", value: "N", help: "Cap on corpus documents; use the training run's value." },
};

async function main(): Promise<void> {
  const { values, positionals } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText("Usage: npx tsx scripts/make-suite.ts --out DIR --l-train N [flags]", "Writes a generated long-context suite in LongBench-E format.", FLAGS));
    return;
  }
  if (positionals.length > 0) throw new ConfigError(`make-suite: unexpected argument ${JSON.stringify(positionals[0])}. Run with --help`);
  if (typeof values.out !== "string") throw new ConfigError("make-suite: --out is required: the folder to write the suite into");

  const fromFile = typeof values.config === "string" ? readJsonFile(values.config) : {};
  const taskOptions = dropUndefined({
    passkeyDigits: numberFlag("passkey-digits", values["passkey-digits"]),
    kvPairs: numberFlag("kv-pairs", values["kv-pairs"]),
    maxCount: numberFlag("max-count", values["max-count"]),
  });
  const fromFlags = dropUndefined({
    lTrain: numberFlag("l-train", values["l-train"]),
    tasks: typeof values.tasks === "string" ? values.tasks.split(",").map((name) => name.trim()) : undefined,
    instancesPerBucket: numberFlag("instances", values.instances),
    lengthFactors: numberListFlag("length-factors", values["length-factors"]),
    seed: numberFlag("seed", values.seed),
    taskOptions: Object.keys(taskOptions).length > 0 ? taskOptions : undefined,
  });
  const config = validateSuiteConfig(deepMerge(fromFile, fromFlags));
  const corpusConfig = validateCorpusConfig(
    dropUndefined({
      source: typeof values.corpus === "string" ? values.corpus : "brown",
      seed: numberFlag("corpus-seed", values["corpus-seed"]) ?? 0,
      maxDocuments: numberFlag("max-documents", values["max-documents"]),
    }),
  );

  const corpus = loadCorpus(corpusConfig);
  const suite = buildSuite(config, corpus.splits.test, { ...corpusConfig, split: "test" });
  writeSuite(values.out, suite);

  const buckets = lengthBuckets(config.lTrain);
  process.stdout.write(`suite ${suite.version}: lTrain ${config.lTrain}, prompt lengths ${requestedLengths(config).join(", ")} tokens\n`);
  for (const task of config.tasks) {
    const counts = buckets.labels.map(() => 0);
    for (const record of taskRecords(suite, task)) counts[bucketIndex(record.token_length, buckets)]++;
    process.stdout.write(`  ${task.padEnd(13)} ${buckets.labels.map((label, b) => `${label}: ${counts[b]}`).join("  ")}\n`);
  }
  process.stdout.write(`wrote ${suite.records.length} records to ${values.out}\n`);
}

/** Removes undefined fields, so flags that were not given do not override the config file. */
function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

runMain(main);
