// cpu_quantize_pass (spec 3.10; PaddlePaddle/Paddle:paddle/fluid/framework/ir/mkldnn/cpu_quantize_pass.cc,
// 2.x): around every op marked int8, quantize its inputs and dequantize its outputs with the gathered scales.
//   QuantizeInput:   Scale = s·(unsigned ? 255 : 127) (float32); var `quantize/out_<n>`; op quantize {Input →
//                    Output; Scale, Shift 0, is_negative_input = !unsigned, output_format}; the op reads the new var
//                    and, when named, gets the same Scale in its scale attr (Scale_in, Scale_in_eltwise, Scale_x…).
//   DequantizeOutput: Scale = s·(unsigned ? 255 : 127); the op writes `dequantize/in_<n>`, dequantize {Input →
//                    Output; Scale} writes the original var; the op gets Scale_out.
// An op whose required scales are missing stays FP32 ("Cannot quantize operator"). Per-op rules:
//   conv2d: Input, Filter (Scale_weights = filter scales·127); ResidualData → Scale_in_eltwise (a residual conv
//     needs an output scale); Output → Scale_out, else force_fp32_output. relu6 keeps fuse_alpha in real units:
//     Paddle 2.x multiplied it by Scale_out (its oneDNN 2 kernels clamped after the output scale); Paddle 3.x
//     (paddle/fluid/framework/ir/onednn/cpu_quantize_pass.cc) does not, since oneDNN 3 applies post-ops before
//     the output scale, and the INT8 contract (src/int8/contract.ts) follows 3.x.
//   fc: Input, W like conv.   pool2d / transpose2 / reshape2: X and Out (transpose2/reshape2 only next to an int8
//   neighbour).   concat: every X with Out's scale.   matmul: X, Y from int8/dequantized producers, same signedness.
// Handlers run in Paddle's order: conv, conv with residual, pool2d, concat, transpose2, fc, reshape2, matmul.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { Var } from '../graph/var';
import { attrBool, attrStr } from '../ops/attr';
import { CONV_TYPES, isInt8, setBool, setFloat, setFloats, setStr, type Pass, type PassContext, type ScaleEntry } from './pass';

const S8_MAX = 127, U8_MAX = 255;
const f = Math.fround;

class Quantizer {
  quantized = 0;
  constructor(readonly g: Graph, readonly ctx: PassContext, readonly layout: string) {}

  scaleOf(name: string): ScaleEntry | undefined { return this.ctx.scales.get(name); }

  missing(op: Op, names: (string | undefined)[]): boolean {
    const gone = names.filter((n): n is string => n !== undefined && !this.ctx.scales.has(n));
    if (gone.length === 0) return false;
    this.ctx.note('skipped', op, `no scale for ${gone.map((n) => `'${n}'`).join(', ')}`);
    op.removeAttr('use_quantizer');
    setStr(op, 'mkldnn_data_type', 'float32');
    return true;
  }

  private declare(name: string, like: string | undefined, dtype: 'int8' | 'uint8' | 'fp32'): void {
    const src = like ? this.g.var(like) : undefined;
    this.g.addVar(Var.create(name, dtype, src?.dims ?? []));
  }

  /** quantize `input` in front of `op`; returns the Scale used */
  quantizeInput(op: Op, slot: string, input: string, e: ScaleEntry, scaleAttr?: string): number {
    const scale = f(e.scale[0] * (e.unsigned ? U8_MAX : S8_MAX));
    const outName = this.g.uniqueName(`quantize/out_${this.g.idCounter}`);
    this.declare(outName, input, e.unsigned ? 'uint8' : 'int8');
    const q = this.g.makeOp({ type: 'quantize', inputs: { Input: [input] }, outputs: { Output: [outName] } });
    setFloat(q, 'Scale', scale);
    setFloat(q, 'Shift', 0);
    setBool(q, 'is_negative_input', !e.unsigned);
    setStr(q, 'output_format', this.layout);
    setBool(q, 'use_mkldnn', true);
    this.g.insertBefore(op, q);
    op.setInput(slot, op.inputList(slot).map((n) => (n === input ? outName : n)));
    if (scaleAttr) setFloat(op, scaleAttr, scale);
    return scale;
  }

