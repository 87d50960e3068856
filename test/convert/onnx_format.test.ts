// Issue 15 items 1 and 2 on small graphs: PaddleSlim's onnx_format layout (quantize_linear/dequantize_linear pairs,
// int8 weights with per-channel quant_axis, observer pairs after every table op, zero points that are zero) converts
// to the same INT8 model as the classic layout with the same thresholds; a classic+onnx mix converts; a non-zero
// zero point and a model without fake-quant ops are refused with one line naming the op/var or the model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceBackend } from '../../src/backends/reference/backend';
import { convertModel } from '../../src/app/convert';
import { saveGraph } from '../../src/app/model_io';
import type { Graph } from '../../src/graph/graph';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { convertPipeline } from '../../src/passes/pipelines';
import { collectTargets, computeWeightThresholds, writeQuantLayout, type LayoutOptions } from '../../src/quant/layout';
import { compile } from '../../src/runtime/compile';
import { QdeployError } from '../../src/util/errors';
import { Rng } from '../../src/zoo/prng';
import { build, type OpSpec } from '../passes/util';
import { registerFakeKernels } from './fake_kernels';

registerFakeKernels();
const tmp = mkdtempSync(join(tmpdir(), 'qdeploy-onnx-format-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const CONV = { strides: [1, 1], paddings: [0, 0], dilations: [1, 1], groups: 1 };

/** conv → bias add → relu in place (caffe2fluid's layout, as the asset models have it) → conv → bias add → fetch */
function fp32(): Graph {
  const rng = new Rng(11);
  const w = (n: number) => Array.from({ length: n }, () => rng.normal() * 0.5);
  return build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w1'] }, outputs: { Output: ['c1'] }, attrs: CONV },
    { type: 'elementwise_add', inputs: { X: ['c1'], Y: ['b1'] }, outputs: { Out: ['a'] }, attrs: { axis: 1 } },
    { type: 'relu', inputs: { X: ['a'] }, outputs: { Out: ['a'] } },
    { type: 'conv2d', inputs: { Input: ['a'], Filter: ['w2'] }, outputs: { Output: ['c2'] }, attrs: CONV },
    { type: 'elementwise_add', inputs: { X: ['c2'], Y: ['b2'] }, outputs: { Out: ['o'] }, attrs: { axis: 1 } },
    { type: 'fetch', inputs: { X: ['o'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], {
    w1: { dims: [4, 2, 1, 1], data: w(8) }, b1: { dims: [4], data: [0.2, -0.3, 0.1, 0] },
    w2: { dims: [3, 4, 1, 1], data: w(12) }, b2: { dims: [3], data: [0.05, 0, -0.05] },
  }, { x: [-1, 2, 3, 3], c1: [-1, 4, 3, 3], a: [-1, 4, 3, 3], c2: [-1, 3, 3, 3], o: [-1, 3, 3, 3] });
}

const inputs = (n: number) => { const r = new Rng(5); return Array.from({ length: n }, () => Float32Array.from({ length: 18 }, () => r.normal())); };

/** abs max of every var over the inputs, as PTQ's abs_max finds it (`a` after the run is the relu output) */
function thresholds(g: Graph, xs: Float32Array[]): Map<string, number> {
  const plan = compile(g, referenceBackend(), { batch: 1, keep: 'all' });
  const t = new Map<string, number>();
  for (const x of xs) {
    plan.run([x]);
    for (const name of ['x', 'c1', 'a', 'c2', 'o']) {
      const d = plan.read(name).data as Float32Array;
      t.set(name, Math.max(t.get(name) ?? 0, ...Array.from(d, Math.abs)));
    }
  }
  plan.dispose();
  return t;
}

const OPTS: LayoutOptions = {
  quantizableOpTypes: ['conv2d', 'depthwise_conv2d', 'conv2d_transpose', 'mul', 'matmul', 'matmul_v2'],
  activationQuantizeType: 'range_abs_max', weightQuantizeType: 'channel_wise_abs_max', onnxFormat: false, quantizationType: 'post_abs_max',
};

function quant(g: Graph, act: Map<string, number>, onnxFormat: boolean): Graph {
  const t = collectTargets(g, OPTS.quantizableOpTypes);
  return writeQuantLayout(g, act, computeWeightThresholds(g, t.weights, OPTS.weightQuantizeType), { ...OPTS, onnxFormat }).graph;
}

function convert(q: Graph): { g: Graph; ctx: PassContext } {
  const g = q.clone();
  const ctx = new PassContext();
  runPipeline(g, convertPipeline({}), ctx);
  return { g, ctx };
}

function outputs(g: Graph, xs: Float32Array[]): Float32Array[] {
  const plan = compile(g, referenceBackend(), { batch: 1 });
  const out = xs.map((x) => (plan.run([x])[0].data as Float32Array).slice());
  plan.dispose();
  return out;
}

test('onnx_format and classic layouts with the same thresholds convert to the same INT8 model (relu in place kept)', () => {
  const f = fp32();
  const xs = inputs(8);
  const act = thresholds(f, xs);
  const classic = convert(quant(f, act, false)).g;
  const onnxQ = quant(f, act, true);
  assert.ok(onnxQ.ops.some((o) => o.type === 'quantize_linear' && o.bool('only_observer', false)), 'observer pairs present');
  const onnx = convert(onnxQ).g;
  // the relu is fused into the first conv in both: the observer pair around it no longer hides it
  const fused = (g: Graph) => g.ops.filter((o) => o.type === 'conv2d').map((o) => o.str('fuse_activation', ''));
  assert.equal(fused(onnx), ['relu', '']);
  assert.equal(fused(classic), ['relu', '']);
  // same op types in the same order, same scales, same weights: the two INT8 models compute the same numbers
  assert.equal(onnx.ops.map((o) => o.type), classic.ops.map((o) => o.type));
  for (const [i, o] of onnx.ops.entries()) {
    for (const a of ['Scale_in', 'Scale_out', 'Scale_weights', 'Scale']) assert.equal(o.attr(a), classic.ops[i].attr(a), `${o.label} ${a}`);
  }
  const a = outputs(onnx, xs), b = outputs(classic, xs);
  for (let k = 0; k < xs.length; k++) assert.equal(Array.from(a[k]), Array.from(b[k]), `image ${k}`);
  // and they are the quant model's numbers within one output quantization step (T_o / 127) per value
  const q = outputs(onnxQ, xs);
  const step = act.get('o')! / 127;
  for (let k = 0; k < xs.length; k++) {
    for (let i = 0; i < q[k].length; i++) assert.ok(Math.abs(a[k][i] - q[k][i]) <= step * 1.0001, `image ${k}[${i}]: INT8 ${a[k][i]} vs quant ${q[k][i]} (step ${step})`);
  }
});

test('a mixed model (classic fake ops on one conv, onnx_format pairs on the next) converts; INT8 = the quant model within a step', () => {
  const f = fp32();
  const xs = inputs(8);
  const act = thresholds(f, xs);
  const classic = quant(f, act, false);
  const onnx = quant(f, act, true);
  // classic ops up to the first conv's dequantize, then the onnx model's ops for the rest of the network
  const cut = classic.ops.findIndex((o) => o.type === 'fake_channel_wise_dequantize_max_abs');
  const firstConvOut = classic.ops[cut].output('Out')!;
  const onnxStart = onnx.ops.findIndex((o) => o.type === 'elementwise_add');
  const spec = (o: Graph['ops'][number]): OpSpec => ({
    type: o.type,
    inputs: Object.fromEntries(o.inputs.map((s) => [s.parameter, s.arguments])),
    outputs: Object.fromEntries(o.outputs.map((s) => [s.parameter, s.arguments])),
    attrs: Object.fromEntries(o.attrs.map((a) => [a.name, o.attr(a.name)!])),
  });
  const ops = [...classic.ops.slice(0, cut + 1).map(spec), ...onnx.ops.slice(onnxStart).map(spec)];
  ops[cut + 1].inputs!.X = [firstConvOut]; // the bias add reads the classic dequantize output
  const params: Record<string, { dims: number[]; data: number[]; dtype?: 'int8' | 'int32' }> = {};
  for (const src of [onnx, classic]) {
    for (const [k, t] of src.params) if (!(k in params) || src === classic && k === 'w1') params[k] = { dims: t.dims, data: Array.from(t.data as Float32Array), dtype: t.dtype === 'fp32' ? undefined : t.dtype as 'int8' | 'int32' };
  }
  const mixed = build(ops, params, { x: [-1, 2, 3, 3] });
  for (const [k, v] of onnx.vars) if (mixed.var(k)) mixed.var(k)!.dims = v.dims;
  const types = new Set(mixed.ops.map((o) => o.type));
  assert.ok(types.has('fake_channel_wise_dequantize_max_abs') && types.has('quantize_linear') && types.has('dequantize_linear'));
  const { g } = convert(mixed);
  assert.is(g.ops.filter((o) => o.type === 'conv2d' && o.str('mkldnn_data_type', '') === 'int8').length, 2);
  const q = outputs(mixed, xs), i8 = outputs(g, xs);
  const step = act.get('o')! / 127;
  for (let k = 0; k < xs.length; k++) {
    for (let i = 0; i < q[k].length; i++) assert.ok(Math.abs(i8[k][i] - q[k][i]) <= step * 1.0001, `image ${k}[${i}]: INT8 ${i8[k][i]} vs quant ${q[k][i]}`);
  }
});

test('a non-zero zero point is refused by name (op and var): qdeploy quantizes symmetrically, as Paddle\'s oneDNN passes do', () => {
  const f = fp32();
  const act = thresholds(f, inputs(2));
  for (const which of ['activation', 'weight'] as const) {
    const q = quant(f, act, true);
    const op = q.ops.find((o) => o.type === 'dequantize_linear' && (which === 'weight') === q.isParam(o.input('X')!))!;
    const zp = op.input('ZeroPoint')!;
    const t = q.param(zp)!;
    (t.data as Int32Array)[t.data.length - 1] = 3;
    assert.throws(() => convert(q), (e: Error) => e instanceof QdeployError && e.code === 'quant'
      && e.message === `op ${op.label}: zero point var '${zp}' holds ${t.data.length === 1 ? '3' : `3 (channel ${t.data.length - 1})`}; only zero points of 0 (symmetric quantization) can be converted to INT8`);
  }
});

test('convert of an FP32 model (no fake-quant ops) is refused with one line, and no output is written', () => {
  const f = fp32();
  f.source = 'fp32/';
  assert.throws(() => convert(f), (e: Error) => e instanceof QdeployError && e.code === 'quant'
    && e.message === 'fp32/: has no fake-quant ops (it is an FP32 model, not a quant model): quantize it first (qdeploy quantize), or give the quant model');
  const dir = join(tmp, 'fp32');
  saveGraph(fp32(), dir);
  const out = join(tmp, 'int8');
  assert.throws(() => convertModel(dir, out, { opsToQuantize: [], opIdsToSkip: [] }),
    /has no fake-quant ops \(it is an FP32 model, not a quant model\)/);
  assert.not.ok(existsSync(out), 'no INT8 model dir left behind');
});

test.run();
