// run / bench / compare through the built CLI: golden SqueezeNet top-1 and raw outputs (assets), bench's
// sample_tester lines and JSON report, compare's tables and HTML report on a small zoo model, and bad data:
// a header N that does not match the file size, a batch larger than the data, a missing model dir.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assets, oneLineError, qd, tmp } from './helpers';
import { skipTest } from '../skip';

const dir = tmp('run-bench');
const fp32 = join(dir, 'mv1'), quant = join(dir, 'mv1q'), int8 = join(dir, 'mv1i');
const S = 32, CHW = 3 * S * S;

function dataset(path: string, n: number, labels: number[], headerN = n, images = n): void {
  const b = Buffer.alloc(8 + images * CHW * 4 + labels.length * 8);
  b.writeBigInt64LE(BigInt(headerN), 0);
  let seed = 7;
  for (let i = 0; i < images * CHW; i++) { seed = (seed * 1103515245 + 12345) >>> 0; b.writeFloatLE(((seed >>> 8) / 2 ** 24) * 4 - 2, 8 + i * 4); }
  labels.forEach((l, i) => b.writeBigInt64LE(BigInt(l), 8 + images * CHW * 4 + i * 8));
  writeFileSync(path, b);
}

const argmaxRows = (f: string, w: number) => {
  const d = new Float32Array(new Uint8Array(readFileSync(f)).buffer);
  const out: number[] = [];
  for (let i = 0; i < d.length / w; i++) { let k = 0; for (let j = 1; j < w; j++) if (d[i * w + j] > d[i * w + k]) k = j; out.push(k); }
  return out;
};

test('setup: a 32x32 MobileNetV1, its quant model and INT8 model', () => {
  assert.is(qd(['zoo', '--model', 'mobilenet_v1', '--out', fp32, '--image_size', '32', '--fc_calib_images', '4']).code, 0);
  assert.is(qd(['zoo', '--model', 'mobilenet_v1', '--out', quant, '--image_size', '32', '--fc_calib_images', '4', '--quant', '--calib_images', '2']).code, 0);
  const c = qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', int8]);
  assert.is(c.code, 0, c.stderr);
});

