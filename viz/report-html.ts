/**
 * `report.html`: one self-contained page (every image inlined as a `data:` URI, no script or
 * style from the network) with the glimpse grid, the animation, the patches per image, the
 * training curves, the run config and the test error. It opens from disk with no network. A
 * small inline script checks on load that every image decoded and says so on the page
 * (`<body data-images="ok">`), which is also what the headless-browser test reads.
 */

/** One picture of the report. */
export interface ReportImage {
  /** Caption / alt text. */
  title: string;
  mime: 'image/png' | 'image/gif' | 'image/svg+xml';
  bytes: Uint8Array | string;
}

/** Everything the report shows. */
export interface ReportContent {
  title: string;
  /** Lines of key facts shown at the top (checkpoint, split, epoch ...). */
  facts: Record<string, string | number | null>;
  /** Test error of the run (from its metrics or checkpoint), or null when unknown. */
  testError: number | null;
  /** How the test error was measured (shown beside it), when known. */
  testDetail?: string | null;
  /** Whether the grid shows the boxes of all scales or only the finest (default finest). */
  scales?: 'finest' | 'all';
  /** Error of the agent on the pictured episodes (a small sample, not the test error). */
  sampleError: { wrong: number; total: number };
  grid: ReportImage;
  animation: ReportImage;
  /** Patches pictures, one per episode. */
  patches: ReportImage[];
  /** Training curves, or null when the run has no metrics file. */
  curves: ReportImage | null;
  /** The run config (any JSON). */
  config: unknown;
}

/** HTML-escapes text. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A `data:` URI of an image (base64). */
export function dataUri(img: ReportImage): string {
  const buf = typeof img.bytes === 'string' ? Buffer.from(img.bytes, 'utf8') : Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength);
  return `data:${img.mime};base64,${buf.toString('base64')}`;
}

function figure(img: ReportImage, cls = ''): string {
  return `<figure${cls ? ` class="${cls}"` : ''}><img src="${dataUri(img)}" alt="${escapeHtml(img.title)}"><figcaption>${escapeHtml(img.title)}</figcaption></figure>`;
}

function pct(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}

// Runs in the browser: marks the page with whether every image decoded.
const CHECK_SCRIPT = `window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var bad = imgs.filter(function (i) { return !i.complete || !(i.naturalWidth > 0); });
  document.body.setAttribute('data-images', bad.length ? 'broken' : 'ok');
  document.body.setAttribute('data-images-loaded', String(imgs.length - bad.length) + '/' + imgs.length);
  if (bad.length) {
    var p = document.createElement('p');
    p.className = 'warn';
    p.textContent = bad.length + ' of ' + imgs.length + ' images failed to load: ' + bad.map(function (i) { return i.alt; }).join(', ');
    document.body.insertBefore(p, document.body.firstChild);
  }
});`;

const STYLE = `body{font-family:sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
figure{margin:8px 0}figcaption{font-size:13px;color:#555}img{image-rendering:pixelated;max-width:100%}
.patches{display:flex;flex-wrap:wrap;gap:12px}.patches figure{margin:0}
table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;font-size:14px;border-bottom:1px solid #eee}
pre{background:#f6f6f6;padding:10px;overflow:auto;font-size:12px}.big{font-size:20px;font-weight:bold}.warn{color:#b00;font-weight:bold}`;

/** The whole report page as an HTML string (see module doc). */
export function buildReportHtml(c: ReportContent): string {
  const facts = Object.entries(c.facts)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v === null ? 'n/a' : String(v))}</td></tr>`)
    .join('');
  const testLine = c.testError === null ? 'test error: not recorded for this run' : `test error: ${pct(c.testError)}`;
  const testDetail = c.testError !== null && c.testDetail ? `<p>${escapeHtml(c.testDetail)}</p>` : '';
  const boxes =
    c.scales === 'all'
      ? 'Each glimpse is a set of nested boxes, one per scale (the finest bright, coarser ones dimmer), coloured and numbered by step'
      : "Each glimpse is the box of its finest scale, coloured and numbered by step (rl-run viz --all-scales adds the coarser scales' boxes)";
  const sample = `${c.sampleError.wrong} of ${c.sampleError.total} pictured episodes wrong`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(c.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(c.title)}</h1>
<p class="big">${escapeHtml(testLine)}</p>
${testDetail}
<p>${escapeHtml(sample)}</p>
<table>${facts}</table>
<h2>Training curves</h2>
${c.curves ? figure(c.curves) : '<p>No metrics.jsonl was found in the run directory or beside the checkpoint, so there are no curves.</p>'}
<h2>Where the agent looks</h2>
<p>${escapeHtml(boxes)}; the white line is the path between glimpse centres. Wrong predictions are framed in red.</p>
${figure(c.grid)}
<h2>Glimpse path, step by step</h2>
${figure(c.animation)}
<h2>What the agent saw</h2>
<p>Columns are steps, rows are scales (finest on top); each patch is shown as the agent received it, upscaled.</p>
<div class="patches">${c.patches.map((p) => figure(p)).join('\n')}</div>
<h2>Run config</h2>
<pre>${escapeHtml(JSON.stringify(c.config, null, 2))}</pre>
<script>${CHECK_SCRIPT}</script>
</body></html>
`;
}
