// Attribute resolution shared by the op schemas (shape inference) and every backend's kernels, so that the
// window geometry of conv/pool and the broadcasting of elementwise ops are decided in exactly one place.
// Rules from PaddlePaddle/Paddle:paddle/fluid/operators/conv_op.h (UpdatePaddingAndDilation, ConvOutputSize),
// pool_op.cc / math/pooling.cc (pool output size, ceil_mode, global/adaptive), elementwise_op_function.h
// (GetBroadcastDimsArrays, trim_trailing_singular_dims).
import type { Op } from '../graph/op';
import { QdeployError } from '../util/errors';
import { attrBool, attrInts, attrNum, attrStr } from './attr';

export const prod = (d: readonly number[], from = 0, to = d.length): number => {
  let n = 1;
  for (let i = from; i < to; i++) n *= d[i];
  return n;
};

function bad(op: Op, m: string): never {
  throw new QdeployError('shape', `op ${op.label}: ${m}`);
}

/** [top, bottom, left, right] from Paddle's 2-value [h, w] or 4-value [top, bottom, left, right] paddings */
export function pads4(op: Op, paddings: number[]): [number, number, number, number] {
  if (paddings.length === 2) return [paddings[0], paddings[0], paddings[1], paddings[1]];
  if (paddings.length === 4) return [paddings[0], paddings[1], paddings[2], paddings[3]];
  if (paddings.length === 0) return [0, 0, 0, 0];
  return bad(op, `paddings must have 2 or 4 values, got [${paddings.join(',')}]`);
}

/** SAME: out = ceil(in/stride), pad_sum = max((out-1)·stride + k − in, 0), top = pad_sum/2 (floor) */
function samePads(inp: number, k: number, s: number): [number, number] {
  const out = Math.ceil(inp / s);
  const sum = Math.max((out - 1) * s + k - inp, 0);
  const a = Math.floor(sum / 2);
  return [a, sum - a];
}

export interface ConvGeom {
  n: number; ic: number; ih: number; iw: number;
  oc: number; kh: number; kw: number; groups: number;
  sh: number; sw: number; dh: number; dw: number;
  /** top, bottom, left, right */
  pad: [number, number, number, number];
  oh: number; ow: number;
}

/** conv2d / depthwise_conv2d geometry, NCHW input [N,C,H,W], filter [OC, C/groups, KH, KW] */
export function convGeom(op: Op, x: readonly number[], w: readonly number[]): ConvGeom {
  if (x.length !== 4) bad(op, `Input must be 4-D NCHW, got [${x.join(',')}]`);
  if (w.length !== 4) bad(op, `Filter must be 4-D, got [${w.join(',')}]`);
  const fmt = attrStr(op, 'data_format');
  if (fmt !== 'NCHW' && fmt !== 'AnyLayout') bad(op, `data_format ${fmt} is not supported (NCHW only)`);
  const groups = Math.max(1, attrNum(op, 'groups'));
  const [sh, sw] = attrInts(op, 'strides');
  let [dh, dw] = attrInts(op, 'dilations');
  let pad = pads4(op, attrInts(op, 'paddings'));
  const [n, ic, ih, iw] = x;
  const [oc, icg, kh, kw] = w;
  if (icg * groups !== ic) bad(op, `Input has ${ic} channels but Filter [${w.join(',')}] with groups=${groups} expects ${icg * groups}`);
  if (oc % groups !== 0) bad(op, `output channels ${oc} not divisible by groups ${groups}`);
  if (!(sh > 0 && sw > 0)) bad(op, `strides must be positive, got [${sh},${sw}]`);
  const algo = attrStr(op, 'padding_algorithm');
  if (algo === 'SAME') {
    const [t, b] = samePads(ih, kh, sh), [l, r] = samePads(iw, kw, sw);
    pad = [t, b, l, r]; dh = 1; dw = 1;
  } else if (algo === 'VALID') pad = [0, 0, 0, 0];
  else if (algo !== 'EXPLICIT') bad(op, `padding_algorithm ${algo} unknown`);
  const oh = Math.floor((ih + pad[0] + pad[1] - (dh * (kh - 1) + 1)) / sh) + 1;
  const ow = Math.floor((iw + pad[2] + pad[3] - (dw * (kw - 1) + 1)) / sw) + 1;
  if (oh <= 0 || ow <= 0) bad(op, `output size ${oh}x${ow} is not positive (input ${ih}x${iw}, kernel ${kh}x${kw})`);
  return { n, ic, ih, iw, oc, kh, kw, groups, sh, sw, dh, dw, pad, oh, ow };
}

