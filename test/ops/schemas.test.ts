// Shape/dtype inference of every op schema, with numbers worked out by hand from Paddle's rules.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/graph/graph';
import { Var } from '../../src/graph/var';
import { getSchema, knownOpTypes } from '../../src/ops/schema';
import { compile } from '../../src/runtime/compile';
import { referenceBackend } from '../../src/backends/reference/backend';
import { QdeployError } from '../../src/util/errors';
import { infer, f32, u8, s8 } from './infer';

const dims = (r: Record<string, { dims: number[] }[]>, slot = 'Out', i = 0) => r[slot][i].dims;
const throwsMsg = (fn: () => unknown, re: RegExp) => {
  try { fn(); } catch (e) { assert.instance(e, QdeployError); assert.match((e as Error).message, re); return; }
  assert.unreachable('expected an error');
};

test('every required op type has a schema', () => {
  const need = ['conv2d', 'depthwise_conv2d', 'batch_norm', 'relu', 'relu6', 'leaky_relu', 'tanh', 'sigmoid', 'hard_swish', 'hard_sigmoid', 'pool2d', 'lrn',
    'elementwise_add', 'elementwise_sub', 'elementwise_mul', 'elementwise_div', 'mul', 'matmul', 'matmul_v2', 'fc', 'softmax', 'scale', 'concat', 'split',
    'transpose2', 'reshape2', 'reshape', 'flatten2', 'flatten_contiguous_range', 'squeeze2', 'unsqueeze2', 'shape', 'slice', 'dropout', 'quantize', 'dequantize', 'requantize'];
  for (const t of need) assert.ok(knownOpTypes().includes(t), t);
  assert.equal(getSchema('hard_swish')!.attrs, { threshold: 6, scale: 6, offset: 3 });
  assert.equal(getSchema('hard_sigmoid')!.attrs, { slope: 0.2, offset: 0.5 });
  assert.is(getSchema('relu6')!.attrs.threshold, 6);
  assert.equal(getSchema('lrn')!.attrs, { n: 5, k: 2, alpha: 1e-4, beta: 0.75, data_format: 'AnyLayout' });
});

test('conv2d: explicit 2-/4-value pads, stride, dilation, SAME, VALID', () => {
  // (227 + 0 − 3)/2 + 1 = 113 (SqueezeNet conv1)
  assert.equal(dims(infer('conv2d', { Input: f32(1, 3, 227, 227), Filter: f32(64, 3, 3, 3) }, { strides: [2, 2], paddings: [0, 0] }), 'Output'), [1, 64, 113, 113]);
  // 4-value [top, bottom, left, right]: H: (10 + 0 + 1 − 3)/2 + 1 = 5, W: (9 + 2 + 0 − 3)/2 + 1 = 5
  assert.equal(dims(infer('conv2d', { Input: f32(2, 4, 10, 9), Filter: f32(6, 4, 3, 3) }, { strides: [2, 2], paddings: [0, 1, 2, 0] }), 'Output'), [2, 6, 5, 5]);
  // dilation 2: effective kernel 5: (9 + 2 − 5)/1 + 1 = 7
  assert.equal(dims(infer('conv2d', { Input: f32(1, 1, 9, 9), Filter: f32(1, 1, 3, 3) }, { paddings: [1, 1], dilations: [2, 2] }), 'Output'), [1, 1, 7, 7]);
  // SAME: ceil(11/2) = 6; VALID: (11 − 3)/2 + 1 = 5 regardless of paddings
  assert.equal(dims(infer('conv2d', { Input: f32(1, 1, 11, 11), Filter: f32(1, 1, 3, 3) }, { strides: [2, 2], padding_algorithm: 'SAME' }), 'Output'), [1, 1, 6, 6]);
  assert.equal(dims(infer('conv2d', { Input: f32(1, 1, 11, 11), Filter: f32(1, 1, 3, 3) }, { strides: [2, 2], paddings: [4, 4], padding_algorithm: 'VALID' }), 'Output'), [1, 1, 5, 5]);
  // depthwise via groups
  assert.equal(dims(infer('depthwise_conv2d', { Input: f32(1, 32, 112, 112), Filter: f32(32, 1, 3, 3) }, { groups: 32, strides: [2, 2], paddings: [1, 1] }), 'Output'), [1, 32, 56, 56]);
  throwsMsg(() => infer('conv2d', { Input: f32(1, 8, 5, 5), Filter: f32(4, 3, 3, 3) }, { groups: 2 }), /conv2d\(\d+\).*8 channels/);
});

