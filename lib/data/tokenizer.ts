/**
 * Byte-level tokenizer: one token per UTF-8 byte, vocabulary 0..255, no special ids. Documents are
 * never concatenated (windows are drawn inside one document), so no boundary token is needed.
 */

import { ToolkitError, assert } from "../util/errors";

/** Number of distinct token ids: every byte value 0..255. */
export const BYTE_VOCAB_SIZE = 256;

const utf8Encoder = new TextEncoder();
// `fatal: false` turns invalid byte sequences into U+FFFD instead of throwing, and `ignoreBOM: true`
// keeps a leading U+FEFF as text (the default would drop it and break the round trip).
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Encodes `text` as its UTF-8 bytes, one token id per byte.
 * @throws ToolkitError if `text` contains a lone UTF-16 surrogate, which UTF-8 cannot represent
 *   (so `decode(encode(text)) === text` holds for every string that `encode` accepts).
 */
export function encode(text: string): Int32Array {
  const index = loneSurrogateIndex(text);
  if (index >= 0) {
    const code = text.charCodeAt(index).toString(16).toUpperCase();
    throw new ToolkitError(
      `encode: text contains a lone UTF-16 surrogate U+${code} at index ${index}, which UTF-8 ` +
        `cannot represent. Remove it or replace it with U+FFFD before tokenizing`,
    );
  }
  return Int32Array.from(utf8Encoder.encode(text));
}

/**
 * Returns the index of the first UTF-16 surrogate in `text` that is not part of a pair, or -1.
 * Such a string is not valid Unicode and has no UTF-8 encoding.
 */
export function loneSurrogateIndex(text: string): number {
  return LONE_SURROGATE.exec(text)?.index ?? -1;
}

/**
 * Decodes byte token ids back to text.
 *
 * Ids that do not form valid UTF-8, such as a window cut in the middle of a multi-byte character,
 * do not throw: each maximal invalid byte sequence becomes one U+FFFD replacement character (the
 * WHATWG Encoding Standard's non-fatal UTF-8 decoder). So the decoded text can be shorter than the
 * ids, and re-encoding it gives different ids.
 * @throws ToolkitError if an id is not an integer in 0..255.
 */
export function decode(ids: ArrayLike<number>): string {
  const bytes = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    assert(
      Number.isInteger(id) && id >= 0 && id < BYTE_VOCAB_SIZE,
      () =>
        `decode: ids[${i}] must be an integer in [0, ${BYTE_VOCAB_SIZE - 1}], got ${id}. ` +
        `Byte-level token ids are UTF-8 bytes, so the model's vocabulary size must be ${BYTE_VOCAB_SIZE}`,
      ToolkitError,
    );
    bytes[i] = id;
  }
  return utf8Decoder.decode(bytes);
}
