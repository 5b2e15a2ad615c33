/**
 * The report of a shipped model as a user sees it: `rl-run viz` on models/cluttered-mnist (the
 * real model, env and metrics.jsonl), opened in headless Chromium with no network. The page must
 * show the recorded test error (models/cluttered-mnist/eval-test.json, what `rl-run eval` prints)
 * and the training curves with every image decoded; a screenshot is taken and checked to be a
 * real picture (set GLIMPSE_SHOTS_DIR to keep it). Skipped, loudly, only without Chromium.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runners/backend';
import { decodePng } from '../viz/png';
import { runViz } from '../viz/run-viz';

const test = suite('report-screenshot');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const model = path.join(__dirname, '..', 'models', 'cluttered-mnist');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-shot-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function chromium(args: string[]): string {
  const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`];
  return execFileSync(CHROMIUM!, [...flags, ...args], { encoding: 'utf8', timeout: 90_000, stdio: ['ignore', 'pipe', 'ignore'] });
}

test('viz report of models/cluttered-mnist in Chromium: recorded test error, curves, every image; screenshot', async () => {
  if (!CHROMIUM) {
    console.log('\n  SKIP report-screenshot: Chromium is not installed (apt-get install -y chromium); the report was NOT checked as a picture\n');
    return;
  }
  await initBackend('wasm');
  const before = tf.memory().numTensors;
  const out = path.join(tmp, 'viz');
  const r = await runViz({ checkpoint: model, count: 4, out });
  assert.is(tf.memory().numTensors, before);
  const record = JSON.parse(fs.readFileSync(path.join(model, 'eval-test.json'), 'utf8'));
  const shown = `test error: ${(100 * record.error).toFixed(2)}%`;

  const dom = chromium(['--virtual-time-budget=5000', '--dump-dom', `file://${r.files.report}`]);
  assert.match(dom, /<body[^>]* data-images="ok"/, 'every image decoded');
  assert.ok(dom.includes(shown), `${shown} on the page`);
  assert.ok(dom.includes(`${record.samples} sampled rollouts averaged per image`), 'how the error was measured');
  assert.match(dom, /<h2>Training curves<\/h2>\s*<figure><img src="data:image\/svg\+xml/, 'curves drawn from the model\'s metrics.jsonl');

  const shot = path.join(tmp, 'report.png');
  chromium(['--hide-scrollbars', '--window-size=1200,1700', `--screenshot=${shot}`, `file://${r.files.report}`]);
  const png = decodePng(fs.readFileSync(shot));
  assert.is(png.width, 1200);
  assert.is(png.height, 1700);
  // A rendered page, not a blank or error page: many dark (text, plot, image) pixels.
  let dark = 0;
  for (let i = 0; i < png.width * png.height; i++) if (png.data[4 * i] < 128 && png.data[4 * i + 1] < 128 && png.data[4 * i + 2] < 128) dark++;
  assert.ok(dark > 0.02 * png.width * png.height, `${dark} dark pixels`);
  const keep = process.env.GLIMPSE_SHOTS_DIR;
  if (keep) {
    fs.mkdirSync(keep, { recursive: true });
    fs.copyFileSync(shot, path.join(keep, 'report-cluttered-mnist.png'));
  }
});

test.run();
