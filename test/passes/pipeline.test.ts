// The pipeline as data: requires are checked, instruments see every pass, and the whole Quant2 pipeline turns a
// tiny frozen QAT program into the INT8 program Paddle's passes give.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanupPass } from '../../src/passes/cleanup';
import { int8WeightsPass } from '../../src/passes/int8_weights';
import { PassContext, runPipeline, type Pass } from '../../src/passes/pass';
import { QUANT2_INT8, convertPipeline } from '../../src/passes/pipelines';
import { build, show } from './util';

test('runPipeline: a pass whose requirement has not run is an internal error; instruments run before/after each pass', () => {
  const a: Pass = { name: 'a', run: () => {} };
  const b: Pass = { name: 'b', requires: ['a'], run: () => {} };
  assert.throws(() => runPipeline(build([]), [b, a], new PassContext()), /pass b requires a/);
  const seen: string[] = [];
  runPipeline(build([]), [a, b], new PassContext(), [{ before: (p, i) => seen.push(`>${i}${p.name}`), after: (p, i) => seen.push(`<${i}${p.name}`) }]);
  assert.equal(seen, ['>0a', '<0a', '>1b', '<1b']);
});

test('QUANT2_INT8 lists passes in Paddle order, each requirement before its user', () => {
  const names = QUANT2_INT8.map((p) => p.name);
  assert.equal(names, [
    'check_fake_dialects', 'rename_inplace_outputs', 'label_skip_quantized_op', 'gather_weight_thresholds_from_fake', 'gather_input_scales_from_fake',
    'gather_output_scales_from_attr', 'remove_fake_ops', 'dequantize_weights', 'update_activations', 'is_test_pass',
    'mkldnn_placement_pass', 'depthwise_conv_mkldnn_pass', 'conv_bn_fuse_pass', 'conv_eltwiseadd_bn_fuse_pass',
    'conv_bias_mkldnn_fuse_pass', 'conv_elementwise_add_mkldnn_fuse_pass', 'conv_activation_mkldnn_fuse_pass',
    'map_matmul_to_mul_pass', 'fc_fuse_pass', 'compute_weight_scales', 'propagate_scales',
    'cpu_quantize_placement_pass', 'cpu_quantize_pass', 'cpu_quantize_squash_pass', 'cleanup',
  ]);
  assert.equal(convertPipeline({ int8Weights: true }).at(-1)!.name, 'int8_weights');
  const p20 = convertPipeline({ unsignedReluScales: true }).map((p) => p.name);
  assert.equal(p20.slice(p20.indexOf('compute_weight_scales'), p20.indexOf('compute_weight_scales') + 3), ['compute_weight_scales', 'update_relu_output_scales', 'propagate_scales']);
});

/** feed → fq → conv(int weights) → dequant → bias add → relu → fq → conv → dequant → bias add → fetch */
function qatTwoConvs() {
  return build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: 'fake_quantize_moving_average_abs_max', inputs: { X: ['x'], InScale: ['x@scale'] }, outputs: { Out: ['x.quantized'], OutScale: ['x@scale'] }, attrs: { bit_length: 8, is_test: true, moving_rate: 0.9 } },
    { type: 'conv2d', inputs: { Input: ['x.quantized'], Filter: ['w1'] }, outputs: { Output: ['c1'] }, attrs: { groups: 1 } },
    { type: 'fake_channel_wise_dequantize_max_abs', inputs: { X: ['c1'], Scales: ['w1@scale', 'x@scale'] }, outputs: { Out: ['c1.dequantized'] }, attrs: { quant_bits: [8, 8], quant_axis: 0 } },
    { type: 'elementwise_add', inputs: { X: ['c1.dequantized'], Y: ['b1'] }, outputs: { Out: ['a1'] }, attrs: { axis: 1 } },
    { type: 'relu', inputs: { X: ['a1'] }, outputs: { Out: ['r1'] } },
    { type: 'fake_quantize_range_abs_max', inputs: { X: ['r1'], InScale: ['r1@scale'] }, outputs: { Out: ['r1.quantized'], OutScale: ['r1@scale'] }, attrs: { bit_length: 8, is_test: true, window_size: 10000 } },
    { type: 'conv2d', inputs: { Input: ['r1.quantized'], Filter: ['w2'] }, outputs: { Output: ['c2'] }, attrs: { groups: 1 } },
    { type: 'fake_channel_wise_dequantize_max_abs', inputs: { X: ['c2'], Scales: ['w2@scale', 'r1@scale'] }, outputs: { Out: ['c2.dequantized'] }, attrs: { quant_bits: [8, 8], quant_axis: 0 } },
    { type: 'elementwise_add', inputs: { X: ['c2.dequantized'], Y: ['b2'] }, outputs: { Out: ['out'] }, attrs: { axis: 1 } },
    { type: 'fetch', inputs: { X: ['out'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], {
    'x@scale': { dims: [1], data: [2] }, 'r1@scale': { dims: [1], data: [4] },
    w1: { dims: [2, 1, 1, 1], data: [127, -127] }, 'w1@scale': { dims: [2], data: [0.5, 0.25] }, b1: { dims: [2], data: [0.1, 0.2] },
    w2: { dims: [1, 2, 1, 1], data: [64, -127] }, 'w2@scale': { dims: [1], data: [1] }, b2: { dims: [1], data: [0.3] },
  });
}

