/**
 * Runs a study grid in parallel child processes: bases first (fine-tunes start from them), then
 * fine-tunes, at most `jobs` at a time, with a progress display of the whole grid. A finished run
 * is never recomputed; an interrupted one resumes from its checkpoint. A failing run is reported
 * with its hash, log file and error while the others continue.
 */

import { fork, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, intInRange } from "../util/errors";
import { type Logger, logger as rootLogger } from "../util/logger";
import { CSV_FILE, EVENTS_FILE, GRID_FILE, LOCK_FILE, LOG_FILE, runFolder, writeJsonAtomic } from "./files";
import { allRuns, describeRun, type StudyGrid, type StudyRun } from "./grid";
import { finishedRecord, type RunProgress } from "./pipeline";
import { loadResults, writeTidyCsv } from "./results";
import { EXIT_INTERRUPTED, RUNNER_PID_VARIABLE, type WorkerMessage } from "./worker";

/** Progress display: a redrawn terminal line, plain log lines, or nothing but warnings and errors. */
export type DisplayMode = "auto" | "line" | "log" | "quiet";

export interface RunnerOptions {
  /** The study folder (see files.ts for its layout). */
  outDir: string;
  /** Runs at a time (default `os.availableParallelism()`). */
  jobs?: number;
  logger?: Logger;
  /** `auto` (default) draws a terminal line on a TTY and prints log lines otherwise. */
  display?: DisplayMode;
  /** Seconds between summary lines in `log` mode (default 60). */
  summaryEvery?: number;
  /** Aborting it stops the grid: running workers get SIGTERM and keep their checkpoints. */
  signal?: AbortSignal;
  /**
   * Node options of the workers. By default the runner forks `worker.ts` under the tsx loader when
   * it runs from TypeScript, and the compiled `worker.js` beside it otherwise.
   */
  workerExecArgv?: string[];
  /** Extra environment variables for the workers. */
  workerEnv?: Record<string, string>;
}

/** Outcome of one run in this invocation. */
export interface RunOutcome {
  hash: string;
  kind: StudyRun["kind"];
  label: string;
  /** `cached`: finished before this invocation; `skipped`: not started because its base failed. */
  status: "cached" | "finished" | "failed" | "skipped" | "interrupted";
  seconds?: number;
  error?: string;
  logPath: string;
}

export interface RunnerSummary {
  outDir: string;
  total: number;
  cached: number;
  finished: number;
  failed: RunOutcome[];
  skipped: RunOutcome[];
  /** True when the grid was stopped by the abort signal before every run finished. */
  interrupted: boolean;
  wallSeconds: number;
  outcomes: RunOutcome[];
}

/** One line of events.jsonl. */
export interface RunnerEvent {
  time: string;
  event: "start" | "finish" | "fail" | "skip" | "interrupt";
  kind: StudyRun["kind"];
  hash: string;
  label: string;
  pid?: number;
  seconds?: number;
  error?: string;
}

interface Slot {
  run: StudyRun;
  /** describeRun of the run, preferring the experiments of this invocation. */
  label: string;
  status: "pending" | "running" | "done" | "failed" | "skipped" | "interrupted";
  started?: number;
  /** Wall seconds of the worker, once it has exited. */
  seconds?: number;
  progress?: RunProgress;
  child?: ChildProcess;
  error?: string;
}

/**
 * Executes every run of `grid` that has not finished, and writes grid.json, events.jsonl and
 * results.csv into the study folder.
 * @returns the outcome of every run; the caller decides the exit code (non-zero when any failed).
 * @throws ConfigError when another live runner holds the folder's lock.
 */
export async function runGrid(grid: StudyGrid, options: RunnerOptions): Promise<RunnerSummary> {
  const log = options.logger ?? rootLogger.child("study");
  const jobs = intInRange("runGrid", "jobs", options.jobs ?? availableParallelism(), 1, 1024);
  const started = performance.now();
  mkdirSync(options.outDir, { recursive: true });
  const releaseLock = acquireLock(options.outDir, log);
  try {
    writeJsonAtomic(join(options.outDir, GRID_FILE), grid);
    const selected = grid.experiments.map((experiment) => experiment.name);
    const slots = allRuns(grid).map<Slot>((run) => ({
      run,
      label: describeRun(run, selected),
      status: finishedRecord(options.outDir, run, log) ? "done" : "pending",
    }));
    const cached = new Set(slots.filter((slot) => slot.status === "done").map((slot) => slot.run.hash));
    const display = new GridDisplay(grid.preset, slots, jobs, options, log);
    display.message("info", `study ${grid.preset}: ${slots.length} runs (${grid.bases.length} bases, ${grid.runs.length} fine-tunes), ${cached.size} already finished; ${jobs} at a time; folder ${options.outDir}`);

    const interrupted = await schedule(slots, jobs, options, display);
    display.stop();

    const outcomes = slots.map((slot) => outcomeOf(slot, options.outDir, cached.has(slot.run.hash)));
    writeCsv(options.outDir, log);
    const summary: RunnerSummary = {
      outDir: options.outDir,
      total: slots.length,
      cached: cached.size,
      finished: outcomes.filter((o) => o.status === "finished").length,
      failed: outcomes.filter((o) => o.status === "failed"),
      skipped: outcomes.filter((o) => o.status === "skipped"),
      interrupted,
      wallSeconds: (performance.now() - started) / 1000,
      outcomes,
    };
    reportSummary(summary, log);
    return summary;
  } finally {
    releaseLock();
  }
}

