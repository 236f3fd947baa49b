/** The nbformat 4 notebook file: types, reading with validation, and writing. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { FileFormatError } from "../util/errors";
import type { CellOutput, MimeBundle } from "./kernel";

/** Text that nbformat stores either as one string or as a list of lines (each ending in "\n"). */
export type MultilineText = string | string[];

/** A stored output: as collected from the kernel, except that text may be split into lines. */
export type NotebookOutput =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: MultilineText }
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: "execute_result"; data: MimeBundle; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineText;
  metadata: Record<string, unknown>;
  outputs: NotebookOutput[];
  execution_count: number | null;
}

export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineText;
  metadata: Record<string, unknown>;
}

export type NotebookCell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Joins nbformat multiline text into one string. */
export function joinText(text: MultilineText | undefined): string {
  if (text === undefined) return "";
  return Array.isArray(text) ? text.join("") : text;
}

/** Splits text into nbformat lines, each keeping its "\n" (the form Jupyter writes). */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Returns the first non-blank line of a cell's source, trimmed, for error messages. */
export function firstSourceLine(cell: NotebookCell): string {
  const line = joinText(cell.source).split("\n").find((l) => l.trim() !== "");
  return line?.trim() ?? "";
}

/** Converts a kernel output to its stored form, splitting text into lines. */
export function toNotebookOutput(output: CellOutput): NotebookOutput {
  switch (output.output_type) {
    case "stream":
      return { ...output, text: splitLines(output.text) };
    case "display_data":
    case "execute_result":
      return { ...output, data: splitTextData(output.data) };
    case "error":
      return output;
    default: {
      const unknown: never = output;
      throw new FileFormatError(`toNotebookOutput: unknown output ${JSON.stringify(unknown)}`);
    }
  }
}

function splitTextData(data: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(data)) {
    // JSON MIME types stay objects; text types are stored as lines, as Jupyter does.
    out[mime] = typeof value === "string" && !mime.endsWith("json") ? splitLines(value) : value;
  }
  return out;
}

/**
 * Reads and checks a notebook file: nbformat 4 with a cells array whose entries have a known
 * cell_type and a source.
 * @throws FileFormatError naming the path and what is wrong.
 */
export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new FileFormatError(`readNotebook: notebook not found or unreadable: ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(`readNotebook: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const notebook = parsed as Partial<Notebook>;
  if (notebook?.nbformat !== 4 || !Array.isArray(notebook.cells)) {
    throw new FileFormatError(`readNotebook: ${path} must be an nbformat 4 notebook with a cells array, got nbformat ${JSON.stringify(notebook?.nbformat)}`);
  }
  notebook.cells.forEach((cell, index) => {
    const kind = (cell as { cell_type?: unknown }).cell_type;
    if (kind !== "code" && kind !== "markdown" && kind !== "raw") {
      throw new FileFormatError(`readNotebook: ${path} cell ${index + 1} has cell_type ${JSON.stringify(kind)}; expected "code", "markdown" or "raw"`);
    }
    const source = (cell as { source?: unknown }).source;
    if (typeof source !== "string" && !(Array.isArray(source) && source.every((line) => typeof line === "string"))) {
      throw new FileFormatError(`readNotebook: ${path} cell ${index + 1} needs a source string or list of strings`);
    }
    cell.metadata ??= {};
    if (cell.cell_type === "code") {
      cell.outputs ??= [];
      cell.execution_count ??= null;
    }
  });
  return { nbformat: 4, nbformat_minor: notebook.nbformat_minor ?? 5, metadata: notebook.metadata ?? {}, cells: notebook.cells };
}

/** Writes a notebook as indented JSON with a trailing newline (Jupyter's layout), creating its folder. */
export function writeNotebook(path: string, notebook: Notebook): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(notebook, null, 1)}\n`);
}
