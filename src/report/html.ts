// The compare report as one self-contained HTML file: inline CSS and SVG, no script and nothing fetched at
// view time. Charts: per-layer time FP32 vs INT8 (grouped horizontal bars), per-layer output error of INT8
// against FP32 (log-scale bars of relative L2), time per op type; plus the accuracy/throughput table.
import type { LatencyStats, RatioStats } from './stats';

export interface RunSummary {
  model: string;
  backend: string;
  /** where the ops ran: steps per backend, runtime reorders, ops that fell back from the first backend */
  placement?: { counts: Record<string, number>; reorders: number; fallbacks: { op: string; backend: string; declined: string[] }[] };
  isa: string;
  threads: number;
  batchSize: number;
  iterations: number;
  top1: number;
  top5: number;
  fps: number;
  latency: LatencyStats;
  /** per timed batch, ms */
  batchMs?: number[];
}

export interface LayerRow {
  /** the layer's op in the INT8 model, type and id: `conv2d(37)` (ids as --op_ids_to_skip and qdeploy dot take them) */
  label: string;
  /** the var both models produce (the layer's output) */
  var: string;
  /** op types of the segment in each model, e.g. "conv2d+batch_norm+relu" / "conv2d" */
  fp32Ops: string;
  int8Ops: string;
  fp32Ms: number;
  int8Ms: number;
  /** dtype of the INT8 model's var */
  int8Dtype: string;
  relL2: number;
  maxAbs: number;
  cosine: number;
}

