// PaddleSlim's fake quantize / dequantize ops at inference (spec 2.1; src/ops/fake_quant.ts states the rules and
// holds the arithmetic, shared with compile-time folding of constant inputs): fake_quantize_{abs_max,
// moving_average_abs_max, range_abs_max}, fake_quantize_dequantize_{abs_max, moving_average_abs_max},
// fake_channel_wise_quantize[_dequantize]_abs_max, fake_dequantize_max_abs, fake_channel_wise_dequantize_max_abs,
// quantize_linear, dequantize_linear, moving_average_abs_max_scale. All float32 steps (Math.fround) as in Paddle's
// CPU kernels; round_type 0 ties to even and clamps to [−128, 127], round_type 1 (also: attr absent) clips to
// [−s, s] and rounds half away from zero.
import { FAKE_QUANT_OPS, evalFakeQuant, roundTypeOf, type FqNum } from '../../../runtime/op_rules';
import { registerRef } from '../registry';

type W = { [i: number]: number; readonly length: number };

registerRef([...FAKE_QUANT_OPS], {
  check: (n) => {
    const x = n.inputs.X?.[0];
    if (!x) return 'missing input X';
    const okX = n.op.type === 'dequantize_linear' ? ['fp32', 'int8'] : ['fp32'];
    if (!okX.includes(x.dtype)) return `X dtype ${x.dtype}`;
    for (const s of ['Scale', 'Scales', 'InScale', 'InState', 'InAccum']) for (const t of n.inputs[s] ?? []) if (t.dtype !== 'fp32') return `${s} dtype ${t.dtype} (fp32 only)`;
    for (const list of Object.values(n.outputs)) for (const t of list) if (t.dtype !== 'fp32') return `output ${t.name} dtype ${t.dtype}`;
    return undefined;
  },
  run: (c) => {
    const node = c.node;
    evalFakeQuant(node.op,
      (slot) => (c.hasIn(slot) ? c.ins(slot).map((d, i) => ({ dims: c.inSpec(slot, i).dims, data: d as unknown as FqNum })) : []),
      (slot) => (c.hasOut(slot) ? (c.out(slot) as unknown as W) : undefined));
  },
  name: (n) => {
    const t = n.op.type;
    const rt = t === 'fake_dequantize_max_abs' || t === 'fake_channel_wise_dequantize_max_abs' || t === 'moving_average_abs_max_scale' ? '' : `_rt${roundTypeOf(n.op)}`;
    return `${t}${rt}_f32_ref`;
  },
});