test('run --output writes one float32 row per input; bench top-1 is 1 when the labels are the model\'s own argmax', () => {
  const raw = join(dir, 'x.bin');
  dataset(raw, 6, [0, 0, 0, 0, 0, 0]);
  const out = join(dir, 'out.f32');
  const r = qd(['run', fp32, '--input', raw, '--output', out, '--batch_size', '4', '--top_k', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(out).length, 6 * 1000 * 4);
  const top = argmaxRows(out, 1000);
  assert.match(r.stdout, new RegExp(`\\[0\\] .*x\\.bin#0  label 0[^\\n]*\\n    1\\. +${top[0]} `));
  assert.match(r.stdout, /top-1 matches label: \d\/6/);
  const labelled = join(dir, 'labelled.bin');
  dataset(labelled, 6, top);
  const rep = join(dir, 'bench.json');
  const b = qd(['bench', '--infer_model', fp32, '--infer_data', labelled, '--batch_size', '2', '--report', rep]);
  assert.is(b.code, 0, b.stderr);
  assert.match(b.stdout, /^Model: .*mv1\n====== num of threads: 1 ======\n====== batch size: 2, iterations: 3\n====== batch latency: [\d.]+ms, number of samples: 6, sample latency: [\d.]+ms, fps: [\d.]+ ======\nTop1 accuracy: 1\.0000\nTop5 accuracy: 1\.0000\n/);
  for (const k of ['Median', 'Average', 'Min', 'Max', 'P90', 'P99']) assert.match(b.stdout, new RegExp(`${k}: +[\\d.]+ ms`));
  assert.match(b.stdout, /backend: (reference|wasm|native), ISA: \S+, threads: 1/);
  const j = JSON.parse(readFileSync(rep, 'utf8'));
  assert.is(j.iterations, 3);
  assert.is(j.samples, 6);
  assert.is(j.top1, 1);
  assert.is(j.batch_ms.length, 3);
  assert.is(j.ops.length, 85, 'every op but feed/fetch timed');
  assert.ok(j.ops.every((o: { calls: number }) => o.calls === 3));
  // placement: per op and counted, printed in the [ INFO ] lines (auto: every op on its first backend today)
  const be = j.backend.name;
  assert.ok(j.ops.every((o: { backend: string }) => o.backend === be), 'every op on the chosen backend');
  assert.equal(j.placement, { counts: { [be]: 85 }, reorders: 0, fallbacks: [] });
  assert.match(b.stdout, new RegExp(`\\[ INFO \\] placement: ${be} 85 ops, 0 reorders\n`));
  assert.ok(j.latency_ms.min <= j.latency_ms.median && j.latency_ms.median <= j.latency_ms.max);
  const conv = j.op_type_ms_per_batch.find((t: { type: string }) => t.type === 'conv2d');
  assert.is(conv.count, 27);
  // half the labels wrong → top-1 0.5 exactly (per-batch fractions averaged, sample_tester's rule)
  const half = join(dir, 'half.bin');
  dataset(half, 6, top.map((t, i) => (i % 2 ? (t + 1) % 1000 : t)));
  assert.match(qd(['bench', '--infer_model', fp32, '--infer_data', half, '--batch_size', '2']).stdout, /Top1 accuracy: 0\.5000\n/);
});

test('bad data: header N vs size, batch larger than the data, missing model dir, wrong image size', () => {
  const bad = join(dir, 'bad.bin');
  dataset(bad, 3, [0, 0, 0], 5);
  const r1 = qd(['bench', '--infer_model', fp32, '--infer_data', bad, '--batch_size', '1']);
  assert.is(r1.code, 1);
  assert.match(oneLineError(r1), /bad\.bin/);
  assert.match(r1.stderr, /5/);
  const ok = join(dir, 'ok.bin');
  dataset(ok, 3, [0, 0, 0]);
  const r2 = qd(['bench', '--infer_model', fp32, '--infer_data', ok, '--batch_size', '4']);
  assert.is(r2.code, 1);
  assert.match(oneLineError(r2), /--batch_size 4 is larger than the data .*3 images/);
  const r3 = qd(['bench', '--infer_model', join(dir, 'missing'), '--infer_data', ok]);
  assert.is(r3.code, 1);
  assert.match(oneLineError(r3), /missing/);
  const r4 = qd(['run', fp32, '--input', join(dir, 'nope.bin')]);
  assert.is(r4.code, 1);
  assert.match(oneLineError(r4), /nope\.bin does not exist/);
  writeFileSync(join(dir, 'odd.f32'), Buffer.alloc(1000));
  const r5 = qd(['run', fp32, '--input', join(dir, 'odd.f32')]);
  assert.is(r5.code, 1);
  assert.match(oneLineError(r5), /1000 bytes is neither a dataset \.bin of \[3,32,32\] images nor raw float32 images \(12288 bytes each\)/);
  const r6 = qd(['bench', '--infer_model', fp32, '--infer_data', ok, '--iterations=-1', '--report', join(dir, 'never.json')]);
  assert.is(r6.code, 2);
  assert.match(oneLineError(r6), /--iterations must be >= 0/);
  assert.ok(!existsSync(join(dir, 'never.json')));
  const r7 = qd(['run', fp32]);
  assert.is(r7.code, 2);
  assert.match(oneLineError(r7), /--input is required/);
});

test('compare: Paddle summary, per-layer table of 27 convs with finite errors, self-contained HTML report', () => {
  const data = join(dir, 'cmp.bin');
  dataset(data, 4, [1, 2, 3, 4]);
  const html = join(dir, 'report.html');
  const r = qd(['compare', '--fp32_model', fp32, '--int8_model', int8, '--infer_data', data, '--batch_size', '2', '--warmup', '0', '--report', html]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /---  Performance summary  ---\nFP32: avg fps: [\d.]+, avg latency: [\d.]+ ms\nINT8: avg fps: [\d.]+, avg latency: [\d.]+ ms\n---  Accuracy summary  ---/);
  assert.match(r.stdout, /FP32: avg top1 accuracy: 0\.\d{4}, avg top5 accuracy: 0\.\d{4}/);
  const rows = r.stdout.split('\n').filter((l) => /^\s*\d+\s+conv2d\(\d+\)\s+relu_\d+\.tmp_0\s+conv2d\+batch_norm\+relu/.test(l));
  assert.is(rows.length, 27, r.stdout);
  for (const l of rows) {
    const cols = l.trim().split(/\s+/);
    const rel = Number(cols[cols.length - 3]), cos = Number(cols[cols.length - 1]);
    assert.ok(rel > 0 && rel < 0.5, `rel L2 ${rel} in ${l}`);
    assert.ok(cos > 0.9 && cos <= 1, `cosine ${cos} in ${l}`);
  }
  assert.match(rows[1], /\s(u)?int8\s/);
  const text = readFileSync(html, 'utf8');
  assert.ok(text.startsWith('<!doctype html>'));
  assert.is((text.match(/<svg /g) ?? []).length, 3);
  assert.not.match(text.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:|<script|<link/);
  assert.is((text.match(/<tr><td>\d+<\/td><td class="v">/g) ?? []).length, 30);
});

test('run on the golden SqueezeNet input gives the golden top-1 labels and outputs', () => {
  const a = assets();
  if (!a) { skipTest('assets absent (QDEPLOY_ASSETS)'); return; }
  const g = JSON.parse(readFileSync(join(a, 'golden', 'squeezenet_v1.1', 'golden.json'), 'utf8'));
  const out = join(dir, 'sq.f32');
  const r = qd(['run', join(a, 'models', 'squeezenet_v1.1'), '--input', join(a, 'golden', 'squeezenet_v1.1', 'input_16.bin'), '--output', out, '--batch_size', '4', '--top_k', '1']);
  assert.is(r.code, 0, r.stderr);
  const got = new Float32Array(new Uint8Array(readFileSync(out)).buffer);
  const want = new Float32Array(new Uint8Array(readFileSync(join(a, 'golden', 'squeezenet_v1.1', 'logits_16.f32'))).buffer);
  let maxd = 0;
  for (let i = 0; i < want.length; i++) maxd = Math.max(maxd, Math.abs(got[i] - want[i]));
  assert.ok(maxd <= 1e-4, `max |got - golden| = ${maxd}`);
  const per = g.per_image as { top1: number; top2_margin?: number; margin?: number }[];
  const top = [...r.stdout.matchAll(/\n    1\. +(\d+) /g)].map((m) => Number(m[1]));
  assert.is(top.length, 16);
  per.forEach((p, i) => assert.is(top[i], p.top1, `image ${i}`));
  assert.match(r.stdout, /\[0\] .*label 0 \(n01440764 tench, Tinca tinca\)\n    1\.    0 +0\.5\d+  n01440764 tench, Tinca tinca/);
  assert.match(r.stdout, /top-1 matches label: 10\/16/);
});

test.run();
