// qdeploy demo end to end on a small zoo model (64x64): every step runs and prints its table, with src/quant's
// post-training quantization (PaddleSlim layout, algo avg); where the real assets are present, also SqueezeNet
// quantized on the first 16 real images and compared with FP32 on all 50 (Paddle's comparison summary).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from '../../src/util/assets';
import { ensureBuilt, oneLineError, qd, root, tmp } from './helpers';
import { skipTest } from '../skip';

const small = ['--image_size', '64', '--images', '2', '--calib_images', '2'];

test('demo --no_real: zoo → src/quant PTQ → convert → FP32 vs INT8 table and HTML report', () => {
  const dir = tmp('demo');
  const r = qd(['demo', '--no_real', ...small, '--out_dir', dir]);
  assert.is(r.code, 0, r.stderr);
  for (const s of ['[1/4] zoo mobilenet_v1', '[2/4] quantize', '[3/4] convert', '[4/4] FP32 vs INT8']) assert.ok(r.stdout.includes(s), s);
  assert.ok(!r.stdout.includes('not built yet') && !r.stdout.includes('quant_fallback'), 'no stand-in note');
  assert.match(r.stdout, /src\/quant post-training quantization, PaddleSlim quant_post_static layout and defaults, algo avg \(the default/);
  // 27 convs + the fc quantized; Quant2 turns all of them into INT8 ops
  assert.match(r.stdout, /\d+ activation thresholds from 2 images; 28 ops quantized \(28 fake quantize, 28 dequantize ops\)/);
  assert.match(r.stdout, /conv2d\s+27 \/ 27/);
  assert.match(r.stdout, /fc\s+1 \/ 1/);
  assert.match(r.stdout, /removed fake ops: fake_quantize_range_abs_max ×28, fake_channel_wise_dequantize_max_abs ×28/);
  assert.match(r.stdout, /ms per image \(median batch \/ batch size\)\s+[\d.]+\s+[\d.]+\s+[\d.]+x speed-up/);
  assert.match(r.stdout, /top-1 agreement \(INT8 = FP32\)\s+(0\.5000|1\.0000|0\.0000)/);
  const l2 = Number(/27 conv layers, mean rel\. L2 (0\.\d{4})/.exec(r.stdout)?.[1]);
  assert.ok(l2 > 0 && l2 < 0.2, `mean conv rel. L2 ${l2}`);
  assert.match(r.stdout, /synthetic weights: the classifier amplifies tiny feature differences, .* say nothing about accuracy; speed is what this model is for\)/);
  for (const d of ['mobilenet_v1_fp32', 'mobilenet_v1_quant', 'mobilenet_v1_int8']) assert.ok(existsSync(join(dir, d, '__model__')), d);
  assert.ok(readFileSync(join(dir, 'mobilenet_v1_quant', '__model__')).includes('post_avg'), 'PaddleSlim quantization_type attr');
  assert.ok(readFileSync(join(dir, 'compare_mobilenet_v1.html'), 'utf8').includes('<svg '));
  assert.match(r.stdout, /real-model steps skipped/);
  const bad = qd(['demo', '--no_real', '--algo', 'emd']);
  assert.is(bad.code, 2);
});

