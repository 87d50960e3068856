// src/report: latency statistics (nearest-rank percentiles), top-k, sample_tester's accuracy averaging, error
// measures, text tables, the HTML report (escaping, self-contained, one bar per layer and series) and the layer
// labels of the HTML charts and the terminal table: op type + op id whole, the var name in a tooltip / its own column.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AccuracyMeter, errorStats, latencyStats, percentile, topK } from '../../src/report/stats';
import { formatTable, pct, sci, signedPct } from '../../src/report/table';
import { renderCompareHtml, type CompareData, type LayerRow } from '../../src/report/html';
import { cutMiddle, formatLayerTable } from '../../src/report/layer_table';

test('latency statistics: median, mean, min, max, nearest-rank p90/p99', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100 shuffled order
  assert.equal(latencyStats(xs), { count: 100, median: 50.5, avg: 50.5, min: 1, max: 100, p90: 90, p99: 99 });
  assert.equal(latencyStats([3, 1, 2]), { count: 3, median: 2, avg: 2, min: 1, max: 3, p90: 3, p99: 3 });
  assert.is(percentile(Float64Array.of(5), 99), 5);
  assert.ok(Number.isNaN(latencyStats([]).median));
});

test('topK: largest first, ties to the lower index, NaN ignored, k beyond the row', () => {
  assert.equal(topK([0.1, 0.5, 0.3, 0.5, -1], 3), [1, 3, 2]);
  assert.equal(topK([NaN, 2, 1], 5), [1, 2]);
  assert.equal(topK(Float32Array.of(1, 2, 3, 4, 5, 6, 7), 5), [6, 5, 4, 3, 2]);
});

test('accuracy: per-batch fractions averaged over batches (sample_tester), counts kept', () => {
  const m = new AccuracyMeter();
  // batch 1: 2 samples × 6 classes; labels 5 (top-1 hit) and 0 (top-5 miss: class 0 is the smallest)
  m.addBatch(Float32Array.of(0, 1, 2, 3, 4, 9, /**/ 0, 1, 2, 3, 4, 5), 6, [5, 0]);
  // batch 2: 1 sample, label 3 is 3rd → top-5 hit only
  m.addBatch(Float32Array.of(0, 1, 2, 7, 8, 9), 6, BigInt64Array.of(3n));
  assert.is(m.top1, (0.5 + 0) / 2);
  assert.is(m.top5, (0.5 + 1) / 2);
  assert.equal([m.batches, m.samples, m.correct1, m.correct5], [2, 3, 1, 2]);
});

test('error statistics: max abs, relative L2, cosine', () => {
  const e = errorStats([1, 2, 2], [1, 2, 3]);
  assert.is(e.maxAbs, 1);
  assert.ok(Math.abs(e.relL2 - 1 / Math.sqrt(14)) < 1e-12);
  assert.ok(Math.abs(e.cosine - 11 / Math.sqrt(9 * 14)) < 1e-12);
  assert.equal(errorStats([0, 0], [0, 0]), { maxAbs: 0, relL2: 0, cosine: 1, count: 2 });
});

test('tables: padded columns, numbers right-aligned; number formats', () => {
  const t = formatTable(['name', 'ms'], [['conv2d', 12.5], ['relu', 0.25]]);
  assert.is(t, 'name      ms\n------  ----\nconv2d  12.5\nrelu    0.25\n');
  assert.is(pct(0.70781), '70.78%');
  assert.is(signedPct(-0.0007), '-0.07%');
  assert.is(sci(0.000123), '1.23e-4');
  assert.is(sci(0.5), '0.500');
});

const lat = { count: 2, median: 10, avg: 10, min: 9, max: 11, p90: 11, p99: 11 };
const run = { backend: 'wasm', isa: 'simd128', threads: 1, batchSize: 1, iterations: 2, top1: 0.7, top5: 0.9, fps: 100, latency: lat };
const data: CompareData = {
  title: 'fp32 <a> vs int8 & "b"', generated: '2024-01-01T00:00:00Z',
  fp32: { ...run, model: 'fp32' }, int8: { ...run, model: 'int8', top1: 0.69, fps: 250, latency: { ...lat, median: 4 } },
  layers: [
    { label: 'conv2d(3)', var: 'relu_0.tmp_0', fp32Ops: 'conv2d+batch_norm+relu', int8Ops: 'quantize+conv2d', fp32Ms: 2, int8Ms: 0.5, int8Dtype: 'uint8', relL2: 0.01, maxAbs: 0.2, cosine: 0.9999 },
    { label: 'fc(88)', var: 'fc_0.tmp_1', fp32Ops: 'mul+elementwise_add', int8Ops: 'fc', fp32Ms: 1, int8Ms: 1, int8Dtype: 'fp32', relL2: 0.05, maxAbs: 1.5, cosine: 0.998 },
  ],
  opTypes: [{ type: 'conv2d', fp32Ms: 2, int8Ms: 0.5 }],
};

