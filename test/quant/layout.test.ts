// The quant model layout on a hand-built graph: op types, slots, attributes (with their Paddle types) and scale
// vars as PaddlePaddle's PTQ writes them (PaddlePaddle/Paddle:python/paddle/static/quantization/
// quantization_pass.py QuantizationTransformPass + QuantizationFreezePass, post_training_quantization.py
// _save_output_threshold; spec sections 2 and 8), a write → loadGraph round trip, and qdeploy convert reading it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import { loadGraph, saveGraph } from '../../src/app/model_io';
import type { Graph } from '../../src/graph/graph';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { convertPipeline } from '../../src/passes/pipelines';
import { collectTargets, computeWeightThresholds, writeQuantLayout, type LayoutOptions } from '../../src/quant/layout';
import { legacyToFp32 } from '../../src/quant/legacy';
import { AttrType } from '../../src/util/program_desc';
import { build, f32, show } from '../passes/util';

const tmp = tempDir('quant-layout');

function fp32(): Graph {
  return build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c'] }, attrs: { strides: [1, 1], paddings: [0, 0], dilations: [1, 1], groups: 1, op_role: 0 } },
    { type: 'elementwise_add', inputs: { X: ['c'], Y: ['b'] }, outputs: { Out: ['a'] }, attrs: { axis: 1 } },
    { type: 'relu', inputs: { X: ['a'] }, outputs: { Out: ['a'] } }, // in place, as caffe2fluid writes it
    { type: 'pool2d', inputs: { X: ['a'] }, outputs: { Out: ['p'] }, attrs: { pooling_type: 'avg', ksize: [2, 2], global_pooling: true } },
    { type: 'reshape2', inputs: { X: ['p'] }, outputs: { Out: ['f'], XShape: ['fx'] }, attrs: { shape: [-1, 2] } },
    { type: 'mul', inputs: { X: ['f'], Y: ['m'] }, outputs: { Out: ['o'] }, attrs: { x_num_col_dims: 1, y_num_col_dims: 1 } },
    { type: 'softmax', inputs: { X: ['o'] }, outputs: { Out: ['s'] } },
    { type: 'fetch', inputs: { X: ['s'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], {
    // channel 0: 0.5/1·127 = 63.5 → 64 (half to even), −1 → −127; channel 1: 0.25 → 127, 0.125/0.25·127 = 63.5 → 64
    w: { dims: [2, 1, 1, 2], data: [0.5, -1, 0.25, 0.125] },
    b: { dims: [2], data: [0.1, -0.1] },
    // mul weights quantize per column (axis 1): column maxima 0.5, 2, 0.3
    m: { dims: [2, 3], data: [0.5, -2, 0.1, -0.25, 1, 0.3] },
  }, { x: [-1, 1, 2, 2], c: [-1, 2, 2, 1], a: [-1, 2, 2, 1], p: [-1, 2, 1, 1], f: [-1, 2], o: [-1, 3], s: [-1, 3] });
}

const ACT = new Map([['x', 4], ['c', 3], ['a', 2.5], ['p', 2], ['f', 2], ['o', 6], ['s', 1], ['fx', 0]]);
const OPTS: LayoutOptions = {
  quantizableOpTypes: ['conv2d', 'depthwise_conv2d', 'conv2d_transpose', 'mul', 'matmul', 'matmul_v2'],
  activationQuantizeType: 'range_abs_max', weightQuantizeType: 'channel_wise_abs_max', onnxFormat: false, quantizationType: 'post_kl',
};

function quant(over: Partial<LayoutOptions> = {}): Graph {
  const g = fp32();
  const o = { ...OPTS, ...over };
  const t = collectTargets(g, o.quantizableOpTypes);
  return writeQuantLayout(g, ACT, computeWeightThresholds(g, t.weights, o.weightQuantizeType), o).graph;
}

const attrType = (g: Graph, type: string, name: string, nth = 0) => g.ops.filter((o) => o.type === type)[nth].attrRecord(name)?.type;

test('targets: inputs and outputs of quantizable ops, outputs of observer ops (Paddle _collect_target_varnames)', () => {
  const t = collectTargets(fp32(), OPTS.quantizableOpTypes);
  assert.equal(t.activations, ['x', 'c', 'a', 'p', 'f', 'o', 's']);
  assert.equal([...t.weights], [['w', 'conv2d'], ['m', 'mul']]);
  assert.equal(t.config.activationTypes, ['mul', 'matmul', 'matmul_v2']);
});

test('non-onnx: QuantizationFreezePass layout, slots and attrs', () => {
  const g = quant();
  assert.equal(show(g, ['bit_length', 'window_size', 'is_test', 'quant_bits', 'quant_axis', 'x_num_col_dims']), [
    'feed(X=feed) -> (Out=x)',
    'fake_quantize_range_abs_max(InScale=x@scale; X=x) -> (Out=x.quantized; OutScale=x@scale) bit_length=8 window_size=10000 is_test=true',
    'conv2d(Input=x.quantized; Filter=w) -> (Output=c)',
    'fake_channel_wise_dequantize_max_abs(Scales=channel_scale_0,x@scale; X=c) -> (Out=c.dequantized) quant_bits=[8,8] quant_axis=0 x_num_col_dims=1',
    'elementwise_add(X=c.dequantized; Y=b) -> (Out=a)',
    'relu(X=a) -> (Out=a)',
    'pool2d(X=a) -> (Out=p)',
    'reshape2(X=p) -> (Out=f; XShape=fx)',
    'fake_quantize_range_abs_max(InScale=f@scale; X=f) -> (Out=f.quantized; OutScale=f@scale) bit_length=8 window_size=10000 is_test=true',
    'mul(X=f.quantized; Y=m) -> (Out=o) x_num_col_dims=1',
    'fake_channel_wise_dequantize_max_abs(Scales=channel_scale_1,f@scale; X=o) -> (Out=o.dequantized) quant_bits=[8,8] quant_axis=1 x_num_col_dims=1',
    'softmax(X=o.dequantized) -> (Out=s)',
    'fetch(X=s) -> (Out=fetch)',
  ]);
  // scale vars: persistable float32 [1] thresholds; channel scales = weight thresholds
  for (const [n, v] of [['x@scale', 4], ['f@scale', 2]] as const) {
    assert.ok(g.var(n)!.persistable); assert.equal(g.var(n)!.dims, [1]); assert.equal(f32(g, n), [v]);
  }
  assert.equal(f32(g, 'channel_scale_0'), [1, 0.25]);
  assert.equal(f32(g, 'channel_scale_1'), [0.5, 2, Math.fround(0.3)]);
  // integer-valued weights (round half to even), float32 as Paddle stores them
  assert.is(g.param('w')!.dtype, 'fp32');
  assert.equal(f32(g, 'w'), [64, -127, 127, 64]);
  assert.equal(f32(g, 'm'), [127, -127, 42, -64, 64, 127]); // 0.1/0.3·127 = 42.33, −0.25/0.5·127 = −63.5 → −64, 1/2·127 = 63.5 → 64
  // attribute types as Paddle writes them
  assert.is(attrType(g, 'fake_quantize_range_abs_max', 'bit_length'), AttrType.INT);
  assert.is(attrType(g, 'fake_quantize_range_abs_max', 'is_test'), AttrType.BOOLEAN);
  assert.is(attrType(g, 'fake_channel_wise_dequantize_max_abs', 'quant_bits'), AttrType.INTS);
  // scale var names only: the weights' own @scale vars and the .dequantized activation vars are gone (freeze)
  assert.not.ok(g.var('w@scale')); assert.not.ok(g.var('x.quantized.dequantized'));
});

test('non-onnx: out_threshold, <Slot><i>_threshold, with_quant_attr, quantization_type (post_<algo>) on table ops', () => {
  const g = quant();
  const by = (t: string) => g.ops.find((o) => o.type === t)!;
  const expect: [string, string, number][] = [
    ['conv2d', 'Output0_threshold', 3], ['elementwise_add', 'Out0_threshold', 2.5], ['relu', 'Out0_threshold', 2.5],
    ['pool2d', 'Out0_threshold', 2], ['reshape2', 'Out0_threshold', 2], ['mul', 'Out0_threshold', 6], ['softmax', 'Out0_threshold', 1],
  ];
  for (const [t, slotAttr, v] of expect) {
    const op = by(t);
    assert.is(op.attr('out_threshold'), v, t);
    assert.is(op.attr(slotAttr), v, t);
    assert.is(op.attrRecord('out_threshold')!.type, AttrType.FLOAT);
    assert.is(op.attr('with_quant_attr'), true);
  }
  assert.is(by('conv2d').attr('quantization_type'), 'post_kl');
  assert.is(by('mul').attr('quantization_type'), 'post_kl');
  assert.is(by('relu').attr('quantization_type'), undefined); // observer types get thresholds only
  assert.not.ok(by('reshape2').hasAttr('XShape0_threshold')); // only the table's output slot (Out)
  for (const t of ['feed', 'fetch', 'fake_quantize_range_abs_max']) assert.not.ok(by(t).hasAttr('out_threshold'), t);
});

test('activation types and abs_max weights: moving_average / abs_max fake ops, fake_dequantize_max_abs max_range', () => {
  const ma = quant({ activationQuantizeType: 'moving_average_abs_max' });
  const fq = ma.ops.find((o) => o.type === 'fake_quantize_moving_average_abs_max')!;
  assert.is(fq.attr('moving_rate'), 0.9); assert.is(fq.attr('window_size'), undefined); assert.equal(fq.inputList('InScale'), ['x@scale']);
  const am = quant({ activationQuantizeType: 'abs_max', weightQuantizeType: 'abs_max' });
  const q = am.ops.find((o) => o.type === 'fake_quantize_abs_max')!;
  assert.equal(q.inputs.map((s) => s.parameter), ['X']); // dynamic: no InScale
  assert.equal(q.outputList('OutScale'), ['x@scale']);
  const dq = am.ops.filter((o) => o.type === 'fake_dequantize_max_abs');
  assert.is(dq.length, 2);
  assert.equal(dq[0].inputList('Scale'), ['x@scale']);
  assert.is(dq[0].attr('max_range'), Math.fround((127 / 1) * 127)); // max|w| = 1
  assert.is(dq[1].attr('max_range'), Math.fround((127 / 2) * 127)); // max|m| = 2
  assert.equal(f32(am, 'w'), [64, -127, 32, 16]); // per tensor: 0.25·127 = 31.75 → 32, 0.125·127 = 15.875 → 16
});

test('onnx_format: quantize_linear/dequantize_linear pairs with Scale and ZeroPoint, int8 weights, observers', () => {
  const g = quant({ onnxFormat: true });
  const types = g.ops.map((o) => o.type);
  assert.equal(types.slice(0, 5), ['feed', 'quantize_linear', 'dequantize_linear', 'dequantize_linear', 'conv2d']);
  const [q, dq, wdq] = [g.ops[1], g.ops[2], g.ops[3]];
  assert.equal(q.inputs.map((s) => `${s.parameter}=${s.arguments}`), ['Scale=x@scale', 'X=x', 'ZeroPoint=x.quantized@zero_point']);
  assert.equal(q.outputList('Y'), ['x.quantized']);
  assert.equal(dq.inputList('X'), ['x.quantized']); assert.equal(dq.outputList('Y'), ['x.quantized.dequantized']);
  assert.is(q.attr('quant_axis'), -1); assert.is(q.attr('bit_length'), 8);
  assert.equal(wdq.inputList('X'), ['w']); assert.is(wdq.attr('quant_axis'), 0);
  assert.equal(f32(g, 'w@scale'), [1, 0.25]);
  assert.is(g.param('w')!.dtype, 'int8'); assert.equal([...g.param('w')!.data], [64, -127, 127, 64]);
  assert.is(g.param('x.quantized@zero_point')!.dtype, 'int32');
  assert.equal(g.ops[4].inputList('Input'), ['x.quantized.dequantized']);
  assert.equal(g.ops[4].inputList('Filter'), ['w.quantized.dequantized']);
  // observers after the table ops' outputs, only_observer = true; no out_threshold attrs in onnx format
  const obs = g.ops.filter((o) => o.type === 'quantize_linear' && o.attr('only_observer') === true);
  assert.ok(obs.length >= 5);
  assert.not.ok(g.ops.some((o) => o.hasAttr('out_threshold')));
  assert.equal(g.ops.find((o) => o.type === 'mul')!.inputList('Y'), ['m.quantized.dequantized']);
  assert.is(g.ops.find((o) => o.type === 'conv2d')!.attr('quantization_type'), 'qat_with_weight');
});

test('matmul_v2 with trans_y: the weight is quantized per row (quant_axis 0), as Paddle maps it to matmul_v2_trans_y', () => {
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: 'matmul_v2', inputs: { X: ['x'], Y: ['m'] }, outputs: { Out: ['o'] }, attrs: { trans_x: false, trans_y: true } },
    { type: 'fetch', inputs: { X: ['o'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], { m: { dims: [3, 2], data: [0.5, -1, 2, 1, 0.25, 0.125] } }, { x: [-1, 2], o: [-1, 3] });
  const act = new Map([['x', 1], ['o', 4]]);
  for (const onnxFormat of [false, true]) {
    const o = { ...OPTS, onnxFormat };
    const t = collectTargets(g, o.quantizableOpTypes);
    const q = writeQuantLayout(g, act, computeWeightThresholds(g, t.weights, o.weightQuantizeType), o).graph;
    // row maxima 1, 2, 0.25 (axis 0 = the output features of a trans_y weight)
    const w = [...q.param('m')!.data];
    assert.equal(w, [64, -127, 127, 64, 127, 64], onnxFormat ? 'onnx' : 'classic'); // 0.5/1·127 = 63.5 → 64 (half to even)
    const dq = q.ops.find((op) => (onnxFormat ? op.type === 'dequantize_linear' && op.input('X') === 'm' : op.type === 'fake_channel_wise_dequantize_max_abs'))!;
    assert.is(dq.attr('quant_axis'), 0);
  }
});

test('round trip: write → loadGraph gives the same program and parameters', () => {
  for (const onnx of [false, true]) {
    const g = quant({ onnxFormat: onnx });
    const dir = join(tmp, `rt${onnx ? '_onnx' : ''}`);
    saveGraph(g, dir, { modelFilename: 'model.pdmodel', paramsFilename: 'model.pdiparams' });
    const back = loadGraph(dir);
    assert.equal(back.toProgram(), g.toProgram());
    assert.equal([...back.params.keys()].sort(), [...g.params.keys()].sort());
    for (const [k, t] of g.params) {
      assert.is(back.params.get(k)!.dtype, t.dtype, k);
      assert.equal([...back.params.get(k)!.data], [...t.data], k);
    }
  }
});

test('qdeploy convert reads the written model: scales gathered, fake ops removed, conv and mul quantized', () => {
  const g = loadGraph((() => { const d = join(tmp, 'cv'); saveGraph(quant(), d, { modelFilename: 'model.pdmodel', paramsFilename: 'model.pdiparams' }); return d; })());
  const ctx = new PassContext({});
  runPipeline(g, convertPipeline({}), ctx);
  assert.not.ok(g.ops.some((o) => o.type.startsWith('fake_')));
  assert.is(ctx.scales.get('x')?.scale[0], 1 / 4);
  const conv = g.ops.find((o) => o.type === 'conv2d')!;
  assert.is(conv.attr('mkldnn_data_type'), 'int8');
});

test('legacy 8-bit program: quantize/dequantize removed, int8 weights → W_int8·127/max_range under the plain name', () => {
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: 'quantize', inputs: { X: ['x'] }, outputs: { Out: ['x.quantized'], OutScale: ['x.scale'] }, attrs: { bit_length: 8 } },
    { type: 'conv2d', inputs: { Input: ['x.quantized'], Filter: ['w.int8'] }, outputs: { Output: ['c'] }, attrs: { strides: [1, 1], paddings: [0, 0], dilations: [1, 1], groups: 1 } },
    { type: 'dequantize', inputs: { X: ['c'], Scale: ['x.scale'] }, outputs: { Out: ['c.dq'] }, attrs: { max_range: 127 * 127 / 0.5 } },
    { type: 'relu', inputs: { X: ['c.dq'] }, outputs: { Out: ['r'] } },
    { type: 'fetch', inputs: { X: ['r'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], { 'w.int8': { dims: [2, 1, 1, 1], data: [127, -64], dtype: 'int8' } });
  const { graph: fp } = legacyToFp32(g);
  assert.equal(show(fp), ['feed(X=feed) -> (Out=x)', 'conv2d(Input=x; Filter=w) -> (Output=c)', 'relu(X=c) -> (Out=r)', 'fetch(X=r) -> (Out=fetch)']);
  assert.equal(f32(fp, 'w'), [Math.fround(0.5), Math.fround((-64 * 127) / (127 * 127 / 0.5))]);
  assert.not.ok(fp.var('w.int8')); assert.not.ok(fp.var('x.scale'));
});

test.run();
