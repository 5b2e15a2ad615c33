/** Types of the parts of `gifenc` 1.0 (which ships none) that viz/gif.ts uses. */
declare module 'gifenc' {
  /** A palette: up to 256 `[r, g, b]` (or `[r, g, b, a]`) byte triples. */
  export type Palette = number[][];
  /** Options of {@link GifEncoder.writeFrame}. */
  export interface WriteFrameOptions {
    palette?: Palette;
    /** Frame delay in milliseconds. */
    delay?: number;
    /** -1 once, 0 forever, n > 0 that many repeats. */
    repeat?: number;
    transparent?: boolean;
    transparentIndex?: number;
    dispose?: number;
    first?: boolean;
    colorDepth?: number;
  }
  /** A streaming GIF writer. */
  export interface GifEncoder {
    writeFrame(index: Uint8Array, width: number, height: number, options?: WriteFrameOptions): void;
    finish(): void;
    bytes(): Uint8Array;
    bytesView(): Uint8Array;
    reset(): void;
  }
  export function GIFEncoder(options?: { initialCapacity?: number; auto?: boolean }): GifEncoder;
  export function nearestColorIndex(palette: Palette, pixel: number[]): number;
  export function quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number, options?: Record<string, unknown>): Palette;
  export function applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: Palette, format?: string): Uint8Array;
}
