/**
 * `results.html` of a sweep: one self-contained page (inline SVG, no script or style from the
 * network) with the table per configuration, a plot of the validation accuracy per epoch (mean
 * over seeds, each seed faint) and of the test errors (each seed, and mean ± std), and every trial.
 * The plots are drawn with the panels of the run curves (viz/curves-svg.ts).
 */
import * as path from 'path';
import { writeFileAtomic } from '../atomic-write';
import { drawPanel, SERIES_COLORS, type Line, type Panel } from '../../viz/curves-svg';
import { escapeHtml } from '../../viz/report-html';
import { formatStat, type SweepResults } from './results';

/** The y range of a panel's points and error bars, with 6% room above and below (no dot on the frame). */
function paddedRange(lines: Line[]): [number, number] | undefined {
  const ys = lines.flatMap((l) => l.points.flatMap((q, i) => [q.y - (l.errors?.[i] ?? 0), q.y + (l.errors?.[i] ?? 0)]));
  if (ys.length === 0) return undefined;
  const lo = Math.min(...ys), hi = Math.max(...ys);
  const pad = hi > lo ? 0.06 * (hi - lo) : 0.01;
  return [lo - pad, hi + pad];
}

/** Validation accuracy per epoch: per configuration the mean over its seeds, and each seed faint. */
function valPanel(r: SweepResults): Panel {
  const lines: Line[] = [];
  r.configs.forEach((c, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    const curves = r.trials.filter((t) => t.configId === c.configId).map((t) => t.valCurve);
    for (const curve of curves) lines.push({ label: c.label, points: curve.map(([x, y]) => ({ x, y })), color, opacity: 0.3 });
    const epochs = [...new Set(curves.flat().map(([e]) => e))].sort((a, b) => a - b);
    const mean = epochs
      .map((e) => {
        const ys = curves.map((cv) => cv.find(([x]) => x === e)?.[1]).filter((y): y is number => y !== undefined);
        return ys.length === curves.length ? { x: e, y: ys.reduce((a, b) => a + b, 0) / ys.length } : null;
      })
      .filter((p): p is { x: number; y: number } => p !== null);
    lines.push({ label: c.label, points: mean, color, markers: true });
  });
  const epochs = [...new Set(lines.flatMap((l) => l.points.map((q) => q.x)))].sort((a, b) => a - b);
  // Whole epochs on the axis when there are few (no 1.5); nice ticks otherwise.
  const xTicks = epochs.length > 0 && epochs.length <= 12 ? epochs.map((e) => ({ x: e, label: String(e) })) : undefined;
  return { title: 'validation accuracy', xLabel: 'epoch', lines, xTicks, yRange: paddedRange(lines) };
}

/** Test error per configuration: each seed (faint) and the mean ± std, greedy and Monte-Carlo side by side. */
function testPanel(r: SweepResults): Panel {
  const lines: Line[] = [];
  const modes = [
    { key: 'testErrorGreedy' as const, label: 'greedy', dx: -0.12, color: SERIES_COLORS[0] },
    { key: 'testErrorMC' as const, label: `MC ${r.mcSamples}`, dx: 0.12, color: SERIES_COLORS[1] },
  ];
  for (const m of modes) {
    const seeds = r.configs.flatMap((c, i) => r.trials.filter((t) => t.configId === c.configId).map((t) => ({ x: i + 1 + m.dx, y: t[m.key] })));
    lines.push({ label: m.label, points: seeds, color: m.color, noPath: true, markers: true, opacity: 0.35 });
    const means = r.configs.map((c, i) => ({ x: i + 1 + m.dx, s: c[m.key] })).filter((p) => p.s.mean !== null);
    lines.push({ label: m.label, points: means.map((p) => ({ x: p.x, y: p.s.mean! })), errors: means.map((p) => p.s.std), color: m.color, noPath: true, markers: true });
  }
  return { title: 'test error', xLabel: 'configuration', lines, yRange: paddedRange(lines), xTicks: r.configs.map((c, i) => ({ x: i + 1, label: c.label })) };
}

