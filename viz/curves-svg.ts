/**
 * Training curves as one self-contained SVG: an accuracy panel (train accuracy per epoch,
 * validation accuracy per epoch, the final test accuracy as a dashed line) and one panel per
 * algorithm metric (loss terms, reward, baseline ...) against the update step, raw values faint
 * and an exponential moving average on top.
 */
import type { Point, RunSeries } from './metrics';

/** Options of {@link renderCurvesSvg}. */
export interface CurvesOptions {
  /** Panels per row (default 3). */
  columns?: number;
  /** Size of one panel in SVG pixels (default 320 x 200). */
  panelWidth?: number;
  panelHeight?: number;
  /** Smoothing of the moving average in [0, 1) (default 0.9; 0 draws the raw values only). */
  smoothing?: number;
}

/** The colours of successive series (matplotlib's first six). */
export const SERIES_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** Round tick values covering `[lo, hi]` (about `n` of them, steps of 1, 2 or 5 x 10^k). */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // Multiples of step, rounded to 12 digits so 3 * 0.2 prints as 0.6, not 0.6000000000000001.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return out;
}

/** Exponential moving average (TensorBoard's smoothing, debiased at the start). */
export function smooth(points: readonly Point[], weight: number): Point[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing must be in [0, 1), got ${weight}`);
  let acc = 0;
  return points.map((p, i) => {
    acc = weight * acc + (1 - weight) * p.y;
    return { x: p.x, y: acc / (1 - weight ** (i + 1)) };
  });
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One series of a {@link Panel}. Faint series (opacity < 1) stay out of the legend. */
export interface Line {
  label: string;
  points: Point[];
  color: string;
  opacity?: number;
  dashed?: boolean;
  markers?: boolean;
  /** Markers only, no connecting path (categorical x). */
  noPath?: boolean;
  /** Half-heights of vertical error bars, one per point (e.g. a standard deviation). */
  errors?: Array<number | null>;
}

/** One plot: axes, title and its series. */
export interface Panel {
  title: string;
  xLabel: string;
  lines: Line[];
  /** Fixed y range (accuracy: 0..1). */
  yRange?: [number, number];
  /** Labelled x ticks instead of numeric ones (categorical x, e.g. one per configuration). */
  xTicks?: Array<{ x: number; label: string }>;
}

/** Draws `p` into the box at (x0, y0) of size w x h; an SVG `<g>` fragment. */
export function drawPanel(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const m = { l: 52, r: 12, t: 24, b: 34 };
  const pw = w - m.l - m.r, ph = h - m.t - m.b;
  const all = p.lines.flatMap((l) => l.points.flatMap((q, i) => {
    const e = l.errors?.[i];
    return e ? [q, { x: q.x, y: q.y - e }, { x: q.x, y: q.y + e }] : [q];
  }));
  const parts: string[] = [`<g transform="translate(${x0},${y0})">`, `<text x="${m.l}" y="15" font-size="13" font-weight="bold">${esc(p.title)}</text>`];
  if (all.length === 0) {
    parts.push(`<text x="${m.l}" y="${m.t + ph / 2}" font-size="12" fill="#888">no data</text></g>`);
    return parts.join('');
  }
  let xlo = Math.min(...all.map((q) => q.x)), xhi = Math.max(...all.map((q) => q.x));
  let [ylo, yhi] = p.yRange ?? [Math.min(...all.map((q) => q.y)), Math.max(...all.map((q) => q.y))];
  if (p.xTicks?.length) (xlo = Math.min(xlo, ...p.xTicks.map((t) => t.x)) - 0.5), (xhi = Math.max(xhi, ...p.xTicks.map((t) => t.x)) + 0.5);
  if (xhi === xlo) (xlo -= 0.5), (xhi += 0.5);
  if (yhi === ylo) (ylo -= Math.abs(ylo) * 0.1 || 0.5), (yhi += Math.abs(yhi) * 0.1 || 0.5);
  const sx = (v: number) => m.l + ((v - xlo) / (xhi - xlo)) * pw;
  const sy = (v: number) => m.t + ph - ((v - ylo) / (yhi - ylo)) * ph;
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(ylo, yhi, 4)) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${(sy(t) + 4).toFixed(1)}" font-size="10" text-anchor="end">${fmt(t)}</text>`);
  }
  const xTicks = p.xTicks ?? niceTicks(xlo, xhi, 5).map((t) => ({ x: t, label: fmt(t) }));
  for (const t of xTicks) {
    parts.push(`<text x="${sx(t.x).toFixed(1)}" y="${m.t + ph + 13}" font-size="10" text-anchor="middle">${esc(t.label)}</text>`);
  }
  parts.push(`<text x="${m.l + pw / 2}" y="${h - 4}" font-size="11" text-anchor="middle" fill="#555">${esc(p.xLabel)}</text>`);
  let legendX = m.l + pw;
  for (const l of [...p.lines].reverse()) {
    const d = l.points.map((q, i) => `${i ? 'L' : 'M'}${sx(q.x).toFixed(1)},${sy(q.y).toFixed(1)}`).join('');
    const style = `fill="none" stroke="${l.color}" stroke-width="1.5"${l.opacity !== undefined ? ` stroke-opacity="${l.opacity}"` : ''}${l.dashed ? ' stroke-dasharray="5,3"' : ''}`;
    if (!l.noPath) parts.push(`<path d="${d}" ${style}><title>${esc(l.label)}</title></path>`);
    l.errors?.forEach((e, i) => {
      const q = l.points[i];
      if (!e || !q) return;
      const x = sx(q.x).toFixed(1);
      parts.push(`<path d="M${x},${sy(q.y - e).toFixed(1)}V${sy(q.y + e).toFixed(1)}M${(sx(q.x) - 4).toFixed(1)},${sy(q.y - e).toFixed(1)}h8M${(sx(q.x) - 4).toFixed(1)},${sy(q.y + e).toFixed(1)}h8" stroke="${l.color}" stroke-width="1.5" fill="none"/>`);
    });
    if (l.markers) for (const q of l.points) parts.push(`<circle cx="${sx(q.x).toFixed(1)}" cy="${sy(q.y).toFixed(1)}" r="2.5" fill="${l.color}"${l.opacity !== undefined ? ` fill-opacity="${l.opacity}"` : ''}/>`);
    if (l.opacity === undefined || l.opacity >= 1) {
      const tw = l.label.length * 6 + 18;
      legendX -= tw;
      parts.push(`<line x1="${legendX}" x2="${legendX + 12}" y1="11" y2="11" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="4,2"' : ''}/>`);
      parts.push(`<text x="${legendX + 15}" y="15" font-size="10">${esc(l.label)}</text>`);
    }
  }
  parts.push('</g>');
  return parts.join('');
}