test('HTML report: escaped, no script or external reference, bars per layer and series, summary numbers', () => {
  const h = renderCompareHtml(data);
  assert.match(h, /<title>fp32 &lt;a&gt; vs int8 &amp; &quot;b&quot;<\/title>/);
  assert.not.match(h, /<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  assert.is((h.match(/<svg /g) ?? []).length, 3);
  assert.is((h.match(/<rect [^>]*><title>conv2d\(3\) \(relu_0\.tmp_0\) (FP32|INT8): /g) ?? []).length, 2);
  assert.match(h, /<title>conv2d\(3\) \(relu_0\.tmp_0\): 1\.000e-2 <\/title>/);
  assert.match(h, /<th>top-1 accuracy<\/th><td>70\.00%<\/td><td>69\.00%<\/td><td>-1\.00%<\/td>/);
  assert.match(h, /<th>throughput \(img\/s\)<\/th><td>100\.00<\/td><td>250\.00<\/td><td>2\.50×<\/td>/);
  assert.match(h, /speed-up 2\.50×/);
});

// two MobileNetV1 stages whose var names differ only near the head and share a 40-character tail
const tail = '_dw_bn.batch_norm.output.1.tmp_2.quantized.dequantized';
const stage = (label: string, v: string, e: number): LayerRow =>
  ({ label, var: v, fp32Ops: 'conv2d+batch_norm+relu', int8Ops: 'quantize+conv2d', fp32Ms: 1, int8Ms: 0.5, int8Dtype: 'uint8', relL2: e, maxAbs: 0.1, cosine: 0.99 });
const reEsc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const stages = [stage('conv2d(1021)', `conv2_1${tail}`, 0.01), stage('conv2d(1104)', `conv2_2${tail}`, 0.02)];

test('HTML charts label each layer by op type(op id), whole, with the var name as its tooltip', () => {
  const h = renderCompareHtml({ ...data, layers: stages, layerIds: 'ids of the quant model' });
  for (const s of stages) {
    const label = reEsc(s.label);
    // a row label in each of the two per-layer charts: the whole label, the whole var in its <title>
    const re = new RegExp(`<text [^>]*class="l" text-anchor="end"><title>${label}: ${reEsc(s.var)}</title>${label}</text>`, 'g');
    assert.is((h.match(re) ?? []).length, 2, s.label);
  }
  assert.not.match(h, /…/);
  assert.match(h, /layers are named by op type\(op id\) — ids of the quant model/);
  // the label column is wide enough for the label: left margin > 6.6 px × 12 characters
  const x = Number(/<text x="([\d.]+)" y="[\d.]+" class="l" text-anchor="end"><title>conv2d\(1021\)/.exec(h)![1]);
  assert.ok(x >= 6.6 * 'conv2d(1021)'.length, `label x ${x}`);
});

test('terminal layer table: label column whole, var cut in the middle only where the width asks for it', () => {
  const full = formatLayerTable(stages, 1);
  for (const s of stages) assert.match(full, new RegExp(`\\n\\s*\\d+  ${reEsc(s.label)} +${reEsc(s.var)} +conv2d\\+batch_norm\\+relu +quantize\\+conv2d +uint8 `));
  const narrow = formatLayerTable(stages, 1, { width: 100, ids: 'ids of the INT8 model' });
  const lines = narrow.split('\n').filter((l) => l.length > 0 && !l.startsWith('per layer'));
  for (const l of lines) assert.ok(l.length <= 100, `${l.length} > 100: ${l}`);
  const rows = lines.filter((l) => /^\s*\d+  conv2d\(/.test(l));
  assert.is(rows.length, 2);
  rows.forEach((l, i) => {
    const c = l.trim().split(/\s+/);
    assert.is(c[1], stages[i].label);
    assert.ok(c[2].includes('…') && c[2].startsWith(`conv2_${i + 1}_`), c[2]);
  });
  assert.match(narrow, /layer: op type\(op id\), ids of the INT8 model;/);
  assert.is(cutMiddle('abcdefghij', 5), 'abc…j');
  assert.is(cutMiddle('abc', 5), 'abc');
});

test.run();
