// qdeploy zoo / info / save / dot through the built CLI on small zoo models (64x64 inputs: quick), and the
// one-line errors for a missing model dir and bad flags.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { oneLineError, qd, tmp } from './helpers';

const dir = tmp('zoo-cli');
const mv1 = join(dir, 'mv1');

test('zoo writes MobileNetV1 in Paddle layout; info reports its inputs, histogram and parameters', () => {
  const r = qd(['zoo', '--model', 'mobilenet_v1', '--out', mv1, '--image_size', '64', '--fc_calib_images', '0']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(mv1, '__model__')));
  assert.ok(existsSync(join(mv1, 'conv1_weights')));
  assert.ok(existsSync(join(mv1, 'conv2_1_dw_weights')));
  assert.ok(existsSync(join(mv1, 'fc7_weights')));
  const info = qd(['info', mv1]);
  assert.is(info.code, 0, info.stderr);
  assert.match(info.stdout, /image\s+fp32\s+\[-1,3,64,64\]/);
  assert.match(info.stdout, /softmax_0\.tmp_0\s+fp32\s+\[-1,1000\]/);
  assert.match(info.stdout, /conv2d\s+27\n/);
  assert.match(info.stdout, /batch_norm\s+27\n/);
  assert.match(info.stdout, /relu\s+27\n/);
  // 27 convs + 27×4 BN tensors + fc weight and bias = 137 tensors; 4,253,864 values as in MobileNetV1 1.0
  assert.match(info.stdout, /parameters: 137 tensors, 4,253,864 values, 17,015,456 bytes/);
  assert.match(info.stdout, /quantization: none \(FP32\)/);
  const j = JSON.parse(qd(['info', mv1, '--json']).stdout);
  assert.is(j.ops, 87);
  assert.equal(j.inputs, [{ name: 'image', dtype: 'fp32', dims: [-1, 3, 64, 64] }]);
});

test('zoo --quant runs src/quant (PaddleSlim PTQ layout: 27 convs + the fc) and info recognises it; same seed, same bytes', () => {
  const q = join(dir, 'mv1q');
  const r = qd(['zoo', '--model', 'mobilenet_v1', '--out', q, '--image_size', '64', '--fc_calib_images', '0', '--quant', '--calib_images', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /quant model: algo avg on 1 generated image, 28 ops quantized/);
  const info = qd(['info', q]).stdout;
  assert.match(info, /quantization: PaddleSlim fake quant/);
  assert.match(info, /fake_channel_wise_dequantize_max_abs 28, fake_quantize_range_abs_max 28/);
  const j = JSON.parse(qd(['info', q, '--json']).stdout);
  assert.is(j.ops, 87 + 2 * 28);
  // PaddleSlim's out_threshold / quantization_type attributes and integer-valued weights
  const prog = readFileSync(join(q, '__model__'));
  assert.ok(prog.includes('out_threshold') && prog.includes('post_avg'), 'PTQ attributes written');
  const w = readFileSync(join(q, 'conv2_1_sep_weights'));
  const f = new Float32Array(w.buffer.slice(w.byteOffset + w.length - 4 * 64 * 32, w.byteOffset + w.length));
  assert.ok(f.every((x) => Number.isInteger(x) && Math.abs(x) <= 127) && f.some((x) => Math.abs(x) === 127), 'weights are integers reaching ±127');
  const abs = qd(['zoo', '--model', 'mobilenet_v1', '--out', join(dir, 'mv1abs'), '--image_size', '64', '--fc_calib_images', '0', '--quant', '--calib_images', '1', '--algo', 'abs_max']);
  assert.is(abs.code, 0, abs.stderr);
  assert.ok(readFileSync(join(dir, 'mv1abs', '__model__')).includes('post_abs_max'));
  const bad = qd(['zoo', '--model', 'mobilenet_v1', '--out', join(dir, 'mv1bad'), '--quant', '--algo', 'emd']);
  assert.is(bad.code, 2);
  assert.match(oneLineError(bad), /unsupported --algo 'emd'/);
  const again = join(dir, 'mv1b');
  assert.is(qd(['zoo', '--model', 'mobilenet_v1', '--out', again, '--image_size', '64', '--fc_calib_images', '0']).code, 0);
  for (const f of ['__model__', 'conv1_weights', 'conv6_sep_bn_variance', 'fc7_offset']) {
    assert.ok(readFileSync(join(mv1, f)).equals(readFileSync(join(again, f))), `${f} differs between two runs`);
  }
});

test('save --layout combined round-trips; dot names ops type(id)', () => {
  const c = join(dir, 'combined');
  const r = qd(['save', mv1, '--out', c, '--layout', 'combined']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(readdirSync(c).sort(), ['model.pdiparams', 'model.pdmodel']);
  const a = JSON.parse(qd(['info', mv1, '--json']).stdout), b = JSON.parse(qd(['info', c, '--json']).stdout);
  assert.equal(b.histogram, a.histogram);
  assert.equal(b.params, a.params);
  const again = qd(['save', mv1, '--out', c]);
  assert.is(again.code, 1);
  assert.match(oneLineError(again), /not empty.*--overwrite/);
  const dot = join(dir, 'g.dot');
  assert.is(qd(['dot', mv1, '-o', dot]).code, 0);
  const text = readFileSync(dot, 'utf8');
  assert.ok(text.startsWith('digraph'));
  assert.match(text, /label="conv2d\(3\)/);
  assert.is((text.match(/label="conv2d\(\d+\)[^"]*groups=(32|64|128|256|512|1024)[^0-9]/g) ?? []).length, 13, 'depthwise convs');
  assert.is((text.match(/shape=box/g) ?? []).length, 87);
});

test('missing model dir, unknown flag, missing argument: one line, exit 1 / 2, no stack', () => {
  const missing = qd(['info', join(dir, 'nope')]);
  assert.is(missing.code, 1);
  assert.match(oneLineError(missing), /nope/);
  const flag = qd(['info', mv1, '--bogus']);
  assert.is(flag.code, 2);
  assert.match(oneLineError(flag), /bogus/);
  const noArg = qd(['zoo', '--model', 'mobilenet_v1']);
  assert.is(noArg.code, 2);
  assert.match(oneLineError(noArg), /--out is required/);
  const badModel = qd(['zoo', '--model', 'vgg16', '--out', join(dir, 'x')]);
  assert.is(badModel.code, 2);
  assert.match(oneLineError(badModel), /one of resnet50\|mobilenet_v1\|mobilenet_v2/);
  for (const c of ['info', 'run', 'save', 'dot', 'bench', 'compare', 'zoo', 'demo']) {
    const h = qd([c, '--help']);
    assert.is(h.code, 0, c);
    assert.match(h.stdout, new RegExp(`^qdeploy ${c} — `));
  }
});

test.run();
