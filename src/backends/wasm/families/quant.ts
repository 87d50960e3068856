// Quant family: quantize (f32 → u8/s8), dequantize, requantize with the contract's single-scale rules
// (wasm/assembly/quant.ts), and Paddle's legacy dynamic forms (abs-max quantize, max-abs dequantize) in f64 as the
// reference computes them.
import { attrNum, isLegacyQuantOp } from '../../../runtime/op_rules';
import { numel } from '../../../util/dtype';
import { family, tcode, tname } from '../family';

const f32 = Math.fround;

type QuantPlan =
  | { fn: 'quantize_f32_i8'; n: number; scale: number; shift: number; t: number }
  | { fn: 'dequantize_i8_f32'; n: number; inv: number; shift: number; t: number }
  | { fn: 'requantize_i8'; n: number; factor: number; tin: number; tout: number }
  | { fn: 'quantize_abs_max_f32'; n: number }
  | { fn: 'dequantize_max_abs_f32'; n: number; range: number };

export const quantFamily = family<QuantPlan>({
  name: 'quant',
  ops: ['quantize', 'dequantize', 'requantize'],
  describe(node) {
    const op = node.op;
    if (op.type !== 'requantize' && isLegacyQuantOp(node)) {
      const n = numel(node.inputs.X[0].dims);
      if (op.type === 'quantize') return { fn: 'quantize_abs_max_f32', variant: 'quantize_abs_max_dynamic_f32_simd128', plan: { fn: 'quantize_abs_max_f32' as const, n } };
      // max_range stays a double: the reference divides by it in f64
      return { fn: 'dequantize_max_abs_f32', variant: 'dequantize_max_abs_f32_simd128', plan: { fn: 'dequantize_max_abs_f32' as const, n, range: attrNum(op, 'max_range') } };
    }
    const x = node.inputs.Input[0];
    const n = numel(x.dims);
    switch (op.type) {
      case 'quantize': {
        // the contract multiplies by the f32 Scale attribute value (Paddle stores it as f32)
        const plan = { fn: 'quantize_f32_i8' as const, n, scale: f32(attrNum(op, 'Scale')), shift: attrNum(op, 'Shift'), t: tcode(node.outputs.Output[0].dtype) };
        return { fn: plan.fn, variant: `quantize_f32${node.outputs.Output[0].dtype === 'uint8' ? 'u8' : 's8'}_simd128`, plan };
      }
      case 'dequantize': {
        const plan = { fn: 'dequantize_i8_f32' as const, n, inv: f32(1 / attrNum(op, 'Scale')), shift: attrNum(op, 'Shift'), t: tcode(x.dtype) };
        return { fn: plan.fn, variant: `dequantize_${tname(x.dtype)}f32_wasm`, plan };
      }
      default: {
        const factor = f32(attrNum(op, 'Scale_out') / attrNum(op, 'Scale_in'));
        const plan = { fn: 'requantize_i8' as const, n, factor, tin: tcode(x.dtype), tout: tcode(node.outputs.Output[0].dtype) };
        return { fn: plan.fn, variant: `requantize_${tname(x.dtype)}_wasm`, plan };
      }
    }
  },
  prepare(_node, d, _w, { x }) {
    switch (d.fn) {
      case 'quantize_f32_i8': { const { n, scale, shift, t } = d; return (io, a) => x.quantize_f32_i8(a(io.inputs.Input[0]), a(io.outputs.Output[0]), n, scale, shift, t); }
      case 'dequantize_i8_f32': { const { n, inv, shift, t } = d; return (io, a) => x.dequantize_i8_f32(a(io.inputs.Input[0]), a(io.outputs.Output[0]), n, inv, shift, t); }
      case 'requantize_i8': { const { n, factor, tin, tout } = d; return (io, a) => x.requantize_i8(a(io.inputs.Input[0]), a(io.outputs.Output[0]), n, factor, tin, tout); }
      case 'quantize_abs_max_f32': {
        const { n } = d;
        return (io, a) => { const os = io.outputs.OutScale?.[0]; x.quantize_abs_max_f32(a(io.inputs.X[0]), a(io.outputs.Out[0]), os ? a(os) : 0, n); };
      }
      case 'dequantize_max_abs_f32': { const { n, range } = d; return (io, a) => x.dequantize_max_abs_f32(a(io.inputs.X[0]), a(io.inputs.Scale[0]), a(io.outputs.Out[0]), n, range); }
    }
  },
});
