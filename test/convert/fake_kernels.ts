// Test-only reference kernels for the fake ops make_quant_model.ts writes, so that the quant model itself can
// be run (its accuracy is the baseline the INT8 model is held to). Registered only where the op table has no
// entry of its own. Semantics (is_test = true): spec 2.1 (PaddlePaddle/Paddle:paddle/fluid/operators/
// fake_quantize_op.cc QuantTensorFunctor with round_type 0: q = clamp(rne(bin_cnt·inv_s·x), −128, 127);
// fake_dequantize_op.cc ChannelDequantizeFunctor, two scales: Out = X·Scales0[c]·Scales1[0]/(127·127)).
import { getSchema, registerSchema } from '../../src/ops/schema';
import { refKernels, registerRef } from '../../src/backends/reference/registry';

const f = Math.fround;
const rne = (x: number) => { const r = Math.round(x); return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r; };

export function registerFakeKernels(): void {
  for (const type of ['fake_quantize_moving_average_abs_max', 'fake_quantize_range_abs_max']) {
    if (!getSchema(type)) {
      registerSchema({
        type, inputs: ['X', 'InScale'], outputs: ['Out'], attrs: { bit_length: 8, round_type: 0 },
        infer: (c) => ({ Out: [{ dtype: 'fp32', dims: [...c.req('X').dims] }] }),
      });
    }
    if (!refKernels.has(type)) {
      registerRef(type, {
        run: (c) => {
          const x = c.in('X') as Float32Array, y = c.out('Out') as Float32Array;
          const s = (c.in('InScale') as Float32Array)[0];
          const inv = s <= 1e-30 ? f(1 / f(s + 1e-6)) : f(1 / s);
          const k = f(127 * inv);
          for (let i = 0; i < x.length; i++) { const q = rne(f(k * x[i])); y[i] = q < -128 ? -128 : q > 127 ? 127 : q; }
        },
      });
    }
  }
  const dq = 'fake_channel_wise_dequantize_max_abs';
  if (!getSchema(dq)) {
    registerSchema({
      type: dq, inputs: ['X', 'Scales'], outputs: ['Out'], attrs: { quant_bits: [8], quant_axis: 0 },
      infer: (c) => ({ Out: [{ dtype: 'fp32', dims: [...c.req('X').dims] }] }),
    });
  }
  if (!refKernels.has(dq)) {
    registerRef(dq, {
      run: (c) => {
        const x = c.in('X') as Float32Array, y = c.out('Out') as Float32Array;
        const [s0, s1] = c.ins('Scales') as Float32Array[];
        const dims = c.inSpec('X').dims;
        const ch = dims[1], inner = dims.slice(2).reduce((a, b) => a * b, 1);
        const maxRange = 127 * 127;
        for (let i = 0; i < x.length; i++) {
          const j = Math.floor(i / inner) % ch;
          y[i] = f(f(f(x[i] * s0[j]) * s1[0]) / maxRange);
        }
      },
    });
  }
}
