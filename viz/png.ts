/** PNG files of {@link Raster}s, encoded and decoded by `pngjs`. */
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { Raster } from './raster';

/** Encodes a raster as PNG bytes (RGB, 8 bits per channel). */
export function encodePng(raster: Raster): Buffer {
  const png = new PNG({ width: raster.width, height: raster.height });
  png.data = Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength);
  // colorType 2 (RGB): our rasters are opaque, so dropping alpha makes smaller files.
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true });
}

/** Decodes PNG bytes into a raster (alpha is dropped; our pictures are opaque). */
export function decodePng(bytes: Buffer): Raster {
  const png = PNG.sync.read(bytes);
  const out = new Raster(png.width, png.height);
  for (let i = 0; i < png.width * png.height; i++) {
    out.data[i * 4] = png.data[i * 4];
    out.data[i * 4 + 1] = png.data[i * 4 + 1];
    out.data[i * 4 + 2] = png.data[i * 4 + 2];
  }
  return out;
}

/** Writes `raster` to `file` as PNG, creating the directory; returns the path. */
export function writePng(file: string, raster: Raster): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodePng(raster));
  return file;
}
