/**
 * Axis ticks of the training curves on every kind of run: constant, cosine and step learning-rate
 * schedules, and degenerate ranges (one point, all equal, NaN/Inf, 1e-30 wide). A constant
 * learning rate used to hang `niceTicks` (its EMA spreads over ~1e-19) until 'Invalid array length'.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../envs/rng';
import { isFlatRange, niceTicks, renderCurvesSvg, tickLabels } from '../viz/curves-svg';
import { parseMetricsJsonl, type RunSeries } from '../viz/metrics';

const test = suite('curves-ticks');

/** metrics.jsonl text of a run whose batch metrics include `lr(step)`. */
function runJsonl(steps: number, lr: (step: number) => number, perEpoch = 50): string {
  const lines = [JSON.stringify({ type: 'start', batchesPerEpoch: perEpoch, config: { lr: lr(1) } })];
  for (let s = 1; s <= steps; s++) lines.push(JSON.stringify({ type: 'batch', epoch: Math.ceil(s / perEpoch), step: s, metrics: { lr: lr(s), loss: 1 / s } }));
  for (let e = 1; e <= Math.ceil(steps / perEpoch); e++) lines.push(JSON.stringify({ type: 'eval', epoch: e, split: 'val', accuracy: Math.min(1, 0.1 * e) }));
  return lines.join('\n') + '\n';
}

interface Label {
  text: string;
  x: number;
  y: number;
}

/** The y and x tick labels of every panel of an SVG made by renderCurvesSvg, by panel title. */
function panelLabels(svg: string): Record<string, { y: Label[]; x: Label[] }> {
  const out: Record<string, { y: Label[]; x: Label[] }> = {};
  for (const g of svg.split('<g transform=').slice(1)) {
    const title = /font-weight="bold">([^<]*)</.exec(g)![1];
    const grab = (anchor: string) =>
      [...g.matchAll(new RegExp(`<text x="([-\\d.]+)" y="([-\\d.]+)" font-size="10" text-anchor="${anchor}">([^<]*)</text>`, 'g'))].map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3] }));
    out[title] = { y: grab('end'), x: grab('middle') };
  }
  return out;
}

/** The learning-rate panel, whatever its title says of the scale ('lr', 'lr (log scale)', 'lr (constant 0.001)'). */
const lrPanel = (svg: string) => Object.entries(panelLabels(svg)).find(([t]) => t === 'lr' || t.startsWith('lr ('))![1];

/** Tick labels never repeat and never overlap (6 px per character at font size 10, 12 px per line). */
function assertReadable(svg: string): void {
  assert.not.match(svg, /NaN|Infinity|undefined/);
  for (const [title, { x, y }] of Object.entries(panelLabels(svg))) {
    assert.is(new Set(y.map((l) => l.text)).size, y.length, `${title}: y labels repeat: ${y.map((l) => l.text)}`);
    assert.is(new Set(x.map((l) => l.text)).size, x.length, `${title}: x labels repeat: ${x.map((l) => l.text)}`);
    const ys = y.map((l) => l.y).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i] - ys[i - 1] >= 12, `${title}: y labels overlap: ${ys}`);
    const xs = [...x].sort((a, b) => a.x - b.x);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i].x - xs[i - 1].x >= (xs[i].text.length + xs[i - 1].text.length) * 3, `${title}: x labels overlap: ${xs.map((l) => l.text)}`);
    for (const l of y) assert.ok(l.x - l.text.length * 6 >= 0, `${title}: y label ${l.text} leaves the panel`);
  }
}

test('constant, cosine and step learning-rate schedules: viz draws them, labels clean', () => {
  // 10 updates at 0.001 or 3e-4 hung the old niceTicks for 75 s, then 'Invalid array length'.
  for (const steps of [10, 40, 400]) {
    for (const [v, label] of [[0.001, '0.001'], [0.0003, '3.0e-4']] as const) {
      const constant = renderCurvesSvg(parseMetricsJsonl(runJsonl(steps, () => v)));
      assertReadable(constant);
      // A constant learning rate is one value: one label, written once.
      assert.equal(lrPanel(constant).y.map((l) => l.text), [label], `${v} x ${steps}`);
    }
  }
  for (const v of [3e-4, 0.01, 0.1, 1, 7.3e-5, 123456]) {
    const svg = renderCurvesSvg(parseMetricsJsonl(runJsonl(60, () => v)));
    assertReadable(svg);
    assert.is(lrPanel(svg).y.length, 1, String(v));
  }
  const cosine = renderCurvesSvg(parseMetricsJsonl(runJsonl(1000, (s) => 0.0005 * (1 + Math.cos((Math.PI * s) / 1000)))));
  assertReadable(cosine);
  assert.ok(lrPanel(cosine).y.length >= 2);
  const step = renderCurvesSvg(parseMetricsJsonl(runJsonl(600, (s) => (s <= 300 ? 0.001 : 0.0001))));
  assertReadable(step);
  assert.ok(lrPanel(step).y.length >= 2);
  // Long runs: 200k updates (spreading them into Math.min would overflow the stack).
  assertReadable(renderCurvesSvg(parseMetricsJsonl(runJsonl(200_000, () => 0.001, 1000)), { smoothing: 0.9 }));
});

