/**
 * A minimal GIF89a decoder written only for the viz tests: it parses the block structure strictly
 * (header, screen descriptor, colour tables, extensions, images, trailer) and LZW-decodes every
 * frame, so a test can check that what viz/gif.ts writes is a valid GIF with the right pixels.
 * Supports what gifenc writes (full frames, no interlace); throws on anything malformed.
 */

/** One decoded frame. */
export interface GifFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Delay in ms (from the graphic control extension; GIF stores centiseconds). */
  delayMs: number;
  /** RGB bytes of the frame, `width * height * 3`. */
  rgb: Uint8Array;
}

/** A decoded GIF. */
export interface DecodedGif {
  width: number;
  height: number;
  /** NETSCAPE loop count (0 = forever), or null when absent. */
  loop: number | null;
  frames: GifFrame[];
}

function lzwDecode(data: Uint8Array, minCodeSize: number, pixelCount: number): Uint8Array {
  const out = new Uint8Array(pixelCount);
  const clear = 1 << minCodeSize, eoi = clear + 1;
  let size = minCodeSize + 1;
  let dict: number[][] = [];
  const reset = () => {
    dict = [];
    for (let i = 0; i < clear; i++) dict.push([i]);
    dict.push([], []);
    size = minCodeSize + 1;
  };
  reset();
  let bit = 0, n = 0;
  let prev: number[] | null = null;
  const total = data.length * 8;
  while (bit + size <= total) {
    let code = 0;
    for (let i = 0; i < size; i++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << i;
    if (code === clear) {
      reset();
      prev = null;
      continue;
    }
    if (code === eoi) break;
    let entry: number[];
    if (code < dict.length) entry = dict[code];
    else if (code === dict.length && prev) entry = [...prev, prev[0]];
    else throw new Error(`GIF: bad LZW code ${code} (dictionary has ${dict.length})`);
    if (n + entry.length > pixelCount) throw new Error('GIF: frame data longer than the frame');
    out.set(entry, n);
    n += entry.length;
    if (prev && dict.length < 4096) dict.push([...prev, entry[0]]);
    prev = entry;
    if (dict.length === 1 << size && size < 12) size++;
  }
  if (n !== pixelCount) throw new Error(`GIF: frame decodes to ${n} pixels, expected ${pixelCount}`);
  return out;
}

/** Decodes `bytes` (see module doc). */
export function decodeGif(bytes: Uint8Array): DecodedGif {
  let p = 0;
  const need = (k: number) => {
    if (p + k > bytes.length) throw new Error(`GIF: truncated at byte ${p}`);
  };
  const u8 = () => (need(1), bytes[p++]);
  const u16 = () => (need(2), (p += 2), bytes[p - 2] | (bytes[p - 1] << 8));
  const table = (flags: number) => {
    const n = 2 << (flags & 7);
    need(n * 3);
    const t = bytes.slice(p, p + n * 3);
    p += n * 3;
    return t;
  };
  const subBlocks = () => {
    const parts: number[] = [];
    for (let len = u8(); len !== 0; len = u8()) {
      need(len);
      for (let i = 0; i < len; i++) parts.push(bytes[p + i]);
      p += len;
    }
    return Uint8Array.from(parts);
  };
  need(6);
  const sig = String.fromCharCode(...bytes.slice(0, 6));
  if (sig !== 'GIF89a' && sig !== 'GIF87a') throw new Error(`GIF: bad signature ${JSON.stringify(sig)}`);
  p = 6;
  const width = u16(), height = u16();
  const flags = u8();
  u8(); // background colour index
  u8(); // aspect ratio
  const global = flags & 0x80 ? table(flags) : null;
  const frames: GifFrame[] = [];
  let delayMs = 0;
  let loop: number | null = null;
  for (;;) {
    const b = u8();
    if (b === 0x3b) break;
    if (b === 0x21) {
      const label = u8();
      const data = subBlocks();
      if (label === 0xf9) delayMs = (data[1] | (data[2] << 8)) * 10;
      if (label === 0xff && data.length >= 14 && String.fromCharCode(...data.slice(0, 11)) === 'NETSCAPE2.0') loop = data[12] | (data[13] << 8);
      continue;
    }
    if (b !== 0x2c) throw new Error(`GIF: unexpected block 0x${b.toString(16)} at byte ${p - 1}`);
    const left = u16(), top = u16(), w = u16(), h = u16();
    const f = u8();
    if (f & 0x40) throw new Error('GIF: interlaced frames are not supported by this test decoder');
    const local = f & 0x80 ? table(f) : null;
    const palette = local ?? global;
    if (!palette) throw new Error('GIF: frame without a colour table');
    const minCode = u8();
    const idx = lzwDecode(subBlocks(), minCode, w * h);
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      if (idx[i] * 3 + 2 >= palette.length) throw new Error(`GIF: colour index ${idx[i]} outside the palette`);
      rgb.set(palette.subarray(idx[i] * 3, idx[i] * 3 + 3), i * 3);
    }
    frames.push({ left, top, width: w, height: h, delayMs, rgb });
    delayMs = 0;
  }
  return { width, height, loop, frames };
}
