// PaddleSlim fake quantize / dequantize ops (src/ops/fake_quant.ts, reference kernels): values worked out by hand
// from Paddle's functors (spec 2). Scales are picked so that bin_cnt·inverse(s) is exact in float32:
// s = 127 → k = f32(127·f32(1/127)) = 1, s = 254 → k = 0.5, s = 2.54 → k = 50; then x·k shows the tie rules.
// End to end: SqueezeNet quantized with the real quantizer (both layouts) runs and keeps the FP32 top-1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import { getSchema, knownOpTypes } from '../../src/ops/schema';
import { QdeployError } from '../../src/util/errors';
import { assetsDir } from '../../src/util/assets';
import { chooseBackend } from '../../src/app/backend_choice';
import { modelInfo } from '../../src/app/info';
import { loadGraph, modelIo } from '../../src/app/model_io';
import { quantizeModel } from '../../src/app/quantize';
import { readInputs, runImages } from '../../src/app/run';
import { run1, type In } from '../backends/reference/one_op';
import { infer, f32, s8 } from './infer';
import { skipTest } from '../skip';

const f = Math.fround;
const F = (dims: number[], values: number[], param = false): In => ({ slot: 'X', dims, dtype: 'fp32', values, param });
const slot = (s: string, i: In): In => ({ ...i, slot: s });
const vals = (t: { data: unknown }) => Array.from(t.data as ArrayLike<number>);
const throwsMsg = (fn: () => unknown, re: RegExp) => {
  try { fn(); } catch (e) { assert.instance(e, QdeployError); assert.match((e as Error).message, re); assert.not.match((e as Error).message, /\n/); return; }
  assert.unreachable('expected an error');
};
const closeTo = (got: number[], want: number[], tol = 1e-6) => {
  assert.is(got.length, want.length);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= tol, `[${i}] ${g} vs ${want[i]}`));
};
const OUT = [{ slot: 'Out' }];
const OUT_S = [{ slot: 'Out' }, { slot: 'OutScale' }];

const OPS = ['fake_quantize_abs_max', 'fake_quantize_moving_average_abs_max', 'fake_quantize_range_abs_max', 'fake_channel_wise_quantize_abs_max',
  'fake_quantize_dequantize_moving_average_abs_max', 'fake_quantize_dequantize_abs_max', 'fake_channel_wise_quantize_dequantize_abs_max',
  'fake_dequantize_max_abs', 'fake_channel_wise_dequantize_max_abs', 'quantize_linear', 'dequantize_linear', 'moving_average_abs_max_scale'];

test('schemas: every fake op is known, with Paddle defaults (round_type 1 when absent)', () => {
  for (const t of OPS) assert.ok(knownOpTypes().includes(t), t);
  assert.equal(getSchema('fake_quantize_range_abs_max')!.attrs, { bit_length: 8, round_type: 1, window_size: 10000, is_test: false });
  assert.equal(getSchema('fake_quantize_moving_average_abs_max')!.attrs, { bit_length: 8, round_type: 1, moving_rate: 0.9, is_test: false });
  assert.equal(getSchema('fake_channel_wise_dequantize_max_abs')!.attrs, { quant_bits: [8], quant_axis: 0, x_num_col_dims: 1 });
  assert.is(getSchema('quantize_linear')!.attrs.is_test, true);
  assert.is(getSchema('quantize_linear')!.attrs.quant_axis, 0);
});

