// qdeploy compare through the built CLI on a 32x32 zoo MobileNetV1, its quant model and its INT8 model:
//  - the model kinds: a quant model or an FP32 model passed as --int8_model is refused with one line; --quant_model
//    converts in memory with convert's flags and gives what convert + --int8_model gives; bench names the kind;
//  - the accuracy check: (FP32 top-1 − INT8 top-1) > --acc_diff_threshold exits 1 (Paddle's comparison test);
//  - the speed-up is per batch, FP32 and INT8 interleaved, printed with its spread;
//  - per-layer rows are labelled by op type + op id (the ids --op_ids_to_skip takes), the var beside it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph } from '../../src/app/model_io';
import { oneLineError, qd, tmp } from './helpers';

const dir = tmp('compare');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const fp32 = join(dir, 'mv1'), quant = join(dir, 'mv1q'), int8 = join(dir, 'mv1i');
const S = 32, CHW = 3 * S * S, N = 8;

function dataset(path: string, labels: number[]): void {
  const b = Buffer.alloc(8 + labels.length * CHW * 4 + labels.length * 8);
  b.writeBigInt64LE(BigInt(labels.length), 0);
  let seed = 11;
  for (let i = 0; i < labels.length * CHW; i++) { seed = (seed * 1103515245 + 12345) >>> 0; b.writeFloatLE(((seed >>> 8) / 2 ** 24) * 4 - 2, 8 + i * 4); }
  labels.forEach((l, i) => b.writeBigInt64LE(BigInt(l), 8 + labels.length * CHW * 4 + i * 8));
  writeFileSync(path, b);
}

/** top-1 class per image of `model` on `data`, through `qdeploy run --output` */
function argmaxOf(model: string, data: string): number[] {
  const out = join(dir, 'argmax.f32');
  const r = qd(['run', model, '--input', data, '--output', out, '--batch_size', '2', '--top_k', '1']);
  assert.is(r.code, 0, r.stderr);
  const d = new Float32Array(new Uint8Array(readFileSync(out)).buffer);
  const w = d.length / N, top: number[] = [];
  for (let i = 0; i < N; i++) { let k = 0; for (let j = 1; j < w; j++) if (d[i * w + j] > d[i * w + k]) k = j; top.push(k); }
  return top;
}

const cmp = (model: string[], data: string, extra: string[] = []) =>
  qd(['compare', '--fp32_model', fp32, ...model, '--infer_data', data, '--batch_size', '2', '--warmup', '0', ...extra]);

/** per-layer rows of compare's terminal table: label, var, dtype, rel L2 */
function layerRows(stdout: string): { label: string; var: string; dtype: string; relL2: string }[] {
  return stdout.split('\n').filter((l) => /^\s*\d+\s+[a-z_0-9]+\(\d+\)\s/.test(l)).map((l) => {
    const c = l.trim().split(/\s+/);
    return { label: c[1], var: c[2], dtype: c[c.length - 6], relL2: c[c.length - 3] };
  });
}

let fp32Top: number[] = [], int8Top: number[] = [];
const data0 = join(dir, 'zeros.bin');

test('setup: a 32x32 MobileNetV1, its quant model and INT8 model; each one\'s top-1 on 8 images', () => {
  assert.is(qd(['zoo', '--model', 'mobilenet_v1', '--out', fp32, '--image_size', '32', '--fc_calib_images', '4']).code, 0);
  assert.is(qd(['zoo', '--model', 'mobilenet_v1', '--out', quant, '--image_size', '32', '--fc_calib_images', '4', '--quant', '--calib_images', '2']).code, 0);
  const c = qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', int8]);
  assert.is(c.code, 0, c.stderr);
  dataset(data0, new Array(N).fill(0));
  fp32Top = argmaxOf(fp32, data0);
  int8Top = argmaxOf(int8, data0);
});