test('conv2d int8 output dtype: fp32 / u8 (relu, relu6) / s8; unmarked int8 input is refused', () => {
  const base = { Input: u8(1, 4, 5, 5), Filter: f32(2, 4, 1, 1) };
  const t = (attrs: Record<string, string | boolean>) => infer('conv2d', base, { mkldnn_data_type: 'int8', ...attrs }).Output[0].dtype;
  assert.is(t({}), 'int8');
  assert.is(t({ fuse_activation: 'relu' }), 'uint8');
  assert.is(t({ fuse_activation: 'relu6' }), 'uint8');
  assert.is(t({ fuse_activation: 'relu', force_fp32_output: true }), 'fp32');
  assert.is(infer('conv2d', { Input: s8(1, 4, 5, 5), Filter: f32(2, 4, 1, 1) }, { use_quantizer: true }).Output[0].dtype, 'int8');
  throwsMsg(() => infer('conv2d', base, {}), /not marked int8/);
  // legacy int8 weights with an fp32 input: an fp32 conv
  assert.is(infer('conv2d', { Input: f32(1, 4, 5, 5), Filter: s8(2, 4, 1, 1) }).Output[0].dtype, 'fp32');
});

test('pool2d: ceil_mode, 4-value pads, global, adaptive, SAME', () => {
  // SqueezeNet: 113 → (113 − 3 + 2 − 1)/2 + 1 = 56 with ceil_mode (floor: 56 too); 112 → ceil 56, floor 55
  assert.equal(dims(infer('pool2d', { X: f32(1, 64, 113, 113) }, { ksize: [3, 3], strides: [2, 2], ceil_mode: true })), [1, 64, 56, 56]);
  assert.equal(dims(infer('pool2d', { X: f32(1, 1, 112, 112) }, { ksize: [3, 3], strides: [2, 2], ceil_mode: true })), [1, 1, 56, 56]);
  assert.equal(dims(infer('pool2d', { X: f32(1, 1, 112, 112) }, { ksize: [3, 3], strides: [2, 2] })), [1, 1, 55, 55]);
  assert.equal(dims(infer('pool2d', { X: f32(1, 1, 5, 6) }, { ksize: [2, 3], strides: [1, 2], paddings: [1, 0, 0, 2] })), [1, 1, 5, 3]);
  assert.equal(dims(infer('pool2d', { X: f32(2, 7, 7, 7) }, { ksize: [3, 3], global_pooling: true, pooling_type: 'avg' })), [2, 7, 1, 1]);
  assert.equal(dims(infer('pool2d', { X: f32(1, 3, 7, 5) }, { ksize: [3, 2], adaptive: true })), [1, 3, 3, 2]);
  assert.equal(dims(infer('pool2d', { X: f32(1, 2, 7, 8) }, { ksize: [3, 3], strides: [2, 2], padding_algorithm: 'SAME' })), [1, 2, 4, 4]);
  assert.is(infer('pool2d', { X: u8(1, 2, 4, 4) }, { ksize: [2, 2] }).Out[0].dtype, 'uint8');
});

