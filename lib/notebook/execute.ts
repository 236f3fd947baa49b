/**
 * Runs a notebook top to bottom in a fresh kernel, stops at the first failing cell, and saves the
 * executed notebook with its outputs.
 */
import { dirname, resolve } from "node:path";
import { ToolkitError } from "../util/errors";
import { type Logger, logger as rootLogger } from "../util/logger";
import { firstSourceLine, joinText, readNotebook, toNotebookOutput, writeNotebook, type Notebook } from "./format";
import { KernelClient, type CellOutput, type ExecutionOutcome } from "./kernel";

/** A cell that failed; the message names the notebook, the cell, its first line and the error text. */
export class NotebookCellError extends ToolkitError {
  override name = "NotebookCellError";

  constructor(
    readonly notebookPath: string,
    /** 1-based position of the cell among all cells of the notebook, markdown included. */
    readonly cellNumber: number,
    readonly cellCount: number,
    readonly firstLine: string,
    readonly errorText: string,
  ) {
    super(`${notebookPath}: cell ${cellNumber} of ${cellCount} failed (first line: ${JSON.stringify(firstLine)}):\n${errorText}`);
  }
}

export interface ExecuteNotebookOptions {
  /** Extra environment variables for the kernel process (for example LSA_PRESET, LSA_RESULTS). */
  env?: Record<string, string | undefined>;
  /** Path of the executed notebook, also written when a cell fails (with the cells up to that one). */
  outPath?: string;
  /** Maximum seconds one cell may run (default 1800). */
  cellTimeoutSeconds?: number;
  /** Kernel command, as in a kernelspec's argv (default: this package's tslab). */
  kernelArgv?: string[];
  logger?: Logger;
}

export interface ExecutedNotebook {
  notebook: Notebook;
  /** Wall-clock seconds from kernel start to the end of the last cell. */
  seconds: number;
  /** Seconds per code cell, in notebook order. */
  cellSeconds: number[];
  /** Implementation and language from the kernel's kernel_info_reply. */
  kernel: { implementation: string; language: string };
}

/** Patterns of stderr text that tslab prints for a failure: compiler diagnostics (`3:7 - Type …`) and uncaught errors. */
const TSLAB_ERROR_LINE = /^(?:\S+ )?\d+:\d+ - |^(?:UncaughtException|UnhandledPromiseRejection):/m;

/**
 * Decides whether a cell failed and returns its error text, or undefined when it succeeded.
 * tslab sends no `error` message: a failed cell has an execute_reply with status `error` (or
 * `abort`) and the error only as stderr stream text. A cell in `%module` mode reports compiler
 * errors on stderr with status `ok`, so stderr lines shaped like tslab's diagnostics also count.
 * Other stderr text (log lines, warnings) does not fail a cell.
 */
export function cellFailure(outcome: ExecutionOutcome): string | undefined {
  const stderr = outcome.outputs
    .filter((o): o is Extract<CellOutput, { output_type: "stream" }> => o.output_type === "stream" && o.name === "stderr")
    .map((o) => o.text)
    .join("")
    .trim();
  const errors = outcome.outputs
    .filter((o): o is Extract<CellOutput, { output_type: "error" }> => o.output_type === "error")
    .map((o) => [`${o.ename}: ${o.evalue}`, ...o.traceback].join("\n"));
  const reply = outcome.replyError ? [`${outcome.replyError.ename}: ${outcome.replyError.evalue}`, ...outcome.replyError.traceback].join("\n") : "";
  const failed = outcome.status !== "ok" || errors.length > 0 || TSLAB_ERROR_LINE.test(stderr);
  if (!failed) return undefined;
  const text = [...errors, reply, stderr].filter((part) => part !== "").join("\n");
  // Terminal colour codes from tracebacks would show as noise in a log file.
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return plain || `the kernel replied with status ${JSON.stringify(outcome.status)} and no error text`;
}

/**
 * Executes every code cell of the notebook at `path` in order, in a fresh kernel whose working
 * directory is the notebook's folder, and stops at the first failing cell.
 * @throws NotebookCellError for a failing cell (after saving the notebook up to that cell to `outPath`).
 * @throws KernelError when the kernel does not start, dies or a cell exceeds the timeout.
 */
export async function executeNotebook(path: string, options: ExecuteNotebookOptions = {}): Promise<ExecutedNotebook> {
  const log = options.logger ?? rootLogger.child("notebook");
  const notebook = readNotebook(path);
  const started = performance.now();
  const kernel = await KernelClient.start({ cwd: dirname(resolve(path)), env: options.env, argv: options.kernelArgv, logger: log });
  const cellSeconds: number[] = [];
  try {
    const info = await kernel.kernelInfo();
    notebook.metadata.kernelspec = { name: "tslab", display_name: "TypeScript", language: info.language_info.name };
    notebook.metadata.language_info = info.language_info;

    const cellCount = notebook.cells.length;
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      const source = joinText(cell.source);
      if (source.trim() === "") {
        cell.outputs = [];
        cell.execution_count = null;
        continue;
      }
      log.info(`${path}: cell ${index + 1} of ${cellCount}: ${firstSourceLine(cell)}`);
      const outcome = await kernel.execute(source, { timeoutMs: (options.cellTimeoutSeconds ?? 1800) * 1000 });
      cell.outputs = outcome.outputs.map(toNotebookOutput);
      cell.execution_count = outcome.executionCount;
      cellSeconds.push(outcome.seconds);

      const failure = cellFailure(outcome);
      if (failure !== undefined) {
        if (options.outPath) writeNotebook(options.outPath, notebook);
        throw new NotebookCellError(path, index + 1, cellCount, firstSourceLine(cell), failure);
      }
    }
    if (options.outPath) writeNotebook(options.outPath, notebook);
    return {
      notebook,
      seconds: (performance.now() - started) / 1000,
      cellSeconds,
      kernel: { implementation: info.implementation, language: info.language_info.name },
    };
  } finally {
    await kernel.shutdown();
  }
}
