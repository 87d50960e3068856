// quantize / dequantize / requantize, both dialects (src/ops/quant.ts).
// Legacy (fake_quantize_abs_max / fake_dequantize_max_abs renamed; assets README): computed in JS doubles
// (the goldens are float64): s = max|X| over the whole tensor (whole batch), Out = round-half-away-from-zero(
// x·127/s) stored as float32 (x is within [−s, s] by construction, so the clip is a no-op), OutScale = [s];
// s ≤ 1e−30 uses 1/(s + 1e−6) (Paddle's inverse(), spec 2). Dequantize: Out = f32(Scale[0]·X / max_range).
// oneDNN: quantizeValue / dequantizeValue / requantizeValue of int8.ts, element by element.
import { attrNum, isLegacyQuant } from '../../../runtime/op_rules';
import { dequantizeValue, quantizeValue, requantizeValue } from '../../../int8/contract';
import { registerRef } from '../registry';
import { f32, intShort, short, type Num } from './util';

type W = { [i: number]: number };
const roundAway = (v: number) => (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));

registerRef('quantize', {
  check: (n) => {
    const x = (n.inputs.X ?? n.inputs.Input)?.[0];
    if (!x || x.dtype !== 'fp32') return `input dtype ${x?.dtype}`;
    return undefined;
  },
  run: (c) => {
    const op = c.node.op;
    if (isLegacyQuant(c.node.op)) {
      const x = c.in('X') as Num, y = c.out('Out') as unknown as W;
      let s = 0;
      for (let i = 0; i < x.length; i++) { const a = Math.abs(x[i]); if (a > s) s = a; }
      const d = s <= 1e-30 ? s + 1e-6 : s;
      for (let i = 0; i < x.length; i++) y[i] = roundAway((x[i] * 127) / d);
      if (c.hasOut('OutScale')) (c.out('OutScale') as Float32Array)[0] = s;
      return;
    }
    const scale = attrNum(op, 'Scale'), shift = attrNum(op, 'Shift');
    const t = intShort(c.outSpec('Output').dtype);
    const x = c.in('Input') as Num, y = c.out('Output') as unknown as W;
    for (let i = 0; i < x.length; i++) y[i] = quantizeValue(x[i], scale, shift, t);
  },
  name: (n) => (isLegacyQuant(n.op) ? 'quantize_abs_max_dynamic_f32_ref' : `quantize_f32${short(n.outputs.Output[0].dtype)}_ref`),
});

registerRef('dequantize', {
  check: (n) => {
    if (isLegacyQuant(n.op)) return n.inputs.X[0].dtype === 'fp32' && n.inputs.Scale?.[0]?.dtype === 'fp32' ? undefined : 'X and Scale must be fp32';
    const d = n.inputs.Input[0].dtype;
    return d === 'int8' || d === 'uint8' ? undefined : `Input dtype ${d}`;
  },
  run: (c) => {
    const op = c.node.op;
    if (isLegacyQuant(c.node.op)) {
      const x = c.in('X') as Num, s = (c.in('Scale') as Num)[0], y = c.out('Out') as unknown as W;
      const range = attrNum(op, 'max_range');
      for (let i = 0; i < x.length; i++) y[i] = f32((s * x[i]) / range);
      return;
    }
    const scale = attrNum(op, 'Scale'), shift = attrNum(op, 'Shift');
    const x = c.in('Input') as Num, y = c.out('Output') as unknown as W;
    for (let i = 0; i < x.length; i++) y[i] = dequantizeValue(x[i], scale, shift);
  },
  name: (n) => (isLegacyQuant(n.op) ? 'dequantize_max_abs_f32_ref' : `dequantize_${short(n.inputs.Input[0].dtype)}f32_ref`),
});

registerRef('requantize', {
  check: (n) => {
    const d = n.inputs.Input[0].dtype;
    if (d !== 'int8' && d !== 'uint8') return `Input dtype ${d}`;
    if (attrNum(n.op, 'Shift_in') !== 0 || attrNum(n.op, 'Shift_out') !== 0) return 'requantize with a shift is not supported';
    return undefined;
  },
  run: (c) => {
    const op = c.node.op;
    const si = attrNum(op, 'Scale_in'), so = attrNum(op, 'Scale_out');
    const t = intShort(c.outSpec('Output').dtype);
    const x = c.in('Input') as Num, y = c.out('Output') as unknown as W;
    for (let i = 0; i < x.length; i++) y[i] = requantizeValue(x[i], si, so, t);
  },
  name: (n) => `requantize_${short(n.inputs.Input[0].dtype)}_ref`,
});