test('compare --int8_model <quant model> is refused: run convert, or pass it as --quant_model', () => {
  const rep = join(dir, 'never.html');
  const r = cmp(['--int8_model', quant], data0, ['--report', rep]);
  assert.is(r.code, 2, r.stdout);
  const line = oneLineError(r);
  assert.match(line, /--int8_model .*mv1q is a quant model \(fake-quant op [a-z_]+\(\d+\)/);
  assert.match(line, /qdeploy convert/);
  assert.match(line, /--quant_model/);
  assert.is(r.stdout, '');
  assert.not.ok(existsSync(rep));
});

test('compare --int8_model <FP32 model> is refused: no INT8 ops, FP32 against FP32', () => {
  const r = cmp(['--int8_model', fp32], data0);
  assert.is(r.code, 2, r.stdout);
  assert.match(oneLineError(r), /--int8_model .*mv1 has no INT8 ops/);
  const r2 = cmp(['--quant_model', fp32], data0);
  assert.is(r2.code, 2, r2.stdout);
  assert.match(oneLineError(r2), /--quant_model .*mv1 has no fake-quant ops/);
  const r3 = cmp(['--quant_model', int8], data0);
  assert.is(r3.code, 2, r3.stdout);
  assert.match(oneLineError(r3), /--quant_model .*mv1i is already an INT8 model .*--int8_model/);
  const r4 = cmp(['--int8_model', int8, '--quant_model', quant], data0);
  assert.is(r4.code, 2);
  assert.match(oneLineError(r4), /either --int8_model or --quant_model/);
  const r5 = qd(['compare', '--fp32_model', int8, '--int8_model', int8, '--infer_data', data0]);
  assert.is(r5.code, 2);
  assert.match(oneLineError(r5), /--fp32_model .*mv1i is an INT8 model/);
});

test('compare --quant_model converts in memory: the same INT8 results as convert + --int8_model; convert\'s flags apply', () => {
  const onDisk = cmp(['--int8_model', int8], data0);
  assert.is(onDisk.code, 0, onDisk.stderr);
  const inMem = cmp(['--quant_model', quant], data0);
  assert.is(inMem.code, 0, inMem.stderr);
  const top = (s: string) => s.match(/INT8: avg top1 accuracy: [\d.]+, avg top5 accuracy: [\d.]+/)?.[0];
  assert.ok(top(inMem.stdout));
  assert.is(top(inMem.stdout), top(onDisk.stdout));
  const a = layerRows(onDisk.stdout), b = layerRows(inMem.stdout);
  assert.is(a.length, 30, onDisk.stdout);
  assert.equal(b.map((r) => [r.var, r.dtype, r.relL2]), a.map((r) => [r.var, r.dtype, r.relL2]));
  // in memory, the labels carry the ids --op_ids_to_skip takes: those of convert --debug's placement .dot
  const dots = join(dir, 'dot');
  assert.is(qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', join(dir, 'dbg'), '--debug', '--debug_dir', dots]).code, 0);
  const placement = readFileSync(join(dots, readdirSync(dots).find((f) => f.endsWith('_cpu_quantize_placement_pass.dot'))!), 'utf8');
  for (const r of b) assert.ok(placement.includes(`"${r.label}`), `${r.label} not in the placement .dot`);
  // from disk, the INT8 model's own ids (qdeploy dot numbering)
  const g8 = loadGraph(int8);
  for (const r of a) {
    const [, type, id] = /^([a-z_0-9]+)\((\d+)\)$/.exec(r.label)!;
    assert.is(g8.opById(Number(id))?.type, type, r.label);
  }
  // --op_ids_to_skip (convert's flag) keeps that conv FP32
  const conv = b.find((r, i) => i > 2 && r.label.startsWith('conv2d(') && r.dtype !== 'fp32')!;
  const id = /\((\d+)\)/.exec(conv.label)![1];
  const skip = cmp(['--quant_model', quant], data0, ['--op_ids_to_skip', id]);
  assert.is(skip.code, 0, skip.stderr);
  const rows = layerRows(skip.stdout);
  assert.is(rows.find((r) => r.label === conv.label)?.dtype, 'fp32', skip.stdout);
  // (its input's producer may turn FP32 too: squash gives a conv whose only reader is FP32 an FP32 output)
  const ints = (rs: { dtype: string }[]) => rs.filter((r) => r.dtype !== 'fp32').length;
  assert.ok(ints(rows) < ints(b) && ints(rows) >= ints(b) - 2, `${ints(rows)} vs ${ints(b)} int8 rows`);
});

test('bench says what kind of model it runs: quant models run as FP32 fake-quant', () => {
  const r = qd(['bench', '--infer_model', quant, '--infer_data', data0, '--batch_size', '2', '--iterations', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /model kind: quant model \(\d+ fake-quant ops\)/);
  assert.match(qd(['bench', '--infer_model', int8, '--infer_data', data0, '--batch_size', '2', '--iterations', '1']).stdout, /model kind: INT8 model/);
  assert.match(qd(['bench', '--infer_model', fp32, '--infer_data', data0, '--batch_size', '2', '--iterations', '1']).stdout, /model kind: FP32 model/);
});

test('a top-1 drop above --acc_diff_threshold exits 1 with the drop and the threshold; at or below it exits 0', () => {
  const agree = fp32Top.filter((t, i) => t === int8Top[i]).length;
  assert.ok(agree < N, 'the INT8 model must disagree with FP32 on some image for this test');
  // labels = FP32's own top-1: FP32 scores 1, INT8 scores agree/N (batches of equal size)
  const byFp32 = join(dir, 'fp32_labels.bin');
  dataset(byFp32, fp32Top);
  const drop = 1 - agree / N;
  const rep = join(dir, 'drop.json');
  const r = cmp(['--int8_model', int8], byFp32, ['--acc_diff_threshold', '0.01', '--report', rep]);
  assert.is(r.code, 1, r.stdout);
  assert.match(oneLineError(r), new RegExp(`top-1 accuracy drop ${drop.toFixed(4)} \\(FP32 1\\.0000 − INT8 ${(agree / N).toFixed(4)}\\) is above --acc_diff_threshold 0\\.01`));
  assert.match(r.stdout, /top1 accuracy drop: [\d.]+ → ABOVE the threshold/);
  assert.ok(existsSync(rep), 'the report is written before the check fails');
  // the rule is `drop <= threshold`: a threshold equal to the drop passes
  assert.is(cmp(['--int8_model', int8], byFp32, ['--acc_diff_threshold', String(drop)]).code, 0);
  // direction: INT8 better than FP32 never fails (labels = INT8's top-1, threshold 0)
  const byInt8 = join(dir, 'int8_labels.bin');
  dataset(byInt8, int8Top);
  const up = cmp(['--int8_model', int8], byInt8, ['--acc_diff_threshold', '0']);
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, /within the threshold/);
});

test('speed-up: median of per-batch FP32/INT8 ratios with its spread, batches interleaved', () => {
  const rep = join(dir, 'speed.json');
  const r = cmp(['--int8_model', int8], data0, ['--report', rep]);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(readFileSync(rep, 'utf8'));
  const t32: number[] = j.fp32.batchMs, t8: number[] = j.int8.batchMs;
  assert.is(t32.length, N / 2);
  assert.is(t8.length, N / 2);
  const ratios = t32.map((t, i) => t / t8[i]);
  assert.equal(j.speedup.ratios, ratios);
  const s = [...ratios].sort((a, b) => a - b);
  assert.is(j.speedup.median, (s[1] + s[2]) / 2);
  assert.is(j.speedup.min, s[0]);
  assert.is(j.speedup.max, s[3]);
  const m = /speed-up \(FP32 ms \/ INT8 ms per batch, 4 batches interleaved\): median ([\d.]+)x, p10–p90 ([\d.]+)–([\d.]+)x, min–max ([\d.]+)–([\d.]+)x/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.is(m![1], j.speedup.median.toFixed(2));
  assert.is(m![4], s[0].toFixed(2));
  assert.is(m![5], s[3].toFixed(2));
});

test.run();
