// cpu_quantize_placement_pass, cpu_quantize_pass, cpu_quantize_squash_pass on a SqueezeNet-like block and on
// hand-built INT8 graphs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeWeightScales } from '../../src/passes/compute_weight_scales';
import { cpuQuantizePass } from '../../src/passes/cpu_quantize_pass';
import { cpuQuantizePlacementPass } from '../../src/passes/cpu_quantize_placement_pass';
import { cpuQuantizeSquashPass } from '../../src/passes/cpu_quantize_squash_pass';
import { PassContext, runPipeline, type PassOptions } from '../../src/passes/pass';
import { propagateScales } from '../../src/passes/propagate_scales';
import { updateReluOutputScales } from '../../src/passes/update_relu_output_scales';
import { build, show } from './util';

const ATTRS = ['Scale', 'is_negative_input', 'Scale_in', 'Scale_weights', 'Scale_out', 'force_fp32_output', 'mkldnn_data_type', 'Scale_in_eltwise', 'fuse_alpha'];

/** conv1(relu) → max pool → two expand convs(relu) → concat → avg pool, as after the FP32 passes */
function fire() {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w1'], Bias: ['b1'] }, outputs: { Output: ['c1'] }, attrs: { fuse_activation: 'relu' } },
    { type: 'pool2d', inputs: { X: ['c1'] }, outputs: { Out: ['p'] }, attrs: { pooling_type: 'max' } },
    { type: 'conv2d', inputs: { Input: ['p'], Filter: ['w2'] }, outputs: { Output: ['e1'] }, attrs: { fuse_activation: 'relu' } },
    { type: 'conv2d', inputs: { Input: ['p'], Filter: ['w3'] }, outputs: { Output: ['e2'] }, attrs: { fuse_activation: 'relu' } },
    { type: 'concat', inputs: { X: ['e1', 'e2'] }, outputs: { Out: ['cat'] }, attrs: { axis: 1 } },
    { type: 'pool2d', inputs: { X: ['cat'] }, outputs: { Out: ['gp'] }, attrs: { pooling_type: 'avg' } },
  ], {
    w1: { dims: [2, 1, 1, 1], data: [0.5, -0.25] }, b1: { dims: [2], data: [0, 1] },
    w2: { dims: [1, 2, 1, 1], data: [2, 1] }, w3: { dims: [1, 2, 1, 1], data: [-4, 1] },
  });
  const ctx = (o: Partial<PassOptions> = {}) => {
    const c = new PassContext(o);
    c.scales.set('x', { unsigned: false, scale: Float64Array.of(0.5) });
    c.scales.set('p', { unsigned: false, scale: Float64Array.of(0.25) });
    c.scales.set('cat', { unsigned: false, scale: Float64Array.of(0.125) });
    return c;
  };
  return { g, ctx };
}
const PRE = [computeWeightScales, updateReluOutputScales, propagateScales, cpuQuantizePlacementPass];

test('cpu_quantize_placement_pass: all quantizable types by default; avg pool2d excluded; --ops_to_quantize / --op_ids_to_skip', () => {
  const { g, ctx } = fire();
  runPipeline(g, PRE, ctx());
  assert.equal(g.ops.map((o) => o.str('mkldnn_data_type', '-')), ['int8', 'int8', 'int8', 'int8', 'int8', '-']);
  const b = fire();
  const c2 = b.ctx({ opsToQuantize: ['conv2d'], opIdsToSkip: [4] });
  runPipeline(b.g, PRE, c2);
  assert.equal(b.g.ops.map((o) => o.str('mkldnn_data_type', '-')), ['int8', '-', '-', 'int8', '-', '-']);
  assert.ok(c2.log.some((l) => l.kind === 'skipped' && l.what === 'conv2d(4)' && /op_ids_to_skip/.test(l.detail)));
});

test('cpu_quantize_placement_pass: unknown op type or id is a usage error', () => {
  const a = fire();
  assert.throws(() => runPipeline(a.g, PRE, a.ctx({ opsToQuantize: ['softmax'] })), /--ops_to_quantize: 'softmax' cannot be quantized/);
  const b = fire();
  assert.throws(() => runPipeline(b.g, PRE, b.ctx({ opIdsToSkip: [2, 99, 1] })), /--op_ids_to_skip: no op with id 99, 1 at cpu_quantize_placement_pass/);
});

