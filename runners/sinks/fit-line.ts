/**
 * Fits a status line into a terminal width without ever wrapping: the line is a row of fields,
 * each with a priority and optional shorter spellings; while the line is too wide, extras (a bar,
 * minor metrics) are dropped, then fields abbreviated, then dropped, least important first; a last
 * resort cuts the text. Pure functions
 * (no I/O), so every width can be tested.
 *
 * Hand-written rather than a progress-bar library (cli-progress, progress): those pad or cut one
 * template string, but none drops or abbreviates fields by importance, which is what keeps the
 * epoch, batch and ETA readable in an 80-column terminal.
 */

/** One field of a status line. */
export interface Field {
  /** Spellings from longest to shortest; the first that fits is used. */
  forms: string[];
  /**
   * Importance: 0 is never dropped (it can still be abbreviated); from {@link EXTRA} up, extras
   * dropped before anything is abbreviated; otherwise higher numbers are abbreviated and dropped first.
   */
  priority: number;
  /**
   * A bar that takes the width left over (between `min` and `max` cells), drawn by `render(cells)`;
   * `forms` is ignored. Dropped when fewer than `min` cells are left.
   */
  flex?: { min: number; max: number; render: (cells: number) => string };
}

/** Fields of this priority or above are extras: dropped before anything is abbreviated. */
export const EXTRA = 8;

/** Separator between fields. */
export const FIELD_GAP = '  ';

/** Visible length of a string (the line holds no escape sequences, one cell per UTF-16 unit). */
function widthOf(s: string): number {
  return s.length;
}

/**
 * Joins `fields` (in their order) into one line of at most `width` characters. Abbreviates then
 * drops fields from the highest `priority` number down; a flexible bar gets what is left.
 * With `width` Infinity every field keeps its longest form (the bar its `max`).
 */
export function fitLine(fields: readonly Field[], width: number): string {
  const state = fields.map((f) => ({ f, form: 0, shown: true }));
  const fixedWidth = () => {
    const shown = state.filter((s) => s.shown);
    const gaps = Math.max(0, shown.length - 1) * FIELD_GAP.length;
    return gaps + shown.reduce((n, s) => n + (s.f.flex ? s.f.flex.min : widthOf(s.f.forms[s.form])), 0);
  };
  // Least important first; among equals, the later field goes first.
  const order = state.map((s, i) => ({ s, i })).sort((a, b) => b.s.f.priority - a.s.f.priority || b.i - a.i);
  // 1. Drop the extras (priority >= EXTRA: decorations, minor metrics).
  for (const { s } of order) if (fixedWidth() > width && s.f.priority >= EXTRA) s.shown = false;
  // 2. Abbreviate what is left, least important first, one step at a time.
  for (let changed = true; changed && fixedWidth() > width; ) {
    changed = false;
    for (const { s } of order) {
      if (fixedWidth() <= width) break;
      if (s.shown && !s.f.flex && s.form < s.f.forms.length - 1) (s.form++, (changed = true));
    }
  }
  // 3. Drop fields, least important first (never priority 0).
  for (const { s } of order) if (fixedWidth() > width && s.f.priority > 0) s.shown = false;
  const shown = state.filter((s) => s.shown);
  const spare = width - fixedWidth();
  const parts = shown.map((s) => {
    if (!s.f.flex) return s.f.forms[s.form];
    const cells = Math.min(s.f.flex.max, s.f.flex.min + Math.max(0, spare));
    return s.f.flex.render(cells);
  });
  const line = parts.join(FIELD_GAP);
  return widthOf(line) > width ? cut(line, width) : line;
}

/** Cuts `s` to `width` characters, marking the cut with `…`. */
export function cut(s: string, width: number): string {
  if (width <= 0) return '';
  if (s.length <= width) return s;
  return width === 1 ? '…' : s.slice(0, width - 1) + '…';
}

/** `[#####.....]` of `cells` cells in all (brackets included) for a fraction in [0, 1]. */
export function bar(fraction: number, cells: number): string {
  const inner = Math.max(0, cells - 2);
  const filled = Math.max(0, Math.min(inner, Math.round(inner * fraction)));
  return `[${'#'.repeat(filled)}${'.'.repeat(inner - filled)}]`;
}

/** A duration as `42s`, `3m05s`, `1h02m` or `2d03h` (null/NaN/infinite: `?`). */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** A rate with three significant figures at most (`1.23k`, `812`, `45.1`, `3.20`). */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return '?';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k`;
  if (perSecond >= 100) return perSecond.toFixed(0);
  if (perSecond >= 10) return perSecond.toFixed(1);
  return perSecond.toFixed(2);
}

/** A metric value: 4 decimals, or exponent notation when very large or very small. */
export function formatMetric(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(4);
}

/** Short names of common metrics, for narrow terminals. */
const SHORT_NAMES: Record<string, string> = {
  accuracy: 'acc',
  reward: 'rew',
  baseline: 'base',
  baselineMse: 'bmse',
  reinforce: 'rf',
  gradNorm: 'gnorm',
};

/** The forms of a metric field: `accuracy 0.8123`, `acc 0.8123`, `acc .812`. */
export function metricForms(name: string, v: number): string[] {
  const short = SHORT_NAMES[name] ?? name;
  const long = `${name} ${formatMetric(v)}`;
  const forms = [long];
  if (short !== name) forms.push(`${short} ${formatMetric(v)}`);
  if (Number.isFinite(v) && Math.abs(v) < 10 && Math.abs(v) >= 1e-3) forms.push(`${short} ${v.toFixed(3)}`);
  return forms;
}
