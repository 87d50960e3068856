// Reference kernels on small inputs whose outputs are worked out by hand (or by a one-line formula here).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run1, run1v, iota, f, close } from './one_op';

test('conv2d fp32: 1 channel 3x3 input, 2x2 kernel, pad 1 left/top only, bias', () => {
  // x = 1..9 (3x3), w = [[1,2],[3,4]], pads [top 1, bottom 0, left 1, right 0] → 3x3 output
  const y = run1v('conv2d', { paddings: [1, 0, 1, 0] }, [
    { slot: 'Input', dims: [1, 1, 3, 3], dtype: 'fp32', values: iota(9, 1) },
    { slot: 'Filter', dims: [1, 1, 2, 2], dtype: 'fp32', param: true, values: [1, 2, 3, 4] },
    { slot: 'Bias', dims: [1], dtype: 'fp32', param: true, values: [0.5] },
  ], [{ slot: 'Output' }]);
  // out[0][0] = 4·1 = 4; out[0][1] = 3·1 + 4·2 = 11; out[1][0] = 2·1 + 4·4 = 18; out[1][1] = 1·1+2·2+3·4+4·5 = 37 ...
  const want = [4, 11, 18, 18, 37, 47, 36, 67, 77].map((v) => v + 0.5);
  assert.equal(y, want);
});

test('conv2d fp32 groups=2, stride 2, dilation: each group sees its own channels', () => {
  // x: 2 channels 3x3 (ch0 = 1..9, ch1 = 10·(1..9)); w: oc0 = [1] on ch0, oc1 = [1] on ch1, 1x1 kernels, stride 2
  const y = run1v('conv2d', { groups: 2, strides: [2, 2] }, [
    { slot: 'Input', dims: [1, 2, 3, 3], dtype: 'fp32', values: [...iota(9, 1), ...iota(9, 10, 10)] },
    { slot: 'Filter', dims: [2, 1, 1, 1], dtype: 'fp32', param: true, values: [1, -1] },
  ], [{ slot: 'Output' }]);
  assert.equal(y, [1, 3, 7, 9, -10, -30, -70, -90]);
  // dilation 2, 2x2 kernel of ones on 3x3: only the corners
  const d = run1v('conv2d', { dilations: [2, 2] }, [
    { slot: 'Input', dims: [1, 1, 3, 3], dtype: 'fp32', values: iota(9, 1) },
    { slot: 'Filter', dims: [1, 1, 2, 2], dtype: 'fp32', param: true, values: [1, 1, 1, 1] },
  ], [{ slot: 'Output' }]);
  assert.equal(d, [1 + 3 + 7 + 9]);
});

test('conv2d fp32 reads legacy int8 weights as floats; fused relu6 + residual', () => {
  const y = run1v('conv2d', {}, [
    { slot: 'Input', dims: [1, 2, 1, 1], dtype: 'fp32', values: [3, -2] },
    { slot: 'Filter', dims: [2, 2, 1, 1], dtype: 'int8', param: true, values: [127, -128, -1, 5] },
  ], [{ slot: 'Output' }]);
  assert.equal(y, [3 * 127 + 256, -3 - 10]);
  const z = run1v('conv2d', { fuse_activation: 'relu6', fuse_alpha: 6, fuse_residual_connection: true }, [
    { slot: 'Input', dims: [1, 1, 1, 3], dtype: 'fp32', values: [1, 2, 3] },
    { slot: 'Filter', dims: [1, 1, 1, 1], dtype: 'fp32', param: true, values: [2] },
    { slot: 'ResidualData', dims: [1, 1, 1, 3], dtype: 'fp32', values: [-3, 1, 5] },
  ], [{ slot: 'Output' }]);
  assert.equal(z, [0, 5, 6]); // relu6(2−3), relu6(4+1), relu6(6+5)
});

