/**
 * Training curves as one self-contained SVG: an accuracy panel (train accuracy per epoch,
 * validation accuracy per epoch, the final test accuracy as a dashed line) and one panel per
 * algorithm metric (loss terms, reward, baseline ...) against the update step, raw values faint
 * and an exponential moving average on top. A log without per-update lines (a shipped model's,
 * see scripts/promote-model.sh) plots the epoch means against the epoch instead. The learning
 * rate is drawn on a log axis when it spans a decade or more (cosine, step decay), and a series
 * that does not change (a constant learning rate) as one flat line titled with its value.
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

/**
 * A range narrower than this fraction of its values' magnitude is one value (the debiased EMA of
 * a constant learning rate spreads over ~1e-19): it gets one tick, and the loop below never has to
 * count to 1e16.
 */
const FLAT = 1e-9;

/** Whether `[lo, hi]` is a single value for plotting (see {@link FLAT}). */
export function isFlatRange(lo: number, hi: number): boolean {
  return !(hi - lo > FLAT * Math.max(Math.abs(lo), Math.abs(hi)));
}

/**
 * Round tick values covering `[lo, hi]` (about `n` of them, steps of 1, 2 or 5 x 10^k), at most
 * `2n + 2` whatever the input. A flat range (see {@link isFlatRange}) gives its one value; non-finite
 * bounds are ignored (both non-finite: no ticks).
 */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!Number.isFinite(lo)) lo = hi;
  if (!Number.isFinite(hi)) hi = lo;
  if (!Number.isFinite(lo)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (isFlatRange(lo, hi)) return [Number(((lo + hi) / 2).toPrecision(12))];
  n = Math.min(50, Math.max(1, Math.floor(n) || 1));
  // hi / n - lo / n, not (hi - lo) / n: finite even for a range wider than the largest double.
  const raw = hi / n - lo / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  // A step wider than a short range may have no multiple inside it; a tenth of it always has.
  for (const s of [step, step / 10]) {
    if (!(s > 0) || !Number.isFinite(s)) break;
    const out = multiples(lo, hi, s, 2 * n + 2);
    if (out.length > 0) return out;
  }
  return [Number(lo.toPrecision(12))];
}

/** The multiples of `step` in `[lo, hi]`, at most `max` of them. */
function multiples(lo: number, hi: number, step: number, max: number): number[] {
  // |lo / step| <= 10 n / FLAT: far below 2^53, so k counts exactly.
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const out: number[] = [];
  // Multiples of step, rounded to 12 digits so 3 * 0.2 prints as 0.6, not 0.6000000000000001.
  for (let k = first; k <= last && out.length < max; k++) {
    const t = k === 0 ? 0 : Number((k * step).toPrecision(12));
    if (out[out.length - 1] !== t && Number.isFinite(t)) out.push(t);
  }
  return out;
}

/**
 * Labels of a set of ticks, all in one notation and distinct: fixed-point with as many decimals as
 * the step needs, or exponential for very large or small values (more digits until no two labels
 * of different ticks are equal).
 */