export interface PoolGeom {
  type: 'max' | 'avg';
  n: number; c: number; ih: number; iw: number;
  kh: number; kw: number; sh: number; sw: number;
  pad: [number, number, number, number];
  oh: number; ow: number;
  adaptive: boolean; exclusive: boolean;
}

/** pool2d geometry (NCHW). Windows: start = o·s − pad_top, end = min(start + k, in), start = max(start, 0);
 * avg divides by the clipped window when exclusive (or adaptive), else by kh·kw (Paddle math/pooling.cc). */
export function poolGeom(op: Op, x: readonly number[]): PoolGeom {
  if (x.length !== 4) bad(op, `X must be 4-D NCHW, got [${x.join(',')}]`);
  const fmt = attrStr(op, 'data_format');
  if (fmt !== 'NCHW' && fmt !== 'AnyLayout') bad(op, `data_format ${fmt} is not supported (NCHW only)`);
  const t = attrStr(op, 'pooling_type');
  if (t !== 'max' && t !== 'avg') bad(op, `pooling_type ${t} unknown`);
  const [n, c, ih, iw] = x;
  let [kh, kw] = attrInts(op, 'ksize');
  if (kh === undefined || kw === undefined) bad(op, 'ksize must have 2 values');
  let [sh, sw] = attrInts(op, 'strides');
  let pad = pads4(op, attrInts(op, 'paddings'));
  const global = attrBool(op, 'global_pooling');
  const adaptive = attrBool(op, 'adaptive');
  const ceil = attrBool(op, 'ceil_mode');
  const algo = attrStr(op, 'padding_algorithm');
  if (global) { kh = ih; kw = iw; pad = [0, 0, 0, 0]; }
  else if (algo === 'SAME') { const [a, b] = samePads(ih, kh, sh), [l, r] = samePads(iw, kw, sw); pad = [a, b, l, r]; }
  else if (algo === 'VALID') pad = [0, 0, 0, 0];
  else if (algo !== 'EXPLICIT') bad(op, `padding_algorithm ${algo} unknown`);
  let oh: number, ow: number;
  if (adaptive && !global) { oh = kh; ow = kw; sh = 1; sw = 1; }
  else {
    if (!(sh > 0 && sw > 0)) bad(op, `strides must be positive`);
    const size = (inp: number, k: number, p0: number, p1: number, s: number) =>
      ceil ? Math.floor((inp - k + p0 + p1 + s - 1) / s) + 1 : Math.floor((inp - k + p0 + p1) / s) + 1;
    oh = size(ih, kh, pad[0], pad[1], sh); ow = size(iw, kw, pad[2], pad[3], sw);
  }
  if (!(oh > 0 && ow > 0)) bad(op, `output size ${oh}x${ow} is not positive`);
  return { type: t, n, c, ih, iw, kh, kw, sh, sw, pad, oh, ow, adaptive: adaptive && !global, exclusive: attrBool(op, 'exclusive') };
}

