/**
 * Training curves stay legible at every learning-rate schedule: a constant rate is one flat line
 * titled with its value (no tick labels packed into a float-noise range), a cosine or step decay
 * over decades gets a log axis with power-of-ten ticks, and a shipped model's log (epoch lines
 * only) is plotted per epoch.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderCurvesSvg } from '../viz/curves-svg';
import { parseMetricsJsonl } from '../viz/metrics';

const test = suite('curves-lr');

/** A log of `epochs` epoch lines with the learning rate `lr(e)` (no per-update lines). */
function epochLog(epochs: number, lr: (e: number) => number): string {
  const lines: object[] = [{ type: 'start', batchesPerEpoch: 10, config: {} }];
  for (let e = 1; e <= epochs; e++) {
    lines.push({ type: 'epoch', epoch: e, metrics: { loss: 2 / e, lr: lr(e) } });
    lines.push({ type: 'eval', epoch: e, split: 'val', accuracy: 1 - 1 / (e + 1) });
  }
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** The tick labels (text elements) of the panel titled `title`. */
function panelText(svg: string, title: string): string[] {
  const groups = svg.split('<g transform=').slice(1);
  const g = groups.find((x) => x.includes(`font-weight="bold">${title}</text>`));
  assert.ok(g, `panel '${title}' in ${svg.slice(0, 200)}`);
  return [...g!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

test('a constant learning rate (with float noise) is one flat line named by its value', () => {
  const svg = renderCurvesSvg(parseMetricsJsonl(epochLog(20, (e) => (e % 2 ? 0.001 : 0.0010000000000000007))));
  const texts = panelText(svg, 'lr (constant 0.001)');
  const ticks = texts.filter((t) => /^[\d.e-]+$/.test(t));
  assert.ok(new Set(ticks).size === ticks.length, `no repeated tick labels: ${ticks.join(' ')}`);
});

test('a cosine decay to 1e-5 is drawn on a log axis with power-of-ten ticks', () => {
  const svg = renderCurvesSvg(parseMetricsJsonl(epochLog(200, (e) => 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos((Math.PI * e) / 200)))));
  const texts = panelText(svg, 'lr (log scale)');
  assert.ok(texts.includes('1.0e-5') && texts.includes('1.0e-4'), texts.join(' '));
  assert.ok(texts.includes('epoch (epoch means)'), 'epoch log plotted per epoch');
});

test('a step decay (x0.1 every 50 epochs) is on a log axis too; loss stays linear', () => {
  const svg = renderCurvesSvg(parseMetricsJsonl(epochLog(150, (e) => 1e-3 * 0.1 ** Math.floor((e - 1) / 50))));
  const lr = panelText(svg, 'lr (log scale)');
  assert.ok(lr.includes('1.0e-4') && lr.includes('1.0e-5'), lr.join(' '));
  panelText(svg, 'loss');
});

test.run();