test('elementwise: Paddle axis broadcasting', () => {
  assert.equal(dims(infer('elementwise_add', { X: f32(2, 3, 4, 5), Y: f32(3) }, { axis: 1 })), [2, 3, 4, 5]);
  assert.equal(dims(infer('elementwise_add', { X: f32(2, 3, 4, 5), Y: f32(4, 5) }, { axis: -1 })), [2, 3, 4, 5]);
  assert.equal(dims(infer('elementwise_mul', { X: f32(2, 3, 4, 5), Y: f32(3, 1, 1) }, { axis: 1 })), [2, 3, 4, 5]);
  // trailing 1s of Y trimmed when Y would run past X: [5, 1] at axis 1 of [2, 5] → [5]
  assert.equal(dims(infer('elementwise_add', { X: f32(2, 5), Y: f32(5, 1) }, { axis: 1 })), [2, 5]);
  // both sides broadcast, and a higher-rank Y
  assert.equal(dims(infer('elementwise_sub', { X: f32(2, 1, 4), Y: f32(3, 1) })), [2, 3, 4]);
  assert.equal(dims(infer('elementwise_div', { X: f32(3), Y: f32(2, 3) })), [2, 3]);
  throwsMsg(() => infer('elementwise_add', { X: f32(2, 3, 4), Y: f32(4) }, { axis: 1 }), /elementwise_add\(\d+\).*axis=1/);
});

test('mul / matmul / matmul_v2 / fc shapes', () => {
  assert.equal(dims(infer('mul', { X: f32(2, 3, 4, 5), Y: f32(60, 7) }, { x_num_col_dims: 1 })), [2, 7]);
  assert.equal(dims(infer('mul', { X: f32(2, 3, 4, 5), Y: f32(20, 7) }, { x_num_col_dims: 2 })), [2, 3, 7]);
  assert.equal(dims(infer('matmul', { X: f32(2, 1, 5, 3), Y: f32(4, 5, 2) }, { transpose_X: true })), [2, 4, 3, 2]);
  assert.equal(dims(infer('matmul_v2', { X: f32(9), Y: f32(9, 4) })), [4]);
  assert.equal(dims(infer('matmul_v2', { X: f32(2, 3, 4), Y: f32(4) })), [2, 3]);
  assert.equal(dims(infer('matmul_v2', { X: f32(6, 33), Y: f32(7, 33) }, { trans_y: true })), [6, 7]);
  assert.is(infer('matmul', { X: s8(3, 4), Y: u8(4, 2) }, { mkldnn_data_type: 'int8' }).Out[0].dtype, 'int8');
  assert.is(infer('matmul', { X: s8(3, 4), Y: u8(4, 2) }, { mkldnn_data_type: 'int8', force_fp32_output: true }).Out[0].dtype, 'fp32');
  assert.equal(dims(infer('fc', { Input: f32(2, 3, 4, 5), W: f32(20, 10), Bias: f32(10) }, { in_num_col_dims: 2 })), [2, 3, 10]);
  assert.is(infer('fc', { Input: u8(2, 8), W: f32(8, 3) }, { mkldnn_data_type: 'int8', activation_type: 'relu' }).Out[0].dtype, 'uint8');
  throwsMsg(() => infer('matmul', { X: f32(3, 4), Y: f32(5, 2) }), /matmul\(\d+\): inner dims differ/);
});

