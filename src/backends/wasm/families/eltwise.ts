// Elementwise family (wasm/assembly/eltwise.ts): FP32 binary ops with broadcasting, unary activations (and dropout
// and scale as a·x + b), int8 relu, batch_norm (inference, constant statistics) and softmax.
import type { OpNode } from '../../../runtime/backend';
import { attrBool, attrNum, attrStr, broadcast, normAxis, prod } from '../../../runtime/op_rules';
import { dtypeSize, numel } from '../../../util/dtype';
import { family, weightOf, type Decision } from '../family';
import { BIN, UN } from '../params';

type EltPlan =
  | { fn: 'binary_f32'; code: number; desc: Int32Array }
  | { fn: 'unary_f32'; code: number; n: number; A: number; B: number; maskBytes: number; maskOne: boolean }
  | { fn: 'relu_s8'; n: number }
  | { fn: 'batch_norm_f32'; N: number; C: number; inner: number; eps: number }
  | { fn: 'softmax_f32'; outer: number; d: number; inner: number };

const BINARY: Record<string, number> = { elementwise_add: BIN.add, elementwise_sub: BIN.sub, elementwise_mul: BIN.mul, elementwise_div: BIN.div };

export const eltwiseFamily = family<EltPlan>({
  name: 'eltwise',
  ops: [...Object.keys(BINARY), 'relu', 'relu6', 'leaky_relu', 'scale', 'dropout', 'hard_sigmoid', 'batch_norm', 'softmax'],
  describe(node): Decision<EltPlan> | undefined {
    const op = node.op;
    const x = node.inputs.X[0];
    switch (op.type) {
      case 'elementwise_add': case 'elementwise_sub': case 'elementwise_mul': case 'elementwise_div':
        return { fn: 'binary_f32', variant: `${op.type}_f32_broadcast_simd128`, plan: { fn: 'binary_f32', code: BINARY[op.type], desc: binaryDesc(node) } };
      case 'relu':
        if (x.dtype === 'int8') return { fn: 'relu_s8', variant: 'relu_s8_simd128', plan: { fn: 'relu_s8', n: numel(x.dims) } };
        return x.dtype === 'fp32' ? unary(node) : undefined; // u8: a copy (the movement family)
      case 'relu6': case 'leaky_relu': case 'scale': case 'dropout': case 'hard_sigmoid': return unary(node);
      case 'batch_norm': {
        if (!(node.inputs.Mean?.[0]?.value && node.inputs.Variance?.[0]?.value && node.inputs.Scale?.[0]?.value && node.inputs.Bias?.[0]?.value)) return undefined;
        const dims = x.dims;
        const plan = { fn: 'batch_norm_f32' as const, N: dims[0], C: dims[1], inner: prod(dims, 2), eps: attrNum(op, 'epsilon') };
        return { fn: plan.fn, variant: 'batch_norm_infer_f32_f64math_wasm', plan };
      }
      case 'softmax': {
        const dims = x.dims;
        const axis = normAxis(op, attrNum(op, 'axis'), dims.length);
        const plan = { fn: 'softmax_f32' as const, outer: prod(dims, 0, axis), d: dims[axis], inner: prod(dims, axis + 1) };
        return { fn: plan.fn, variant: 'softmax_f32_wasm', plan };
      }
      default: return undefined;
    }
  },
  prepare(node, d, w, { x, mem }) {
    switch (d.fn) {
      case 'binary_f32': {
        const desc = mem.upload(d.desc), code = d.code;
        return (io, a) => x.binary_f32(code, a(io.inputs.X[0]), a(io.inputs.Y[0]), a(io.outputs.Out[0]), desc);
      }
      case 'unary_f32': {
        const { code, n, A, B, maskBytes, maskOne } = d;
        return (io, a) => {
          x.unary_f32(code, a(io.inputs.X[0]), a(io.outputs.Out[0]), n, A, B);
          if (maskBytes) { const m = a(io.outputs.Mask[0]); mem.v().u8.fill(0, m, m + maskBytes); if (maskOne) mem.v().u8.fill(1, m, m + maskBytes); }
        };
      }
      case 'relu_s8': { const { n } = d; return (io, a) => x.relu_s8(a(io.inputs.X[0]), a(io.outputs.Out[0]), n); }
      case 'batch_norm_f32': {
        const { N, C, inner, eps } = d;
        const get = (s: string) => weightOf(node, w, node.inputs[s][0]) as unknown as ArrayLike<number>;
        const varr = get('Variance');
        const sd = new Float64Array(C);
        for (let c = 0; c < C; c++) sd[c] = Math.sqrt(varr[c] + eps);
        const mean = mem.upload(Float64Array.from(get('Mean'))), sdp = mem.upload(sd);
        const sc = mem.upload(Float64Array.from(get('Scale'))), bi = mem.upload(Float64Array.from(get('Bias')));
        return (io, a) => x.batch_norm_f32(a(io.inputs.X[0]), a(io.outputs.Y[0]), N, C, inner, mean, sdp, sc, bi);
      }
      case 'softmax_f32': { const { outer, d: dd, inner } = d; return (io, a) => x.softmax_f32(a(io.inputs.X[0]), a(io.outputs.Out[0]), outer, dd, inner); }
    }
  },
});

