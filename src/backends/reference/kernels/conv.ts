// conv2d / depthwise_conv2d reference kernels (NCHW), written as the direct convolution.
//
// FP32 (`conv2d_f32_direct_ref`): for each output element the products are summed over ic, kh, kw in that order
// starting from 0, in a JS double (more accurate than float32 and deterministic; the goldens are float64), then
// Bias and ResidualData are added in double, the fused activation applied, and the result rounded once to
// float32. The loops are arranged per output plane (ic → kh → kw → oy → ox) so that each element still sees
// exactly that summation order. A Filter stored as int8 (legacy `<w>.int8`) is used as float values.
//
// INT8 (`conv2d_{u8|s8}s8s32_direct_ref`, spec 4.4, src/int8/contract.ts): filters quantized once in
// prepare with quantizeWeight and the per-output-channel Scale_weights (with groups > 1 the channel index is the
// global output channel), the f32 bias kept for the epilogue, exact s32 sums, epilogue() per element.
// Filters already stored as int8 (convert --int8_weights) are taken as the quantized values.
import type { OpNode, WeightTensors } from '../../../runtime/backend';
import { attrBool, attrInts, attrNum, attrStr, convGeom, isIntType, relu6Bound, type ConvGeom } from '../../../runtime/op_rules';
import { epilogue, int8Scales, quantizeWeight, type Int8Epilogue } from '../../../int8/contract';
import { registerRef, type RefCtx } from '../registry';
import { epiType, f32, kernelError, perChannel, short, type Num } from './util';

interface F32State {
  int8: false;
  g: ConvGeom;
  bias?: Num;
  act: (v: number) => number;
  residual: boolean;
  acc: Float64Array;
}
interface I8State {
  int8: true;
  g: ConvGeom;
  wq: Int8Array;
  e: Int8Epilogue;
  residual: boolean;
  acc: Float64Array;
}

const INT8_ACTS = new Set(['', 'relu', 'relu6']);

/** the fused activation of an FP32 conv (conv_activation_mkldnn_fuse_pass attribute mapping) */
function fp32Activation(node: OpNode): ((v: number) => number) | string {
  const op = node.op;
  const a = attrNum(op, 'fuse_alpha'), b = attrNum(op, 'fuse_beta');
  switch (attrStr(op, 'fuse_activation')) {
    case '': return (v) => v;
    case 'relu': return (v) => (v > 0 ? v : 0);
    case 'relu6': { const t = relu6Bound(op); return (v) => (v < 0 ? 0 : v > t ? t : v); }
    case 'leaky_relu': return (v) => (v > 0 ? v : a * v);
    case 'hard_swish': return (v) => { const s = a * v + b; return v * (s < 0 ? 0 : s > 1 ? 1 : s); };
    case 'swish': return (v) => v / (1 + Math.exp(-a * v));
    default: return `fuse_activation ${attrStr(op, 'fuse_activation')} is not supported`;
  }
}

function check(node: OpNode): string | undefined {
  const x = node.inputs.Input?.[0], w = node.inputs.Filter?.[0];
  if (!x || !w) return 'Input and Filter are required';
  const residual = attrBool(node.op, 'fuse_residual_connection');
  if (residual && !node.inputs.ResidualData?.[0]) return 'ResidualData missing';
  if (isIntType(x.dtype)) {
    if (!w.value) return 'int8 conv needs a constant Filter';
    if (w.dtype !== 'fp32' && w.dtype !== 'int8') return `Filter dtype ${w.dtype}`;
    if (!INT8_ACTS.has(attrStr(node.op, 'fuse_activation'))) return `int8 fuse_activation ${attrStr(node.op, 'fuse_activation')} is not supported`;
    const b = node.inputs.Bias?.[0];
    if (b && (b.dtype !== 'fp32' || !b.value)) return 'int8 conv needs a constant fp32 Bias';
    const r = node.inputs.ResidualData?.[0];
    if (residual && r && !isIntType(r.dtype)) return `int8 conv ResidualData dtype ${r.dtype} (u8/s8 expected)`;
    return undefined;
  }
  if (x.dtype !== 'fp32') return `Input dtype ${x.dtype}`;
  if (w.dtype !== 'fp32' && w.dtype !== 'int8') return `Filter dtype ${w.dtype}`;
  for (const s of ['Bias', 'ResidualData']) { const t = node.inputs[s]?.[0]; if (t && t.dtype !== 'fp32') return `${s} dtype ${t.dtype}`; }
  const act = fp32Activation(node);
  return typeof act === 'string' ? act : undefined;
}