  dequantizeOutput(op: Op, slot: string, output: string, e: ScaleEntry, scaleAttr?: string): number {
    const scale = f(e.scale[0] * (e.unsigned ? U8_MAX : S8_MAX));
    const inName = this.g.uniqueName(`dequantize/in_${this.g.idCounter}`);
    this.declare(inName, output, e.unsigned ? 'uint8' : 'int8');
    const d = this.g.makeOp({ type: 'dequantize', inputs: { Input: [inName] }, outputs: { Output: [output] } });
    setFloat(d, 'Scale', scale);
    setBool(d, 'use_mkldnn', true);
    this.g.insertAfter(op, d);
    op.setOutput(slot, op.outputList(slot).map((n) => (n === output ? inName : n)));
    if (scaleAttr) setFloat(op, scaleAttr, scale);
    return scale;
  }

  done(op: Op, detail: string): void { this.quantized++; this.ctx.note('quantized', op, detail); }

  // ---- per op type ----
  conv(op: Op, withResidual: boolean): void {
    const input = op.input('Input'), filter = op.input('Filter'), output = op.output('Output');
    const residual = withResidual ? op.input('ResidualData') : undefined;
    if (!input || !filter || !output) return;
    if (this.missing(op, [input, filter, ...(withResidual ? [residual, output] : [])])) return;
    const ein = this.scaleOf(input)!;
    const si = this.quantizeInput(op, 'Input', input, ein, 'Scale_in');
    setFloats(op, 'Scale_weights', Array.from(this.scaleOf(filter)!.scale, (s) => f(s * S8_MAX)));
    if (residual) this.quantizeInput(op, 'ResidualData', residual, this.scaleOf(residual)!, 'Scale_in_eltwise');
    const eout = this.scaleOf(output);
    let detail = `in ${ein.unsigned ? 'u8' : 's8'} Scale_in=${si.toPrecision(6)}`;
    if (eout) {
      const so = this.dequantizeOutput(op, 'Output', output, eout, 'Scale_out');
      detail += `, out ${eout.unsigned ? 'u8' : 's8'} Scale_out=${so.toPrecision(6)}`;
    } else {
      setBool(op, 'force_fp32_output', true);
      detail += ', out fp32 (no output scale)';
    }
    this.done(op, detail + (residual ? ', residual' : ''));
  }

  fc(op: Op): void {
    const input = op.input('Input'), w = op.input('W'), out = op.output('Out');
    if (!input || !w || !out || this.missing(op, [input, w])) return;
    this.quantizeInput(op, 'Input', input, this.scaleOf(input)!, 'Scale_in');
    setFloats(op, 'Scale_weights', Array.from(this.scaleOf(w)!.scale, (s) => f(s * S8_MAX)));
    const eout = this.scaleOf(out);
    if (eout) this.dequantizeOutput(op, 'Out', out, eout, 'Scale_out');
    else setBool(op, 'force_fp32_output', true);
    this.done(op, eout ? `out ${eout.unsigned ? 'u8' : 's8'}` : 'out fp32 (no output scale)');
  }

  pool(op: Op): void {
    const x = op.input('X'), out = op.output('Out');
    if (!x || !out || this.missing(op, [x, out])) return;
    this.quantizeInput(op, 'X', x, this.scaleOf(x)!);
    this.dequantizeOutput(op, 'Out', out, this.scaleOf(out)!);
    this.done(op, `${attrStr(op, 'pooling_type')} pool`);
  }

