/**
 * Training curves from metrics.jsonl and the self-contained report page; the page is opened in
 * headless Chromium (when /usr/bin/chromium exists) to check that every image loads offline.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { niceTicks, renderCurvesSvg, smooth } from '../viz/curves-svg';
import { parseMetricsJsonl, readMetricsJsonl } from '../viz/metrics';
import { buildReportHtml, type ReportContent } from '../viz/report-html';
import { encodeGif } from '../viz/gif';
import { renderGlimpseFrames } from '../viz/glimpse-animation';
import { renderGlimpseGrid } from '../viz/glimpse-grid';
import { renderPatches } from '../viz/patches';
import { encodePng } from '../viz/png';
import { syntheticTrace } from './viz-helpers/synthetic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'viz-report-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A metrics.jsonl as the runner's JSONL sink writes it: 2 epochs of 3 batches, val each epoch, test at the end. */
function fakeJsonl(): string {
  const ev: object[] = [{ type: 'start', runDir: 'r', backend: 'wasm', config: { env: 'mnist', agent: 'ram', lr: 0.001 }, startEpoch: 1, epochs: 2, batchesPerEpoch: 3, batchSize: 8, numParams: 10, resumed: false }];
  let step = 0;
  for (let epoch = 1; epoch <= 2; epoch++) {
    for (let b = 1; b <= 3; b++) {
      step++;
      ev.push({ type: 'batch', epoch, batch: b, batchesPerEpoch: 3, step, metrics: { lossAction: 2 / step, reward: step / 10, baseline: step / 12 }, seconds: 0.1 });
    }
    ev.push({ type: 'epoch', epoch, epochs: 2, metrics: { accuracy: 0.3 * epoch, lossAction: 1 / epoch }, seconds: 1 });
    ev.push({ type: 'eval', epoch, split: 'val', accuracy: 0.25 * epoch, error: 1 - 0.25 * epoch, correct: 1, total: 4, samples: 0, seconds: 0.1 });
  }
  ev.push({ type: 'eval', epoch: 2, split: 'test', accuracy: 0.6, error: 0.4, correct: 6, total: 10, samples: 0, seconds: 0.1 });
  ev.push({ type: 'done', reason: 'completed', epoch: 2, bestValAccuracy: 0.5, bestEpoch: 2, testAccuracy: 0.6, testError: 0.4, secondsPerEpoch: 1, seconds: 3 });
  return ev.map((e) => JSON.stringify({ time: '2025-01-01T00:00:00Z', ...e })).join('\n') + '\n';
}

test('parseMetricsJsonl: series per metric, eval accuracy per split, config and test error', () => {
  const s = parseMetricsJsonl(fakeJsonl() + '{"type":"batch","ste');
  assert.equal(Object.keys(s.batch).sort(), ['baseline', 'lossAction', 'reward']);
  assert.equal(s.batch.reward.map((p) => p.x), [1, 2, 3, 4, 5, 6]);
  assert.equal(s.epoch.accuracy, [{ x: 1, y: 0.3 }, { x: 2, y: 0.6 }]);
  assert.equal(s.evalAccuracy.val, [{ x: 1, y: 0.25 }, { x: 2, y: 0.5 }]);
  assert.equal(s.test, { accuracy: 0.6, error: 0.4 });
  assert.is(s.batchesPerEpoch, 3);
  assert.is(s.config?.lr, 0.001);
  assert.throws(() => parseMetricsJsonl('{"type":"start"}\nnot json\n{}\n', 'm.jsonl'), /m\.jsonl line 2 is not valid JSON/);
  assert.throws(() => readMetricsJsonl(path.join(tmp, 'missing.jsonl')), /cannot read metrics file '.*missing\.jsonl': no such file/);
});