test('cpu_quantize_pass: quantize/dequantize around every int8 op with Paddle\'s attributes', () => {
  const { g, ctx } = fire();
  runPipeline(g, [...PRE, cpuQuantizePass], ctx());
  assert.equal(show(g, ATTRS), [
    'quantize(Input=x) -> (Output=quantize/out_12) Scale=63.5 is_negative_input=true',
    'conv2d(Input=quantize/out_12; Filter=w1; Bias=b1) -> (Output=dequantize/in_14) Scale_in=63.5 Scale_weights=[254,508] Scale_out=31.75 mkldnn_data_type=int8',
    'dequantize(Input=dequantize/in_14) -> (Output=c1) Scale=31.75',
    'quantize(Input=c1) -> (Output=quantize/out_24) Scale=31.75 is_negative_input=true',
    'pool2d(X=quantize/out_24) -> (Out=dequantize/in_26) mkldnn_data_type=int8',
    'dequantize(Input=dequantize/in_26) -> (Output=p) Scale=31.75',
    'quantize(Input=p) -> (Output=quantize/out_16) Scale=31.75 is_negative_input=true',
    'conv2d(Input=quantize/out_16; Filter=w2) -> (Output=dequantize/in_18) Scale_in=31.75 Scale_weights=[63.5] Scale_out=15.875 mkldnn_data_type=int8',
    'dequantize(Input=dequantize/in_18) -> (Output=e1) Scale=15.875',
    'quantize(Input=p) -> (Output=quantize/out_20) Scale=31.75 is_negative_input=true',
    'conv2d(Input=quantize/out_20; Filter=w3) -> (Output=dequantize/in_22) Scale_in=31.75 Scale_weights=[31.75] Scale_out=15.875 mkldnn_data_type=int8',
    'dequantize(Input=dequantize/in_22) -> (Output=e2) Scale=15.875',
    'quantize(Input=e1) -> (Output=quantize/out_28) Scale=15.875 is_negative_input=true',
    'quantize(Input=e2) -> (Output=quantize/out_30) Scale=15.875 is_negative_input=true',
    'concat(X=quantize/out_28,quantize/out_30) -> (Output=dequantize/in_32) mkldnn_data_type=int8'.replace('Output=dequantize/in_32', 'Out=dequantize/in_32'),
    'dequantize(Input=dequantize/in_32) -> (Output=cat) Scale=15.875',
    'pool2d(X=cat) -> (Out=gp)',
  ]);
  // attribute types as Paddle declares them (spec 3.10): Scale* float, Scale_weights floats, is_negative_input bool
  const conv = g.ops[1];
  assert.is(conv.attrRecord('Scale_in')!.type, 1);
  assert.is(conv.attrRecord('Scale_weights')!.type, 4);
  assert.is(g.ops[0].attrRecord('Shift')!.type, 1);
  assert.is(g.ops[0].attrRecord('is_negative_input')!.type, 6);
  assert.is(g.ops[0].str('output_format', ''), 'NHWC');
});

