// quantize / dequantize / requantize in both dialects, told apart by slot names:
//  - legacy (8-bit models of hjchen2/paddle-mobile-benchmark, assets README): `quantize` = renamed
//    fake_quantize_abs_max {X → Out, OutScale}: s = max|X| over the whole tensor, Out = round-half-away(127/s·X)
//    as fp32, OutScale = [s]; `dequantize` = renamed fake_dequantize_max_abs {X, Scale → Out}: Out = Scale[0]·X /
//    max_range (PaddlePaddle/Paddle:paddle/fluid/operators/fake_quantize_op.cc, fake_dequantize_op.cc, 1.x).
//  - oneDNN (spec 4.1–4.3; PaddlePaddle/Paddle:paddle/fluid/operators/mkldnn/quantize_mkldnn_op.cc etc.):
//    {Input → Output}. quantize: Scale, Shift, is_negative_input → s8 if is_negative_input && Shift == 0, else u8.
//    dequantize: Scale, Shift → fp32. requantize: Scale_in, Scale_out, Shift_in, Shift_out → the input's type
//    (u8 when a shift is present).
import type { Op } from '../graph/op';
import type { DType } from '../util/dtype';
import { attrBool, attrNum } from './attr';
import { isIntType } from './attrs';
import { isLegacyQuant } from './fake_dialects';
import { registerSchema, type InferCtx, type ShapeInfo } from './schema';

/** isLegacyQuant for an InferCtx / OpNode; kept for src/backends/wasm/backend.ts until it calls isLegacyQuant */
export const isLegacyQuantOp = (c: { op: Op }): boolean => isLegacyQuant(c.op);

export function quantizeOutType(op: Op): 'int8' | 'uint8' {
  return attrBool(op, 'is_negative_input') && attrNum(op, 'Shift') === 0 ? 'int8' : 'uint8';
}

function scaleOk(c: InferCtx, name: string): void {
  const s = attrNum(c.op, name);
  if (!(s !== 0 && Number.isFinite(s))) c.fail(`${name} must be finite and non-zero, got ${s}`);
}

registerSchema({
  type: 'quantize',
  inputs: ['X', 'Input'],
  outputs: ['Out', 'OutScale', 'Output'],
  attrs: { bit_length: 8, Scale: 1, Shift: 0, is_negative_input: false, output_format: 'NHWC', bfloat16: false },
  infer: (c): Record<string, ShapeInfo[]> => {
    if (isLegacyQuant(c.op)) {
      const x = c.req('X');
      if (x.dtype !== 'fp32') c.fail(`X dtype ${x.dtype} is not supported`);
      if (attrNum(c.op, 'bit_length') !== 8) c.fail(`bit_length ${attrNum(c.op, 'bit_length')} is not supported (8 only)`);
      return { Out: [{ dtype: 'fp32', dims: [...x.dims] }], OutScale: [{ dtype: 'fp32', dims: [1] }] };
    }
    const x = c.req('Input');
    if (x.dtype !== 'fp32') c.fail(`Input dtype ${x.dtype} is not supported`);
    if (attrBool(c.op, 'bfloat16')) c.fail('bfloat16 quantize is not supported');
    scaleOk(c, 'Scale');
    const shift = attrNum(c.op, 'Shift');
    if (!(shift >= 0 && shift <= 255)) c.fail(`Shift ${shift} out of [0, 255]`);
    return { Output: [{ dtype: quantizeOutType(c.op), dims: [...x.dims] }] };
  },
});

registerSchema({
  type: 'dequantize',
  inputs: ['X', 'Scale', 'Input'],
  outputs: ['Out', 'Output'],
  attrs: { max_range: 1, Scale: 1, Shift: 0 },
  infer: (c): Record<string, ShapeInfo[]> => {
    if (isLegacyQuant(c.op)) {
      const x = c.req('X');
      c.req('Scale');
      if (x.dtype !== 'fp32') c.fail(`X dtype ${x.dtype} is not supported`);
      if (!c.op.hasAttr('max_range')) c.fail('attribute max_range is missing');
      return { Out: [{ dtype: 'fp32', dims: [...x.dims] }] };
    }
    const x = c.req('Input');
    if (!isIntType(x.dtype)) c.fail(`Input dtype ${x.dtype} is not supported (u8/s8)`);
    scaleOk(c, 'Scale');
    return { Output: [{ dtype: 'fp32', dims: [...x.dims] }] };
  },
});

registerSchema({
  type: 'requantize',
  inputs: ['Input'],
  outputs: ['Output'],
  attrs: { Scale_in: 1, Scale_out: 1, Shift_in: 0, Shift_out: 0 },
  infer: (c): Record<string, ShapeInfo[]> => {
    const x = c.req('Input');
    if (!isIntType(x.dtype)) c.fail(`Input dtype ${x.dtype} is not supported (u8/s8)`);
    scaleOk(c, 'Scale_in');
    scaleOk(c, 'Scale_out');
    const shifted = attrNum(c.op, 'Shift_in') !== 0 || attrNum(c.op, 'Shift_out') !== 0;
    const dtype: DType = shifted ? 'uint8' : x.dtype;
    return { Output: [{ dtype, dims: [...x.dims] }] };
  },
});
