/**
 * Filler text for the generated tasks: exact-length byte slices of corpus documents, and insertion
 * of generated sentences (needles) at word starts.
 */

import type { TokenizedDocument } from "../data/types";
import { decode, encode } from "../data/tokenizer";
import { ToolkitError, assert, intInRange } from "../util/errors";
import type { Random } from "../util/random";

/** A filler slice and the documents it was cut from. */
export interface FillerText {
  text: string;
  /** Ids of the documents the bytes came from, in order. */
  documents: string[];
}

/** Text with pieces inserted, and where each piece landed. */
export interface InsertedText {
  text: string;
  /** Character offset of each piece in `text`, in the order the pieces were given. */
  offsets: number[];
}

const SPACE = 32;
const DOCUMENT_BREAK = encode("\n\n");

function isWhitespaceByte(byte: number): boolean {
  return byte === SPACE || byte === 10 || byte === 9 || byte === 13;
}

/**
 * Cuts filler text from a fixed set of documents. Which documents are used is the caller's choice:
 * suites pass the test split and the training mix the train split, so the two never share text.
 */
export class FillerSource {
  private readonly documents: readonly TokenizedDocument[];
  /** cumulative[k] = bytes in documents 0..k. */
  private readonly cumulative: number[];

  /** @throws ToolkitError when no document has any bytes. */
  constructor(documents: readonly TokenizedDocument[]) {
    this.documents = documents.filter((document) => document.tokens.length > 0);
    assert(
      this.documents.length > 0,
      () => `FillerSource: got ${documents.length} documents and none has text. Pass a non-empty corpus split`,
    );
    let total = 0;
    this.cumulative = this.documents.map((document) => (total += document.tokens.length));
  }

  /** Ids of the documents this source can cut from. */
  documentIds(): string[] {
    return this.documents.map((document) => document.id);
  }

  /** Returns the documents this source cuts from (those with text). */
  sourceDocuments(): readonly TokenizedDocument[] {
    return this.documents;
  }

  /**
   * Returns exactly `byteCount` bytes of filler as text. The slice starts at a word start of a
   * document drawn with probability proportional to its length and runs on, across a blank line,
   * into further drawn documents when one is not long enough. The end is cut at the byte count,
   * possibly inside a word. A UTF-8 character cut at the end is replaced by spaces, so the text
   * always encodes to `byteCount` bytes.
   */
  take(rng: Random, byteCount: number): FillerText {
    intInRange("FillerSource.take", "byteCount", byteCount, 0);
    const bytes = new Uint8Array(byteCount);
    const documents: string[] = [];
    let filled = 0;
    while (filled < byteCount) {
      if (filled > 0) {
        const gap = DOCUMENT_BREAK.subarray(0, Math.min(DOCUMENT_BREAK.length, byteCount - filled));
        bytes.set(gap, filled);
        filled += gap.length;
        if (filled === byteCount) break;
      }
      const document = this.drawDocument(rng);
      const start = documents.length === 0 ? wordStartAtOrAfter(document.tokens, rng.int(0, document.tokens.length - 1)) : 0;
      const piece = document.tokens.subarray(start, start + (byteCount - filled));
      bytes.set(piece, filled);
      filled += piece.length;
      documents.push(document.id);
    }
    blankTrailingPartialCharacter(bytes);
    return { text: decode(bytes), documents };
  }

  private drawDocument(rng: Random): TokenizedDocument {
    const total = this.cumulative[this.cumulative.length - 1];
    const position = rng.int(0, total - 1);
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] > position) high = middle;
      else low = middle + 1;
    }
    return this.documents[low];
  }
}

/** Returns the first word start at or after `position` (a non-space byte after a space), or 0 when there is none. */
function wordStartAtOrAfter(tokens: Int32Array, position: number): number {
  for (let i = Math.max(position, 1); i < tokens.length; i++) {
    if (isWhitespaceByte(tokens[i - 1]) && !isWhitespaceByte(tokens[i])) return i;
  }
  return 0;
}

/** Replaces the bytes of a UTF-8 character that the end of `bytes` cuts in two with spaces. */
function blankTrailingPartialCharacter(bytes: Uint8Array): void {
  let lead = bytes.length - 1;
  // Continuation bytes are 10xxxxxx. Walk back over at most three of them to the lead byte.
  while (lead >= 0 && lead >= bytes.length - 4 && (bytes[lead] & 0xc0) === 0x80) lead--;
  if (lead < 0 || bytes[lead] < 0xc0) return;
  if (bytes.length - lead < utf8SequenceLength(bytes[lead])) bytes.fill(SPACE, lead);
}

/** Returns the length in bytes of the UTF-8 character whose lead byte is `lead` (0xc0 or above). */
function utf8SequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  return 2;
}

/** Returns the character offsets where a piece may be inserted: the start of the text and every word start. */
export function wordStarts(text: string): number[] {
  const starts = [0];
  for (let i = 1; i < text.length; i++) {
    if (/\s/.test(text[i - 1]) && !/\s/.test(text[i])) starts.push(i);
  }
  return starts;
}

/**
 * Inserts each piece followed by one space at a word start of `text` drawn uniformly. Pieces that
 * draw the same start appear in the given order. The result is `Σ (bytes(piece) + 1)` bytes longer
 * than `text`.
 */
export function insertAtWordStarts(text: string, pieces: readonly string[], rng: Random): InsertedText {
  const starts = wordStarts(text);
  const chosen = pieces.map((_, index) => ({ index, at: starts[rng.int(0, starts.length - 1)] }));
  chosen.sort((a, b) => a.at - b.at || a.index - b.index);

  const offsets = new Array<number>(pieces.length);
  let out = "";
  let cursor = 0;
  for (const { index, at } of chosen) {
    out += text.slice(cursor, at);
    offsets[index] = out.length;
    out += `${pieces[index]} `;
    cursor = at;
  }
  out += text.slice(cursor);
  return { text: out, offsets };
}

/** Returns the UTF-8 byte count of `text`, which is the model's token count for it. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * Checks that a generator's budget leaves room for filler.
 * @throws ToolkitError naming the task, the requested prompt length and the minimum.
 */
export function checkPromptLength(task: string, promptLength: number, minimum: number): void {
  intInRange(task, "promptLength", promptLength, 1);
  if (promptLength < minimum) {
    throw new ToolkitError(
      `${task}: promptLength must be at least ${minimum} bytes for these task options, got ${promptLength}. ` +
        `Request longer prompts or make the task smaller (fewer kv pairs, digits or counts)`,
    );
  }
}