test('demo with the real assets: SqueezeNet calibrated on 16 images, FP32 vs INT8 on all 50 as Paddle prints it', () => {
  const assets = assetsDir();
  if (!assets || !existsSync(join(assets, 'models', 'squeezenet_v1.1'))) { skipTest('assets absent'); return; }
  const dir = tmp('demo-real');
  const r = qd(['demo', ...small, '--out_dir', dir], { QDEPLOY_ASSETS: assets });
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith('qdeploy demo — backend: '), r.stdout.slice(0, 200));
  for (const s of ['[5/8] SqueezeNet v1.1', '[6/8] preprocess 50 real images (src/data, caffe_squeezenet preset)', '[7/8] quantize SqueezeNet on the first 16 of those images', '[8/8] SqueezeNet FP32 vs INT8 accuracy on all 50 real images']) {
    assert.ok(r.stdout.includes(s), s);
  }
  assert.match(r.stdout, /\d+ activation thresholds from 16 images; 26 ops quantized/);
  assert.ok(existsSync(join(dir, 'val_50_227.bin')));
  // FP32 as the goldens give it on the 50 images; INT8 (avg, bench/ptq_table.ts: 33/50, agreement 49/50) within one image
  assert.match(r.stdout, /---  Performance summary  ---\n\s+FP32: avg fps: [\d.]+, avg latency: [\d.]+ ms\n\s+INT8: avg fps: [\d.]+, avg latency: [\d.]+ ms/);
  assert.match(r.stdout, /FP32: avg top1 accuracy: 0\.6600, avg top5 accuracy: 0\.8600/);
  const m = /INT8: avg top1 accuracy: (0\.\d{4}), avg top5 accuracy: (0\.\d{4})/.exec(r.stdout);
  assert.ok(m, 'INT8 accuracy line');
  assert.ok(Math.abs(Number(m![1]) - 0.66) <= 0.02 + 1e-9 && Math.abs(Number(m![2]) - 0.86) <= 0.02 + 1e-9, `INT8 top-1 ${m![1]}, top-5 ${m![2]}`);
  const agree = Number(/top-1 agreement\s+(\d\.\d{4})\n\s+HTML report: .*squeezenet/.exec(r.stdout)?.[1]);
  assert.ok(agree >= 0.96, `agreement ${agree}`);
  assert.match(r.stdout, /top1 accuracy drop: -?0\.0[0-2]\d\d → (within|ABOVE) the threshold/);
  assert.ok(existsSync(join(dir, 'squeezenet_v1.1_int8', '__model__')));
  assert.ok(readFileSync(join(dir, 'compare_squeezenet_v1.1.html'), 'utf8').includes('<svg '));
  assert.match(r.stdout, /done in \d+ s\n$/);
});

// Without --out_dir the demo works in a temp dir of its own: gone after success, failure and Ctrl-C.
// Each run gets a fresh TMPDIR, so "nothing new in the temp dir" is "TMPDIR is empty".
test('demo without --out_dir: its temp work dir is removed at the end and TMPDIR holds nothing new', () => {
  const t = tmp('demo-tmpdir');
  const r = qd(['demo', '--no_real', ...small], { TMPDIR: t });
  assert.is(r.code, 0, r.stderr);
  const work = /^work dir: (\S+) \(a temp dir/m.exec(r.stdout)?.[1];
  assert.ok(work && work.startsWith(join(t, 'qdeploy-demo-')), r.stdout.slice(0, 400));
  assert.match(r.stdout, /removed the work dir \S+ \(\d+\.\d MiB\); --out_dir DIR keeps the models and the HTML report\n$/);
  assert.equal(readdirSync(t), []);
});

test('demo failing after it made its work dir (--backend native, not built) leaves nothing in TMPDIR', () => {
  const t = tmp('demo-fail');
  // QDEPLOY_NO_NATIVE: the addon counts as not built even where it is
  const r = qd(['demo', '--no_real', ...small, '--backend', 'native'], { TMPDIR: t, QDEPLOY_NO_NATIVE: '1' });
  assert.is(r.code, 1);
  assert.match(oneLineError(r), /--backend native/);
  assert.equal(readdirSync(t), []);
});

test('demo interrupted (Ctrl-C) mid-run: it stops at once and nothing is left in TMPDIR', async () => {
  ensureBuilt();
  const t = tmp('demo-sigint');
  const child = spawn(process.execPath, [join(root, 'bin', 'qdeploy.mjs'), 'demo', '--no_real', ...small], {
    cwd: root, env: { ...process.env, TMPDIR: t },
  });
  let stdout = '', sent = false;
  const signal = await new Promise<string | null>((res) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      // the work dir exists from this line on
      if (!sent && stdout.includes('[1/4] zoo')) { sent = true; child.kill('SIGINT'); }
    });
    child.on('close', (_c, sig) => res(sig));
  });
  assert.ok(sent, stdout);
  // Ctrl-C keeps its default effect (the process ends by the signal, mid-step, not after the demo)
  assert.is(signal, 'SIGINT', stdout);
  assert.not.match(stdout, /done in/);
  // the demo's watcher removes the work dir once the process is gone (it polls every 0.2 s)
  for (let i = 0; i < 100 && readdirSync(t).length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(readdirSync(t), []);
});

test.run();