test('cpu_quantize_pass: unsigned (relu) scales use 255; no output scale → force_fp32_output; relu6 alpha stays in real units (3.x); missing scale → FP32', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['a'] }, attrs: { fuse_activation: 'relu' } },
    { type: 'conv2d', inputs: { Input: ['a'], Filter: ['w'] }, outputs: { Output: ['b'] }, attrs: { fuse_activation: 'relu6', fuse_alpha: 6.0 } },
    { type: 'conv2d', inputs: { Input: ['b'], Filter: ['w'] }, outputs: { Output: ['c'] } },
    { type: 'conv2d', inputs: { Input: ['c'], Filter: ['w'] }, outputs: { Output: ['d'] } },
  ], { w: { dims: [1, 1, 1, 1], data: [0.5] } });
  const ctx = new PassContext();
  ctx.scales.set('x', { unsigned: false, scale: Float64Array.of(1) });
  ctx.scales.set('a', { unsigned: false, scale: Float64Array.of(0.5) });
  ctx.scales.set('b', { unsigned: false, scale: Float64Array.of(0.25) });
  runPipeline(g, [...PRE, cpuQuantizePass], ctx);
  assert.equal(show(g, ['Scale', 'is_negative_input', 'Scale_in', 'Scale_out', 'force_fp32_output', 'fuse_alpha', 'mkldnn_data_type']), [
    'quantize(Input=x) -> (Output=quantize/out_8) Scale=127 is_negative_input=true',
    'conv2d(Input=quantize/out_8; Filter=w) -> (Output=dequantize/in_10) fuse_activation=relu Scale_in=127 Scale_out=127.5 mkldnn_data_type=int8'.replace(' fuse_activation=relu', ''),
    'dequantize(Input=dequantize/in_10) -> (Output=a) Scale=127.5',
    'quantize(Input=a) -> (Output=quantize/out_12) Scale=127.5 is_negative_input=false',
    'conv2d(Input=quantize/out_12; Filter=w) -> (Output=dequantize/in_14) Scale_in=127.5 Scale_out=63.75 fuse_alpha=6 mkldnn_data_type=int8',
    'dequantize(Input=dequantize/in_14) -> (Output=b) Scale=63.75',
    'quantize(Input=b) -> (Output=quantize/out_16) Scale=63.75 is_negative_input=false',
    'conv2d(Input=quantize/out_16; Filter=w) -> (Output=c) Scale_in=63.75 force_fp32_output=true mkldnn_data_type=int8',
    'conv2d(Input=c; Filter=w) -> (Output=d) mkldnn_data_type=float32',
  ]);
  assert.ok(ctx.log.some((l) => l.kind === 'skipped' && l.what === 'conv2d(6)' && l.detail === "no scale for 'c'"));
});

test('cpu_quantize_pass: residual conv quantizes ResidualData (Scale_in_eltwise) and needs an output scale', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'], ResidualData: ['r'] }, outputs: { Output: ['o'] }, attrs: { fuse_residual_connection: true } },
    { type: 'conv2d', inputs: { Input: ['o'], Filter: ['w'], ResidualData: ['r'] }, outputs: { Output: ['o2'] }, attrs: { fuse_residual_connection: true } },
  ], { w: { dims: [1, 1, 1, 1], data: [1] } });
  const ctx = new PassContext();
  ctx.scales.set('x', { unsigned: false, scale: Float64Array.of(1) });
  ctx.scales.set('r', { unsigned: true, scale: Float64Array.of(2) });
  ctx.scales.set('o', { unsigned: false, scale: Float64Array.of(0.5) });
  runPipeline(g, [...PRE, cpuQuantizePass], ctx);
  assert.equal(show(g, ['Scale', 'Scale_in', 'Scale_in_eltwise', 'Scale_out', 'mkldnn_data_type']), [
    'quantize(Input=x) -> (Output=quantize/out_4) Scale=127',
    'quantize(Input=r) -> (Output=quantize/out_6) Scale=510',
    'conv2d(Input=quantize/out_4; Filter=w; ResidualData=quantize/out_6) -> (Output=dequantize/in_8) Scale_in=127 Scale_in_eltwise=510 Scale_out=63.5 mkldnn_data_type=int8',
    'dequantize(Input=dequantize/in_8) -> (Output=o) Scale=63.5',
    'conv2d(Input=o; Filter=w; ResidualData=r) -> (Output=o2) mkldnn_data_type=float32',
  ]);
});

test('cpu_quantize_squash_pass on the fire block: equal dequantize→quantize pairs vanish, int8 flows between int8 ops', () => {
  const { g, ctx } = fire();
  const c = ctx();
  runPipeline(g, [...PRE, cpuQuantizePass, cpuQuantizeSquashPass], c);
  assert.equal(show(g, ['Scale']), [
    'quantize(Input=x) -> (Output=quantize/out_12) Scale=63.5',
    'conv2d(Input=quantize/out_12; Filter=w1; Bias=b1) -> (Output=dequantize/in_14)',
    'pool2d(X=dequantize/in_14) -> (Out=dequantize/in_26)',
    'conv2d(Input=dequantize/in_26; Filter=w2) -> (Output=dequantize/in_18)',
    'conv2d(Input=dequantize/in_26; Filter=w3) -> (Output=dequantize/in_22)',
    'concat(X=dequantize/in_18,dequantize/in_22) -> (Out=dequantize/in_32)',
    'dequantize(Input=dequantize/in_32) -> (Output=cat) Scale=15.875',
    'pool2d(X=cat) -> (Out=gp)',
  ]);
  assert.is(c.log.filter((l) => l.kind === 'squashed').length, 5);
});