test('curves: nice ticks, debiased EMA, and one SVG panel per metric plus accuracy', () => {
  assert.equal(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(niceTicks(3, 47, 4), [20, 40]);
  // A constant metric whose moving average differs only by rounding (lr 0.001): one tick, not an endless loop.
  assert.equal(niceTicks(0.001, 0.0010000000000000002, 4), [0.001]);
  assert.equal(niceTicks(-0.35, 0.1, 5), [-0.3, -0.2, -0.1, 0, 0.1]);
  assert.equal(smooth([{ x: 0, y: 4 }, { x: 1, y: 4 }], 0.9).map((p) => Number(p.y.toFixed(6))), [4, 4]);
  assert.throws(() => smooth([], 1), /smoothing must be in \[0, 1\)/);
  const svg = renderCurvesSvg(parseMetricsJsonl(fakeJsonl()));
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="960" height="400"/);
  for (const title of ['accuracy', 'baseline', 'lossAction', 'reward']) assert.ok(svg.includes(`font-weight="bold">${title}</text>`), title);
  assert.ok(svg.includes('>test 0.6</text>'), 'test accuracy line labelled');
  assert.ok(svg.includes('>val</text>') && svg.includes('>train</text>'));
  // 4 panels: accuracy + 3 metrics; every path has finite coordinates.
  for (const d of svg.match(/ d="[^"]*"/g) ?? []) assert.not.match(d, /NaN|Infinity/);
  const empty = renderCurvesSvg(parseMetricsJsonl(''));
  assert.ok(empty.includes('no data'));
});

function content(broken: boolean): ReportContent {
  const trace = syntheticTrace({ n: 4, size: 28, glimpseSize: 8, scales: 2, steps: 3 });
  const png = encodePng(renderGlimpseGrid(trace));
  return {
    title: 'glimpse report <test>',
    facts: { checkpoint: '/x/checkpoints/best', split: 'test', epoch: 2 },
    testError: 0.4,
    sampleError: { wrong: 1, total: 4 },
    grid: { title: 'glimpse grid', mime: 'image/png', bytes: broken ? png.subarray(0, 40) : png },
    animation: { title: 'glimpse animation', mime: 'image/gif', bytes: encodeGif(renderGlimpseFrames(trace)) },
    patches: trace.episodes.map((e) => ({ title: `patches of image ${e.index}`, mime: 'image/png', bytes: encodePng(renderPatches(trace, e)) })),
    curves: { title: 'training curves', mime: 'image/svg+xml', bytes: renderCurvesSvg(parseMetricsJsonl(fakeJsonl())) },
    config: { env: 'mnist', note: '</pre><b>' },
  };
}

test('report.html: self-contained (data: URIs only), escaped, with config and test error', () => {
  const html = buildReportHtml(content(false));
  assert.ok(html.includes('test error: 40.00%'));
  assert.ok(html.includes('glimpse report &lt;test&gt;'));
  assert.ok(html.includes('&lt;/pre&gt;&lt;b&gt;'), 'config is escaped');
  const srcs = [...html.matchAll(/ src="([^"]*)"/g)].map((m) => m[1]);
  assert.is(srcs.length, 7);
  for (const s of srcs) assert.match(s, /^data:image\/(png|gif|svg\+xml);base64,/);
  assert.not.match(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no network URL');
});

const CHROMIUM = '/usr/bin/chromium';

/** Loads `file` in headless Chromium with no network and returns the DOM after the load event. */
function dumpDom(file: string): string {
  const profile = fs.mkdtempSync(path.join(tmp, 'chrome-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--virtual-time-budget=5000', '--dump-dom', `file://${file}`];
  return execFileSync(CHROMIUM, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
}

test('report.html: every image loads in headless Chromium (and a broken one is detected)', () => {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`  skip: ${CHROMIUM} not found (apt-get install -y chromium to run the browser check)`);
    return;
  }
  const good = path.join(tmp, 'report.html');
  fs.writeFileSync(good, buildReportHtml(content(false)));
  const dom = dumpDom(good);
  assert.match(dom, /<body[^>]* data-images="ok"/);
  assert.match(dom, /data-images-loaded="7\/7"/);
  const bad = path.join(tmp, 'broken.html');
  fs.writeFileSync(bad, buildReportHtml(content(true)));
  const badDom = dumpDom(bad);
  assert.match(badDom, /data-images="broken"/);
  assert.match(badDom, /data-images-loaded="6\/7"/);
  assert.match(badDom, /1 of 7 images failed to load: glimpse grid/);
});

test.run();
