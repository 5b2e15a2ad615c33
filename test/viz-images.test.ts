/**
 * The glimpse pictures: boxes land exactly on the pixels the retina reads, PNG and GIF files
 * decode to the expected size and pixels, the patches picture shows the patches the agent saw.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Retina, RetinaImage } from '../envs/vision/retina';
import { glimpseBoxes } from '../viz/geometry';
import { autoZoom, drawGlimpses, renderGlimpseGrid } from '../viz/glimpse-grid';
import { decodePng, encodePng, writePng } from '../viz/png';
import { encodeGif, GIF_PALETTE } from '../viz/gif';
import { renderGlimpseFrames, writeTraceGif } from '../viz/glimpse-animation';
import { patchesLayout, renderPatches } from '../viz/patches';
import { COLORS, Raster, stepColor, greyByte } from '../viz/raster';
import type { GlimpseTrace } from '../viz/trace';
import { decodeGif } from './viz-helpers/gif-decoder';
import { syntheticTrace } from './viz-helpers/synthetic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'viz-images-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

test('glimpseBoxes: known location gives the retina-documented boxes', () => {
  const geo = { width: 60, height: 60, glimpseSize: 12, scales: 2, reach: 1 };
  // (0.25, -0.5) -> centre (37.5, 15); side 12 -> left floor(32), top floor(9.5) = 9; side 24 -> 26, 3.
  assert.equal(glimpseBoxes(0.25, -0.5, geo), [
    { scale: 0, left: 32, top: 9, side: 12 },
    { scale: 1, left: 26, top: 3, side: 24 },
  ]);
  assert.throws(() => glimpseBoxes(NaN, 0, geo), /two finite numbers/);
});

test('glimpseBoxes agree with what the retina extracts (top-left pixel of each scale)', () => {
  const W = 40, H = 30;
  const pixels = new Float32Array(W * H).map((_, i) => (i + 1) / (W * H));
  const retina = new Retina({ glimpseSize: 4, scales: 1 });
  const img = new RetinaImage().set(pixels, W, H, false);
  const out = new Float32Array(16);
  for (const [x, y, reach] of [[0.1, -0.3, 1], [-0.77, 0.52, 1], [0.5, 0.5, 0.6], [0, 0, 1]]) {
    retina.extract(img, x, y, reach, out);
    const [b] = glimpseBoxes(x, y, { width: W, height: H, glimpseSize: 4, scales: 1, reach });
    assert.is(out[0], pixels[b.top * W + b.left], `top-left at (${x}, ${y})`);
    assert.is(out[15], pixels[(b.top + 3) * W + b.left + 3], `bottom-right at (${x}, ${y})`);
  }
});

test('drawGlimpses: each scale box outlines exactly the pixels it covers (pixel check)', () => {
  const trace = syntheticTrace({ n: 1, size: 60, glimpseSize: 12, scales: 2, steps: 1, value: 0.5 });
  trace.episodes[0].locations.set([0.25, -0.5]);
  const z = 2;
  const r = drawGlimpses(trace, trace.episodes[0], { zoom: z, scales: 'all' });
  assert.is(r.width, 120);
  assert.is(r.height, 120);
  const grey = greyByte(0.5);
  const isGrey = (x: number, y: number) => same(r.get(x, y), [grey, grey, grey]);
  const isBox = (x: number, y: number) => same(r.get(x, y), stepColor(0));
  const isBox1 = (x: number, y: number) => same(r.get(x, y), stepColor(0, true));
  // Scale 0 covers columns 32..43, rows 9..20 -> canvas x 64..87, y 18..41.
  for (const y of [20, 25, 40]) {
    assert.ok(isBox(64, y) && isBox(87, y), `left/right edges at y=${y}`);
    assert.ok(isGrey(63, y) && isGrey(65, y) && isGrey(86, y) && isGrey(88, y), `one pixel wide at y=${y}`);
  }
  for (const x of [66, 80]) {
    assert.ok(isBox(x, 18) && isBox(x, 41), `top/bottom edges at x=${x}`);
    assert.ok(isGrey(x, 17) && isGrey(x, 19) && isGrey(x, 40) && isGrey(x, 42), `one pixel high at x=${x}`);
  }
  // Scale 1 covers columns 26..49, rows 3..26 -> canvas x 52..99, y 6..53.
  assert.ok(isBox1(52, 45) && isGrey(51, 45) && isGrey(53, 45));
  assert.ok(isBox1(99, 45) && isGrey(100, 45) && isGrey(98, 45));
  assert.ok(isBox1(60, 6) && isGrey(60, 5) && isBox1(60, 53) && isGrey(60, 54));
});

test('drawGlimpses: by default only the finest scale gets a box (coarse boxes are an option)', () => {
  const trace = syntheticTrace({ n: 1, size: 60, glimpseSize: 12, scales: 2, steps: 1, value: 0.5 });
  trace.episodes[0].locations.set([0.25, -0.5]);
  const r = drawGlimpses(trace, trace.episodes[0], { zoom: 2 });
  const grey = greyByte(0.5);
  assert.ok(same(r.get(64, 25), stepColor(0)), 'finest box drawn');
  // Where the scale-1 box would be (see the pixel check above): plain image.
  assert.ok(same(r.get(52, 45), [grey, grey, grey]) && same(r.get(99, 45), [grey, grey, grey]), 'no coarse box');
});

test('drawGlimpses: boxes past the image edge are clipped, bad steps rejected', () => {
  const trace = syntheticTrace({ n: 1, size: 28, glimpseSize: 8, scales: 3, steps: 2 });
  trace.episodes[0].locations.set([1, 1, -1, -1]);
  const r = drawGlimpses(trace, trace.episodes[0], { zoom: 3 });
  // Location (1, 1) is the bottom-right corner: the 8x8 box starts at pixel 24 and is cut at 28.
  assert.equal(r.get(24 * 3, 27 * 3), stepColor(0));
  assert.throws(() => drawGlimpses(trace, trace.episodes[0], { zoom: 3, boxSteps: [2] }), /step 2 is outside 0\.\.1/);
});

test('PNG: the grid encodes, decodes to the same pixels and has the expected size', () => {
  const trace = syntheticTrace({ n: 5, size: 60, glimpseSize: 12, scales: 3, steps: 4 });
  const grid = renderGlimpseGrid(trace, { columns: 3 });
  const file = writePng(path.join(tmp, 'grid.png'), grid);
  const back = decodePng(fs.readFileSync(file));
  assert.is(back.width, grid.width);
  assert.is(back.height, grid.height);
  assert.ok(Buffer.from(back.data).equals(Buffer.from(grid.data)));
  // 3 columns of tiles at least as wide as the zoomed image, 2 rows.
  const side = 60 * autoZoom(60, 60);
  assert.ok(grid.width >= 3 * side + 4 * 8 && grid.width < 3 * (side + 60) + 4 * 8, `width ${grid.width}`);
  assert.ok(grid.height >= 2 * side && grid.height < 2 * (side + 60) + 3 * 8, `height ${grid.height}`);
  // The wrong episode (index 1) gets a red frame; the right ones do not.
  let red = 0;
  for (let i = 0; i < grid.width * grid.height; i++) if (same([grid.data[i * 4], grid.data[i * 4 + 1], grid.data[i * 4 + 2]], COLORS.wrong)) red++;
  assert.ok(red > 4 * side, `red pixels ${red}`);
  assert.throws(() => decodePng(Buffer.from('not a png')));
});

test('patches: each patch is drawn where the layout says, with the values the agent saw', () => {
  const trace = syntheticTrace({ n: 1, size: 60, glimpseSize: 12, scales: 3, steps: 3 });
  const ep = trace.episodes[0];
  const L = patchesLayout(trace);
  const r = renderPatches(trace, ep);
  assert.is(r.height, L.height);
  assert.ok(r.width >= L.width);
  const G = 3 * 144;
  for (const [t, s, i, j] of [[0, 0, 0, 0], [2, 2, 11, 11], [1, 1, 5, 7]]) {
    const v = greyByte(ep.glimpses[t * G + s * 144 + i * 12 + j]);
    const x = L.left + t * (L.cell + L.gap) + j * L.zoom, y = L.top + s * (L.cell + L.gap) + i * L.zoom;
    assert.equal(r.get(x, y), [v, v, v], `patch t=${t} s=${s} (${i}, ${j})`);
    assert.equal(r.get(x + L.zoom - 1, y + L.zoom - 1), [v, v, v]);
  }
  assert.equal(r.get(L.left - 1, L.top), stepColor(0), 'frame in the step colour');
  assert.throws(() => renderPatches(trace, { ...ep, glimpses: new Float32Array(5) }), /5 glimpse values/);
});

test('GIF: the animation decodes to T+1 same-sized frames matching the rendered frames', () => {
  const trace: GlimpseTrace = syntheticTrace({ n: 4, size: 28, glimpseSize: 8, scales: 2, steps: 3 });
  const frames = renderGlimpseFrames(trace);
  assert.is(frames.length, 4);
  const file = writeTraceGif(trace, path.join(tmp, 'anim.gif'), { stepDelayMs: 300 });
  const gif = decodeGif(fs.readFileSync(file));
  assert.is(gif.frames.length, 4);
  assert.is(gif.loop, 0);
  assert.is(gif.width, frames[0].width);
  assert.is(gif.height, frames[0].height);
  assert.equal(gif.frames.map((f) => f.delayMs), [300, 300, 300, 1200]);
  gif.frames.forEach((f, k) => {
    assert.is(f.width, gif.width);
    assert.is(f.height, gif.height);
    let maxDiff = 0;
    let exactColour = 0;
    const src = frames[k].data;
    for (let i = 0; i < f.width * f.height; i++) {
      const a = [src[i * 4], src[i * 4 + 1], src[i * 4 + 2]];
      const b = [f.rgb[i * 3], f.rgb[i * 3 + 1], f.rgb[i * 3 + 2]];
      const isColour = !(a[0] === a[1] && a[1] === a[2]);
      if (isColour) {
        assert.equal(b, a, `frame ${k} pixel ${i}: palette colours are exact`);
        exactColour++;
      }
      for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(a[c] - b[c]));
    }
    assert.ok(maxDiff <= 1, `frame ${k}: greys within 1 level, got ${maxDiff}`);
    assert.ok(exactColour > 0, `frame ${k} has coloured boxes`);
  });
  assert.ok(GIF_PALETTE.length <= 256);
});

test('GIF: bad input is rejected with one clear line', () => {
  assert.throws(() => encodeGif([]), /at least one frame/);
  assert.throws(() => encodeGif([new Raster(2, 2), new Raster(3, 2)]), /frame 1 is 3x2, frame 0 is 2x2/);
  assert.throws(() => encodeGif([new Raster(2, 2)], { delayMs: [-1] }), /delays must be finite numbers >= 0/);
  const one = decodeGif(encodeGif([new Raster(3, 2, COLORS.wrong)], { repeat: -1 }));
  assert.is(one.loop, null);
  assert.equal(Array.from(one.frames[0].rgb.subarray(0, 3)), [...COLORS.wrong]);
  assert.is(encodePng(new Raster(1, 1)).subarray(1, 4).toString(), 'PNG');
});

test.run();
