// The converted SqueezeNet program: op-type sequence and INT8 attributes as Paddle's Quant2 (2.0) rules give them
// (spec 3.7–3.11): every conv2d, max pool2d and concat int8; one quantize at the input; every dequantize→quantize
// pair squashed (equal scales), so no dequantize is left; conv10 (no output scale) writes fp32; the avg pool
// stays FP32. Thresholds are synthetic (distinct per tensor): the structure and the attribute arithmetic do not
// depend on calibration, so this test needs no kernels.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph } from '../../src/app/model_io';
import { assetsDir } from '../../src/util/assets';
import { convertForTest } from './accuracy';
import { makeQuantModel } from './make_quant_model';
import { skipTest } from '../skip';

const assets = assetsDir();
const dir = assets && join(assets, 'models', 'squeezenet_v1.1');
const f = Math.fround;

if (!dir || !existsSync(join(dir, '__model__'))) {
  test('squeezenet INT8 program', () => skipTest(`${dir ?? 'QDEPLOY_ASSETS'}/__model__ not found`));
} else {
  const fp32 = loadGraph(dir);
  const names = [...fp32.vars.keys()].sort();
  const T = new Map(names.map((n, i) => [n, 1 + (i % 17) / 8]));
  const quant = makeQuantModel(fp32, T);
  const { int8: g, ctx } = convertForTest(quant);
  const conv = g.ops.filter((o) => o.type === 'conv2d');

  test('op-type sequence', () => {
    const fire = ['conv2d', 'conv2d', 'conv2d', 'concat'];
    assert.equal(g.ops.map((o) => o.type), [
      'feed', 'quantize', 'conv2d', 'pool2d', ...fire, ...fire, 'pool2d', ...fire, ...fire, 'pool2d', ...fire, ...fire, ...fire, ...fire,
      'conv2d', 'pool2d', 'reshape', 'softmax', 'fetch',
    ]);
    assert.is(quant.ops.filter((o) => o.type.startsWith('fake_')).length, 18 + 26); // 18 shared activation quants, 26 dequants
  });

  test('int8 markers and what stays FP32', () => {
    const int8 = g.ops.filter((o) => o.str('mkldnn_data_type', '') === 'int8').map((o) => o.type);
    assert.is(int8.filter((t) => t === 'conv2d').length, 26);
    assert.is(int8.filter((t) => t === 'pool2d').length, 3);
    assert.is(int8.filter((t) => t === 'concat').length, 8);
    const avg = g.ops.find((o) => o.type === 'pool2d' && o.str('pooling_type', '') === 'avg')!;
    assert.is(avg.str('mkldnn_data_type', ''), '');
    assert.ok(ctx.log.some((l) => l.what === avg.label && /avg pool2d/.test(l.detail)));
    assert.equal(conv.map((c) => c.str('fuse_activation', '')), conv.map(() => 'relu'));
    assert.ok(conv.every((c) => c.hasInput('Bias') && !c.hasInput('ResidualData')));
  });

  test('attributes: names, Paddle types, and values from the thresholds (Scale = 127/T signed, 255/T unsigned)', () => {
    const q = g.ops[1];
    assert.is(q.input('Input'), 'data');
    assert.is(q.num('Scale', 0), f(127 / T.get('data')!));
    assert.equal([q.attrRecord('Scale')!.type, q.attrRecord('Shift')!.type, q.attrRecord('is_negative_input')!.type, q.attrRecord('output_format')!.type], [1, 1, 6, 2]);
    assert.is(q.bool('is_negative_input', false), true);
    for (const c of conv) {
      for (const [a, t] of [['Scale_in', 1], ['Scale_weights', 4], ['mkldnn_data_type', 2], ['fuse_activation', 2]] as const) {
        assert.is(c.attrRecord(a)?.type, t, `${c.label} ${a}`);
      }
      // Scale_weights[c] = 127/max|W[c]|; the dequantized filter's channel max is T[c] (integer weights reach ±127)
      const w = g.param(c.input('Filter')!)!;
      const oc = w.dims[0], inner = w.data.length / oc;
      const sw = c.attr<number[]>('Scale_weights')!;
      assert.is(sw.length, oc);
      for (let k = 0; k < oc; k += Math.max(1, oc >> 3)) {
        let m = 0;
        for (let j = 0; j < inner; j++) m = Math.max(m, Math.abs((w.data as Float32Array)[k * inner + j]));
        assert.is(sw[k], f((1 / m) * 127), `${c.label} channel ${k}`);
      }
    }
    // fire2: the expands read the squeeze output (u8: relu-fused) at the quant model's scale 127/T
    const [, squeeze, e1, e3] = conv;
    const sq = squeeze.output('Output')!;
    assert.is(e1.input('Input'), sq);
    assert.is(e3.input('Input'), sq);
    const sqName = quant.ops.find((o) => o.type === 'fake_quantize_moving_average_abs_max' && o.output('Out') === `${fp32Relu(fp32, 'fire2_squeeze1x1')}.quantized`)!.input('X')!;
    assert.is(squeeze.num('Scale_out', 0), f(127 / T.get(sqName)!));
    assert.is(e1.num('Scale_in', 0), f(127 / T.get(sqName)!));
    // with Paddle 2.0's update_relu_output_scales the same tensor is quantized at 255/T
    const { int8: g20 } = convertForTest(quant, { unsignedReluScales: true });
    const [, sq20, e20] = g20.ops.filter((o) => o.type === 'conv2d');
    assert.is(sq20.num('Scale_out', 0), f(255 / T.get(sqName)!));
    assert.is(e20.num('Scale_in', 0), f(255 / T.get(sqName)!));
    assert.is(conv[0].num('Scale_out', 0), g20.ops.filter((o) => o.type === 'conv2d')[0].num('Scale_out', 0)); // no scale yet at that step
    // expands write the concat's (signed) scale; conv1 writes pool1's scale, propagated back through the max pool
    const cat = g.ops.find((o) => o.type === 'concat')!;
    const catOut = fp32.ops.filter((o) => o.type === 'concat')[0].output('Out')!;
    assert.is(e1.num('Scale_out', 0), f(127 / T.get(catOut)!));
    assert.equal(cat.inputList('X'), [e1.output('Output'), e3.output('Output')]);
    const pool1Out = fp32.ops.find((o) => o.type === 'pool2d')!.output('Out')!;
    assert.is(conv[0].num('Scale_out', 0), f(127 / T.get(pool1Out)!));
    // conv10: no output scale → fp32 output, no Scale_out
    const conv10 = conv[25];
    assert.is(conv10.bool('force_fp32_output', false), true);
    assert.is(conv10.hasAttr('Scale_out'), false);
    assert.is(g.ops.filter((o) => o.type === 'dequantize').length, 0);
  });

  test('fake-op vars and scale vars are gone; every parameter is a float32 conv filter or bias', () => {
    assert.is([...g.params.keys()].length, 52);
    assert.ok([...g.params.values()].every((t) => t.dtype === 'fp32'));
    assert.ok(![...g.vars.keys()].some((n) => n.includes('@scale') || n.endsWith('.quantized') || n.endsWith('.dequantized')));
  });
}

/** the relu output var of a named conv in the FP32 SqueezeNet (the relu writes `<name>.conv2d.output.1.tmp_1`) */
function fp32Relu(g: ReturnType<typeof loadGraph>, name: string): string {
  const c = g.ops.find((o) => o.type === 'conv2d' && o.input('Filter') === `${name}_weights`)!;
  const add = g.consumers(c.output('Output')!)[0];
  return g.consumers(add.output('Out')!)[0].output('Out')!;
}

test.run();