test('the whole pipeline on a two-conv QAT program: op sequence, INT8 attributes, dropped scale vars', () => {
  const g = qatTwoConvs();
  const ctx = new PassContext();
  runPipeline(g, QUANT2_INT8, ctx);
  assert.equal(show(g, ['Scale', 'is_negative_input', 'Scale_in', 'Scale_weights', 'Scale_out', 'force_fp32_output', 'fuse_activation', 'mkldnn_data_type']), [
    'feed(X=feed) -> (Out=x)',
    'quantize(Input=x) -> (Output=quantize/out_24) Scale=63.5 is_negative_input=true',
    'conv2d(Input=quantize/out_24; Filter=w1; Bias=b1) -> (Output=dequantize/in_26) Scale_in=63.5 Scale_weights=[254,508] Scale_out=31.75 fuse_activation=relu mkldnn_data_type=int8',
    'conv2d(Input=dequantize/in_26; Filter=w2; Bias=b2) -> (Output=out) Scale_in=31.75 Scale_weights=[127] force_fp32_output=true mkldnn_data_type=int8',
    'fetch(X=out) -> (Out=fetch)',
  ]);
  // weights dequantized: W/127·T
  assert.equal(Array.from(g.param('w1')!.data as Float32Array), [0.5, -0.25]);
  assert.equal(Array.from(g.param('w2')!.data as Float32Array), [Math.fround(64 / 127), -1]);
  assert.equal([...g.params.keys()].sort(), ['b1', 'b2', 'w1', 'w2']);
  assert.ok(g.ops.every((o) => o.num('op_role', -1) === 0));
  // ids (graph.ts numbering: op, then unseen inputs, then every output): feed 0, fq 2, conv 5, dq 7, add 9,
  // relu 11, fq 13, conv 16, dq 18, add 20, fetch 22, counter 24 → the quantize op is 24; originals keep theirs
  assert.equal(g.ops.map((o) => o.id), [0, 24, 5, 16, 22]);
  assert.ok(ctx.log.some((l) => l.kind === 'fused' && l.what === 'conv2d(5)'));
});

test('--update_relu_output_scales (Paddle 2.0): the relu-fused conv writes u8 at 255/T, the next conv reads it so', () => {
  const g = qatTwoConvs();
  runPipeline(g, convertPipeline({ unsignedReluScales: true }), new PassContext());
  assert.equal(show(g, ['Scale_in', 'Scale_out']).slice(2, 4), [
    'conv2d(Input=quantize/out_24; Filter=w1; Bias=b1) -> (Output=dequantize/in_26) Scale_in=63.5 Scale_out=63.75',
    'conv2d(Input=dequantize/in_26; Filter=w2; Bias=b2) -> (Output=out) Scale_in=63.75',
  ]);
});

test('int8_weights: conv filters stored as int8 exactly as the INT8 contract quantizes them', () => {
  const g = qatTwoConvs();
  runPipeline(g, convertPipeline({ int8Weights: true }), new PassContext({ int8Weights: true }));
  const w1 = g.param('w1')!;
  assert.is(w1.dtype, 'int8');
  assert.equal(Array.from(w1.data as Int8Array), [127, -127]);
  assert.equal(Array.from(g.param('w2')!.data as Float32Array), [64, -127]);
  assert.is(g.var('w2')!.dtype, 'int8');
});

test('cleanup: unused vars dropped, op_role = 0 (INT)', () => {
  const g = build([{ type: 'relu', inputs: { X: ['a'] }, outputs: { Out: ['b'] } }], { unused: { dims: [1], data: [1] } });
  runPipeline(g, [cleanupPass, int8WeightsPass].slice(0, 1), new PassContext());
  assert.equal([...g.vars.keys()], ['a', 'b']);
  assert.is(g.ops[0].attrRecord('op_role')!.type, 0);
});

test.run();
