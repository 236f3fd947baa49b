/**
 * Child-process entry point of the runner: executes one run of the grid stored in a study folder
 * and reports progress over the IPC channel. Usage (the runner does this):
 * `node [--import tsx] worker.(ts|js) <studyFolder> <runHash>`.
 *
 * A worker whose runner dies (even by SIGKILL) stops at its next training step or evaluation
 * phase, because it checks that its parent process is still the one that started it.
 */

import { join } from "node:path";
import { FileFormatError } from "../util/errors";
import { logger } from "../util/logger";
import { GRID_FILE, readJsonFile } from "./files";
import { findRun, type StudyGrid } from "./grid";
import { TrainingInterruptedError } from "../train/interrupt";
import { RunInterruptedError, executeRun, type RunProgress } from "./pipeline";

/** Messages a worker sends to the runner. */
export type WorkerMessage =
  | { type: "progress"; progress: RunProgress }
  | { type: "done"; hash: string }
  | { type: "error"; hash: string; name: string; message: string };

/** Environment variable through which the runner passes its pid to its workers. */
export const RUNNER_PID_VARIABLE = "LSA_RUNNER_PID";

/** Exit code of a worker stopped because its runner went away or a signal stopped training; the run resumes next time. */
export const EXIT_INTERRUPTED = 3;

/** Reads the grid.json the runner wrote. @throws FileFormatError naming the file and the fix. */
export function readGridFile(outDir: string): StudyGrid {
  const path = join(outDir, GRID_FILE);
  const grid = readJsonFile(path, "Start the study with scripts/study.ts, which writes it.") as StudyGrid;
  if (!grid || !Array.isArray(grid.bases) || !Array.isArray(grid.runs)) {
    throw new FileFormatError(`${path} is not a study grid (bases or runs missing). Start the study again with scripts/study.ts to rewrite it.`);
  }
  return grid;
}

/** Runs one grid entry and returns the process exit code (0 done, 1 failed, EXIT_INTERRUPTED stopped). */
export async function runWorker(args: string[]): Promise<number> {
  const [outDir, hash] = args;
  const log = logger.child(`worker ${hash ?? "?"}`);
  const send = (message: WorkerMessage) => {
    if (process.send && process.connected) process.send(message);
  };
  // The runner passes its pid, so a worker whose runner died before this line still notices.
  const parentPid = Number(process.env[RUNNER_PID_VARIABLE]) || process.ppid;
  let lastProgress = 0;
  try {
    if (!outDir || !hash) throw new FileFormatError("worker: usage is worker <studyFolder> <runHash>");
    const grid = readGridFile(outDir);
    const run = findRun(grid, hash);
    await executeRun(run, {
      outDir,
      preset: grid.preset,
      logger: log,
      shouldStop: () => process.ppid !== parentPid,
      onProgress: (progress) => {
        // At most a few messages a second, plus every phase change and the last step.
        const now = Date.now();
        if (progress.phase === "train" && progress.step < progress.steps && now - lastProgress < 250) return;
        lastProgress = now;
        send({ type: "progress", progress });
      },
    });
    send({ type: "done", hash: run.hash });
    return 0;
  } catch (error) {
    if (error instanceof RunInterruptedError) {
      log.warn(`stopped because the runner (pid ${parentPid}) exited; the next attempt resumes from the last checkpoint`);
      return EXIT_INTERRUPTED;
    }
    if (error instanceof TrainingInterruptedError) {
      log.warn(error.message);
      return EXIT_INTERRUPTED;
    }
    const err = error as Error;
    log.error(`${err.name}: ${err.message}`);
    if (err.stack) log.debug(err.stack);
    send({ type: "error", hash: hash ?? "", name: err.name, message: err.message });
    return 1;
  }
}

if (require.main === module) {
  runWorker(process.argv.slice(2)).then(
    (code) => {
      // Disconnecting flushes the last IPC message; the timer ends the process if a handle is left open.
      process.exitCode = code;
      if (process.connected) process.disconnect();
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`worker: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
