// remove_fake_ops and dequantize_weights: frozen QAT, legacy int8 (quantize/dequantize), quant-dequant and
// onnx-format (quantize_linear/dequantize_linear) layouts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dequantizeWeights } from '../../src/passes/dequantize_weights';
import { gatherInputScales } from '../../src/passes/gather_input_scales';
import { gatherOutputScales } from '../../src/passes/gather_output_scales';
import { gatherWeightThresholds } from '../../src/passes/gather_weight_thresholds';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { removeFakeOps } from '../../src/passes/remove_fake_ops';
import { build, f32, fr, show } from './util';

const PIPE = [gatherWeightThresholds, gatherInputScales, gatherOutputScales, removeFakeOps, dequantizeWeights];

test('frozen QAT: fake ops gone, consumers read X, channel-wise weights W/127·T[c]', () => {
  const g = build([
    { type: 'fake_quantize_moving_average_abs_max', inputs: { X: ['x'], InScale: ['x.scale'] }, outputs: { Out: ['x.q'], OutScale: ['x.scale'] }, attrs: { bit_length: 8 } },
    { type: 'conv2d', inputs: { Input: ['x.q'], Filter: ['w'] }, outputs: { Output: ['c'] } },
    { type: 'fake_channel_wise_dequantize_max_abs', inputs: { X: ['c'], Scales: ['w.scale', 'x.scale'] }, outputs: { Out: ['c.dq'] }, attrs: { quant_bits: [8, 8] } },
    { type: 'relu', inputs: { X: ['c.dq'] }, outputs: { Out: ['r'] } },
  ], { 'x.scale': { dims: [1], data: [2] }, w: { dims: [2, 1, 1, 2], data: [127, -64, 1, -127] }, 'w.scale': { dims: [2], data: [0.5, 0.25] } });
  runPipeline(g, PIPE, new PassContext());
  assert.equal(show(g), ['conv2d(Input=x; Filter=w) -> (Output=c)', 'relu(X=c) -> (Out=r)']);
  assert.equal(f32(g, 'w'), fr([127 / 127 * 0.5, -64 / 127 * 0.5, 1 / 127 * 0.25, -127 / 127 * 0.25]));
  assert.equal([...g.vars.keys()].sort(), ['c', 'r', 'w', 'x']);
  assert.is(g.params.has('w.scale'), false);
});

test('legacy quantize/dequantize: int8 weight <w>.int8 becomes float32 <w> = W/127·(127·127/max_range)', () => {
  const maxRange = (127 * 127) / 0.75;
  const g = build([
    { type: 'quantize', inputs: { X: ['data'] }, outputs: { Out: ['data.q'], OutScale: ['data.scale'] }, attrs: { bit_length: 8 } },
    { type: 'conv2d', inputs: { Input: ['data.q'], Filter: ['w.int8'] }, outputs: { Output: ['c'] } },
    { type: 'dequantize', inputs: { X: ['c'], Scale: ['data.scale'] }, outputs: { Out: ['c.dq'] }, attrs: { max_range: maxRange } },
    { type: 'elementwise_add', inputs: { X: ['c.dq'], Y: ['b'] }, outputs: { Out: ['y'] }, attrs: { axis: 1 } },
  ], { 'w.int8': { dims: [1, 1, 1, 3], data: [127, -3, 0], dtype: 'int8' }, b: { dims: [1], data: [0.5] } });
  const ctx = new PassContext();
  runPipeline(g, PIPE, ctx);
  assert.equal(show(g), ['conv2d(Input=data; Filter=w) -> (Output=c)', 'elementwise_add(X=c; Y=b) -> (Out=y)']);
  const t = (127 * 127) / maxRange;
  assert.equal(f32(g, 'w'), fr([127 / 127 * t, -3 / 127 * t, 0]));
  assert.is(g.var('w')!.dtype, 'fp32');
  assert.is(g.var('w.int8'), undefined);
  assert.is(ctx.scales.size, 0); // dynamic abs_max stores no activation scale
});