export interface CompareData {
  title: string;
  generated: string;
  fp32: RunSummary;
  int8: RunSummary;
  layers: LayerRow[];
  /** which model the layer labels' op ids belong to */
  layerIds?: string;
  /** FP32 ms / INT8 ms per batch, the two timed in turn */
  speedup?: RatioStats;
  opTypes: { type: string; fp32Ms: number; int8Ms: number }[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** `wasm 60, reference 2 / 0`: ops per backend / reorders */
const placed = (r: RunSummary) => (r.placement ? esc(`${Object.entries(r.placement.counts).map(([k, n]) => `${k} ${n}`).join(', ')} / ${r.placement.reorders}`) : '');
const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const FP32 = '#4e79a7', INT8 = '#f28e2b', ERR = '#e15759';

function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/** left margin that fits every label whole (11px sans-serif: about 6.6px a character) */
const labelMargin = (labels: string[]) => Math.max(80, Math.ceil(12 + 6.6 * Math.max(0, ...labels.map((l) => l.length))));

/** a row label, whole; the tooltip (e.g. the var name) on hover */
const rowLabel = (x: number, y: number, label: string, tip?: string) =>
  `<text x="${x}" y="${y}" class="l" text-anchor="end">${tip ? `<title>${esc(label)}: ${esc(tip)}</title>` : ''}${esc(label)}</text>`;

/** grouped horizontal bars: one row per label, one bar per series; `tips`: a tooltip per row */
export function barChart(o: { labels: string[]; tips?: string[]; series: { name: string; color: string; values: number[] }[]; unit: string; title: string }): string {
  const rowH = 6 + 9 * o.series.length, left = labelMargin(o.labels), right = 70, top = 46, width = left + 670;
  const plotW = width - left - right;
  const max = niceMax(Math.max(0, ...o.series.flatMap((s) => s.values.filter(Number.isFinite))));
  const h = top + o.labels.length * rowH + 30;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" role="img" aria-label="${esc(o.title)}">`,
    `<text x="${left}" y="16" class="t">${esc(o.title)}</text>`];
  o.series.forEach((s, i) => out.push(`<rect x="${left + i * 90}" y="24" width="10" height="10" fill="${s.color}"/><text x="${left + 14 + i * 90}" y="33" class="l">${esc(s.name)}</text>`));
  for (let k = 0; k <= 4; k++) {
    const x = left + (plotW * k) / 4;
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${h - 26}" class="g"/><text x="${x}" y="${h - 12}" class="a" text-anchor="middle">${+(max * k / 4).toPrecision(3)} ${esc(o.unit)}</text>`);
  }
  o.labels.forEach((label, r) => {
    const y = top + r * rowH;
    const tip = o.tips?.[r];
    out.push(rowLabel(left - 6, y + rowH / 2 + 3, label, tip));
    o.series.forEach((s, i) => {
      const v = s.values[r];
      const w = Number.isFinite(v) ? Math.max(0.5, (plotW * v) / max) : 0;
      out.push(`<rect x="${left}" y="${y + 3 + i * 9}" width="${w.toFixed(1)}" height="8" fill="${s.color}"><title>${esc(label)}${tip ? ` (${esc(tip)})` : ''} ${esc(s.name)}: ${f(v)} ${esc(o.unit)}</title></rect>`);
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

/** horizontal bars on a log10 axis (errors span decades) */
export function logBarChart(o: { labels: string[]; tips?: string[]; values: number[]; color: string; title: string; unit: string }): string {
  const rowH = 13, left = labelMargin(o.labels), right = 70, top = 32, width = left + 670;
  const plotW = width - left - right;
  const pos = o.values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(1e-4, ...pos))), hi = Math.ceil(Math.log10(Math.max(1, ...pos)));
  const X = (v: number) => left + (plotW * (Math.log10(v) - lo)) / (hi - lo);
  const h = top + o.labels.length * rowH + 30;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" role="img" aria-label="${esc(o.title)}">`,
    `<text x="${left}" y="16" class="t">${esc(o.title)}</text>`];
  for (let e = lo; e <= hi; e++) {
    const x = X(10 ** e);
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${h - 26}" class="g"/><text x="${x}" y="${h - 12}" class="a" text-anchor="middle">1e${e}</text>`);
  }
  o.labels.forEach((label, r) => {
    const y = top + r * rowH, v = o.values[r];
    const tip = o.tips?.[r];
    out.push(rowLabel(left - 6, y + 10, label, tip));
    const w = v > 0 && Number.isFinite(v) ? Math.max(0.5, X(v) - left) : 0;
    out.push(`<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="9" fill="${o.color}"><title>${esc(label)}${tip ? ` (${esc(tip)})` : ''}: ${v.toExponential(3)} ${esc(o.unit)}</title></rect>`);
    out.push(`<text x="${left + w + 4}" y="${y + 10}" class="a">${v > 0 ? v.toExponential(2) : '0'}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function summaryTable(d: CompareData): string {
  const a = d.fp32, b = d.int8;
  const row = (k: string, x: string, y: string, diff: string) => `<tr><th>${esc(k)}</th><td>${x}</td><td>${y}</td><td>${diff}</td></tr>`;
  const pp = (x: number) => `${(x * 100).toFixed(2)}%`;
  const sd = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
  return `<table class="s"><tr><th></th><th>FP32</th><th>INT8</th><th>INT8 − FP32</th></tr>
${row('model', esc(a.model), esc(b.model), '')}
${row('top-1 accuracy', pp(a.top1), pp(b.top1), sd(b.top1 - a.top1))}
${row('top-5 accuracy', pp(a.top5), pp(b.top5), sd(b.top5 - a.top5))}
${row('throughput (img/s)', f(a.fps, 2), f(b.fps, 2), `${f(b.fps / a.fps, 2)}×`)}
${row('batch latency median (ms)', f(a.latency.median), f(b.latency.median), d.speedup ? `speed-up ${f(d.speedup.median, 2)}× (p10–p90 ${f(d.speedup.p10, 2)}–${f(d.speedup.p90, 2)}×, per batch, interleaved)` : `speed-up ${f(a.latency.median / b.latency.median, 2)}×`)}
${row('batch latency p90 / p99 (ms)', `${f(a.latency.p90)} / ${f(a.latency.p99)}`, `${f(b.latency.p90)} / ${f(b.latency.p99)}`, '')}
${row('backend / ISA / threads', `${esc(a.backend)} / ${esc(a.isa)} / ${a.threads}`, `${esc(b.backend)} / ${esc(b.isa)} / ${b.threads}`, '')}
${row('ops per backend / reorders', placed(a), placed(b), '')}
${row('batch size × iterations', `${a.batchSize} × ${a.iterations}`, `${b.batchSize} × ${b.iterations}`, '')}
</table>`;
}

function layerTable(d: CompareData): string {
  const rows = d.layers.map((l, i) => `<tr><td>${i}</td><td class="v">${esc(l.label)}</td><td class="v">${esc(l.var)}</td><td>${esc(l.fp32Ops)}</td><td>${esc(l.int8Ops)}</td><td>${esc(l.int8Dtype)}</td><td>${f(l.fp32Ms)}</td><td>${f(l.int8Ms)}</td><td>${l.relL2.toExponential(2)}</td><td>${l.maxAbs.toExponential(2)}</td><td>${f(l.cosine, 5)}</td></tr>`);
  return `<table class="d"><tr><th>#</th><th>layer</th><th>var</th><th>FP32 ops</th><th>INT8 ops</th><th>INT8 dtype</th><th>FP32 ms</th><th>INT8 ms</th><th>rel. L2</th><th>max |Δ|</th><th>cosine</th></tr>\n${rows.join('\n')}\n</table>`;
}

export function renderCompareHtml(d: CompareData): string {
  const labels = d.layers.map((l) => l.label), tips = d.layers.map((l) => l.var);
  const timeChart = barChart({
    title: 'Time per layer (ms per batch, summed over the layer\'s ops)', unit: 'ms', labels, tips,
    series: [{ name: 'FP32', color: FP32, values: d.layers.map((l) => l.fp32Ms) }, { name: 'INT8', color: INT8, values: d.layers.map((l) => l.int8Ms) }],
  });
  const errChart = logBarChart({ title: 'Output error per layer: ||INT8 − FP32|| / ||FP32|| (INT8 values dequantized)', unit: '', color: ERR, labels, tips, values: d.layers.map((l) => l.relL2) });
  const typeChart = barChart({
    title: 'Time per op type (ms per batch)', unit: 'ms', labels: d.opTypes.map((t) => t.type),
    series: [{ name: 'FP32', color: FP32, values: d.opTypes.map((t) => t.fp32Ms) }, { name: 'INT8', color: INT8, values: d.opTypes.map((t) => t.int8Ms) }],
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px} .m{color:#666;font-size:12px}
table{border-collapse:collapse;margin:8px 0} td,th{padding:3px 8px;border-bottom:1px solid #e4e4e4;text-align:right}
table.s th:first-child{text-align:left} table.d td.v{text-align:left;font-family:ui-monospace,monospace;font-size:12px}
table.d{font-size:12px} svg .t{font-size:13px;font-weight:600} svg .l{font-size:11px} svg .a{font-size:10px;fill:#555}
svg .g{stroke:#ddd;stroke-width:1}
</style></head><body>
<h1>${esc(d.title)}</h1>
<div class="m">generated ${esc(d.generated)} by qdeploy compare</div>
<h2>Accuracy and throughput</h2>
${summaryTable(d)}
<h2>Per-layer time</h2>
<div class="m">layers are named by op type(op id)${d.layerIds ? ` — ${esc(d.layerIds)}` : ''}; hover a label for its var</div>
${timeChart}
<h2>Per-layer output error</h2>
${errChart}
<h2>Time per op type</h2>
${typeChart}
<h2>Per-layer table</h2>
${layerTable(d)}
</body></html>
`;
}