/** one pooling window along one axis: [start, end) in input coordinates, and the divisor's factor */
export function poolWindow(g: PoolGeom, o: number, axis: 'h' | 'w'): [number, number] {
  const inp = axis === 'h' ? g.ih : g.iw, out = axis === 'h' ? g.oh : g.ow;
  if (g.adaptive) return [Math.floor((o * inp) / out), Math.ceil(((o + 1) * inp) / out)];
  const k = axis === 'h' ? g.kh : g.kw, s = axis === 'h' ? g.sh : g.sw, p = axis === 'h' ? g.pad[0] : g.pad[2];
  const start = o * s - p;
  return [Math.max(start, 0), Math.min(start + k, inp)];
}

export interface Broadcast {
  out: number[];
  /** per output dim, the element stride into X / Y (0 where that operand's dim is broadcast) */
  xStrides: number[];
  yStrides: number[];
}

function strides(d: number[]): number[] {
  const s = new Array<number>(d.length);
  let acc = 1;
  for (let i = d.length - 1; i >= 0; i--) { s[i] = acc; acc *= d[i]; }
  return s;
}

/** Paddle elementwise broadcasting: the lower-rank operand's dims align to the other's starting at `axis`
 * (−1: trailing alignment, i.e. axis = |rank X − rank Y|); if it would run past the end, its trailing 1s are
 * trimmed first (trim_trailing_singular_dims). Aligned dims must be equal or 1. */
export function broadcast(op: Op, xd: readonly number[], yd: readonly number[], axisAttr: number): Broadcast {
  const swap = yd.length > xd.length;
  const big = swap ? [...yd] : [...xd];
  let small = swap ? [...xd] : [...yd];
  let axis = axisAttr === -1 ? big.length - small.length : axisAttr;
  if (axisAttr < -1) axis = axisAttr + big.length; // Paddle 2.x allows negative axes counted from the end
  if (axis + small.length > big.length) {
    while (small.length > 0 && small[small.length - 1] === 1) small.pop();
    if (axisAttr === -1) axis = big.length - small.length;
  }
  if (axis < 0 || axis + small.length > big.length) {
    bad(op, `cannot broadcast [${yd.join(',')}] to [${xd.join(',')}] with axis=${axisAttr}`);
  }
  const smallFull = big.map((_, i) => (i >= axis && i < axis + small.length ? small[i - axis] : 1));
  const out = big.map((b, i) => {
    const s = smallFull[i];
    if (b === s || s === 1) return b;
    if (b === 1) return s;
    return bad(op, `X [${xd.join(',')}] and Y [${yd.join(',')}] do not broadcast at dim ${i} (axis=${axisAttr})`);
  });
  const bs = strides(big), ss = strides(smallFull);
  const bigStr = big.map((d, i) => (d === 1 && out[i] !== 1 ? 0 : bs[i]));
  const smallStr = smallFull.map((d, i) => (d === 1 && out[i] !== 1 ? 0 : ss[i]));
  return swap ? { out, xStrides: smallStr, yStrides: bigStr } : { out, xStrides: bigStr, yStrides: smallStr };
}

/** negative axis → axis + rank, with a range check */
export function normAxis(op: Op, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) bad(op, `${what} ${axis} out of range for rank ${rank}`);
  return a;
}

/** reshape target: 0 copies the input dim at that index, −1 is inferred (PaddlePaddle/Paddle:
 * paddle/fluid/operators/reshape_op.cc ValidateShape) */
export function reshapeDims(op: Op, inDims: readonly number[], shape: readonly number[]): number[] {
  const total = prod(inDims);
  let unknown = -1;
  const out = shape.map((s, i) => {
    if (s === -1) {
      if (unknown >= 0) bad(op, `shape [${shape.join(',')}] has more than one -1`);
      unknown = i;
      return 1;
    }
    if (s === 0) {
      if (i >= inDims.length) bad(op, `shape [${shape.join(',')}]: 0 at index ${i} but input has rank ${inDims.length}`);
      return inDims[i];
    }
    if (s < 0) bad(op, `shape [${shape.join(',')}] has invalid value ${s}`);
    return s;
  });
  const known = prod(out);
  if (unknown >= 0) {
    if (known === 0 || total % known !== 0) bad(op, `cannot reshape [${inDims.join(',')}] to [${shape.join(',')}]`);
    out[unknown] = total / known;
  } else if (known !== total) bad(op, `cannot reshape [${inDims.join(',')}] (${total} elements) to [${shape.join(',')}]`);
  return out;
}