  concat(op: Op): void {
    const out = op.output('Out');
    if (!out || this.missing(op, [out])) return;
    const e = this.scaleOf(out)!;
    for (const x of [...op.inputList('X')]) this.quantizeInput(op, 'X', x, e);
    this.dequantizeOutput(op, 'Out', out, e);
    this.done(op, `${op.inputList('X').length} inputs at the output's scale`);
  }

  /** transpose2 / reshape2: only worth it next to an int8 neighbour (Paddle: IsOpDequantized / IsOpQuantized) */
  dataMovement(op: Op): void {
    const x = op.input('X'), out = op.output('Out');
    if (!x || !out) return;
    const prev = this.g.producer(x);
    const next = this.g.consumers(out);
    const prevInt8 = prev !== undefined && (prev.type === 'dequantize' || isInt8(prev));
    const nextInt8 = next.some((n) => n.type === 'quantize' || isInt8(n));
    if (!prevInt8 && !nextInt8) {
      this.ctx.note('skipped', op, 'no int8 neighbour (stays FP32 to avoid a quantize/dequantize pair)');
      setStr(op, 'mkldnn_data_type', 'float32'); op.removeAttr('use_quantizer');
      return;
    }
    if (this.missing(op, [x, out])) return;
    this.quantizeInput(op, 'X', x, this.scaleOf(x)!);
    this.dequantizeOutput(op, 'Out', out, this.scaleOf(out)!);
    this.done(op, 'data movement');
  }

  matmul(op: Op): void {
    const x = op.input('X'), y = op.input('Y'), out = op.output('Out');
    if (!x || !y || !out) return;
    const int8Producer = (n: string) => { const p = this.g.producer(n); return p !== undefined && (p.type === 'dequantize' || isInt8(p)); };
    if (!int8Producer(x) || !int8Producer(y)) {
      this.ctx.note('skipped', op, 'inputs do not come from int8 ops');
      setStr(op, 'mkldnn_data_type', 'float32'); op.removeAttr('use_quantizer');
      return;
    }
    if (this.missing(op, [x, y])) return;
    const ex = this.scaleOf(x)!, ey = this.scaleOf(y)!;
    if (ex.unsigned !== ey.unsigned) {
      this.ctx.note('skipped', op, 'X and Y differ in signedness');
      setStr(op, 'mkldnn_data_type', 'float32'); op.removeAttr('use_quantizer');
      return;
    }
    this.quantizeInput(op, 'X', x, ex, 'Scale_x');
    this.quantizeInput(op, 'Y', y, ey, 'Scale_y');
    const eout = this.scaleOf(out);
    if (eout) this.dequantizeOutput(op, 'Out', out, eout, 'Scale_out');
    else setBool(op, 'force_fp32_output', true);
    this.done(op, eout ? 'int8 out' : 'out fp32');
  }
}

export const cpuQuantizePass: Pass = {
  name: 'cpu_quantize_pass',
  requires: ['cpu_quantize_placement_pass'],
  doc: 'insert quantize/dequantize around int8 ops; set Scale_in/Scale_weights/Scale_out/force_fp32_output',
  run(g, ctx) {
    const marked = (types: string[]) => g.ops.filter((o) => types.includes(o.type) && isInt8(o));
    const anyConv = marked([...CONV_TYPES]).length > 0;
    const q = new Quantizer(g, ctx, anyConv ? 'NHWC' : 'NCHW');
    for (const op of marked([...CONV_TYPES])) if (!attrBool(op, 'fuse_residual_connection')) q.conv(op, false);
    for (const op of marked([...CONV_TYPES])) if (attrBool(op, 'fuse_residual_connection')) q.conv(op, true);
    for (const op of marked(['pool2d'])) q.pool(op);
    for (const op of marked(['concat'])) q.concat(op);
    for (const op of marked(['transpose2'])) q.dataMovement(op);
    for (const op of marked(['fc'])) q.fc(op);
    for (const op of marked(['reshape2'])) q.dataMovement(op);
    for (const op of marked(['matmul'])) q.matmul(op);
  },
};