/** the unary op as unary_f32's code and its two parameters */
function unary(node: OpNode): Decision<EltPlan> {
  const op = node.op;
  const n = numel(node.inputs.X[0].dims);
  let code = 0, A = 0, B = 0;
  switch (op.type) {
    case 'relu': code = UN.relu; break;
    case 'relu6': code = UN.relu6; A = attrNum(op, 'threshold'); break;
    case 'leaky_relu': code = UN.leaky_relu; A = attrNum(op, 'alpha'); break;
    case 'scale': {
      const s = attrNum(op, 'scale'), b = attrNum(op, 'bias');
      if (attrBool(op, 'bias_after_scale')) { code = UN.scale; A = s; B = b; } else { code = UN.scale_bias_first; A = s; B = b; }
      break;
    }
    case 'dropout': code = UN.scale; B = 0; A = attrStr(op, 'dropout_implementation') === 'upscale_in_train' ? 1 : 1 - attrNum(op, 'dropout_prob'); break;
    case 'hard_sigmoid': code = UN.hard_sigmoid; A = attrNum(op, 'slope'); B = attrNum(op, 'offset'); break;
  }
  const mask = op.type === 'dropout' && node.outputs.Mask?.[0] ? node.outputs.Mask[0] : undefined;
  const maskBytes = mask ? numel(mask.dims) * dtypeSize(mask.dtype) : 0;
  return { fn: 'unary_f32', variant: `${op.type}_f32_simd128`, plan: { fn: 'unary_f32', code, n, A, B, maskBytes, maskOne: mask?.dtype === 'uint8' } };
}

/** binary_f32's broadcast descriptor: [rank, dims, x strides, y strides], adjacent dims collapsed where both stay regular */
function binaryDesc(node: OpNode): Int32Array {
  const bc = broadcast(node.op, node.inputs.X[0].dims, node.inputs.Y[0].dims, attrNum(node.op, 'axis'));
  const dims: number[] = [], xs: number[] = [], ys: number[] = [];
  bc.out.forEach((d, i) => {
    if (d === 1) return;
    const k = dims.length - 1;
    if (k >= 0 && xs[k] === bc.xStrides[i] * d && ys[k] === bc.yStrides[i] * d) {
      dims[k] *= d; xs[k] = bc.xStrides[i]; ys[k] = bc.yStrides[i];
    } else { dims.push(d); xs.push(bc.xStrides[i]); ys.push(bc.yStrides[i]); }
  });
  if (dims.length === 0) { dims.push(1); xs.push(0); ys.push(0); }
  return Int32Array.from([dims.length, ...dims, ...xs, ...ys]);
}