/** slice bounds after Paddle's clamping: negative start/end count from the end, both clamped to [0, dim] */
export function sliceBounds(dim: number, start: number, end: number): [number, number] {
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  s = Math.min(Math.max(s, 0), dim);
  e = Math.min(Math.max(e, 0), dim);
  return [s, Math.max(e, s)];
}

/** is the conv/fc/matmul marked for an int8 kernel (2.x mkldnn_data_type, old use_quantizer) */
export function markedInt8(op: Op): boolean {
  return op.str('mkldnn_data_type', '') === 'int8' || op.bool('use_quantizer', false);
}

export const isIntType = (d: string | undefined): d is 'int8' | 'uint8' => d === 'int8' || d === 'uint8';

export interface MatmulGeom {
  M: number; K: number; N: number;
  /** broadcast batch dims of the output */
  batch: number[];
  /** per output batch index: the matrix index into X and into Y */
  xIndex: Int32Array; yIndex: Int32Array;
  out: number[];
}

/** matmul / matmul_v2 shapes (PaddlePaddle/Paddle:paddle/fluid/operators/matmul_op.cc, matmul_v2_op.cc):
 * a 1-D X is a row [1,K], a 1-D Y a column [K,1] (those dims are dropped from Out); leading dims broadcast
 * numpy-style; transposes swap the last two dims. */
export function matmulGeom(op: Op, xd: readonly number[], yd: readonly number[], tx: boolean, ty: boolean): MatmulGeom {
  if (xd.length === 0 || yd.length === 0) bad(op, 'matmul of a scalar is not supported');
  const x1 = xd.length === 1, y1 = yd.length === 1;
  const xm = x1 ? (tx ? [xd[0], 1] : [1, xd[0]]) : xd.slice(-2);
  const ym = y1 ? (ty ? [1, yd[0]] : [yd[0], 1]) : yd.slice(-2);
  const [M, K] = tx ? [xm[1], xm[0]] : xm;
  const [K2, N] = ty ? [ym[1], ym[0]] : ym;
  if (K !== K2) bad(op, `inner dims differ: X [${xd.join(',')}]${tx ? 'ᵀ' : ''} · Y [${yd.join(',')}]${ty ? 'ᵀ' : ''}`);
  const xb = x1 ? [] : xd.slice(0, -2), yb = y1 ? [] : yd.slice(0, -2);
  const r = Math.max(xb.length, yb.length);
  const xbf = [...new Array<number>(r - xb.length).fill(1), ...xb], ybf = [...new Array<number>(r - yb.length).fill(1), ...yb];
  const batch = xbf.map((a, i) => {
    const b = ybf[i];
    if (a === b || b === 1) return a;
    if (a === 1) return b;
    return bad(op, `batch dims of X [${xd.join(',')}] and Y [${yd.join(',')}] do not broadcast`);
  });
  const nb = prod(batch);
  const xIndex = new Int32Array(nb), yIndex = new Int32Array(nb);
  for (let b = 0; b < nb; b++) {
    let rem = b, xi = 0, yi = 0, xs = 1, ys = 1;
    for (let i = r - 1; i >= 0; i--) {
      const idx = rem % batch[i]; rem = Math.floor(rem / batch[i]);
      xi += (xbf[i] === 1 ? 0 : idx) * xs; yi += (ybf[i] === 1 ? 0 : idx) * ys;
      xs *= xbf[i]; ys *= ybf[i];
    }
    xIndex[b] = xi; yIndex[b] = yi;
  }
  const out = [...batch];
  if (!x1) out.push(M);
  if (!y1) out.push(N);
  if (out.length === 0) out.push(1);
  return { M, K, N, batch, xIndex, yIndex, out };
}