/** The panels of a run (see module doc), accuracy first, then metrics in alphabetical order. */
function panelsOf(series: RunSeries, smoothing: number): Panel[] {
  const acc: Line[] = [];
  const trainAcc = Object.keys(series.epoch).find((k) => /^(train)?acc(uracy)?$/i.test(k));
  if (trainAcc) acc.push({ label: 'train', points: series.epoch[trainAcc], color: SERIES_COLORS[0], markers: true });
  Object.entries(series.evalAccuracy).forEach(([split, pts], i) => {
    if (split === 'test') return;
    acc.push({ label: split, points: pts, color: SERIES_COLORS[(i + 1) % SERIES_COLORS.length], markers: true });
  });
  const test = series.test?.accuracy ?? series.evalAccuracy.test?.[series.evalAccuracy.test.length - 1]?.y;
  if (test !== undefined && acc.length > 0) {
    const xs = acc.flatMap((l) => l.points.map((q) => q.x));
    acc.push({ label: `test ${fmt(test)}`, points: [{ x: Math.min(...xs), y: test }, { x: Math.max(...xs), y: test }], color: SERIES_COLORS[3], dashed: true });
  }
  const panels: Panel[] = [{ title: 'accuracy', xLabel: 'epoch', lines: acc, yRange: [0, 1] }];
  for (const key of Object.keys(series.batch).sort()) {
    const raw = series.batch[key];
    const lines: Line[] = [{ label: key, points: raw, color: SERIES_COLORS[0], opacity: smoothing > 0 ? 0.25 : 1 }];
    if (smoothing > 0) lines.push({ label: `EMA ${smoothing}`, points: smooth(raw, smoothing), color: SERIES_COLORS[0] });
    panels.push({ title: key, xLabel: 'update step', lines });
  }
  return panels;
}

/** The training curves of `series` as a standalone SVG document (a string). */
export function renderCurvesSvg(series: RunSeries, options: CurvesOptions = {}): string {
  const columns = options.columns ?? 3;
  const w = options.panelWidth ?? 320, h = options.panelHeight ?? 200;
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`curves: columns must be an integer >= 1, got ${columns}`);
  const panels = panelsOf(series, options.smoothing ?? 0.9);
  const cols = Math.min(columns, panels.length);
  const rows = Math.ceil(panels.length / cols);
  const W = cols * w, H = rows * h;
  const body = panels.map((p, i) => drawPanel(p, (i % cols) * w, Math.floor(i / cols) * h, w, h)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n<rect width="${W}" height="${H}" fill="#fff"/>\n${body}\n</svg>\n`;
}