test('reshape2 0/−1, Shape input with a known value, reshape v1, flatten, squeeze/unsqueeze, transpose2 XShape', () => {
  const r = infer('reshape2', { X: f32(2, 3, 4, 5) }, { shape: [0, -1, 2] });
  assert.equal(dims(r), [2, 30, 2]);
  assert.equal(dims(r, 'XShape'), [0, 2, 3, 4, 5]);
  const shapeVal = { dtype: 'int32' as const, dims: [2], value: { dtype: 'int32' as const, dims: [2], data: Int32Array.from([-1, 12]) } };
  assert.equal(dims(infer('reshape2', { X: f32(2, 3, 4, 5), Shape: shapeVal }, { shape: [7, 7] })), [10, 12]);
  throwsMsg(() => infer('reshape2', { X: f32(2, 3), Shape: { dtype: 'int32', dims: [2] } }), /not known at compile time/);
  assert.equal(dims(infer('reshape', { X: f32(1, 1000, 1, 1) }, { shape: [-1, 1000] })), [1, 1000]);
  throwsMsg(() => infer('reshape2', { X: f32(2, 3) }, { shape: [4, -1] }), /cannot reshape/);
  assert.equal(dims(infer('flatten2', { X: f32(2, 3, 4) }, { axis: 2 })), [6, 4]);
  assert.equal(dims(infer('flatten_contiguous_range', { X: f32(2, 3, 4, 5) }, { start_axis: 1, stop_axis: -2 })), [2, 12, 5]);
  assert.equal(dims(infer('squeeze2', { X: f32(1, 3, 1, 5) }, { axes: [] })), [3, 5]);
  assert.equal(dims(infer('squeeze2', { X: f32(1, 3, 1, 5) }, { axes: [-2, 1] })), [1, 3, 5]); // dim 1 is 3: kept
  assert.equal(dims(infer('unsqueeze2', { X: f32(3, 5) }, { axes: [0, -1] })), [1, 3, 5, 1]);
  const t = infer('transpose2', { X: s8(2, 3, 4) }, { axis: [2, 0, 1] });
  assert.equal(dims(t), [4, 2, 3]);
  assert.is(t.Out[0].dtype, 'int8');
  assert.equal(dims(t, 'XShape'), [0, 2, 3, 4]);
});

test('concat (negative axis), split (num, sections with −1), slice (negative starts, decrease_axis), shape value', () => {
  assert.equal(dims(infer('concat', { X: [f32(3, 2, 7), f32(3, 2, 2)] }, { axis: -1 })), [3, 2, 9]);
  throwsMsg(() => infer('concat', { X: [u8(1, 2), s8(1, 2)] }, { axis: 1 }), /mix dtypes/);
  const sp = infer('split', { X: f32(2, 6, 3) }, { axis: 1, sections: [2, -1, 1] }, { Out: 3 });
  assert.equal(sp.Out.map((o) => o.dims), [[2, 2, 3], [2, 3, 3], [2, 1, 3]]);
  const sn = infer('split', { X: f32(4, 6) }, { axis: -1, num: 3 }, { Out: 3 });
  assert.equal(sn.Out.map((o) => o.dims), [[4, 2], [4, 2], [4, 2]]);
  assert.equal(dims(infer('slice', { Input: f32(2, 3, 5) }, { axes: [1, 2], starts: [1, -3], ends: [2, 100], decrease_axis: [1] })), [2, 3]);
  assert.equal(dims(infer('slice', { Input: f32(4) }, { axes: [0], starts: [2], ends: [3], decrease_axis: [0] })), [1]);
  const sh = infer('shape', { Input: f32(2, 3, 224, 224) });
  assert.equal(Array.from(sh.Out[0].value!.data as Int32Array), [2, 3, 224, 224]);
  // values flow: slice of the shape value
  const sl = infer('slice', { Input: sh.Out[0] }, { axes: [0], starts: [2], ends: [4] });
  assert.equal(Array.from(sl.Out[0].value!.data as Int32Array), [224, 224]);
});

