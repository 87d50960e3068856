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

test('zoo --quant writes fake quant ops that info recognises; same seed, same bytes', () => {
  const q = join(dir, 'mv1q');
  const r = qd(['zoo', '--model', 'mobilenet_v1', '--out', q, '--image_size', '64', '--fc_calib_images', '0', '--quant', '--calib_images', '1']);
  assert.is(r.code, 0, r.stderr);
  const info = qd(['info', q]).stdout;
  assert.match(info, /quantization: PaddleSlim fake quant/);
  assert.match(info, /fake_quantize_moving_average_abs_max 27/);
  assert.match(info, /fake_channel_wise_dequantize_max_abs 27/);
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
