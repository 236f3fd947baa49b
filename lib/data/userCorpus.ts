/**
 * User corpora: a folder of `.txt` files (one document per file) or a `.jsonl` file (one document
 * per line).
 */

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

import { FileFormatError } from "../util/errors";
import { type Logger, logger } from "../util/logger";
import { loneSurrogateIndex } from "./tokenizer";
import type { TextDocument } from "./types";

// Created per call so that a later logger.setLevel or setSink (as in tests) applies to it.
const log = (): Logger => logger.child("data");

/** Genre of a document whose source gives none. */
export const UNKNOWN_GENRE = "unknown";

/**
 * Loads a user corpus from `path`, which is either
 * - a folder: every `.txt` file below it is one document. Its id is the path relative to the folder
 *   with `/` separators (`news/a.txt`), and its genre is the name of the top-level subfolder that
 *   contains it (`news`), or `unknown` for files directly in the folder. Hidden files and folders
 *   (names starting with `.`) are skipped.
 * - a `.jsonl` file: each non-blank line is a JSON object with a string `text`. An optional `id`
 *   (string or number) defaults to `line-<n>`, and an optional string `genre` defaults to `unknown`.
 *
 * Documents come back sorted by id (folders) or in line order (`.jsonl`). Text files are read as
 * UTF-8, with a leading byte-order mark removed and CRLF line endings turned into LF. Documents
 * whose text is empty or only whitespace are dropped with a warning, because no window fits in them.
 * @throws FileFormatError naming the file (and line) if the path is missing, is neither kind,
 *   holds no documents, or has a malformed line or duplicate id.
 */
export function loadUserDocuments(path: string): TextDocument[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new FileFormatError(
      `user corpus ${path} could not be read (${reason}). Give a folder of .txt files or a .jsonl file`,
    );
  }

  let documents: TextDocument[];
  if (isDirectory) {
    documents = loadTextFolder(path);
  } else if (path.endsWith(".jsonl")) {
    documents = loadJsonLines(path);
  } else {
    throw new FileFormatError(
      `user corpus ${path} is neither a folder nor a .jsonl file. Give a folder of .txt files ` +
        `(one document each) or a .jsonl file with one {"text": ...} object per line`,
    );
  }

  const nonEmpty = documents.filter((document) => document.text.trim() !== "");
  if (nonEmpty.length < documents.length) {
    log().warn(`user corpus ${path}: dropped ${documents.length - nonEmpty.length} empty document(s)`);
  }
  if (nonEmpty.length === 0) {
    throw new FileFormatError(`user corpus ${path} contains no non-empty documents. Add text to it`);
  }
  return nonEmpty;
}

function loadTextFolder(root: string): TextDocument[] {
  const files = listTextFiles(root).sort();
  if (files.length === 0) {
    throw new FileFormatError(`user corpus ${root} contains no .txt files. Put one document per .txt file in it`);
  }
  return files.map((file) => {
    const parts = relative(root, file).split(sep);
    const id = parts.join("/");
    const genre = parts.length > 1 ? parts[0] : UNKNOWN_GENRE;
    return { id, genre, text: readTextFile(file) };
  });
}

function listTextFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...listTextFiles(path));
    else if (entry.isFile() && entry.name.endsWith(".txt")) files.push(path);
  }
  return files;
}

function readTextFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new FileFormatError(`user corpus file ${path} could not be read (${reason}). Check its permissions`);
  }
  if (text.startsWith("\ufeff")) text = text.slice(1);
  return text.replace(/\r\n/g, "\n");
}

function loadJsonLines(path: string): TextDocument[] {
  const lines = readTextFile(path).split("\n");
  const documents: TextDocument[] = [];
  const lineOfId = new Map<string, number>();
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const lineNumber = index + 1;
    const where = `${path}:${lineNumber}`;
    const document = parseJsonLine(line, where, lineNumber);
    const firstLine = lineOfId.get(document.id);
    if (firstLine !== undefined) {
      throw new FileFormatError(`${where}: id ${JSON.stringify(document.id)} is already used on line ${firstLine}. Make ids unique`);
    }
    lineOfId.set(document.id, lineNumber);
    documents.push(document);
  });
  if (documents.length === 0) {
    throw new FileFormatError(`user corpus ${path} contains no lines. Add one {"text": ...} object per line`);
  }
  return documents;
}

function parseJsonLine(line: string, where: string, lineNumber: number): TextDocument {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    throw new FileFormatError(`${where}: invalid JSON (${(error as Error).message}). Write one JSON object per line`);
  }
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    throw new FileFormatError(`${where}: expected a JSON object such as {"text": "..."}, got ${line.slice(0, 80)}`);
  }

  const { text, id, genre } = record as Record<string, unknown>;
  if (typeof text !== "string") {
    throw new FileFormatError(`${where}: field "text" must be a string, got ${describe(text)}`);
  }
  const surrogate = loneSurrogateIndex(text);
  if (surrogate >= 0) {
    throw new FileFormatError(
      `${where}: field "text" contains a lone UTF-16 surrogate at index ${surrogate}, which UTF-8 cannot represent. Remove it`,
    );
  }
  if (id !== undefined && typeof id !== "string" && typeof id !== "number") {
    throw new FileFormatError(`${where}: field "id" must be a string or number when given, got ${describe(id)}`);
  }
  if (genre !== undefined && (typeof genre !== "string" || genre === "")) {
    throw new FileFormatError(`${where}: field "genre" must be a non-empty string when given, got ${describe(genre)}`);
  }
  return {
    id: id === undefined ? `line-${lineNumber}` : String(id),
    genre: genre ?? UNKNOWN_GENRE,
    text,
  };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (value === null) return "null";
  return `${typeof value} ${JSON.stringify(value).slice(0, 60)}`;
}