test('cpu_quantize_squash_pass: unequal pair → requantize → folded into the conv Scale_out; conv → dequantize → force_fp32_output', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['q0'], Filter: ['w'] }, outputs: { Output: ['d_in'] }, attrs: { mkldnn_data_type: 'int8', Scale_in: 3.0, Scale_out: 10.0 } },
    { type: 'dequantize', inputs: { Input: ['d_in'] }, outputs: { Output: ['v'] }, attrs: { Scale: 10.0 } },
    { type: 'quantize', inputs: { Input: ['v'] }, outputs: { Output: ['q1'] }, attrs: { Scale: 20.0, Shift: 0.0, is_negative_input: true } },
    { type: 'conv2d', inputs: { Input: ['q1'], Filter: ['w'] }, outputs: { Output: ['o'] }, attrs: { mkldnn_data_type: 'int8', Scale_in: 20.0, Scale_out: 5.0 } },
    { type: 'dequantize', inputs: { Input: ['o'] }, outputs: { Output: ['out'] }, attrs: { Scale: 5.0 } },
  ], { w: { dims: [1, 1, 1, 1], data: [1] } });
  runPipeline(g, [{ name: 'cpu_quantize_pass', run: () => {} }, cpuQuantizeSquashPass], new PassContext());
  assert.equal(show(g, ['Scale_in', 'Scale_out', 'force_fp32_output']), [
    'conv2d(Input=q0; Filter=w) -> (Output=q1) Scale_in=3 Scale_out=20',
    'conv2d(Input=q1; Filter=w) -> (Output=out) Scale_in=20 Scale_out=5 force_fp32_output=true',
  ]);
});

test('cpu_quantize_squash_pass: requantize into the next conv (Scale_in); quantize ops of one tensor merged', () => {
  const g = build([
    { type: 'pool2d', inputs: { X: ['a'] }, outputs: { Out: ['p_in'] }, attrs: { mkldnn_data_type: 'int8' } },
    { type: 'dequantize', inputs: { Input: ['p_in'] }, outputs: { Output: ['p'] }, attrs: { Scale: 8.0 } },
    { type: 'quantize', inputs: { Input: ['p'] }, outputs: { Output: ['q'] }, attrs: { Scale: 4.0, Shift: 0.0, is_negative_input: true } },
    { type: 'conv2d', inputs: { Input: ['q'], Filter: ['w'] }, outputs: { Output: ['o'] }, attrs: { mkldnn_data_type: 'int8', Scale_in: 4.0 } },
    { type: 'quantize', inputs: { Input: ['y'] }, outputs: { Output: ['y1'] }, attrs: { Scale: 2.0, Shift: 0.0, is_negative_input: true } },
    { type: 'conv2d', inputs: { Input: ['y1'], Filter: ['w'] }, outputs: { Output: ['o1'] }, attrs: { mkldnn_data_type: 'int8', Scale_in: 2.0 } },
    { type: 'quantize', inputs: { Input: ['y'] }, outputs: { Output: ['y2'] }, attrs: { Scale: 2.0, Shift: 0.0, is_negative_input: true } },
    { type: 'conv2d', inputs: { Input: ['y2'], Filter: ['w'] }, outputs: { Output: ['o2'] }, attrs: { mkldnn_data_type: 'int8', Scale_in: 2.0 } },
  ], { w: { dims: [1, 1, 1, 1], data: [1] } });
  runPipeline(g, [{ name: 'cpu_quantize_pass', run: () => {} }, cpuQuantizeSquashPass], new PassContext());
  assert.equal(show(g, ['Scale', 'Scale_in']), [
    'pool2d(X=a) -> (Out=p_in)',
    'conv2d(Input=p_in; Filter=w) -> (Output=o) Scale_in=8',
    'quantize(Input=y) -> (Output=y1) Scale=2',
    'conv2d(Input=y1; Filter=w) -> (Output=o1) Scale_in=2',
    'conv2d(Input=y1; Filter=w) -> (Output=o2) Scale_in=2',
  ]);
});

test.run();