test('quant-dequant layout: fake_quantize_dequantize ops on activations and weights are removed, float weights kept', () => {
  const g = build([
    { type: 'fake_quantize_dequantize_moving_average_abs_max', inputs: { X: ['x'], InScale: ['x.s'] }, outputs: { Out: ['x.qd'], OutScale: ['x.s'] }, attrs: { bit_length: 8 } },
    { type: 'fake_channel_wise_quantize_dequantize_abs_max', inputs: { X: ['w'] }, outputs: { Out: ['w.qd'], OutScale: ['w.os'] }, attrs: { quant_axis: 0 } },
    { type: 'conv2d', inputs: { Input: ['x.qd'], Filter: ['w.qd'] }, outputs: { Output: ['c'] } },
  ], { 'x.s': { dims: [1], data: [4] }, w: { dims: [1, 1, 1, 2], data: [0.25, -0.5] } });
  const ctx = new PassContext();
  runPipeline(g, PIPE, ctx);
  assert.equal(show(g), ['conv2d(Input=x; Filter=w) -> (Output=c)']);
  assert.equal(f32(g, 'w'), [0.25, -0.5]);
  assert.equal(Array.from(ctx.scales.get('x')!.scale), [0.25]);
});

test('onnx format: quantize_linear/dequantize_linear pairs; dequantize_linear on a weight gives per-channel thresholds', () => {
  const g = build([
    { type: 'quantize_linear', inputs: { X: ['x'], Scale: ['x.s'], ZeroPoint: ['zp'] }, outputs: { Y: ['x.q'] }, attrs: { bit_length: 8, quant_axis: -1 } },
    { type: 'dequantize_linear', inputs: { X: ['x.q'], Scale: ['x.s'], ZeroPoint: ['zp'] }, outputs: { Y: ['x.dq'] }, attrs: { bit_length: 8, quant_axis: -1 } },
    { type: 'dequantize_linear', inputs: { X: ['w'], Scale: ['w.s'], ZeroPoint: ['zp2'] }, outputs: { Y: ['w.dq'] }, attrs: { bit_length: 8, quant_axis: 1 } },
    { type: 'mul', inputs: { X: ['x.dq'], Y: ['w.dq'] }, outputs: { Out: ['o'] }, attrs: { x_num_col_dims: 1, y_num_col_dims: 1 } },
  ], {
    'x.s': { dims: [1], data: [3] }, zp: { dims: [1], data: [0] }, zp2: { dims: [2], data: [0, 0] },
    w: { dims: [2, 2], data: [127, 10, -127, -20] }, 'w.s': { dims: [2], data: [2, 4] },
  });
  const ctx = new PassContext();
  runPipeline(g, PIPE, ctx);
  assert.equal(show(g), ['mul(X=x; Y=w) -> (Out=o)']);
  assert.equal(f32(g, 'w'), fr([127 / 127 * 2, 10 / 127 * 4, -127 / 127 * 2, -20 / 127 * 4]));
  assert.equal(Array.from(ctx.scales.get('x')!.scale), [1 / 3]);
  assert.equal(Array.from(ctx.scales.get('x.q')!.scale), [1 / 3]);
});

test('weight thresholds that fit no axis are an error naming the op', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c'] } },
    { type: 'fake_channel_wise_dequantize_max_abs', inputs: { X: ['c'], Scales: ['w.s'] }, outputs: { Out: ['d'] }, attrs: { quant_bits: [8] } },
  ], { w: { dims: [2, 1, 1, 1], data: [1, 2] }, 'w.s': { dims: [3], data: [1, 1, 1] } });
  assert.throws(() => runPipeline(g, PIPE, new PassContext()), /op conv2d\(0\): 3 weight thresholds do not fit weight 'w' \[2,1,1,1\]/);
});

test.run();