test('shape inference: Out/Y like X, OutScale [1] or [C], OutScales [window], OutState/OutAccum [1]', () => {
  const r = infer('fake_quantize_moving_average_abs_max', { X: f32(2, 3, 4, 4), InScale: f32(1), InState: f32(1), InAccum: f32(1) }, { is_test: true });
  assert.equal(r.Out[0].dims, [2, 3, 4, 4]);
  assert.equal([r.OutScale[0].dims, r.OutState[0].dims, r.OutAccum[0].dims], [[1], [1], [1]]);
  const rr = infer('fake_quantize_range_abs_max', { X: f32(2, 3), InScale: f32(1) }, { window_size: 16 });
  assert.equal(rr.OutScales[0].dims, [16]);
  assert.equal(infer('fake_channel_wise_quantize_abs_max', { X: f32(8, 3, 3, 3) }, { quant_axis: 0 }).OutScale[0].dims, [8]);
  assert.equal(infer('fake_channel_wise_quantize_dequantize_abs_max', { X: f32(16, 10) }, { quant_axis: 1 }).OutScale[0].dims, [10]);
  assert.equal(infer('fake_quantize_abs_max', { X: f32(5) }).OutScale[0].dims, [1]);
  assert.equal(infer('quantize_linear', { X: f32(1, 4, 2, 2), Scale: f32(1), ZeroPoint: f32(1) }, { quant_axis: -1 }).Y[0].dims, [1, 4, 2, 2]);
  assert.equal(infer('quantize_linear', { X: f32(6, 4), Scale: f32(4), ZeroPoint: f32(4) }, { quant_axis: 1 }).OutScale[0].dims, [4]);
  const dq = infer('dequantize_linear', { X: s8(8, 3, 1, 1), Scale: f32(8), ZeroPoint: f32(8) }, { quant_axis: 0 });
  assert.equal([dq.Y[0].dtype, dq.Y[0].dims], ['fp32', [8, 3, 1, 1]]);
  assert.equal(infer('fake_channel_wise_dequantize_max_abs', { X: f32(2, 8, 4, 4), Scales: [f32(8), f32(1)] }, { quant_bits: [8, 8] }).Out[0].dims, [2, 8, 4, 4]);
  const m = infer('moving_average_abs_max_scale', { X: f32(3, 7) });
  assert.equal([m.Out[0].dims, m.OutScale[0].dims], [[3, 7], [1]]);
});

test('shape inference errors: scale lengths, axes, max_range, ZeroPoint, round_type', () => {
  throwsMsg(() => infer('quantize_linear', { X: f32(6, 4), Scale: f32(3), ZeroPoint: f32(3) }, { quant_axis: 1 }), /Scale has 3 values, expected 4/);
  throwsMsg(() => infer('quantize_linear', { X: f32(6, 4), Scale: f32(4), ZeroPoint: f32(4) }, { quant_axis: 2 }), /quant_axis 2 is out of range/);
  throwsMsg(() => infer('fake_channel_wise_quantize_abs_max', { X: f32(2, 3, 4) }, { quant_axis: 2 }), /quant_axis 2 is not supported/);
  throwsMsg(() => infer('fake_dequantize_max_abs', { X: f32(2), Scale: f32(1) }), /max_range is missing/);
  throwsMsg(() => infer('fake_channel_wise_dequantize_max_abs', { X: f32(2, 8), Scales: [f32(7), f32(1)] }, { quant_bits: [8, 8] }), /Scales\[0\] has 7 values, expected 8/);
  throwsMsg(() => infer('fake_channel_wise_dequantize_max_abs', { X: f32(2, 8), Scales: [f32(8), f32(1)] }, { quant_bits: [8] }), /quant_bits/);
  throwsMsg(() => infer('fake_quantize_abs_max', { X: f32(2) }, { round_type: 2 }), /round_type 2/);
  throwsMsg(() => infer('fake_quantize_abs_max', { X: f32(2) }, { bit_length: 40 }), /bit_length 40/);
  const zp = { dtype: 'int32' as const, dims: [1], value: { dtype: 'int32' as const, dims: [1], data: Int32Array.of(3) } };
  throwsMsg(() => infer('quantize_linear', { X: f32(2), Scale: f32(1), ZeroPoint: zp }, { quant_axis: -1 }), /ZeroPoint\[0\] = 3: asymmetric/);
});

test('round_type 0 ties to even and clamps to [-128, 127]; round_type 1 (and absent) clips to ±s, rounds half away', () => {
  const x = [2.5, -2.5, 3.5, 0.5, -0.5, 1.5, 200, -200, -128.4];
  const run = (attrs: Record<string, number | boolean>) => vals(run1('fake_quantize_range_abs_max', { is_test: true, ...attrs },
    [F([9], x), slot('InScale', F([1], [127], true))], OUT)[0]);
  assert.equal(run({ round_type: 0 }), [2, -2, 4, 0, -0, 2, 127, -128, -128]);
  assert.equal(run({ round_type: 1 }), [3, -3, 4, 1, -1, 2, 127, -127, -127]);
  assert.equal(run({}), [3, -3, 4, 1, -1, 2, 127, -127, -127]);
  // moving average variant, same rules, InScale 254: k = 0.5
  const mv = vals(run1('fake_quantize_moving_average_abs_max', { is_test: true, round_type: 0 },
    [F([4], [5, 3, -254, 300]), slot('InScale', F([1], [254], true))], OUT)[0]);
  assert.equal(mv, [2, 2, -127, 127]);
});

