/**
 * Where a glimpse lies in image pixels: the retina's own geometry (envs/vision/retina.ts), so a
 * drawn box covers exactly the pixels the agent's patch of that scale was pooled from.
 */
import { locationToPixel } from '../envs/vision/retina';

/** The glimpse sensor settings that fix box geometry. */
export interface RetinaGeometry {
  /** Image width and height in pixels. */
  width: number;
  height: number;
  /** Side `g` of the finest patch. */
  glimpseSize: number;
  /** Number of scales; scale `s` covers `g * 2^s` pixels. */
  scales: number;
  /** The env's `reach` (pixel centre = image centre + loc * reach * size / 2). */
  reach: number;
}

/** The pixels one scale of a glimpse covers: columns `[left, left+side)`, rows `[top, top+side)`. */
export interface GlimpseBox {
  scale: number;
  left: number;
  top: number;
  side: number;
}

/** The continuous pixel point `(cx, cy)` a location `(x, y)` in [-1, 1]^2 is centred on. */
export function glimpseCentre(x: number, y: number, geo: RetinaGeometry): { cx: number; cy: number } {
  return { cx: locationToPixel(x, geo.reach, geo.width), cy: locationToPixel(y, geo.reach, geo.height) };
}

/**
 * The box of every scale of the glimpse at location `(x, y)`, finest first. The top-left is the
 * retina's `floor(c - side/2 + 0.5)` (round half up); boxes may extend past the image edges,
 * where the retina reads zeros.
 */
export function glimpseBoxes(x: number, y: number, geo: RetinaGeometry): GlimpseBox[] {
  if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`glimpseBoxes: location must be two finite numbers, got (${x}, ${y})`);
  const { cx, cy } = glimpseCentre(x, y, geo);
  const out: GlimpseBox[] = [];
  for (let s = 0; s < geo.scales; s++) {
    const side = geo.glimpseSize * 2 ** s;
    out.push({ scale: s, left: Math.floor(cx - side / 2 + 0.5), top: Math.floor(cy - side / 2 + 0.5), side });
  }
  return out;
}
