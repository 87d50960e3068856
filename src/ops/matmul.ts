// Matrix products.
//   mul (PaddlePaddle/Paddle:paddle/fluid/operators/mul_op.cc): X flattened to [Π dims[:x_num_col_dims], rest],
//       Y to [Π dims[:y_num_col_dims], rest]; Out dims = X.dims[:x_num_col_dims] ++ Y.dims[y_num_col_dims:].
//       Y may be the legacy int8 weight `<w>.int8` (values used as floats).
//   matmul (transpose_X, transpose_Y, alpha) and matmul_v2 (trans_x, trans_y): see matmulGeom. matmul marked
//       int8 with u8/s8 X and Y: Scale_x, Scale_y, Scale_out, force_fp32_output (spec 4.5); output s8 or fp32.
//   fc (PaddlePaddle/Paddle:paddle/fluid/operators/fc_op.cc): Input flattened at in_num_col_dims, W [K, N],
//       Bias [N]; activation_type '' | 'relu'. int8 fc: like int8 conv, Scale_weights per output column.
import type { DType } from '../util/dtype';
import { attrBool, attrInts, attrNum, attrStr } from './attr';
import { isIntType, markedInt8, matmulGeom, prod } from './attrs';
import { registerSchema, type InferCtx } from './schema';

function fpOnly(c: InferCtx, ...slots: string[]): void {
  for (const s of slots) {
    const t = c.req(s);
    if (t.dtype !== 'fp32' && !(t.dtype === 'int8' && s !== 'X' && s !== 'Input')) c.fail(`${s} dtype ${t.dtype} is not supported`);
  }
}

registerSchema({
  type: 'mul',
  inputs: ['X', 'Y'],
  outputs: ['Out'],
  // use_mkldnn: MulOpMaker AddAttr<bool>("use_mkldnn").SetDefault(false); fc_fuse_pass copies it onto the fc
  attrs: { x_num_col_dims: 1, y_num_col_dims: 1, use_mkldnn: false },
  infer: (c) => {
    const x = c.req('X'), y = c.req('Y');
    fpOnly(c, 'X', 'Y');
    const xn = attrNum(c.op, 'x_num_col_dims'), yn = attrNum(c.op, 'y_num_col_dims');
    if (xn < 1 || xn >= x.dims.length || yn < 1 || yn >= y.dims.length) {
      c.fail(`x_num_col_dims=${xn} / y_num_col_dims=${yn} do not fit X [${x.dims.join(',')}], Y [${y.dims.join(',')}]`);
    }
    const K = prod(x.dims, xn), K2 = prod(y.dims, 0, yn);
    if (K !== K2) c.fail(`X [${x.dims.join(',')}] flattened at ${xn} has ${K} columns, Y [${y.dims.join(',')}] has ${K2} rows`);
    return { Out: [{ dtype: 'fp32', dims: [...x.dims.slice(0, xn), ...y.dims.slice(yn)] }] };
  },
});

function matmulDtype(c: InferCtx): DType {
  const x = c.req('X'), y = c.req('Y');
  if (isIntType(x.dtype) || isIntType(y.dtype)) {
    if (!isIntType(x.dtype) || !isIntType(y.dtype)) c.fail(`mixed dtypes ${x.dtype}/${y.dtype}`);
    if (!markedInt8(c.op)) c.fail(`inputs are ${x.dtype}/${y.dtype} but the op is not marked int8`);
    return attrBool(c.op, 'force_fp32_output') ? 'fp32' : 'int8';
  }
  if (x.dtype !== 'fp32' || y.dtype !== 'fp32') c.fail(`dtypes ${x.dtype}/${y.dtype} are not supported`);
  return 'fp32';
}

registerSchema({
  type: 'matmul',
  inputs: ['X', 'Y'],
  outputs: ['Out'],
  attrs: { transpose_X: false, transpose_Y: false, alpha: 1, Scale_x: 1, Scale_y: 1, Scale_out: 1, force_fp32_output: false },
  infer: (c) => {
    const g = matmulGeom(c.op, c.req('X').dims, c.req('Y').dims, attrBool(c.op, 'transpose_X'), attrBool(c.op, 'transpose_Y'));
    return { Out: [{ dtype: matmulDtype(c), dims: g.out }] };
  },
});

registerSchema({
  type: 'matmul_v2',
  inputs: ['X', 'Y'],
  outputs: ['Out'],
  // alpha, Scale_x/y/out and force_fp32_output are no MatMulV2OpMaker attributes: the oneDNN kernel (shared with
  // matmul) reads each only where present (matmul_mkldnn_op.cc: ctx.HasAttr("force_fp32_output") ?
  // ctx.Attr<bool>(...) : false; the scales only if HasAttr("Scale_x") && ...), so absent means matmul's defaults.
  attrs: { trans_x: false, trans_y: false, alpha: 1, Scale_x: 1, Scale_y: 1, Scale_out: 1, force_fp32_output: false },
  infer: (c) => {
    const g = matmulGeom(c.op, c.req('X').dims, c.req('Y').dims, attrBool(c.op, 'trans_x'), attrBool(c.op, 'trans_y'));
    return { Out: [{ dtype: matmulDtype(c), dims: g.out }] };
  },
});

registerSchema({
  type: 'fc',
  inputs: ['Input', 'W', 'Bias'],
  outputs: ['Out'],
  attrs: { in_num_col_dims: 1, activation_type: '', padding_weights: false, Scale_in: 1, Scale_weights: [1], Scale_out: 1, force_fp32_output: false },
  infer: (c) => {
    const x = c.req('Input'), w = c.req('W');
    const n = attrNum(c.op, 'in_num_col_dims');
    if (w.dims.length !== 2) c.fail(`W must be 2-D, got [${w.dims.join(',')}]`);
    if (attrBool(c.op, 'padding_weights')) c.fail('padding_weights is not supported');
    if (n < 1 || n >= x.dims.length) c.fail(`in_num_col_dims=${n} does not fit Input [${x.dims.join(',')}]`);
    const K = prod(x.dims, n);
    if (K !== w.dims[0]) c.fail(`Input [${x.dims.join(',')}] has ${K} columns, W [${w.dims.join(',')}] has ${w.dims[0]} rows`);
    const N = w.dims[1];
    const b = c.in('Bias');
    if (b && prod(b.dims) !== N) c.fail(`Bias has ${prod(b.dims)} values, expected ${N}`);
    const act = attrStr(c.op, 'activation_type');
    if (act !== '' && act !== 'relu') c.fail(`activation_type ${act} is not supported`);
    let dtype: DType = 'fp32';
    if (isIntType(x.dtype)) {
      if (!markedInt8(c.op)) c.fail(`Input is ${x.dtype} but the op is not marked int8`);
      const sw = attrInts(c.op, 'Scale_weights');
      if (sw.length !== 1 && sw.length !== N) c.fail(`Scale_weights has ${sw.length} values, expected 1 or ${N}`);
      dtype = attrBool(c.op, 'force_fp32_output') ? 'fp32' : act === 'relu' ? 'uint8' : 'int8';
    } else if (x.dtype !== 'fp32') c.fail(`Input dtype ${x.dtype} is not supported`);
    return { Out: [{ dtype, dims: [...x.dims.slice(0, n), N] }] };
  },
});