test('pool2d max/avg with ceil_mode, exclusive and inclusive padding, global, adaptive', () => {
  const x = { slot: 'X', dims: [1, 1, 4, 4], dtype: 'fp32' as const, values: iota(16) };
  // 3x3 s2 ceil: windows rows [0,3) and [2,4) (clipped), same for cols
  assert.equal(run1v('pool2d', { ksize: [3, 3], strides: [2, 2], ceil_mode: true }, [x]), [10, 11, 14, 15]);
  // avg: window (0..2)x(0..2) mean 5; (0..2)x(2..3) = {2,3,6,7,10,11} mean 6.5; (2..3)x(0..2) = {8,9,10,12,13,14} mean 11; last {10,11,14,15} 12.5
  assert.equal(run1v('pool2d', { ksize: [3, 3], strides: [2, 2], ceil_mode: true, pooling_type: 'avg' }, [x]), [5, 6.5, 11, 12.5]);
  // pad 1, 3x3 s1, top-left window covers {0,1,4,5}: exclusive 2.5, inclusive 10/9
  const ex = run1v('pool2d', { ksize: [3, 3], paddings: [1, 1], pooling_type: 'avg' }, [x]);
  const inc = run1v('pool2d', { ksize: [3, 3], paddings: [1, 1], pooling_type: 'avg', exclusive: false }, [x]);
  assert.is(ex[0], 2.5);
  assert.is(inc[0], f(10 / 9));
  assert.is(inc[5], 5); // interior window: same either way
  assert.equal(run1v('pool2d', { ksize: [1, 1], global_pooling: true, pooling_type: 'avg' }, [x]), [7.5]);
  // adaptive 2x2 on 4x4 = 2x2 blocks; 3x3 adaptive on 4x4: windows [0,2), [1,3), [2,4)
  assert.equal(run1v('pool2d', { ksize: [2, 2], adaptive: true, pooling_type: 'max' }, [x]), [5, 7, 13, 15]);
  assert.equal(run1v('pool2d', { ksize: [3, 3], adaptive: true, pooling_type: 'avg' }, [x]).slice(0, 2), [2.5, 3.5]);
});

