/** A minimal PNG reader for tests: 8-bit greyscale, RGB or RGBA, non-interlaced, all five row filters. */
import { inflateSync } from "node:zlib";

export interface DecodedPng {
  width: number;
  height: number;
  /** Bytes per pixel (1 grey, 3 RGB, 4 RGBA). */
  channels: number;
  /** Unfiltered pixel bytes, row after row. */
  pixels: Buffer;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 6: 4 };

/** Decodes a PNG file. @throws Error for colour types, bit depths or interlacing it does not handle. */
export function decodePng(file: Buffer): DecodedPng {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!file.subarray(0, 8).equals(signature)) throw new Error("decodePng: the file does not start with the PNG signature");

  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString("ascii", offset + 4, offset + 8);
    const body = file.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [bitDepth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      channels = CHANNELS[colourType];
      if (bitDepth !== 8 || !channels || interlace !== 0) throw new Error(`decodePng: unsupported bit depth ${bitDepth}, colour type ${colourType} or interlace ${interlace}`);
    } else if (type === "IDAT") {
      data.push(body);
    }
    offset += 12 + length;
  }

  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);

  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[y * stride + x - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        // Paeth: the neighbour closest to left + up − upLeft.
        const estimate = left + up - upLeft;
        const [dLeft, dUp, dUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
        if (dLeft <= dUp && dLeft <= dUpLeft) predictor = left;
        else if (dUp <= dUpLeft) predictor = up;
        else predictor = upLeft;
      }
      pixels[y * stride + x] = (row[x] + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}
