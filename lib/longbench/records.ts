/**
 * Typed readers and writers for LongBench v1 JSON-lines files: the data records of LongBench-E
 * (`<dataset>_e`, split `test`) and the prediction files `pred.py` writes and `eval.py` scores.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

import { FileFormatError, mustBe } from "../util/errors";

/** One LongBench(-E) sample, with the field names of the published JSON. */
export interface LongBenchRecord {
  /** The question or query; empty for tasks whose prompt does not use it. */
  input: string;
  /** The document(s), few-shot examples or code. */
  context: string;
  /** Every accepted reference; a sample scores the max over them. */
  answers: string[];
  /** Size of input + context + answers in whitespace words (English, code) or characters (Chinese). Not tokens. */
  length: number;
  dataset: string;
  language: "en" | "zh";
  /** The class list for trec and lsht, null elsewhere. */
  all_classes: string[] | null;
  _id: string;
}

/** One line of a prediction file as `pred.py` writes it. */
export interface PredictionRecord {
  pred: string;
  answers: string[];
  all_classes: string[] | null;
  /** The data record's `length`; `eval.py --e` buckets by it, plain `eval.py` ignores it. */
  length?: number;
}

/** A prediction file read for scoring. */
export interface PredictionFile {
  path: string;
  /** The file name up to its first `.`, as `eval.py` takes it (`filename.split('.')[0]`). */
  dataset: string;
  records: PredictionRecord[];
}

/** Returns the dataset name `eval.py` derives from a prediction file name: the part before the first `.`. */
export function datasetFromFileName(path: string): string {
  return basename(path).split(".")[0];
}

/** A parsed JSON line with its position, for error messages. */
interface JsonLine {
  lineNumber: number;
  value: Record<string, unknown>;
}

/**
 * Splits a JSON-lines text into objects. Lines end at `\n`, `\r\n` or `\r`, as Python's text-mode
 * file iteration splits them. The empty piece after a final line break is not a line. A blank line
 * is an error, because `json.loads` rejects it in `eval.py` too.
 */
function parseJsonLines(path: string, text: string): JsonLine[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();

  return lines.map((line, index) => {
    const lineNumber = index + 1;
    const where = `${path} line ${lineNumber}`;
    if (line.trim() === "") {
      throw new FileFormatError(`${where}: line is blank. Remove blank lines, because each line must hold one JSON object`);
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new FileFormatError(`${where}: invalid JSON (${(error as Error).message}). Write one complete JSON object per line`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new FileFormatError(mustBe(where, "the line", "a JSON object", value, "Write one {...} object per line"));
    }
    return { lineNumber, value: value as Record<string, unknown> };
  });
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new FileFormatError(`${path} could not be read (${reason}). Check the path`);
  }
}

/** Field checks that name the file, the line, the field and the fix. */
class FieldReader {
  constructor(
    private readonly where: string,
    private readonly value: Record<string, unknown>,
  ) {}

  private fail(field: string, rule: string, got: unknown, fix: string): never {
    if (!(field in this.value)) {
      throw new FileFormatError(`${this.where}: field ${JSON.stringify(field)} is missing. ${fix}`);
    }
    throw new FileFormatError(mustBe(this.where, `field ${JSON.stringify(field)}`, rule, got, fix));
  }

  string(field: string): string {
    const got = this.value[field];
    if (typeof got !== "string") this.fail(field, "a string", got, `Write ${field} as a JSON string`);
    return got;
  }

  stringList(field: string): string[] {
    const got = this.value[field];
    if (!Array.isArray(got) || !got.every((item) => typeof item === "string")) {
      this.fail(field, "a list of strings", got, `Write ${field} as a JSON list of strings, such as ["..."]`);
    }
    return got;
  }

  stringListOrNull(field: string): string[] | null {
    const got = this.value[field];
    if (got === null) return null;
    if (!Array.isArray(got) || !got.every((item) => typeof item === "string")) {
      this.fail(field, "null or a list of strings", got, `Write ${field} as null, or as the class list for trec and lsht`);
    }
    return got;
  }

  nonNegativeInteger(field: string): number {
    const got = this.value[field];
    if (typeof got !== "number" || !Number.isInteger(got) || got < 0) {
      this.fail(field, "a non-negative integer", got, `Copy ${field} unchanged from the LongBench data record`);
    }
    return got;
  }

  has(field: string): boolean {
    return field in this.value;
  }
}

/**
 * Reads a LongBench(-E) data file, one record per line.
 * @throws FileFormatError naming the file, the line, the field and the fix for unreadable files,
 *   invalid JSON, blank lines, and missing or mistyped fields.
 */
export function readLongBenchRecords(path: string): LongBenchRecord[] {
  return parseJsonLines(path, readText(path)).map(({ lineNumber, value }) => {
    const fields = new FieldReader(`${path} line ${lineNumber}`, value);
    const language = fields.string("language");
    if (language !== "en" && language !== "zh") {
      throw new FileFormatError(mustBe(`${path} line ${lineNumber}`, 'field "language"', '"en" or "zh"', language));
    }
    return {
      input: fields.string("input"),
      context: fields.string("context"),
      answers: fields.stringList("answers"),
      length: fields.nonNegativeInteger("length"),
      dataset: fields.string("dataset"),
      language,
      all_classes: fields.stringListOrNull("all_classes"),
      _id: fields.string("_id"),
    };
  });
}

/**
 * Reads a prediction file as `eval.py` does: the dataset comes from the file name, and each line
 * must have `pred`, `answers` and `all_classes`. `length` is required when `requireLength` is set
 * (`--e` scoring). `eval.py` silently skips a line without `length` and then pairs the remaining
 * lengths with the wrong samples, so this reader rejects such a line instead.
 *
 * `all_classes` is kept per line. `eval.py` uses the `all_classes` of the file's last line for every
 * sample; LongBench gives every sample of a dataset the same list, so both readings score alike.
 * @throws FileFormatError naming the file, the line, the field and the fix.
 */
export function readPredictionFile(path: string, options: { requireLength: boolean }): PredictionFile {
  const records = parseJsonLines(path, readText(path)).map(({ lineNumber, value }): PredictionRecord => {
    const fields = new FieldReader(`${path} line ${lineNumber}`, value);
    const record: PredictionRecord = {
      pred: fields.string("pred"),
      answers: fields.stringList("answers"),
      all_classes: fields.stringListOrNull("all_classes"),
    };
    if (options.requireLength || fields.has("length")) record.length = fields.nonNegativeInteger("length");
    return record;
  });
  return { path, dataset: datasetFromFileName(path), records };
}

function writeJsonLines(path: string, records: readonly object[]): void {
  const text = records.map((record) => `${JSON.stringify(record)}\n`).join("");
  writeFileSync(path, text, "utf8");
}

/** Writes LongBench(-E) data records, one JSON object per line, UTF-8 without escaping non-ASCII text. */
export function writeLongBenchRecords(path: string, records: readonly LongBenchRecord[]): void {
  writeJsonLines(path, records);
}

/**
 * Writes a prediction file with the fields `pred.py` writes (`pred`, `answers`, `all_classes`,
 * `length`), one JSON object per line. Name it `<dataset>.jsonl` so the scorer finds the dataset.
 */
export function writePredictionFile(path: string, records: readonly PredictionRecord[]): void {
  writeJsonLines(
    path,
    records.map((record) => ({ pred: record.pred, answers: record.answers, all_classes: record.all_classes, length: record.length })),
  );
}
