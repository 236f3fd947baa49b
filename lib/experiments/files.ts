/** Atomic JSON files and folder layout of a study's output folder. */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FileFormatError } from "../util/errors";
import type { StudyRun } from "./grid";

/**
 * Layout of a study folder:
 * - `grid.json`: the runs of the last invocation (written by the runner);
 * - `bases/<hash>/`: a base's checkpoint, metrics.jsonl, log.txt and base.json once finished;
 * - `runs/<hash>/`: a fine-tune's checkpoint, metrics.jsonl, log.txt and result.json once finished;
 * - `events.jsonl`: one line per run start, finish and failure, across invocations;
 * - `results.csv`: the tidy table of every finished run;
 * - `runner.lock`: the pid of the runner that is using the folder.
 */
export const GRID_FILE = "grid.json";
export const EVENTS_FILE = "events.jsonl";
export const CSV_FILE = "results.csv";
export const LOCK_FILE = "runner.lock";
export const BASE_RECORD_FILE = "base.json";
export const RESULT_FILE = "result.json";
export const LOG_FILE = "log.txt";

/** The folder of one run inside a study folder. */
export function runFolder(outDir: string, run: Pick<StudyRun, "kind" | "hash">): string {
  return join(outDir, run.kind === "base" ? "bases" : "runs", run.hash);
}

/** The file whose presence marks a run as finished: base.json for a base, result.json for a fine-tune. */
export function doneFile(outDir: string, run: Pick<StudyRun, "kind" | "hash">): string {
  return join(runFolder(outDir, run), run.kind === "base" ? BASE_RECORD_FILE : RESULT_FILE);
}

/**
 * Writes JSON to a temporary file beside `path` and renames it into place, so a reader (or a
 * process killed mid-write) sees the old file or the new one, never a partial one.
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes text through a temporary file and a rename; see writeJsonAtomic. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/**
 * Reads and parses a JSON file.
 * @throws FileFormatError naming the file, the parse error and `fix`.
 */
export function readJsonFile(path: string, fix: string): unknown {
  if (!existsSync(path)) throw new FileFormatError(`${path} not found. ${fix}`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new FileFormatError(`${path} is not valid JSON (${(error as Error).message}). ${fix}`);
  }
}

/** Moves a corrupt file aside to `<path>.corrupt-<time>` and returns the new path, so it can be inspected. */
export function moveAside(path: string): string {
  const target = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  renameSync(path, target);
  return target;
}