function prepare(node: OpNode, weights: WeightTensors): F32State | I8State {
  const op = node.op;
  const x = node.inputs.Input[0], w = node.inputs.Filter[0];
  const g = convGeom(op, x.dims, w.dims);
  const residual = attrBool(op, 'fuse_residual_connection');
  const acc = new Float64Array(g.oh * g.ow);
  const bSpec = node.inputs.Bias?.[0];
  if (!isIntType(x.dtype)) {
    const act = fp32Activation(node);
    if (typeof act === 'string') kernelError(node, act);
    return { int8: false, g, bias: bSpec ? (weights.get(bSpec.name)?.data as Num | undefined) : undefined, act, residual, acc };
  }
  const si = attrNum(op, 'Scale_in');
  const out = node.outputs.Output[0];
  const forceF32 = attrBool(op, 'force_fp32_output') || out.dtype === 'fp32';
  const so = forceF32 ? 1 : attrNum(op, 'Scale_out');
  const sw = perChannel(node, attrInts(op, 'Scale_weights'), g.oc);
  const wt = weights.get(w.name);
  if (!wt) kernelError(node, `Filter '${w.name}' has no value`);
  const per = (g.ic / g.groups) * g.kh * g.kw;
  const wq = new Int8Array(g.oc * per);
  const src = wt.data as Num;
  for (let oc = 0; oc < g.oc; oc++) {
    for (let i = 0; i < per; i++) {
      const v = src[oc * per + i];
      wq[oc * per + i] = wt.dtype === 'int8' ? v : quantizeWeight(v, sw[oc]);
    }
  }
  const { deq, dstScale } = int8Scales(sw, si, so, forceF32);
  let bias: Float32Array | undefined;
  if (bSpec) {
    const b = weights.get(bSpec.name)?.data as Num | undefined;
    if (!b) kernelError(node, `Bias '${bSpec.name}' has no value`);
    bias = Float32Array.from({ length: g.oc }, (_, c) => b[c]);
  }
  const act = attrStr(op, 'fuse_activation') as '' | 'relu' | 'relu6';
  const e: Int8Epilogue = { deq, bias, dstScale, activation: act, out: epiType(out.dtype) };
  if (act === 'relu6') e.alpha = relu6Bound(op);
  if (residual) e.sumScale = f32(1 / attrNum(op, 'Scale_in_eltwise'));
  return { int8: true, g, wq, e, residual, acc };
}

/** acc[oy·ow + ox] += Σ over (ic, kh, kw) of w · x for one output channel `oc` of image `n` */
function accumulate(g: ConvGeom, x: Num, wts: Num, n: number, oc: number, acc: Float64Array): void {
  const icg = g.ic / g.groups, ocg = g.oc / g.groups;
  const grp = Math.floor(oc / ocg);
  const { ih, iw, oh, ow, kh: KH, kw: KW, sh, sw, dh, dw } = g;
  const [pt, , pl] = g.pad;
  acc.fill(0);
  for (let icl = 0; icl < icg; icl++) {
    const ic = grp * icg + icl;
    const xBase = (n * g.ic + ic) * ih * iw;
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const wv = wts[((oc * icg + icl) * KH + ky) * KW + kx];
        // output columns whose input column ix = ox·sw − pl + kx·dw lies in [0, iw)
        const offX = kx * dw - pl;
        const ox0 = Math.max(0, Math.ceil(-offX / sw));
        const ox1 = Math.min(ow, Math.floor((iw - 1 - offX) / sw) + 1);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= ih) continue;
          const row = xBase + iy * iw + offX;
          const o = oy * ow;
          for (let ox = ox0; ox < ox1; ox++) acc[o + ox] += wv * x[row + ox * sw];
        }
      }
    }
  }
}

function run(c: RefCtx): void {
  const st = c.state as F32State | I8State;
  const g = st.g;
  const x = c.in('Input') as Num;
  const y = c.out('Output') as unknown as { [i: number]: number };
  const r = st.residual ? (c.in('ResidualData') as Num) : undefined;
  const plane = g.oh * g.ow;
  const acc = st.acc;
  if (!st.int8) {
    const wts = c.in('Filter') as Num;
    const { bias, act } = st;
    for (let n = 0; n < g.n; n++) {
      for (let oc = 0; oc < g.oc; oc++) {
        accumulate(g, x, wts, n, oc, acc);
        const b = bias ? bias[oc] : 0;
        const base = (n * g.oc + oc) * plane;
        for (let i = 0; i < plane; i++) {
          let v = acc[i] + b;
          if (r) v += r[base + i];
          y[base + i] = f32(act(v));
        }
      }
    }
    return;
  }
  const { wq, e } = st;
  for (let n = 0; n < g.n; n++) {
    for (let oc = 0; oc < g.oc; oc++) {
      accumulate(g, x, wq, n, oc, acc);
      const base = (n * g.oc + oc) * plane;
      for (let i = 0; i < plane; i++) y[base + i] = epilogue(acc[i], oc, e, r ? r[base + i] : 0);
    }
  }
}

registerRef(['conv2d', 'depthwise_conv2d'], {
  check,
  prepare,
  run,
  name: (node) => {
    const x = node.inputs.Input[0];
    return isIntType(x.dtype) ? `${node.op.type}_${short(x.dtype)}s8s32_direct_ref` : `${node.op.type}_f32_direct_ref`;
  },
});
