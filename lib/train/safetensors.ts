import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { FileFormatError } from "../util/errors";

/**
 * Reader and writer of the safetensors format (huggingface/safetensors): an 8-byte little-endian
 * header size, a JSON header mapping each tensor name to `{dtype, shape, data_offsets}` plus an
 * optional `__metadata__` map of strings, then the raw little-endian tensor bytes.
 * Only F32 and I32 are written; that is all the toolkit stores.
 */

export type SafetensorsDtype = "F32" | "I32";

/** One tensor as plain data. */
export interface NamedArray {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** The metadata key holding the SHA-256 of the data section, checked on read to catch corruption. */
const DATA_HASH_KEY = "data_sha256";

/**
 * Writes tensors and string metadata to `path` atomically: the file is written beside it, synced,
 * then renamed over it, so a crash mid-write leaves the previous file intact.
 */
export function writeSafetensors(path: string, tensors: Map<string, NamedArray>, metadata: Record<string, string>): void {
  const header: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const bytes = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const data = Buffer.concat(chunks);
  header.__metadata__ = { ...metadata, [DATA_HASH_KEY]: createHash("sha256").update(data).digest("hex") };
  let headerText = JSON.stringify(header);
  // Pad the header with spaces to a multiple of 8 bytes so the data section is aligned.
  headerText += " ".repeat((8 - (Buffer.byteLength(headerText) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, "utf8");
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(headerBytes.length));

  // A per-process name, so two processes writing the same path never share a temporary file.
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, size);
    writeSync(fd, headerBytes);
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/**
 * Reads a safetensors file, checking its structure and the data hash.
 * @throws FileFormatError naming the file and what is wrong with it.
 */
export function readSafetensors(path: string): { tensors: Map<string, NamedArray>; metadata: Record<string, string> } {
  if (!existsSync(path)) throw new FileFormatError(`readSafetensors: file not found: ${path}`);
  const file = readFileSync(path);
  const corrupt = (why: string) =>
    new FileFormatError(`readSafetensors: ${path} is not a valid checkpoint (${why}). Delete it to start the run over.`);
  if (file.length < 8) throw corrupt(`only ${file.length} bytes`);
  const headerSize = Number(file.readBigUInt64LE(0));
  if (headerSize <= 0 || 8 + headerSize > file.length) throw corrupt(`header size ${headerSize} exceeds the file`);

  let header: Record<string, unknown>;
  try {
    header = JSON.parse(file.subarray(8, 8 + headerSize).toString("utf8"));
  } catch (error) {
    throw corrupt(`header is not JSON: ${(error as Error).message}`);
  }
  const data = file.subarray(8 + headerSize);
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const expectedHash = metadata[DATA_HASH_KEY];
  if (expectedHash !== undefined && createHash("sha256").update(data).digest("hex") !== expectedHash) {
    throw corrupt("data hash mismatch: the file was truncated or modified");
  }

  const tensors = new Map<string, NamedArray>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: offsets } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== "F32" && dtype !== "I32") throw corrupt(`tensor ${name} has unsupported dtype ${dtype}`);
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) throw corrupt(`tensor ${name} has a malformed entry`);
    const [begin, end] = offsets;
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(begin >= 0 && end <= data.length && end - begin === count * 4)) {
      throw corrupt(`tensor ${name} has offsets [${begin}, ${end}] that do not fit its shape [${shape}] or the file`);
    }
    // Copy into a fresh, aligned buffer: the slice of the file buffer may start at an odd offset.
    const bytes = new Uint8Array(data.subarray(begin, end));
    const array = dtype === "F32" ? new Float32Array(bytes.buffer) : new Int32Array(bytes.buffer);
    tensors.set(name, { dtype, shape, data: array });
  }
  return { tensors, metadata };
}