test('degenerate series: one point, all equal, NaN/Inf values, ranges of 1e-30', () => {
  const series = (pts: Array<{ x: number; y: number }>): RunSeries => ({ batch: { m: pts }, epoch: {}, evalAccuracy: {}, batchesPerEpoch: null, config: null, test: null });
  const cases: Array<[string, Array<{ x: number; y: number }>]> = [
    ['one point', [{ x: 1, y: 0.5 }]],
    ['all equal', Array.from({ length: 20 }, (_, i) => ({ x: i + 1, y: -2.5 }))],
    ['zeros', Array.from({ length: 20 }, (_, i) => ({ x: i + 1, y: 0 }))],
    ['NaN and Inf among values', [{ x: 1, y: 1 }, { x: 2, y: NaN }, { x: 3, y: Infinity }, { x: 4, y: -Infinity }, { x: 5, y: 2 }]],
    ['only NaN', [{ x: 1, y: NaN }, { x: 2, y: NaN }]],
    ['1e-30 wide at 0', Array.from({ length: 10 }, (_, i) => ({ x: i, y: i * 1e-31 }))],
    ['1e-30 wide at 1', Array.from({ length: 10 }, (_, i) => ({ x: i, y: 1 + i * 1e-31 }))],
    ['1e-30 wide at 0.001', Array.from({ length: 10 }, (_, i) => ({ x: i, y: 0.001 + i * 1e-31 }))],
    ['huge', [{ x: 0, y: -1e308 }, { x: 1, y: 1e308 }]],
    ['one step', [{ x: 1e15, y: 1 }, { x: 1e15 + 1, y: 2 }]],
  ];
  for (const [name, pts] of cases) {
    for (const smoothing of [0, 0.9]) {
      const svg = renderCurvesSvg(series(pts), { smoothing });
      try {
        assertReadable(svg);
      } catch (e) {
        throw new Error(`${name} (smoothing ${smoothing}): ${(e as Error).message}`);
      }
    }
  }
});

test('niceTicks: bounded, sorted, distinct, inside the range, whatever the input; labels distinct', () => {
  assert.equal(niceTicks(0.001, 0.001 + 4e-19, 4), [0.001]);
  assert.equal(niceTicks(0.0003 - 5e-20, 0.0003, 4), [0.0003]);
  assert.equal(niceTicks(NaN, 2), [2]);
  assert.equal(niceTicks(NaN, NaN), []);
  assert.equal(niceTicks(Infinity, -Infinity), []);
  assert.equal(niceTicks(1, 0, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.ok(isFlatRange(1, 1 + 1e-12) && !isFlatRange(0, 1e-30));
  assert.equal(tickLabels([0, 0.2, 0.4]), ['0', '0.2', '0.4']);
  assert.equal(tickLabels([100000, 150000, 200000]), ['1.0e+5', '1.5e+5', '2.0e+5']);
  const rng = new Rng(7);
  for (let i = 0; i < 3000; i++) {
    const scale = 10 ** (rng.int(80) - 40);
    const a = (rng.uniform() - 0.5) * scale;
    const width = 10 ** -(rng.int(40)) * scale;
    const b = a + (rng.uniform() < 0.1 ? 0 : width);
    const n = 1 + rng.int(8);
    const ticks = niceTicks(a, b, n);
    const ctx = `niceTicks(${a}, ${b}, ${n}) = ${ticks}`;
    assert.ok(ticks.length >= 1 && ticks.length <= 2 * n + 2, ctx);
    for (let k = 1; k < ticks.length; k++) assert.ok(ticks[k] > ticks[k - 1], ctx);
    if (!isFlatRange(a, b)) for (const t of ticks) assert.ok(t >= a - (b - a) * 1e-6 && t <= b + (b - a) * 1e-6, ctx);
    const labels = tickLabels(ticks);
    assert.is(new Set(labels).size, labels.length, `${ctx}: ${labels}`);
  }
});

test.run();
