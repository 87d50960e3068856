// qdeploy demo end to end on a small zoo model (64x64, no real assets): every step runs and prints its table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { qd, tmp } from './helpers';

test('demo --no_real: zoo → quant → convert → FP32 vs INT8 table and HTML report', () => {
  const dir = tmp('demo');
  const r = qd(['demo', '--no_real', '--image_size', '64', '--images', '2', '--calib_images', '2', '--out_dir', dir]);
  assert.is(r.code, 0, r.stderr);
  for (const s of ['[1/4] zoo mobilenet_v1', '[2/4] quantize', '[3/4] convert', '[4/4] FP32 vs INT8']) assert.ok(r.stdout.includes(s), s);
  assert.match(r.stdout, /conv2d\s+27 \/ 27/);
  assert.match(r.stdout, /ms per image \(median batch \/ batch size\)\s+[\d.]+\s+[\d.]+\s+[\d.]+x speed-up/);
  assert.match(r.stdout, /top-1 agreement \(INT8 = FP32\)\s+(0\.5000|1\.0000|0\.0000)/);
  assert.match(r.stdout, /27 conv layers, mean rel\. L2 0\.\d{4}/);
  for (const d of ['mobilenet_v1_fp32', 'mobilenet_v1_quant', 'mobilenet_v1_int8']) assert.ok(existsSync(join(dir, d, '__model__')), d);
  assert.ok(readFileSync(join(dir, 'compare_mobilenet_v1.html'), 'utf8').includes('<svg '));
  assert.match(r.stdout, /real-model steps skipped/);
});

test.run();