export function tickLabels(ticks: readonly number[]): string[] {
  if (ticks.length === 0) return [];
  if (ticks.length === 1) return [fmt(ticks[0])];
  let step = Infinity;
  for (let i = 1; i < ticks.length; i++) step = Math.min(step, Math.abs(ticks[i] - ticks[i - 1]));
  const maxAbs = Math.max(...ticks.map(Math.abs));
  const stepExp = Math.floor(Math.log10(step));
  const exponential = maxAbs >= 1e5 || maxAbs < 1e-3;
  const label = (t: number, extra: number): string => {
    if (t === 0) return '0';
    if (exponential) return t.toExponential(Math.min(20, Math.max(0, Math.floor(Math.log10(maxAbs)) - stepExp) + extra));
    return t.toFixed(Math.min(20, Math.max(0, -stepExp) + extra));
  };
  for (let extra = 0; extra < 6; extra++) {
    const labels = ticks.map((t) => label(t, extra));
    if (new Set(labels).size === labels.length) return labels;
  }
  return ticks.map((t) => String(t));
}
/** Exponential moving average (TensorBoard's smoothing, debiased at the start) of the finite points. */
export function smooth(points: readonly Point[], weight: number): Point[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing must be in [0, 1), got ${weight}`);
  let acc = 0;
  // Non-finite values are skipped: one NaN would poison every later average.
  return points.filter((p) => Number.isFinite(p.y)).map((p, i) => {
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
  /** Log-10 y axis (all values > 0). */
  logY?: boolean;
  /** Labelled x ticks instead of numeric ones (categorical x, e.g. one per configuration). */
  xTicks?: Array<{ x: number; label: string }>;
}

/** Smallest and largest of `values` (a loop: spreading 100k points into Math.min overflows the stack). */
function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Where `v` lies in `[lo, hi]` (0..1); halved first so a range wider than the largest double stays finite. */
function fraction(v: number, lo: number, hi: number): number {
  return (v / 2 - lo / 2) / (hi / 2 - lo / 2);
}

/** Estimated width in SVG pixels of `text` at font size 10. */
const labelWidth = (text: string) => text.length * 6;

/**
 * Ticks for an axis of `pixels` length whose labels do not overlap: fewer ticks until every gap
 * between two tick positions holds the labels on either side (`vertical`: one line of text).
 */
function axisTicks(lo: number, hi: number, n: number, pixels: number, vertical: boolean): { ticks: number[]; labels: string[] } {
  for (let k = n; ; k--) {
    const ticks = isFlatRange(lo, hi) ? [] : niceTicks(lo, hi, k);
    const labels = tickLabels(ticks);
    const px = (t: number) => fraction(t, lo, hi) * pixels;
    let fits = true;
    for (let i = 1; i < ticks.length && fits; i++) {
      const need = vertical ? 12 : (labelWidth(labels[i - 1]) + labelWidth(labels[i])) / 2 + 4;
      fits = px(ticks[i]) - px(ticks[i - 1]) >= need;
    }
    if (fits || k <= 1) return { ticks, labels };
  }
}

/** True when every value of `ys` is the same up to float noise (e.g. a constant learning rate). */
function isConstant(ys: readonly number[]): boolean {
  const [lo, hi] = extent(ys);
  return isFlatRange(lo, hi);
}

/** Learning-rate-like metrics that get a log axis when they span a decade or more. */
const LOG_WHEN_WIDE = /^(lr|learningRate)$/;

/** Draws `p` into the box at (x0, y0) of size w x h; an SVG `<g>` fragment. */
export function drawPanel(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const m = { l: 52, r: 12, t: 24, b: 34 };
  // A log axis draws log10(y). Only finite points are drawn (a NaN or Inf, or y <= 0 on a log
  // axis, would poison every coordinate).
  const ty = (v: number) => (p.logY ? Math.log10(v) : v);
  const lines = p.lines.map((l) => {
    // Error bars stay aligned with the points they belong to.
    const kept = l.points.map((q, i) => ({ q: { x: q.x, y: ty(q.y) }, e: l.errors?.[i] ?? null })).filter(({ q }) => Number.isFinite(q.x) && Number.isFinite(q.y));
    return { ...l, points: kept.map((k) => k.q), errors: l.errors ? kept.map((k) => k.e) : undefined };
  });
  const all = lines.flatMap((l) => l.points.flatMap((q, i) => {
    const e = l.errors?.[i];
    return e ? [q, { x: q.x, y: q.y - e }, { x: q.x, y: q.y + e }] : [q];
  }));
  const parts: string[] = [`<g transform="translate(${x0},${y0})">`, `<text x="${m.l}" y="15" font-size="13" font-weight="bold">${esc(p.title)}</text>`];
  if (all.length === 0) {
    parts.push(`<text x="${m.l}" y="${m.t + (h - m.t - m.b) / 2}" font-size="12" fill="#888">no data</text></g>`);
    return parts.join('');
  }
  let [xlo, xhi] = extent(all.map((q) => q.x));
  let [ylo, yhi] = p.yRange ?? extent(all.map((q) => q.y));
  if (p.xTicks?.length) {
    const [tlo, thi] = extent(p.xTicks.map((t) => t.x));
    (xlo = Math.min(xlo, tlo) - 0.5), (xhi = Math.max(xhi, thi) + 0.5);
  }
  // A flat range (one point, a constant, or float noise around one value) is one tick at that
  // value, drawn mid-panel: a constant learning rate of 0.001 reads "0.001", once.
  const flatX = isFlatRange(xlo, xhi), flatY = isFlatRange(ylo, yhi);
  const widen = (lo: number, hi: number): [number, number] => {
    const c = (lo + hi) / 2;
    const d = Math.abs(c) * 0.1 || 0.5;
    return [Math.max(-Number.MAX_VALUE, c - d), Math.min(Number.MAX_VALUE, c + d)];
  };
  const yOnly = flatY ? niceTicks(ylo, yhi) : [];
  const xOnly = flatX ? niceTicks(xlo, xhi) : [];
  if (flatX) [xlo, xhi] = widen(xlo, xhi);
  if (flatY) [ylo, yhi] = widen(ylo, yhi);
  const ph = h - m.t - m.b;
  const yAxis = flatY ? { ticks: yOnly, labels: tickLabels(yOnly) } : p.logY ? logAxis(ylo, yhi) : axisTicks(ylo, yhi, 4, ph, true);
  // Room on the left for the widest y label.
  m.l = Math.max(m.l, Math.max(...yAxis.labels.map(labelWidth)) + 10);
  const pw = w - m.l - m.r;
  const xAxis = p.xTicks ? { ticks: p.xTicks.map((t) => t.x), labels: p.xTicks.map((t) => esc(t.label)) } : flatX ? { ticks: xOnly, labels: tickLabels(xOnly) } : axisTicks(xlo, xhi, 5, pw, false);
  const sx = (v: number) => m.l + fraction(v, xlo, xhi) * pw;
  const sy = (v: number) => m.t + ph - fraction(v, ylo, yhi) * ph;
  parts[1] = `<text x="${m.l}" y="15" font-size="13" font-weight="bold">${esc(p.title)}</text>`;
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  yAxis.ticks.forEach((t, i) => {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${(sy(t) + 4).toFixed(1)}" font-size="10" text-anchor="end">${yAxis.labels[i]}</text>`);
  });
  xAxis.ticks.forEach((t, i) => {
    parts.push(`<text x="${sx(t).toFixed(1)}" y="${m.t + ph + 13}" font-size="10" text-anchor="middle">${xAxis.labels[i]}</text>`);
  });
  parts.push(`<text x="${m.l + pw / 2}" y="${h - 4}" font-size="11" text-anchor="middle" fill="#555">${esc(p.xLabel)}</text>`);
  let legendX = m.l + pw;
  for (const l of [...lines].reverse()) {
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

/** Powers of ten inside the log10 range `[lo, hi]` (as values, not exponents); the ends when none. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  // lo and hi are log10 of finite doubles, so this runs at most ~650 times.
  for (let k = Math.ceil(lo - 1e-9); k <= hi + 1e-9; k++) out.push(10 ** k);
  return out.length >= 2 ? out : [10 ** lo, 10 ** hi];
}

/** A log axis over the log10 range `[lo, hi]`: tick positions as exponents, labels as values. */
function logAxis(lo: number, hi: number): { ticks: number[]; labels: string[] } {
  const values = logTicks(lo, hi);
  // Powers of ten read best as such (1.0e-4), and are distinct by construction.
  return { ticks: values.map((v) => Math.log10(v)), labels: values.map((v) => v.toExponential(1)) };
}

/** One metric's panel: constant series titled with their value, a wide learning rate on a log axis. */
function metricPanel(key: string, raw: Point[], xLabel: string, smoothing: number, markers: boolean): Panel {
  // Finite values only: a NaN or Inf is not drawn, so it must not name or scale the panel either.
  const ys = raw.map((q) => q.y).filter(Number.isFinite);
  if (ys.length > 0 && isConstant(ys)) {
    return { title: `${key} (constant ${fmt(ys[0])})`, xLabel, lines: [{ label: key, points: raw, color: SERIES_COLORS[0] }] };
  }
  const [ymin, ymax] = extent(ys);
  const logY = LOG_WHEN_WIDE.test(key) && ys.every((y) => y > 0) && ymax / ymin >= 10;
  const smoothed = smoothing > 0 && !markers;
  const lines: Line[] = [{ label: key, points: raw, color: SERIES_COLORS[0], opacity: smoothed ? 0.25 : 1, markers: markers && raw.length <= 60 }];
  if (smoothed) lines.push({ label: `EMA ${smoothing}`, points: smooth(raw, smoothing), color: SERIES_COLORS[0] });
  return { title: logY ? `${key} (log scale)` : key, xLabel, lines, logY };
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
    const [x0, x1] = extent(xs);
    acc.push({ label: `test ${fmt(test)}`, points: [{ x: x0, y: test }, { x: x1, y: test }], color: SERIES_COLORS[3], dashed: true });
  }
  const panels: Panel[] = [{ title: 'accuracy', xLabel: 'epoch', lines: acc, yRange: [0, 1] }];
  // Per-update metrics when the log has them, else the epoch means (a shipped model's log).
  const perBatch = Object.keys(series.batch).length > 0;
  const metrics = perBatch ? series.batch : series.epoch;
  for (const key of Object.keys(metrics).sort()) {
    panels.push(metricPanel(key, metrics[key], perBatch ? 'update step' : 'epoch (epoch means)', smoothing, !perBatch));
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
