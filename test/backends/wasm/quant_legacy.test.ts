// Paddle's legacy dynamic quantize (abs-max) and dequantize (max_range) on their wasm kernels: bit-identical to the
// reference (the kernel suite compares FP32 outputs within a tolerance, these outputs are float64-rule values stored
// as f32, so here every byte is compared), on the rounding ties, signed zeros, SIMD tails and the s ≈ 0 rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceBackend } from '../../../src/backends/reference/backend';
import { wasmBackend } from '../../../src/backends/wasm/backend';
import type { Tensor } from '../../../src/util/dtype';
import type { KernelCase } from '../../kernels/cases';
import { runCase } from '../../kernels/harness';

const be = wasmBackend({});
const ref = referenceBackend();

const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

function quantizeCase(name: string, dims: number[], values?: number[], range?: [number, number]): KernelCase {
  return {
    name, op: 'quantize', attrs: { bit_length: 8 }, seed: 31,
    inputs: [{ slot: 'X', dims, dtype: 'fp32', values, range }], outputs: [{ slot: 'Out' }, { slot: 'OutScale' }],
  };
}

function same(c: KernelCase, kernel: RegExp): Tensor[] {
  const got = runCase(be, c), want = runCase(ref, c);
  assert.match(got.kernel, kernel, c.name);
  assert.is(got.outputs.length, want.outputs.length);
  for (let k = 0; k < want.outputs.length; k++) assert.ok(bytes(got.outputs[k]).equals(bytes(want.outputs[k])), `${c.name}: output ${k} differs`);
  return got.outputs;
}

test('legacy quantize: ties round away from zero, −0.3 gives −0 and −0 gives +0, as the reference', () => {
  // max|x| = 127, so x·127/127 = x: the ties are exact
  const values = [127, 2.5, -2.5, 0.5, -0.5, -0.3, 0.3, 0, -0, -126.5, 1.5];
  const [out, os] = same(quantizeCase('ties', [1, 11], values), /^quantize_abs_max_f32\/quantize_abs_max_dynamic_f32_simd128$/);
  assert.equal(Array.from(out.data as Float32Array), [127, 3, -3, 1, -1, -0, 0, 0, 0, -127, 2]);
  assert.ok(Object.is(out.data[5], -0) && Object.is(out.data[8], 0));
  assert.is(os.data[0], 127);
});

test('legacy quantize: random tensors, every length mod 4, whole batch abs-max', () => {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 33, 1001]) same(quantizeCase(`n${n}`, [1, n], undefined, [-4, 2]), /^quantize_abs_max_f32\//);
  same(quantizeCase('batch', [3, 5, 7, 2], undefined, [-1e-3, 3e-3]), /^quantize_abs_max_f32\//);
});

test('legacy quantize: s ≤ 1e−30 divides by s + 1e−6; an all-zero tensor gives zeros and OutScale 0', () => {
  const [, os] = same(quantizeCase('tiny', [1, 9], [1e-31, -5e-32, 0]), /^quantize_abs_max_f32\//);
  assert.is(os.data[0], Math.fround(1e-31));
  const [out, os0] = same(quantizeCase('zeros', [1, 6], [0]), /^quantize_abs_max_f32\//);
  assert.equal(Array.from(out.data as Float32Array), [0, 0, 0, 0, 0, 0]);
  assert.is(os0.data[0], 0);
});

test('legacy dequantize: f32(Scale·X / max_range) in f64, every length mod 4', () => {
  for (const n of [1, 3, 4, 6, 41, 1000]) {
    const c: KernelCase = {
      name: `deq n${n}`, op: 'dequantize', attrs: { max_range: (127 * 127) / 0.73 }, seed: 5 + n,
      inputs: [{ slot: 'X', dims: [1, n], dtype: 'fp32', range: [-2e5, 2e5] }, { slot: 'Scale', dims: [1], dtype: 'fp32', range: [0.5, 4] }],
      outputs: [{ slot: 'Out' }],
    };
    same(c, /^dequantize_max_abs_f32\/dequantize_max_abs_f32_simd128$/);
  }
});

test.after(() => be.dispose());
test.run();