test('abs_max: s = max|X| per tensor, OutScale = [s]', () => {
  const [o0, s0] = run1('fake_quantize_abs_max', { round_type: 0 }, [F([5], [127, 2.5, -2.5, 0.5, -1.5])], OUT_S);
  assert.equal(vals(o0), [127, 2, -2, 0, -2]);
  assert.equal(vals(s0), [127]);
  const [o1] = run1('fake_quantize_abs_max', {}, [F([5], [-127, 2.5, -2.5, 0.5, -1.5])], OUT_S);
  assert.equal(vals(o1), [-127, 3, -3, 1, -2]);
  // all zeros: s = 0 → inverse(0) = 1/(0 + 1e-6), no NaN
  const [oz, sz] = run1('fake_quantize_abs_max', { round_type: 0 }, [F([3], [0, 0, 0])], OUT_S);
  assert.equal([vals(oz), vals(sz)], [[0, 0, 0], [0]]);
});

test('tiny scale: s <= 1e-30 uses 1/(s + 1e-6), so k = 127e6', () => {
  // k = f32(127·f32(1/f32(1e-6))) = 127000000; 1e-7·k = 12.7 → 13, −2e-8·k = −2.54 → −3, 2e-6·k = 254 → 127
  const rt0 = vals(run1('fake_quantize_moving_average_abs_max', { is_test: true, round_type: 0 },
    [F([3], [1e-7, -2e-8, 2e-6]), slot('InScale', F([1], [1e-31], true))], OUT)[0]);
  assert.equal(rt0, [13, -3, 127]);
  // round_type 1 clips to [−s, s] first: every value becomes ±1e-31 → ±12.7e-24 → 0
  const rt1 = vals(run1('fake_quantize_moving_average_abs_max', { is_test: true, round_type: 1 },
    [F([3], [1e-7, -2e-8, 2e-6]), slot('InScale', F([1], [1e-31], true))], OUT)[0]);
  assert.equal(rt1.map((v) => v + 0), [0, 0, 0]);
  // s = 1e-29 is above the threshold: k = f32(127/1e-29), so 1e-31 → 1.27 → 1
  const big = vals(run1('fake_quantize_moving_average_abs_max', { is_test: true, round_type: 0 },
    [F([1], [1e-31]), slot('InScale', F([1], [1e-29], true))], OUT)[0]);
  assert.equal(big, [1]);
});

test('quant-dequant: Out = Q(x)·s/bin_cnt (k = 50 for s = 2.54)', () => {
  const s = f(2.54);
  const dq = (q: number) => f(f(q * s) / 127);
  const x = [0.1, 1, 3, -3];
  const rt0 = vals(run1('fake_quantize_dequantize_moving_average_abs_max', { is_test: true, round_type: 0 }, [F([4], x), slot('InScale', F([1], [2.54], true))], OUT)[0]);
  assert.equal(rt0, [dq(5), dq(50), dq(127), dq(-128)]);
  closeTo(rt0, [0.1, 1, 2.54, -2.56]);
  const rt1 = vals(run1('fake_quantize_dequantize_moving_average_abs_max', { is_test: true }, [F([4], x), slot('InScale', F([1], [2.54], true))], OUT)[0]);
  assert.equal(rt1, [dq(5), dq(50), dq(127), dq(-127)]);
  const [o, sc] = run1('fake_quantize_dequantize_abs_max', { round_type: 0 }, [F([3], [-254, 5, 1])], OUT_S);
  assert.equal([vals(o), vals(sc)], [[-254, 4, 0], [254]]); // k = 0.5: 2.5 → 2 → 2·254/127 = 4; 0.5 → 0
});