test('elementwise axis broadcasting values', () => {
  const X = { slot: 'X', dims: [2, 3, 2], dtype: 'fp32' as const, values: iota(12) };
  // Y [3] at axis 1: add 100·c
  assert.equal(run1v('elementwise_add', { axis: 1 }, [X, { slot: 'Y', dims: [3], dtype: 'fp32', values: [0, 100, 200] }]),
    [0, 1, 102, 103, 204, 205, 6, 7, 108, 109, 210, 211]);
  // Y [2] trailing (axis −1): multiply last dim by [1, −1]
  assert.equal(run1v('elementwise_mul', { axis: -1 }, [X, { slot: 'Y', dims: [2], dtype: 'fp32', values: [1, -1] }]),
    [0, -1, 2, -3, 4, -5, 6, -7, 8, -9, 10, -11]);
  // Y [2, 1] at axis 0 of [2, 3, 2]: trailing 1 broadcasts too
  assert.equal(run1v('elementwise_sub', { axis: 0 }, [X, { slot: 'Y', dims: [2, 1], dtype: 'fp32', values: [0, 6] }]),
    [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  assert.equal(run1v('elementwise_div', {}, [{ slot: 'X', dims: [3], dtype: 'fp32', values: [1, 2, 3] }, { slot: 'Y', dims: [2, 1], dtype: 'fp32', values: [1, 3] }]),
    [1, 2, 3, f(1 / 3), f(2 / 3), 1]);
});

test('reshape2 0/−1 keeps the data; slice with decrease_axis; transpose2; concat; split', () => {
  const x = { slot: 'X', dims: [2, 3, 2], dtype: 'int8' as const, values: iota(12, -6) };
  const r = run1('reshape2', { shape: [0, -1] }, [x], [{ slot: 'Out' }, { slot: 'XShape', aux: true }])[0];
  assert.equal([r.dtype, r.dims, Array.from(r.data as Int8Array)], ['int8', [2, 6], iota(12, -6)]);
  const s = run1('slice', { axes: [1, 2], starts: [-2, 1], ends: [100, 2], decrease_axis: [2] }, [{ ...x, slot: 'Input' }])[0];
  assert.equal([s.dims, Array.from(s.data as Int8Array)], [[2, 2], [-3, -1, 3, 5]]);
  const t = run1v('transpose2', { axis: [1, 0] }, [{ slot: 'X', dims: [2, 3], dtype: 'fp32', values: iota(6) }], [{ slot: 'Out' }, { slot: 'XShape', aux: true }]);
  assert.equal(t, [0, 3, 1, 4, 2, 5]);
  const c = run1v('concat', { axis: -1 }, [{ slot: 'X', dims: [2, 1], dtype: 'uint8', values: [1, 2] }, { slot: 'X', dims: [2, 2], dtype: 'uint8', values: [7, 8, 9, 10] }]);
  assert.equal(c, [1, 7, 8, 2, 9, 10]);
  const sp = run1('split', { axis: 1, num: 2 }, [{ slot: 'X', dims: [2, 4], dtype: 'fp32', values: iota(8) }], [{ slot: 'Out', count: 2 }]);
  assert.equal(sp.map((o) => Array.from(o.data as Float32Array)), [[0, 1, 4, 5], [2, 3, 6, 7]]);
});

test('softmax, batch_norm, lrn, activations, scale, dropout', () => {
  const sm = run1v('softmax', { axis: 0 }, [{ slot: 'X', dims: [2, 2], dtype: 'fp32', values: [0, 1, Math.log(3), 1] }]);
  assert.ok(close(sm, [0.25, 0.5, 0.75, 0.5]), String(sm));
  const bn = run1v('batch_norm', { epsilon: 0.25, is_test: true }, [
    { slot: 'X', dims: [1, 2, 1, 2], dtype: 'fp32', values: [1, 3, 10, 20] },
    { slot: 'Scale', dims: [2], dtype: 'fp32', param: true, values: [2, 1] }, { slot: 'Bias', dims: [2], dtype: 'fp32', param: true, values: [1, 0] },
    { slot: 'Mean', dims: [2], dtype: 'fp32', param: true, values: [2, 10] }, { slot: 'Variance', dims: [2], dtype: 'fp32', param: true, values: [0, 99.75] },
  ], [{ slot: 'Y' }]);
  assert.equal(bn, [(1 - 2) / 0.5 * 2 + 1, (3 - 2) / 0.5 * 2 + 1, 0, 1]); // sd = 0.5 and 10
  // lrn n=3: channel 0 window {0,1}; x = [1,2,3] → out0 = 1/(k + a·(1+4))^b
  const l = run1v('lrn', { n: 3, k: 1, alpha: 0.5, beta: 1 }, [{ slot: 'X', dims: [1, 3, 1, 1], dtype: 'fp32', values: [1, 2, 3] }], [{ slot: 'Out' }, { slot: 'MidOut', aux: true }]);
  assert.ok(close(l, [1 / 3.5, 2 / 8, 3 / 7.5]), String(l));
  const xs = { slot: 'X', dims: [5], dtype: 'fp32' as const, values: [-4, -1, 0, 2, 7] };
  assert.equal(run1v('relu6', {}, [xs]), [0, 0, 0, 2, 6]);
  assert.equal(run1v('relu6', { threshold: 1.5 }, [xs]), [0, 0, 0, 1.5, 1.5]);
  assert.equal(run1v('leaky_relu', { alpha: 0.5 }, [xs]), [-2, -0.5, 0, 2, 7]);
  assert.equal(run1v('hard_swish', {}, [xs]), [0, f(-1 * 2 / 6), 0, f(2 * 5 / 6), 7]);
  assert.equal(run1v('hard_sigmoid', {}, [xs]), [0, f(0.3), 0.5, f(0.9), 1]);
  assert.ok(close(run1v('sigmoid', {}, [xs]), [-4, -1, 0, 2, 7].map((v) => 1 / (1 + Math.exp(-v)))));
  assert.ok(close(run1v('tanh', {}, [xs]), [-4, -1, 0, 2, 7].map(Math.tanh)));
  assert.equal(run1v('scale', { scale: 2, bias: 1 }, [xs]), [-7, -1, 1, 5, 15]);
  assert.equal(run1v('scale', { scale: 2, bias: 1, bias_after_scale: false }, [xs]), [-6, 0, 2, 6, 16]);
  assert.equal(run1v('dropout', { dropout_prob: 0.5, is_test: true }, [xs], [{ slot: 'Out' }, { slot: 'Mask', aux: true }]), [-2, -0.5, 0, 1, 3.5]);
  assert.equal(run1v('dropout', { dropout_prob: 0.5, is_test: true, dropout_implementation: 'upscale_in_train' }, [xs], [{ slot: 'Out' }, { slot: 'Mask', aux: true }]), [-4, -1, 0, 2, 7]);
});

test('mul with legacy int8 Y, matmul alpha and batch broadcasting, fc relu', () => {
  assert.equal(run1v('mul', {}, [{ slot: 'X', dims: [1, 2, 1, 1], dtype: 'fp32', values: [2, -3] }, { slot: 'Y', dims: [2, 2], dtype: 'int8', param: true, values: [1, -128, 127, 0] }]),
    [2 - 381, -256]);
  // X [2,1,2] · Y [2,2] (broadcast over batch), alpha 0.5
  assert.equal(run1v('matmul', { alpha: 0.5 }, [{ slot: 'X', dims: [2, 1, 2], dtype: 'fp32', values: [1, 2, 3, 4] }, { slot: 'Y', dims: [2, 2], dtype: 'fp32', values: [1, 0, 0, 2] }]),
    [0.5, 2, 1.5, 4]);
  assert.equal(run1v('matmul_v2', { trans_x: true }, [{ slot: 'X', dims: [2, 1], dtype: 'fp32', values: [1, 2] }, { slot: 'Y', dims: [2, 1], dtype: 'fp32', values: [3, 4] }]), [11]);
  assert.equal(run1v('fc', { activation_type: 'relu' }, [
    { slot: 'Input', dims: [2, 2], dtype: 'fp32', values: [1, 2, -1, -2] },
    { slot: 'W', dims: [2, 1], dtype: 'fp32', param: true, values: [1, 1] }, { slot: 'Bias', dims: [1], dtype: 'fp32', param: true, values: [0.5] },
  ]), [3.5, 0]);
});

test('legacy quantize (whole tensor abs max, half away from zero) and dequantize (Scale·X/max_range)', () => {
  // s = 127/64 → 127/s = 64 (all values exact in float32): 0.5/64 → 0.5 → 1; −0.5/64 → −1; 1.5/64 → 2;
  // 2.5/64 → 2.5 → 3 (away from zero, not to even)
  const [q, s] = run1('quantize', { bit_length: 8 }, [{ slot: 'X', dims: [1, 5], dtype: 'fp32', values: [0.5 / 64, -0.5 / 64, 1.5 / 64, 2.5 / 64, -127 / 64] }], [{ slot: 'Out' }, { slot: 'OutScale' }]);
  assert.equal(Array.from(q.data as Float32Array), [1, -1, 2, 3, -127]);
  assert.is((s.data as Float32Array)[0], 127 / 64);
  // over the whole batch: the second image's max sets the scale of the first
  const b = run1v('quantize', {}, [{ slot: 'X', dims: [2, 2], dtype: 'fp32', values: [1, -0.5, 4, 2] }], [{ slot: 'Out' }, { slot: 'OutScale' }]);
  assert.equal(b, [32, -16, 127, 64]); // 127/4 = 31.75: 31.75 → 32, 15.875 → 16, 63.5 → 64
  const d = run1v('dequantize', { max_range: 127 * 127 / 0.5 }, [{ slot: 'X', dims: [3], dtype: 'fp32', values: [32258, -16129, 0] }, { slot: 'Scale', dims: [1], dtype: 'fp32', values: [2] }]);
  assert.ok(close(d, [2 * 32258 * 0.5 / 16129, -1, 0]), String(d));
});

test('errors name the op type and id', () => {
  try {
    run1('pool2d', { ksize: [3, 3], pooling_type: 'median' }, [{ slot: 'X', dims: [1, 1, 4, 4], dtype: 'fp32', values: [0] }]);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /^op pool2d\(\d+\): pooling_type median unknown$/);
  }
  try {
    run1('scale', { scale: 2 }, [{ slot: 'X', dims: [4], dtype: 'int8', values: [1] }]);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /scale\(\d+\) \[X:int8\]: X dtype int8 \(fp32 only\)/);
  }
});

test.run();