/** Starts ready runs until every slot is settled or the signal aborts; returns true when aborted. */
async function schedule(slots: Slot[], jobs: number, options: RunnerOptions, display: GridDisplay): Promise<boolean> {
  const running = new Map<string, Promise<void>>();
  let aborted = options.signal?.aborted ?? false;
  const onAbort = () => {
    aborted = true;
    for (const slot of slots) if (slot.status === "running") slot.child?.kill("SIGTERM");
  };
  options.signal?.addEventListener("abort", onAbort);

  try {
    for (;;) {
      skipOrphans(slots, options.outDir, display);
      if (!aborted) {
        for (const slot of readySlots(slots)) {
          if (running.size >= jobs) break;
          running.set(slot.run.hash, startWorker(slot, options, display).finally(() => running.delete(slot.run.hash)));
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  return aborted && slots.some((slot) => slot.status === "pending" || slot.status === "interrupted");
}

/** Pending slots whose dependencies are done, bases first. */
function readySlots(slots: Slot[]): Slot[] {
  const done = new Set(slots.filter((slot) => slot.status === "done").map((slot) => slot.run.hash));
  return slots.filter((slot) => slot.status === "pending" && (slot.run.kind === "base" || done.has(slot.run.baseHash)));
}

/** Marks fine-tunes of failed bases as skipped. */
function skipOrphans(slots: Slot[], outDir: string, display: GridDisplay): void {
  const failed = new Set(slots.filter((slot) => slot.run.kind === "base" && slot.status === "failed").map((slot) => slot.run.hash));
  for (const slot of slots) {
    if (slot.status !== "pending" || slot.run.kind !== "finetune" || !failed.has(slot.run.baseHash)) continue;
    slot.status = "skipped";
    slot.error = `its base ${slot.run.baseHash} failed`;
    appendEvent(outDir, { event: "skip", slot, error: slot.error });
    display.message("warn", `skipped ${slot.label} (${slot.run.hash}): ${slot.error}`);
  }
}

/** Forks a worker for one slot and settles the slot when the worker exits. */
function startWorker(slot: Slot, options: RunnerOptions, display: GridDisplay): Promise<void> {
  const run = slot.run;
  const folder = runFolder(options.outDir, run);
  mkdirSync(folder, { recursive: true });
  const logPath = join(folder, LOG_FILE);
  appendFileSync(logPath, `\n=== ${new Date().toISOString()} started by runner pid ${process.pid} ===\n`);
  const logFd = openSync(logPath, "a");
  const worker = workerEntry(options.workerExecArgv);
  let child: ChildProcess;
  try {
    child = fork(worker.file, [options.outDir, run.hash], {
      execArgv: worker.execArgv,
      stdio: ["ignore", logFd, logFd, "ipc"],
      env: { ...process.env, ...options.workerEnv, [RUNNER_PID_VARIABLE]: String(process.pid) },
    });
  } finally {
    closeSync(logFd);
  }
  slot.status = "running";
  slot.started = performance.now();
  slot.child = child;
  appendEvent(options.outDir, { event: "start", slot, pid: child.pid });
  display.message("info", `started ${slot.label} (${run.hash}), log ${logPath}`);

  let reported: string | undefined;
  child.on("message", (message: WorkerMessage) => {
    if (message.type === "progress") slot.progress = message.progress;
    if (message.type === "error") reported = `${message.name}: ${message.message}`;
  });

  return new Promise<void>((resolve) => {
    child.on("error", (error) => {
      reported ??= `could not start the worker: ${error.message}`;
    });
    child.on("exit", (code, signal) => {
      const seconds = (performance.now() - slot.started!) / 1000;
      slot.seconds = seconds;
      slot.child = undefined;
      if (code === 0 && finishedRecord(options.outDir, run)) {
        slot.status = "done";
        appendEvent(options.outDir, { event: "finish", slot, seconds });
        display.message("info", `finished ${slot.label} (${run.hash}) in ${formatDuration(seconds)}`);
      } else if (signal === "SIGTERM" || signal === "SIGINT" || code === EXIT_INTERRUPTED) {
        slot.status = "interrupted";
        appendEvent(options.outDir, { event: "interrupt", slot, seconds });
        display.message("warn", `stopped ${slot.label} (${run.hash}); it resumes from its last checkpoint next time`);
      } else {
        slot.status = "failed";
        slot.error = reported ?? `worker exited with ${signal ? `signal ${signal}` : `code ${code}`}; ${lastLines(logPath)}`;
        appendEvent(options.outDir, { event: "fail", slot, seconds, error: slot.error });
        display.message("error", `FAILED ${slot.label} (hash ${run.hash}): ${slot.error}. Log: ${logPath}`);
      }
      resolve();
    });
  });
}

/** Picks the worker file and Node options: worker.ts under tsx from sources, worker.js from compiled code. */
function workerEntry(execArgv: string[] | undefined): { file: string; execArgv: string[] } {
  const fromSource = __filename.endsWith(".ts");
  const file = join(__dirname, fromSource ? "worker.ts" : "worker.js");
  if (execArgv) return { file, execArgv };
  // tsx's loader path is resolved here, so workers do not depend on the current directory.
  return { file, execArgv: fromSource ? ["--import", pathToFileURL(require.resolve("tsx")).href] : [] };
}

function lastLines(path: string, count = 3): string {
  try {
    const lines = readFileSync(path, "utf8").trim().split("\n").filter((line) => line.trim());
    return `last log lines: ${lines.slice(-count).join(" | ")}`;
  } catch {
    return "no log was written";
  }
}

function outcomeOf(slot: Slot, outDir: string, wasCached: boolean): RunOutcome {
  const base = { hash: slot.run.hash, kind: slot.run.kind, label: slot.label, logPath: join(runFolder(outDir, slot.run), LOG_FILE) };
  const seconds = slot.seconds;
  switch (slot.status) {
    case "done":
      return { ...base, status: wasCached ? "cached" : "finished", seconds };
    case "failed":
      return { ...base, status: "failed", error: slot.error };
    case "skipped":
      return { ...base, status: "skipped", error: slot.error };
    case "pending":
    case "running":
    case "interrupted":
      return { ...base, status: "interrupted" };
    default: {
      const unreachable: never = slot.status;
      throw new Error(`unknown slot status ${String(unreachable)}`);
    }
  }
}

function appendEvent(outDir: string, entry: { event: RunnerEvent["event"]; slot: Slot; pid?: number; seconds?: number; error?: string }): void {
  const event: RunnerEvent = {
    time: new Date().toISOString(),
    event: entry.event,
    kind: entry.slot.run.kind,
    hash: entry.slot.run.hash,
    label: entry.slot.label,
    ...(entry.pid !== undefined ? { pid: entry.pid } : {}),
    ...(entry.seconds !== undefined ? { seconds: Math.round(entry.seconds * 10) / 10 } : {}),
    ...(entry.error !== undefined ? { error: entry.error } : {}),
  };
  appendFileSync(join(outDir, EVENTS_FILE), `${JSON.stringify(event)}\n`);
}

/** Reads the runner events of a study folder, oldest first. */
export function readEvents(outDir: string): RunnerEvent[] {
  const path = join(outDir, EVENTS_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as RunnerEvent];
      } catch {
        return [];
      }
    });
}

function writeCsv(outDir: string, log: Logger): void {
  const results = loadResults(outDir, { onCorrupt: "skip", logger: log });
  writeTidyCsv(join(outDir, CSV_FILE), results);
  log.info(`wrote ${join(outDir, CSV_FILE)} (${results.length} finished runs)`);
}

function reportSummary(summary: RunnerSummary, log: Logger): void {
  log.info(
    `study done in ${formatDuration(summary.wallSeconds)}: ${summary.finished} finished now, ${summary.cached} finished before, ` +
      `${summary.failed.length} failed, ${summary.skipped.length} skipped${summary.interrupted ? ", stopped before the end" : ""}`,
  );
  for (const failure of summary.failed) log.error(`failed: ${failure.label} (hash ${failure.hash}): ${failure.error}. Log: ${failure.logPath}`);
}

/**
 * Takes the folder's lock file, or throws when a live process holds it. A lock left by a dead
 * process (a runner killed with SIGKILL) is taken over with a warning.
 * @returns a function that removes the lock.
 */
function acquireLock(outDir: string, log: Logger): () => void {
  const path = join(outDir, LOCK_FILE);
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new ConfigError(
        `study: another runner (pid ${pid}) is using ${outDir} (lock ${path}). Wait for it or stop it; ` +
          "if that pid is not a study runner, delete the lock file.",
      );
    }
    log.warn(`taking over the stale lock ${path} of pid ${pid}, which is no longer running`);
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    try {
      if (Number(readFileSync(path, "utf8").trim()) === process.pid) unlinkSync(path);
    } catch {
      // Already removed.
    }
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Formats seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Progress of the grid. On a terminal it is one status line redrawn twice a second, with messages
 * printed above it. Elsewhere it is the messages plus a summary line every `summaryEvery` seconds.
 */
class GridDisplay {
  private readonly mode: "line" | "log" | "quiet";
  private readonly timer?: NodeJS.Timeout;
  private readonly stream: NodeJS.WriteStream = process.stderr;
  private readonly started = performance.now();

  constructor(
    private readonly preset: string,
    private readonly slots: Slot[],
    private readonly jobs: number,
    options: RunnerOptions,
    private readonly log: Logger,
  ) {
    const requested = options.display ?? "auto";
    const terminal = Boolean(this.stream.isTTY) && process.env.CI === undefined;
    if (requested === "auto") this.mode = terminal ? "line" : "log";
    else this.mode = requested;
    if (this.mode === "line") this.timer = setInterval(() => this.draw(), 500);
    if (this.mode === "log") this.timer = setInterval(() => this.log.info(this.status()), (options.summaryEvery ?? 60) * 1000);
    this.timer?.unref();
  }

  message(level: "info" | "warn" | "error", text: string): void {
    if (this.mode === "quiet" && level === "info") return;
    if (this.mode === "line") this.stream.write("\r\x1b[K");
    this.log[level](text);
    if (this.mode === "line") this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.mode === "line") this.stream.write("\r\x1b[K");
  }

  private draw(): void {
    const width = this.stream.columns ?? 120;
    this.stream.write(`\r${this.status().slice(0, width - 1)}\x1b[K`);
  }

  /** Formats one line: counts, elapsed time, a rough time left, and each running run's step. */
  status(): string {
    const count = (status: Slot["status"]) => this.slots.filter((slot) => slot.status === status).length;
    const elapsed = (performance.now() - this.started) / 1000;
    const running = this.slots.filter((slot) => slot.status === "running");
    const details = running.map((slot) => {
      const p = slot.progress;
      let where = "starting";
      if (p?.phase === "evaluate") where = "evaluating";
      else if (p) where = `${p.step}/${p.steps}`;
      return `${slot.label} ${where}`;
    });
    const failed = count("failed");
    return [
      `study ${this.preset}`,
      `${count("done")}/${this.slots.length} done`,
      `${running.length} running`,
      ...(failed ? [`${failed} failed`] : []),
      `${formatDuration(elapsed)} elapsed`,
      `${this.estimateLeft()} left`,
      ...details,
    ].join(" | ");
  }

  /**
   * Estimates the time left: each pending or running run is assumed to take the mean seconds of
   * finished runs of its kind in this invocation. Without one, a running run of that kind is
   * extrapolated from its training steps (evaluation time left out).
   */
  private estimateLeft(): string {
    const now = performance.now();
    const secondsFor = (kind: StudyRun["kind"]): number | undefined => {
      const finished = this.slots.filter((slot) => slot.run.kind === kind && slot.status === "done" && slot.seconds !== undefined);
      if (finished.length > 0) return finished.reduce((total, slot) => total + slot.seconds!, 0) / finished.length;
      const projections = this.slots
        .filter((slot) => slot.run.kind === kind && slot.status === "running" && slot.progress?.phase === "train" && slot.progress.step > 0)
        .map((slot) => ((now - slot.started!) / 1000) * (slot.progress!.steps / slot.progress!.step));
      if (projections.length > 0) return projections.reduce((a, b) => a + b, 0) / projections.length;
      return undefined;
    };
    let left = 0;
    for (const slot of this.slots) {
      if (slot.status !== "pending" && slot.status !== "running") continue;
      const seconds = secondsFor(slot.run.kind);
      if (seconds === undefined) return "?";
      const elapsed = slot.status === "running" ? (now - slot.started!) / 1000 : 0;
      left += Math.max(0, seconds - elapsed);
    }
    return `~${formatDuration(left / this.jobs)}`;
  }
}