test('channel-wise abs_max: quant_axis 0 and 1, OutScale [C]', () => {
  const x0 = [127, 2.5, -0.5, 1, -254, 3.5, 5, 1];
  const [a, as] = run1('fake_channel_wise_quantize_abs_max', { quant_axis: 0, round_type: 0 }, [F([2, 4], x0)], OUT_S);
  assert.equal([vals(a), vals(as)], [[127, 2, -0, 1, -127, 2, 2, 0], [127, 254]]);
  assert.equal(vals(run1('fake_channel_wise_quantize_abs_max', { quant_axis: 0 }, [F([2, 4], x0)], OUT_S)[0]), [127, 3, -1, 1, -127, 2, 3, 1]);
  // [2, 2, 2], channel j = axis 1: ch0 {1, 2.5, −127, 0.5} → 127, ch1 {254, 3, −5, 1} → 254
  const x1 = [1, 2.5, 254, 3, -127, 0.5, -5, 1];
  const [b, bs] = run1('fake_channel_wise_quantize_abs_max', { quant_axis: 1, round_type: 0 }, [F([2, 2, 2], x1)], OUT_S);
  assert.equal([vals(b), vals(bs)], [[1, 2, 127, 2, -127, 0, -2, 0], [127, 254]]);
  assert.equal(vals(run1('fake_channel_wise_quantize_abs_max', { quant_axis: 1, round_type: 1 }, [F([2, 2, 2], x1)], OUT_S)[0]), [1, 3, 127, 2, -127, 1, -3, 1]);
  // quant-dequant, axis 0: q = [127, 2 | −127, 2] → q·s_c/127
  const [c, cs] = run1('fake_channel_wise_quantize_dequantize_abs_max', { quant_axis: 0, round_type: 0 }, [F([2, 2], [127, 2.5, -254, 5])], OUT_S);
  assert.equal([vals(c), vals(cs)], [[127, 2, -254, 4], [127, 254]]);
  // axis 1 on a [rows, cols] matrix (mul/matmul weights): column scales
  const [d, ds] = run1('fake_channel_wise_quantize_dequantize_abs_max', { quant_axis: 1, round_type: 0 }, [F([2, 2], [127, -254, 2.5, 5])], OUT_S);
  assert.equal([vals(d), vals(ds)], [[127, -254, 2, 4], [127, 254]]);
});

test('dequantize: max_range, channel-wise with one Scales tensor (axis 0, 1) and two (activation × weight)', () => {
  assert.equal(vals(run1('fake_dequantize_max_abs', { max_range: 127 }, [F([2], [127, -64]), slot('Scale', F([1], [0.5], true))], OUT)[0]),
    [0.5, f(f(-64 * 0.5) / 127)]);
  const one = (axis: number, x: number[]) => vals(run1('fake_channel_wise_dequantize_max_abs', { quant_bits: [8], quant_axis: axis },
    [F([2, 2], x), slot('Scales', F([2], [1, 2], true))], OUT)[0]);
  assert.equal(one(0, [127, -127, 64, 127]), [1, -1, f(128 / 127), 2]);
  assert.equal(one(1, [127, 127, -127, 127]), [1, 2, -1, 2]);
  // two scales: Out = x·Scales0[c]·Scales1[0]/(127·127), c along axis 1
  const two = vals(run1('fake_channel_wise_dequantize_max_abs', { quant_bits: [8, 8], quant_axis: 0 },
    [F([1, 2, 1, 2], [127, -64, 10, 127]), slot('Scales', F([2], [0.5, 2], true)), slot('Scales', F([1], [127], true))], OUT)[0]);
  assert.equal(two, [0.5, f(f(f(-64 * 0.5) * 127) / 16129), f(f(f(10 * 2) * 127) / 16129), 2]);
  // x_num_col_dims 2: the channel is axis 2 ([B, S, C] matmul output)
  const three = vals(run1('fake_channel_wise_dequantize_max_abs', { quant_bits: [8, 8], x_num_col_dims: 2 },
    [F([1, 2, 2], [127, 127, -127, 127]), slot('Scales', F([2], [1, 2], true)), slot('Scales', F([1], [127], true))], OUT)[0]);
  assert.equal(three, [1, 2, -1, 2]);
});