/** The two panels as one SVG document. */
export function renderSweepSvg(r: SweepResults): string {
  const h = 300;
  const w1 = 460;
  const w2 = Math.max(420, 80 + r.configs.length * Math.max(110, 6.5 * Math.max(...r.configs.map((c) => c.label.length)) + 16));
  const W = w1 + w2;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">\n<rect width="${W}" height="${h}" fill="#fff"/>\n${drawPanel(valPanel(r), 0, 0, w1, h)}\n${drawPanel(testPanel(r), w1, 0, w2, h)}\n</svg>\n`;
}

const STYLE = `body{font-family:sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{padding:3px 10px;text-align:right;font-size:14px;border-bottom:1px solid #eee}
td:first-child,th:first-child{text-align:left}.warn{color:#b00;font-weight:bold}svg{max-width:100%;height:auto}`;

function pct(v: number | null): string {
  return v === null ? '-' : (100 * v).toFixed(2);
}

/** The page (see module doc). */
export function buildSweepHtml(r: SweepResults): string {
  const head = `<tr><th>config</th><th>seeds</th><th>best val acc %</th><th>test err % greedy</th><th>test err % MC${r.mcSamples}</th><th>train s</th></tr>`;
  const rows = r.configs
    .map((c) => `<tr><td>${escapeHtml(c.label)}</td><td>${c.finished}/${c.planned}</td><td>${formatStat(c.bestValAccuracy, 100)}</td><td>${formatStat(c.testErrorGreedy, 100)}</td><td>${formatStat(c.testErrorMC, 100)}</td><td>${formatStat(c.trainSeconds, 1, 1)}</td></tr>`)
    .join('\n');
  const trialHead = '<tr><th>trial</th><th>seed</th><th>best val acc %</th><th>best epoch</th><th>test err % greedy</th><th>test err % MC</th><th>train s</th><th>host</th></tr>';
  const trialRows = r.trials
    .map((t) => `<tr><td>${escapeHtml(t.id)}</td><td>${t.seed}</td><td>${pct(t.bestValAccuracy)}</td><td>${t.bestEpoch ?? '-'}</td><td>${pct(t.testErrorGreedy)}</td><td>${pct(t.testErrorMC)}</td><td>${t.trainSeconds.toFixed(1)}</td><td>${escapeHtml(t.host)}</td></tr>`)
    .join('\n');
  const status = r.complete ? '' : `<p class="warn">Incomplete: ${r.trials.length} of ${r.configs.reduce((n, c) => n + c.planned, 0)} trials finished${r.failed.length ? `, ${r.failed.length} failed` : ''}; run the sweep again to finish it.</p>`;
  const failed = r.failed.length ? `<h2>Failed trials</h2><ul>${r.failed.map((f) => `<li>${escapeHtml(f.id)}: ${escapeHtml(f.error)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>sweep ${escapeHtml(r.name)}</title><style>${STYLE}</style></head>
<body>
<h1>Sweep ${escapeHtml(r.name)}</h1>
${status}
<p>Seeds ${escapeHtml(r.seeds.join(', '))}; mean ± sample standard deviation over seeds. Test errors are of each run's best-on-validation checkpoint, greedy and averaging ${r.mcSamples} sampled rollouts (MC${r.mcSamples}); train s is the training time per run (evaluation excluded).</p>
<table>${head}\n${rows}</table>
<h2>Curves and errors</h2>
${renderSweepSvg(r)}
<p>Left: validation accuracy per epoch, the mean over seeds per configuration (bold) and each seed (faint). Right: test error per configuration, greedy and MC${r.mcSamples}: each seed (faint dots) and the mean with a bar of ± one standard deviation.</p>
<h2>Trials</h2>
<table>${trialHead}\n${trialRows}</table>
${failed}
<p>Folder: ${escapeHtml(r.dir)}</p>
</body></html>
`;
}

/** Writes `results.html` of the sweep (atomically); returns its path. */
export function writeResultsHtml(r: SweepResults): string {
  const file = path.join(r.dir, 'results.html');
  writeFileAtomic(file, buildSweepHtml(r));
  return file;
}
