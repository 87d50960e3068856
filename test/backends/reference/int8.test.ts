// The INT8 contract (src/int8/contract.ts, spec 4) as the reference kernels apply it, with every
// expected value worked out by hand in the comments.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rne, saturate, quantizeValue, dequantizeValue, requantizeValue, int8Scales, epilogue } from '../../../src/int8/contract';
import { run1, run1v, f } from './one_op';

test('rne: ties to even, both signs; saturate to u8/s8/s32', () => {
  assert.equal([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(rne).map((v) => v + 0), [0, 2, 2, 4, 0, -2, -2, 2, 3]);
  assert.equal([saturate(-1, 'u8'), saturate(256, 'u8'), saturate(-129, 's8'), saturate(128, 's8'), saturate(2 ** 31, 's32')], [0, 255, -128, 127, 2147483647]);
  assert.is(quantizeValue(0.25, 2, 0, 's8'), 0);     // 0.5 → 0
  assert.is(quantizeValue(0.75, 2, 0, 's8'), 2);     // 1.5 → 2
  assert.is(quantizeValue(-0.75, 2, 128, 'u8'), 126); // −2 + 128
  assert.is(quantizeValue(-1, 2, 0, 'u8'), 0);        // negatives clip to 0 in u8
  assert.is(dequantizeValue(130, 4, 128), 0.5);
  assert.is(requantizeValue(3, 2, 1, 's8'), 2);       // 3·0.5 = 1.5 → 2
  assert.is(requantizeValue(5, 2, 1, 's8'), 2);       // 2.5 → 2
  assert.is(requantizeValue(100, 1, 2, 's8'), 127);   // saturates
});

const conv = (attrs: Record<string, number | string | boolean | number[]>, x: { dims: number[]; dtype: 'uint8' | 'int8'; values: number[] }, w: { dims: number[]; values: number[] }, extra: Parameters<typeof run1>[2] = []) =>
  run1('conv2d', { mkldnn_data_type: 'int8', ...attrs }, [
    { slot: 'Input', ...x },
    { slot: 'Filter', dims: w.dims, dtype: 'fp32', param: true, values: w.values },
    ...extra,
  ], [{ slot: 'Output' }])[0];

test('int8 conv: dq = 1/Si · 1/Sw[c], output × So, ties to even in the epilogue', () => {
  // w = 0.5, Sw = 2 → w_q = 1; Si = 1 → dq = 0.5, So = 1; acc = x → v = x/2: 0.5→0, 1.5→2, 2.5→2, −0.5→0, −1.5→−2
  const y = conv({ Scale_in: 1, Scale_out: 1, Scale_weights: [2] }, { dims: [1, 1, 1, 5], dtype: 'int8', values: [1, 3, 5, -1, -3] }, { dims: [1, 1, 1, 1], values: [0.5] });
  assert.is(y.dtype, 'int8');
  assert.equal(Array.from(y.data as Int8Array), [0, 2, 2, 0, -2]);
});

test('int8 conv: the f32 bias is added after dequantization (Paddle 3.x); zero weight channel → dq = 1', () => {
  // ch0: w_q = rne(0.5·100) = 50, acc = 10·50 = 500, dq = f32(f32(1/2)·f32(1/100)) → f32(500·dq) = 2.5,
  //      + f32(1.2) = 3.7000000477, × So 4 = 14.8 → 15
  // ch1: Sw = 0 → w_q = 0, dq = 1: v = f32(7.4) → × 4 = 29.6 → 30 (Paddle 2.x's s32 bias gave rne(7.4)·4 = 28)
  const y = conv({ Scale_in: 2, Scale_out: 4, Scale_weights: [100, 0] }, { dims: [1, 1, 1, 1], dtype: 'uint8', values: [10] }, { dims: [2, 1, 1, 1], values: [0.5, 0] },
    [{ slot: 'Bias', dims: [2], dtype: 'fp32', param: true, values: [1.2, 7.4] }]);
  assert.equal(Array.from(y.data as Int8Array), [15, 30]);
  const sc = int8Scales([100, 0], 2, 4, false);
  assert.equal([sc.deq[0], sc.deq[1], sc.dstScale], [f(f(0.5) * f(0.01)), 1, 4]);
  // the output multiplier is 1/(1/So) in f32, which is not always So: So = 3.25 → 1/f32(1/3.25) = 3.2499998
  assert.is(int8Scales([1], 1, 3.25, false).dstScale, 3.249999761581421);
  assert.is(int8Scales([1], 1, 3.25, true).dstScale, 1);
});

test('int8 conv: relu6 bound is fuse_alpha in real units, before the output scale; output u8', () => {
  // Si = 1, Sw = 1 (w = 1) → v = x: −5 → 0, 3, 100 → 6 (fuse_alpha); × So 10 → 0, 30, 60
  const y = conv({ Scale_in: 1, Scale_out: 10, Scale_weights: [1], fuse_activation: 'relu6', fuse_alpha: 6 }, { dims: [1, 1, 1, 3], dtype: 'int8', values: [-5, 3, 100] }, { dims: [1, 1, 1, 1], values: [1] });
  assert.is(y.dtype, 'uint8');
  assert.equal(Array.from(y.data as Uint8Array), [0, 30, 60]);
  // relu: negatives to 0, large values saturate at 255
  const r = conv({ Scale_in: 1, Scale_out: 10, Scale_weights: [1], fuse_activation: 'relu' }, { dims: [1, 1, 1, 3], dtype: 'int8', values: [-5, 3, 100] }, { dims: [1, 1, 1, 1], values: [1] });
  assert.equal(Array.from(r.data as Uint8Array), [0, 30, 255]);
});

test('int8 conv: residual added in real units (sumScale = 1/Sr) before the output scale', () => {
  // Sr = 8 → sumScale 0.125; v = x + r/8, × So 4: (2 + 1.25)·4 = 13; (4 + 0.375)·4 = 17.5 → 18 (even); (−30 + 25)·4 = −20
  const y = conv({ Scale_in: 1, Scale_out: 4, Scale_weights: [1], fuse_residual_connection: true, Scale_in_eltwise: 8 },
    { dims: [1, 1, 1, 3], dtype: 'int8', values: [2, 4, -30] }, { dims: [1, 1, 1, 1], values: [1] },
    [{ slot: 'ResidualData', dims: [1, 1, 1, 3], dtype: 'uint8', values: [10, 3, 200] }]);
  assert.equal(Array.from(y.data as Int8Array), [13, 18, -20]);
});

test('int8 conv: with groups > 1 Scale_weights is indexed by the global output channel', () => {
  // groups 2: oc0, oc1 read ic0 = 3; oc2, oc3 read ic1 = 5; w = 1, Sw = [1,2,3,4] → w_q = [1,2,3,4]
  // acc = [3, 6, 15, 20]; dq = [1, 1/2, f32(1/3), 1/4] → v = [3, 3, f32(15·f32(1/3)) = 5, 5]; × So 12 → 36, 36, 60, 60
  const y = conv({ groups: 2, Scale_in: 1, Scale_out: 12, Scale_weights: [1, 2, 3, 4] }, { dims: [1, 2, 1, 1], dtype: 'int8', values: [3, 5] }, { dims: [4, 1, 1, 1], values: [1, 1, 1, 1] });
  assert.equal(Array.from(y.data as Int8Array), [36, 36, 60, 60]);
});

test('int8 conv: weights saturate at −128/127; force_fp32_output gives acc/(Si·Sw) as float', () => {
  // w = 2, Sw = 100 → 200 → 127; w = −2 → −128; Si = 2 → dq = f32(f32(1/2)·f32(1/100)); no output scale
  const y = conv({ Scale_in: 2, Scale_out: 50, Scale_weights: [100], force_fp32_output: true }, { dims: [1, 2, 1, 1], dtype: 'uint8', values: [255, 1] }, { dims: [1, 2, 1, 1], values: [2, -2] });
  assert.is(y.dtype, 'fp32');
  const acc = 255 * 127 - 128;
  const dq = f(f(1 / 2) * f(1 / 100));
  assert.equal(Array.from(y.data as Float32Array), [f(acc * dq)]);
  assert.is(epilogue(acc, 0, { deq: Float32Array.of(dq), dstScale: 1, out: 'f32' }), f(acc * dq));
});

test('int8 pool: avg = rne(sum/count) with exact sums; max on stored ints; u8 stays u8', () => {
  // window {1, 2, 4, 6}: 13/4 = 3.25 → 3; {1, 2, 3, 4}... use 2x2 windows of a 2x4 row pair
  const y = run1('pool2d', { ksize: [2, 2], strides: [2, 2], pooling_type: 'avg' }, [{ slot: 'X', dims: [1, 1, 2, 4], dtype: 'uint8', values: [1, 2, 250, 255, 4, 6, 255, 255] }])[0];
  // (1+2+4+6)/4 = 3.25 → 3; (250+255+255+255)/4 = 253.75 → 254
  assert.equal([y.dtype, Array.from(y.data as Uint8Array)], ['uint8', [3, 254]]);
  const t = run1v('pool2d', { ksize: [1, 2], strides: [1, 2], pooling_type: 'avg' }, [{ slot: 'X', dims: [1, 1, 1, 6], dtype: 'int8', values: [1, 2, 3, 4, -3, -2] }]);
  assert.equal(t, [2, 4, -2]); // 1.5 → 2, 3.5 → 4, −2.5 → −2 (ties to even)
  assert.equal(run1v('pool2d', { ksize: [2, 2], strides: [2, 2] }, [{ slot: 'X', dims: [1, 1, 2, 2], dtype: 'int8', values: [-128, -5, -7, -100] }]), [-5]);
});

test('oneDNN quantize / dequantize / requantize ops', () => {
  // Scale 2: 0.25 → 0.5 → 0, 0.75 → 1.5 → 2, 100 → 127, −100 → −128
  const q = run1('quantize', { Scale: 2, is_negative_input: true }, [{ slot: 'Input', dims: [4], dtype: 'fp32', values: [0.25, 0.75, 100, -100] }], [{ slot: 'Output' }])[0];
  assert.equal([q.dtype, Array.from(q.data as Int8Array)], ['int8', [0, 2, 127, -128]]);
  const u = run1('quantize', { Scale: 2 }, [{ slot: 'Input', dims: [3], dtype: 'fp32', values: [-1, 1.25, 200] }], [{ slot: 'Output' }])[0];
  assert.equal([u.dtype, Array.from(u.data as Uint8Array)], ['uint8', [0, 2, 255]]); // 2.5 → 2
  assert.equal(run1v('dequantize', { Scale: 4 }, [{ slot: 'Input', dims: [3], dtype: 'int8', values: [-128, 1, 127] }], [{ slot: 'Output' }]), [-32, 0.25, 31.75]);
  const r = run1('requantize', { Scale_in: 2, Scale_out: 1 }, [{ slot: 'Input', dims: [4], dtype: 'uint8', values: [1, 3, 5, 255] }], [{ slot: 'Output' }])[0];
  assert.equal([r.dtype, Array.from(r.data as Uint8Array)], ['uint8', [0, 2, 2, 128]]); // 0.5→0, 1.5→2, 2.5→2, 127.5→128
});

test('int8 fc and matmul', () => {
  // fc: W [2, 2] = [[1, 0.5], [−1, 0.25]], Sw = [1, 4] → w_q = [[1, 2], [−1, 1]]; x = [10, 4]; Si = 1, So = 1:
  // col0 acc = 10 − 4 = 6, dq = 1 → 6; col1 acc = 20 + 4 = 24, dq = 1/4 → 6; relu → u8
  const y = run1('fc', { mkldnn_data_type: 'int8', Scale_in: 1, Scale_out: 1, Scale_weights: [1, 4], activation_type: 'relu' }, [
    { slot: 'Input', dims: [1, 2], dtype: 'int8', values: [10, 4] },
    { slot: 'W', dims: [2, 2], dtype: 'fp32', param: true, values: [1, 0.5, -1, 0.25] },
  ])[0];
  assert.equal([y.dtype, Array.from(y.data as Uint8Array)], ['uint8', [6, 6]]);
  // matmul: X [1,2] s8 = [3, −1], Y [2,1] u8 = [5, 2] → acc 13; Sx = 2, Sy = 4 → dq 1/8 → 1.625, So = 1 → 2
  const m = run1('matmul', { mkldnn_data_type: 'int8', Scale_x: 2, Scale_y: 4, Scale_out: 1 }, [
    { slot: 'X', dims: [1, 2], dtype: 'int8', values: [3, -1] }, { slot: 'Y', dims: [2, 1], dtype: 'uint8', values: [5, 2] },
  ])[0];
  assert.equal([m.dtype, Array.from(m.data as Int8Array)], ['int8', [2]]);
});

test('scale on int8 is refused by check()', () => {
  assert.throws(() => run1('scale', { scale: 2 }, [{ slot: 'X', dims: [2], dtype: 'uint8', values: [1, 2] }]), /scale\(\d+\)/);
});

test.run();