test('quantize_linear / dequantize_linear: per tensor and per channel, ZeroPoint 0, only_observer', () => {
  const zp = (n: number): In => ({ slot: 'ZeroPoint', dims: [n], dtype: 'int32', values: [0], param: true });
  const ql = (attrs: Record<string, number | boolean>, dims: number[], x: number[], s: number[]) =>
    vals(run1('quantize_linear', attrs, [F(dims, x), slot('Scale', F([s.length], s, true)), zp(s.length)], [{ slot: 'Y' }])[0]);
  assert.equal(ql({ quant_axis: -1, round_type: 0 }, [4], [2.5, -2.5, 200, -200], [127]), [2, -2, 127, -128]);
  assert.equal(ql({ quant_axis: -1 }, [4], [2.5, -2.5, 200, -200], [127]), [3, -3, 127, -127]);
  assert.equal(ql({ quant_axis: 1, round_type: 0 }, [2, 2], [2.5, 5, -254, 1], [127, 254]), [2, 2, -128, 0]);
  assert.equal(ql({ quant_axis: 0, round_type: 0 }, [2, 2], [2.5, 5, -254, 1], [127, 254]), [2, 5, -127, 0]);
  assert.equal(ql({ quant_axis: -1, only_observer: true }, [3], [0.3, -7, 1e9], [1]), [f(0.3), -7, 1e9]);
  throwsMsg(() => run1('quantize_linear', { quant_axis: -1 }, [F([2], [1, 2]), slot('Scale', F([1], [1], true)),
    { slot: 'ZeroPoint', dims: [1], dtype: 'int32', values: [1], param: true }], [{ slot: 'Y' }]), /asymmetric quantization is not supported/);
  // int8 weight (onnx_format QuantWeightPass), per output channel: Y = x·s_c/127; all inputs constant → folded
  const w: In = { slot: 'X', dims: [2, 2], dtype: 'int8', values: [127, -128, 2, 3], param: true };
  const dl = vals(run1('dequantize_linear', { quant_axis: 0, bit_length: 8 }, [w, slot('Scale', F([2], [0.5, 1], true)), zp(2)], [{ slot: 'Y' }])[0]);
  assert.equal(dl, [0.5, f(f(-128 * 0.5) / 127), f(2 / 127), f(3 / 127)]);
  const folded = infer('dequantize_linear', { X: { dtype: 'int8', dims: [2], value: { dtype: 'int8', dims: [2], data: Int8Array.of(127, -64) } },
    Scale: { dtype: 'fp32', dims: [1], value: { dtype: 'fp32', dims: [1], data: Float32Array.of(2) } } }, { quant_axis: -1 });
  assert.equal(Array.from(folded.Y[0].value!.data as Float32Array), [2, f(-128 / 127)]);
  assert.equal(vals(run1('dequantize_linear', { quant_axis: -1 }, [F([2], [3, -5]), slot('Scale', F([1], [127], true)), zp(1)], [{ slot: 'Y' }])[0]), [3, -5]);
});

test('moving_average_abs_max_scale: Out = X, OutScale observed (not a parameter here)', () => {
  const [o, s] = run1('moving_average_abs_max_scale', { is_test: true }, [F([3], [0.25, -3, 2])], OUT_S);
  assert.equal([vals(o), vals(s)], [[0.25, -3, 2], [3]]);
});

// ------------------------------------------------------------------ end to end: real quantizer, SqueezeNet

test('end to end: SqueezeNet quant models (non-onnx and onnx_format) run, info lists the fake ops, top-1 kept', async () => {
  const assets = assetsDir();
  const model = assets && join(assets, 'models', 'squeezenet_v1.1');
  const data = assets && join(assets, 'golden', 'squeezenet_v1.1', 'input_16.bin');
  const goldenFile = assets && join(assets, 'golden', 'squeezenet_v1.1', 'golden.json');
  if (!model || !data || !goldenFile || ![model, data, goldenFile].every((p) => existsSync(p))) {
    skipTest('squeezenet_v1.1 assets not found (QDEPLOY_ASSETS)');
    return;
  }
  const golden = JSON.parse(readFileSync(goldenFile, 'utf8')) as { per_image: { top1: number }[] };
  const tmp = tempDir('fq');
  try {
    for (const onnx of [false, true]) {
      const out = join(tmp, onnx ? 'onnx' : 'slim');
      await quantizeModel(model, out, { data, batchSize: 4, batchNums: 1, algo: 'abs_max', onnxFormat: onnx });
      const info = modelInfo(out);
      assert.is(info.error, undefined);
      assert.is(info.shapeNote, undefined, 'every op of the quant model infers and runs');
      const ops = new Map(info.histogram);
      if (onnx) {
        assert.ok((ops.get('quantize_linear') ?? 0) > 0 && (ops.get('dequantize_linear') ?? 0) > 0, info.histogram.join(' '));
      } else {
        assert.is(ops.get('fake_quantize_range_abs_max'), 18);
        assert.is(ops.get('fake_channel_wise_dequantize_max_abs'), 26);
      }
      const g = loadGraph(out);
      const inputs = await readInputs([data], modelIo(g).sampleDims);
      const y = Float32Array.from(runImages(g, chooseBackend('auto', 1), inputs.images, 4).flatMap((r) => [...r]));
      assert.is(y.length, 16 * 1000);
      let same = 0;
      const top1: number[] = [];
      for (let n = 0; n < 16; n++) {
        let best = 0;
        for (let c = 1; c < 1000; c++) if (y[n * 1000 + c] > y[n * 1000 + best]) best = c;
        top1.push(best);
        if (best === golden.per_image[n].top1) same++;
      }
      console.log(`squeezenet_v1.1 ${onnx ? 'onnx_format' : 'fake-op'} quant model (abs_max, 4 calibration images): top-1 = FP32 golden top-1 on ${same}/16`);
      assert.ok(same >= 14, `top-1 agrees with FP32 on ${same}/16 (${top1.join(',')})`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
