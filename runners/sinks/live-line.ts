/**
 * One status line on a stream. On a terminal it is redrawn in place, fitted to the terminal's
 * current width (re-read at every draw, and redrawn when the terminal is resized), so it never
 * wraps. Elsewhere (a pipe, a file, CI) it becomes a plain line at most every `intervalMs`
 * (time-based, so a slow epoch and a fast one log at the same pace), plus the lines the caller
 * forces (epoch ends).
 */

/** Where progress goes: a writable stream, a terminal when `isTTY` (then `columns` and 'resize'). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  /** Terminal width in characters (Node's `tty.WriteStream#columns`). */
  columns?: number;
  /** Current `[columns, rows]` asked from the terminal now (Node's `tty.WriteStream#getWindowSize`). */
  getWindowSize?(): [number, number];
  on?(event: 'resize', listener: () => void): unknown;
  removeListener?(event: 'resize', listener: () => void): unknown;
}

/** Options of {@link LiveLine}. */
export interface LiveLineOptions {
  /** Non-terminal output: least time between two status lines (default 10 s). */
  intervalMs?: number;
  /** Clock (tests). */
  now?: () => number;
  /** Force terminal or plain mode; default: `stream.isTTY` and not `$CI`. */
  tty?: boolean;
}

/** Default least time between two status lines when the output is not a terminal. */
export const PLAIN_INTERVAL_MS = 10_000;

/**
 * Least time between two status lines in plain (non-terminal) output: `$RL_RUN_PROGRESS_SECONDS`
 * (seconds, 0 = every update) when set, else {@link PLAIN_INTERVAL_MS}.
 */
export function plainIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.RL_RUN_PROGRESS_SECONDS;
  if (v === undefined || v.trim() === '') return PLAIN_INTERVAL_MS;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : PLAIN_INTERVAL_MS;
}

/** Renders the status for a width (Infinity in plain mode: no width limit). */
export type StatusRenderer = (width: number) => string;

/** A status line redrawn in place on a terminal, throttled plain lines elsewhere (see module doc). */
export class LiveLine {
  /** True when the line is redrawn in place. */
  readonly tty: boolean;
  private readonly stream: ProgressStream;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private render: StatusRenderer | null = null;
  /** Characters of the status currently on screen (0: none). */
  private shown = 0;
  private lastPlain: number;
  private readonly onResize = () => this.redraw();

  constructor(stream: ProgressStream, options: LiveLineOptions = {}) {
    this.stream = stream;
    this.tty = options.tty ?? (!!stream.isTTY && !process.env.CI);
    this.intervalMs = options.intervalMs ?? plainIntervalMs();
    this.now = options.now ?? Date.now;
    this.lastPlain = this.now();
    if (this.tty) stream.on?.('resize', this.onResize);
  }

  /** Usable width: one less than the terminal's, so the cursor never sits in the last column. */
  width(): number {
    // Asked from the terminal at each draw: `columns` is only refreshed when the event loop handles
    // SIGWINCH, which a long synchronous update delays, and a draw at the old width would wrap.
    let cols = this.stream.columns;
    try {
      cols = this.stream.getWindowSize?.()[0] ?? cols;
    } catch {
      // not a terminal after all: keep `columns`
    }
    return Math.max(10, (typeof cols === 'number' && cols > 0 ? cols : 80) - 1);
  }

  /**
   * Shows a new status. Terminal: redrawn now. Plain: printed when `intervalMs` passed since the
   * last plain status line, or when `force`.
   */
  update(render: StatusRenderer, force = false): void {
    this.render = render;
    if (this.tty) {
      this.redraw();
      return;
    }
    const t = this.now();
    if (force || t - this.lastPlain >= this.intervalMs) {
      this.lastPlain = t;
      this.stream.write(render(Infinity) + '\n');
    }
  }

  /** Prints a permanent line above the status (the status is redrawn under it on the next update). */
  print(line: string): void {
    this.clear();
    this.stream.write(line + '\n');
  }

  /** Prints a permanent line rendered for the terminal's width (no limit off a terminal). */
  printFitted(render: StatusRenderer): void {
    this.print(render(this.tty ? this.width() : Infinity));
  }

  /**
   * Tells the line that the terminal echoed `chars` characters at the cursor, which sits at the end
   * of the status: Ctrl-C echoes `^C` there. When the status fills the row, the echo wraps onto the
   * next row; counting it in the status's length makes the next erase go up and clear both rows,
   * so the interrupted status does not stay on screen with a `^` after it.
   */
  noteEcho(chars: number): void {
    if (this.tty && this.shown > 0) this.shown += chars;
  }

  /** Removes the status from the screen (terminal) and forgets it. */
  clear(): void {
    if (this.tty && this.shown > 0) this.stream.write(this.erase(this.width()));
    this.shown = 0;
    this.render = null;
  }

  /** Clears the status and stops listening for resizes. */
  close(): void {
    this.clear();
    if (this.tty) this.stream.removeListener?.('resize', this.onResize);
  }

  /**
   * Escape sequence that erases the status on screen and leaves the cursor at its start. After a
   * shrink the terminal may have re-flowed the old, longer line onto several rows: each is erased
   * with EL (erase line). Never ED (erase display): at the top of a tmux pane that clears the whole
   * screen and scrolls it into the history (tmux's scroll-on-clear), one copy per redraw.
   */
  private erase(width: number): string {
    const rows = this.shown > width + 1 ? Math.ceil(this.shown / (width + 1)) - 1 : 0;
    if (rows === 0) return '\r\x1b[K';
    let seq = `\r\x1b[${rows}A`;
    for (let i = 0; i <= rows; i++) seq += i < rows ? '\x1b[2K\x1b[1B' : '\x1b[2K';
    return seq + `\x1b[${rows}A`;
  }

  private redraw(): void {
    if (!this.render) return;
    const w = this.width();
    const text = this.render(w);
    // Auto-wrap off while the status is written: bytes still in flight when the terminal shrinks
    // are then cut at the margin instead of wrapping onto rows that the next erase cannot know of.
    this.stream.write(`${this.erase(w)}\x1b[?7l${text}\x1b[?7h`);
    this.shown = text.length;
  }
}