test('shape arithmetic folds at compile time: shape → slice → concat → reshape2(ShapeTensor)', () => {
  const g = new Graph();
  for (const [n, d, t] of [['x', [-1, 3, 4, 5], 'fp32'], ['s', [4], 'int32'], ['b', [1], 'int32'], ['m1', [1], 'int32'], ['y', [], 'fp32'], ['xs', [], 'fp32'], ['feed', [], 'fp32'], ['fetch', [], 'fp32']] as const) g.addVar(Var.create(n, t, [...d]));
  g.addVar(Var.create('minus1', 'int32', [1], true));
  g.params.set('minus1', { dtype: 'int32', dims: [1], data: Int32Array.from([-1]) });
  g.append(g.makeOp({ type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } }));
  g.append(g.makeOp({ type: 'shape', inputs: { Input: ['x'] }, outputs: { Out: ['s'] } }));
  g.append(g.makeOp({ type: 'slice', inputs: { Input: ['s'] }, outputs: { Out: ['b'] }, attrs: { axes: [0], starts: [0], ends: [1] } }));
  g.append(g.makeOp({ type: 'concat', inputs: { X: ['b', 'minus1'] }, outputs: { Out: ['m1'] }, attrs: { axis: 0 } }));
  g.append(g.makeOp({ type: 'reshape2', inputs: { X: ['x'], ShapeTensor: ['m1'] }, outputs: { Out: ['y'], XShape: ['xs'] } }));
  g.append(g.makeOp({ type: 'fetch', inputs: { X: ['y'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } }));
  const plan = compile(g, referenceBackend(), { batch: 2 });
  assert.equal(plan.steps.map((s) => s.op.type), ['reshape2']);
  const x = Float32Array.from({ length: 120 }, (_, i) => i);
  const [y] = plan.run([x]);
  assert.equal(y.dims, [2, 60]);
  assert.equal(Array.from(y.data as Float32Array), Array.from(x));
});

test('quantize / dequantize / requantize dtypes (both dialects)', () => {
  assert.is(infer('quantize', { Input: f32(1, 3) }, { Scale: 2, is_negative_input: true }).Output[0].dtype, 'int8');
  assert.is(infer('quantize', { Input: f32(1, 3) }, { Scale: 2, is_negative_input: true, Shift: 128 }).Output[0].dtype, 'uint8');
  assert.is(infer('quantize', { Input: f32(1, 3) }, { Scale: 2 }).Output[0].dtype, 'uint8');
  throwsMsg(() => infer('quantize', { Input: f32(1, 3) }, { Scale: 0 }), /quantize\(\d+\): Scale must be finite and non-zero/);
  assert.is(infer('dequantize', { Input: s8(4) }, { Scale: 3 }).Output[0].dtype, 'fp32');
  assert.is(infer('requantize', { Input: s8(4) }, { Scale_in: 3, Scale_out: 4 }).Output[0].dtype, 'int8');
  const lq = infer('quantize', { X: f32(2, 8) }, { bit_length: 8 });
  assert.equal([lq.Out[0].dtype, lq.Out[0].dims, lq.OutScale[0].dims], ['fp32', [2, 8], [1]]);
  assert.is(infer('dequantize', { X: f32(2, 8), Scale: f32(1) }, { max_range: 100.5 }).Out[0].dtype, 'fp32');
});

test('batch_norm / dropout / lrn / softmax / scale shapes', () => {
  const bn = infer('batch_norm', { X: f32(2, 3, 4, 4), Scale: f32(3), Bias: f32(3), Mean: f32(3), Variance: f32(3) }, { is_test: true });
  assert.equal([dims(bn, 'Y'), dims(bn, 'MeanOut'), dims(bn, 'SavedVariance')], [[2, 3, 4, 4], [3], [3]]);
  throwsMsg(() => infer('batch_norm', { X: f32(2, 3), Scale: f32(4), Bias: f32(3), Mean: f32(3), Variance: f32(3) }), /Scale has 4 values/);
  assert.equal(infer('dropout', { X: f32(2, 5) }, { is_test: true }).Mask[0], { dtype: 'uint8', dims: [2, 5] });
  assert.equal(dims(infer('lrn', { X: f32(1, 6, 2, 2) }), 'MidOut'), [1, 6, 2, 2]);
  throwsMsg(() => infer('softmax', { X: f32(2, 5) }, { axis: 2 }), /axis 2 out of range/);
  assert.equal(dims(infer('scale', { X: f32(7) }, { scale: 2 })), [7]);
});

test.run();
