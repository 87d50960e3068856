// PaddleSlim's fake quantize / dequantize ops (spec 2, 2.1), at inference (is_test = true): the ops a quant model
// (QAT, or `qdeploy quantize` / PaddleSlim PTQ, onnx_format or not) carries before Quant2Int8 removes them.
// Sources: PaddlePaddle/Paddle:paddle/fluid/operators/fake_quantize_op.cc / .h (op makers, QuantTensorFunctor,
// ClipAndFakeQuantFunctor, ClipAndFakeQuantDequantFunctor, ChannelClipAndFakeQuantFunctor,
// ChannelClipFakeQuantDequantFunctor, FindAbsMaxFunctor, FindChannelAbsMaxFunctor), fake_dequantize_op.cc
// (DequantizeFunctor, ChannelDequantizeFunctor), quantize_linear_op.cc / .h (ChannelDequantizeFunctorV2).
//
// The arithmetic lives here (`evalFakeQuant`) so that the reference kernels (src/backends/reference/kernels/
// fake_quant.ts) and compile-time folding (every input constant: weights of QAT / onnx_format models) are one
// implementation. Every step is float32 as in Paddle's CPU kernels (T = float):
//   bin_cnt = 2^(bits−1) − 1; inverse(s) = s ≤ f32(1e−30) ? 1/(s + 1e−6) : 1/s
//   round_type 0: q = clamp(rne(f32(f32(bin_cnt·inv_s)·x)), −bin_cnt−1, bin_cnt)          (−128..127)
//   round_type 1: x' = clip(x, −s, s); q = round_half_away(f32(f32(bin_cnt·inv_s)·x'))    (−127..127)
//   quant-dequant: f32(f32(q·s)/bin_cnt); dequantize: f32(f32(x·s)/max_range) (two scales: f32(f32(f32(x·s0[c])·s1)/max_range))
// round_type absent from the op = 1: models from Paddle versions before the attribute clipped and rounded half
// away from zero (spec 2, note on commit 0066e86c; a recent Paddle always writes the attr, default 0).
// Scales: abs_max / channel-wise abs_max ops take max|X| (per tensor / per channel, FindChannelAbsMaxFunctor:
// over every dim but quant_axis) of the tensor itself; range_abs_max / moving_average_abs_max take InScale
// (test-time behaviour; a model with is_test = false is run the same way: an inference engine does not update
// the training statistics); quantize_linear / dequantize_linear take Scale (one value, quant_axis < 0, or one
// per channel of quant_axis); ZeroPoint must be all zeros (symmetric only).
// Outputs: Out/Y like X (fp32; quantized values are integers stored as floats); OutScale [1] or [C]
// (channel-wise); OutScales [window_size]; OutState/OutAccum [1]. A persistable OutScale (the usual in-place
// `act@scale`) keeps its parameter value (compile skips outputs that are parameters).
import type { Op } from '../graph/op';
import type { DType, Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';
import { roundHalfEven } from '../util/round';
import { attrBool, attrInts, attrNum } from './attr';
import { FAKE_QUANT_OPS } from './fake_dialects';
import { registerSchema, type InferCtx, type ShapeInfo } from './schema';

const f = Math.fround;
const EPS = f(1e-6);
const TINY = f(1e-30);

/** numeric view (any typed array but int64) */
export type FqNum = { readonly length: number; readonly [i: number]: number };
type W = { [i: number]: number; readonly length: number };

export const binCnt = (bits: number): number => 2 ** (bits - 1) - 1;

/** Paddle's inverse(): 1/(s + 1e−6) for s ≤ 1e−30, else 1/s, in float32 */
export function inverse(s: number): number {
  s = f(s);
  return s <= TINY ? f(1 / f(s + EPS)) : f(1 / s);
}

/** std::round: half away from zero (round_type 1; round_type 0 is roundHalfEven, src/util/round.ts) */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** Q(x, s) (one element) as Paddle's functors compute it; `dequant` also scales back: f32(f32(q·s)/bin_cnt) */
export function fakeQuantValue(x: number, s: number, bits: number, roundType: number, dequant = false): number {
  const bin = binCnt(bits);
  s = f(s);
  const k = f(bin * inverse(s));
  let q: number;
  if (roundType === 0) {
    q = roundHalfEven(f(k * x));
    if (q > bin) q = bin;
    if (q < -bin - 1) q = -bin - 1;
  } else {
    const xc = x < -s ? -s : x > s ? s : x;
    q = roundHalfAway(f(k * xc));
  }
  return dequant ? f(f(q * s) / bin) : q;
}

/** [outer, channels, inner] of a tensor around `axis` */
function split3(dims: readonly number[], axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= dims[i];
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i];
  return [outer, dims[axis], inner];
}

export function absMax(x: FqNum): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) { const a = Math.abs(x[i]); if (a > m) m = a; }
  return m;
}

/** max|X| per channel of `axis` (FindChannelAbsMaxFunctor) */
export function channelAbsMax(x: FqNum, dims: readonly number[], axis: number): Float32Array {
  const [outer, ch, inner] = split3(dims, axis);
  const out = new Float32Array(ch);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < ch; c++) {
      const base = (o * ch + c) * inner;
      let m = out[c];
      for (let i = 0; i < inner; i++) { const a = Math.abs(x[base + i]); if (a > m) m = a; }
      out[c] = m;
    }
  }
  return out;
}

/** y = Q(x, scale[c]) (or Q·s/bin_cnt) per channel of `axis`; axis < 0: one scale for the tensor */
function quantTensor(x: FqNum, y: W, dims: readonly number[], axis: number, scales: FqNum, bits: number, rt: number, dequant: boolean): void {
  if (axis < 0) {
    const s = scales[0];
    for (let i = 0; i < x.length; i++) y[i] = fakeQuantValue(x[i], s, bits, rt, dequant);
    return;
  }
  const [outer, ch, inner] = split3(dims, axis);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < ch; c++) {
      const s = scales[c], base = (o * ch + c) * inner;
      for (let i = 0; i < inner; i++) y[base + i] = fakeQuantValue(x[base + i], s, bits, rt, dequant);
    }
  }
}

/** y = f32(f32(x·s)/maxRange) per tensor (axis < 0) or per channel of `axis`; s2: a second per-tensor scale */
function dequantTensor(x: FqNum, y: W, dims: readonly number[], axis: number, scales: FqNum, maxRange: number, s2?: number): void {
  const mr = f(maxRange);
  const one = (v: number, s: number) => (s2 === undefined ? f(f(v * s) / mr) : f(f(f(v * s) * s2) / mr));
  if (axis < 0) {
    const s = scales[0];
    for (let i = 0; i < x.length; i++) y[i] = one(x[i], s);
    return;
  }
  const [outer, ch, inner] = split3(dims, axis);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < ch; c++) {
      const s = scales[c], base = (o * ch + c) * inner;
      for (let i = 0; i < inner; i++) y[base + i] = one(x[base + i], s);
    }
  }
}

// ------------------------------------------------------------------------------------------ op table

// which Paddle functor each type runs (the list of types itself is FAKE_QUANT_OPS, src/ops/fake_dialects.ts)
const ABS_MAX_Q = ['fake_quantize_abs_max', 'fake_quantize_dequantize_abs_max'];
const IN_SCALE_Q = ['fake_quantize_range_abs_max', 'fake_quantize_moving_average_abs_max', 'fake_quantize_dequantize_moving_average_abs_max'];
const CHANNEL_Q = ['fake_channel_wise_quantize_abs_max', 'fake_channel_wise_quantize_dequantize_abs_max'];
const LINEAR = ['quantize_linear', 'dequantize_linear'];

const isDequantOut = (t: string) => t.startsWith('fake_quantize_dequantize') || t === 'fake_channel_wise_quantize_dequantize_abs_max';

/** round_type of the op: the attr, or 1 when absent (models older than the attr) */
export const roundTypeOf = (op: Op): number => (op.hasAttr('round_type') ? op.num('round_type', 0) : 1);

function bitsOf(op: Op, name = 'bit_length'): number {
  return op.num(name, 8);
}

/** quant_axis of a channel-wise / linear op, checked against X's rank (`allowNeg`: −1 = per tensor) */
export function quantAxisOf(op: Op, rank: number, allowNeg: boolean): number {
  const a = attrNum(op, 'quant_axis');
  if (allowNeg && a < 0) return -1;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new QdeployError('shape', `op ${op.label}: quant_axis ${a} is out of range for a rank-${rank} X`);
  return a;
}

/** the channel axis of fake_channel_wise_dequantize_max_abs: quant_axis (one Scales tensor) or x_num_col_dims (two) */
function dequantChannelAxis(op: Op, rank: number, nScales: number): number {
  if (nScales === 2) {
    const a = attrNum(op, 'x_num_col_dims');
    if (!Number.isInteger(a) || a < 1 || a >= rank) throw new QdeployError('shape', `op ${op.label}: x_num_col_dims ${a} is out of range for a rank-${rank} X`);
    return a;
  }
  return quantAxisOf(op, rank, false);
}

export interface FqTensor { dims: readonly number[]; data: FqNum }

/**
 * Runs one fake op: `input(slot)` gives the tensors of an input slot (empty when absent), `output(slot)` the
 * buffer to write an output slot into (undefined when the op has none there, or it is a parameter).
 */
export function evalFakeQuant(op: Op, input: (slot: string) => FqTensor[], output: (slot: string) => W | undefined): void {
  const t = op.type;
  const fail = (m: string): never => { throw new QdeployError('unsupported', `op ${op.label}: ${m}`); };
  const x = input('X')[0] ?? fail('missing input X');
  const out = output('Out');
  const put = (slot: string, v: FqNum) => { const o = output(slot); if (o) for (let i = 0; i < o.length; i++) o[i] = v.length === 1 ? v[0] : v[i] ?? 0; };
  const bits = bitsOf(op), rt = roundTypeOf(op);
  if (ABS_MAX_Q.includes(t)) {
    const s = absMax(x.data);
    if (out) quantTensor(x.data, out, x.dims, -1, [s], bits, rt, isDequantOut(t));
    put('OutScale', [s]);
    return;
  }
  if (IN_SCALE_Q.includes(t)) {
    const sc = input('InScale')[0] ?? fail('missing input InScale');
    if (out) quantTensor(x.data, out, x.dims, -1, sc.data, bits, rt, isDequantOut(t));
    put('OutScale', sc.data);
    const st = input('InState')[0], ac = input('InAccum')[0];
    put('OutState', st ? st.data : [0]);
    put('OutAccum', ac ? ac.data : [0]);
    const o = output('OutScales');
    if (o) { for (let i = 0; i < o.length; i++) o[i] = 0; if (o.length) o[0] = sc.data[0]; }
    return;
  }
  if (CHANNEL_Q.includes(t)) {
    const axis = quantAxisOf(op, x.dims.length, false);
    if (axis > 1) fail(`quant_axis ${axis} is not supported (0 or 1)`);
    const s = channelAbsMax(x.data, x.dims, axis);
    if (out) quantTensor(x.data, out, x.dims, axis, s, bits, rt, isDequantOut(t));
    put('OutScale', s);
    return;
  }
  if (t === 'fake_dequantize_max_abs') {
    const s = input('Scale')[0] ?? fail('missing input Scale');
    if (out) dequantTensor(x.data, out, x.dims, -1, s.data, op.num('max_range', 1));
    return;
  }
  if (t === 'fake_channel_wise_dequantize_max_abs') {
    const sc = input('Scales');
    if (sc.length !== 1 && sc.length !== 2) fail(`Scales has ${sc.length} tensors (1 or 2)`);
    const qb = attrInts(op, 'quant_bits');
    let maxRange = 1;
    for (let i = 0; i < sc.length; i++) maxRange *= binCnt(qb[i] ?? qb[0] ?? 8);
    const axis = dequantChannelAxis(op, x.dims.length, sc.length);
    if (out) dequantTensor(x.data, out, x.dims, axis, sc[0].data, maxRange, sc.length === 2 ? f(sc[1].data[0]) : undefined);
    return;
  }
  if (LINEAR.includes(t)) {
    const y = output('Y');
    const s = input('Scale')[0] ?? fail('missing input Scale');
    const zp = input('ZeroPoint')[0];
    if (zp) for (let i = 0; i < zp.data.length; i++) if (zp.data[i] !== 0) fail(`ZeroPoint[${i}] = ${zp.data[i]}: asymmetric quantization is not supported`);
    const axis = quantAxisOf(op, x.dims.length, true);
    put('OutScale', s.data);
    if (!y) return;
    if (attrBool(op, 'only_observer')) { for (let i = 0; i < x.data.length; i++) y[i] = x.data[i]; return; }
    if (t === 'quantize_linear') quantTensor(x.data, y, x.dims, axis, s.data, bits, rt, false);
    else dequantTensor(x.data, y, x.dims, axis, s.data, binCnt(bits));
    return;
  }
  if (t === 'moving_average_abs_max_scale') {
    if (out) for (let i = 0; i < x.data.length; i++) out[i] = x.data[i];
    // OutScale etc. only when they are not parameters: the moving average of one observation
    const r = f(attrNum(op, 'moving_rate'));
    const st = input('InState')[0]?.data[0] ?? 0, ac = input('InAccum')[0]?.data[0] ?? 0;
    const state = f(f(r * st) + 1), accum = f(f(r * ac) + absMax(x.data));
    put('OutState', [state]);
    put('OutAccum', [accum]);
    put('OutScale', [f(accum / state)]);
    return;
  }
  fail('not a fake quant op');
}

// ------------------------------------------------------------------------------------------ schemas

const COMMON = { bit_length: 8, round_type: 1 };
const DEFAULTS: Record<string, Record<string, unknown>> = {
  fake_quantize_abs_max: { ...COMMON },
  fake_quantize_dequantize_abs_max: { ...COMMON },
  fake_quantize_range_abs_max: { ...COMMON, window_size: 10000, is_test: false },
  fake_quantize_moving_average_abs_max: { ...COMMON, moving_rate: 0.9, is_test: false },
  fake_quantize_dequantize_moving_average_abs_max: { ...COMMON, moving_rate: 0.9, is_test: false },
  fake_channel_wise_quantize_abs_max: { ...COMMON, quant_axis: 0, is_test: false },
  fake_channel_wise_quantize_dequantize_abs_max: { ...COMMON, quant_axis: 0 },
  fake_dequantize_max_abs: {}, // max_range has no default: required
  fake_channel_wise_dequantize_max_abs: { quant_bits: [8], quant_axis: 0, x_num_col_dims: 1 },
  quantize_linear: { ...COMMON, quant_axis: 0, is_test: true, only_observer: false, moving_rate: 0.9 },
  dequantize_linear: { ...COMMON, quant_axis: 0, is_test: true, only_observer: false, moving_rate: 0.9 },
  moving_average_abs_max_scale: { moving_rate: 0.9, is_test: false },
};

const SLOTS: Record<string, [string[], string[]]> = {
  fake_quantize_abs_max: [['X'], ['Out', 'OutScale']],
  fake_quantize_dequantize_abs_max: [['X'], ['Out', 'OutScale']],
  fake_quantize_range_abs_max: [['X', 'InScale', 'Iter'], ['Out', 'OutScale', 'OutScales']],
  fake_quantize_moving_average_abs_max: [['X', 'InScale', 'InAccum', 'InState'], ['Out', 'OutScale', 'OutState', 'OutAccum']],
  fake_quantize_dequantize_moving_average_abs_max: [['X', 'InScale', 'InAccum', 'InState'], ['Out', 'OutScale', 'OutState', 'OutAccum']],
  fake_channel_wise_quantize_abs_max: [['X'], ['Out', 'OutScale']],
  fake_channel_wise_quantize_dequantize_abs_max: [['X'], ['Out', 'OutScale']],
  fake_dequantize_max_abs: [['X', 'Scale'], ['Out']],
  fake_channel_wise_dequantize_max_abs: [['X', 'Scales'], ['Out']],
  quantize_linear: [['X', 'Scale', 'ZeroPoint'], ['Y', 'OutScale']],
  dequantize_linear: [['X', 'Scale', 'ZeroPoint'], ['Y']],
  moving_average_abs_max_scale: [['X', 'InAccum', 'InState'], ['Out', 'OutScale', 'OutState', 'OutAccum']],
};

const numelOf = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

function checkScale(c: InferCtx, slot: string, s: ShapeInfo, n: number): void {
  if (s.dtype !== 'fp32') c.fail(`${slot} dtype ${s.dtype} is not supported (fp32)`);
  const k = numelOf(s.dims);
  if (k !== n && !(n === 1 && k >= 1)) c.fail(`${slot} has ${k} values, expected ${n}`);
  if (s.value) {
    const d = s.value.data as unknown as FqNum;
    for (let i = 0; i < Math.min(d.length, n); i++) if (!Number.isFinite(d[i])) c.fail(`${slot}[${i}] = ${d[i]} is not finite`);
  }
}

function inferFake(c: InferCtx): Record<string, ShapeInfo[]> {
  const op = c.op, t = op.type;
  const x = c.req('X');
  const okX: DType[] = t === 'dequantize_linear' ? ['fp32', 'int8'] : ['fp32'];
  if (!okX.includes(x.dtype)) c.fail(`X dtype ${x.dtype} is not supported (${okX.join('/')})`);
  const fpOnly = t !== 'fake_dequantize_max_abs' && t !== 'fake_channel_wise_dequantize_max_abs' && t !== 'moving_average_abs_max_scale';
  if (fpOnly) {
    const b = attrNum(op, 'bit_length');
    if (!Number.isInteger(b) || b < 2 || b > 16) c.fail(`bit_length ${b} is out of [2, 16]`);
    const rt = roundTypeOf(op);
    if (rt !== 0 && rt !== 1) c.fail(`round_type ${rt} is not supported (0 or 1)`);
  }
  const outs: Record<string, ShapeInfo[]> = {};
  const like: ShapeInfo = { dtype: 'fp32', dims: [...x.dims] };
  const one: ShapeInfo = { dtype: 'fp32', dims: [1] };
  let scaleDims = [1];
  if (IN_SCALE_Q.includes(t)) checkScale(c, 'InScale', c.req('InScale'), 1);
  if (CHANNEL_Q.includes(t)) {
    let a = 0;
    try { a = quantAxisOf(op, x.dims.length, false); } catch (e) { c.fail((e as Error).message.replace(/^op [^:]*: /, '')); }
    if (a > 1) c.fail(`quant_axis ${a} is not supported (0 or 1)`);
    scaleDims = [x.dims[a]];
  }
  if (t === 'fake_dequantize_max_abs') {
    checkScale(c, 'Scale', c.req('Scale'), 1);
    if (!op.hasAttr('max_range')) c.fail('attribute max_range is missing');
    const mr = op.num('max_range', 0);
    if (!(mr !== 0 && Number.isFinite(mr))) c.fail(`max_range ${mr} must be finite and non-zero`);
  }
  if (t === 'fake_channel_wise_dequantize_max_abs') {
    const sc = c.ins('Scales');
    if (sc.length !== 1 && sc.length !== 2) c.fail(`Scales has ${sc.length} tensors (1 or 2)`);
    const qb = attrInts(op, 'quant_bits');
    if (qb.length < sc.length || qb.some((b) => !Number.isInteger(b) || b < 2 || b > 16)) c.fail(`quant_bits [${qb.join(',')}] do not fit ${sc.length} Scales`);
    let a = 0;
    try { a = dequantChannelAxis(op, x.dims.length, sc.length); } catch (e) { c.fail((e as Error).message.replace(/^op [^:]*: /, '')); }
    if (sc.length === 1 && a > 1) c.fail(`quant_axis ${a} is not supported (0 or 1)`);
    checkScale(c, 'Scales[0]', sc[0], x.dims[a]);
    if (sc.length === 2) checkScale(c, 'Scales[1]', sc[1], 1);
  }
  if (LINEAR.includes(t)) {
    let a = 0;
    try { a = quantAxisOf(op, x.dims.length, true); } catch (e) { c.fail((e as Error).message.replace(/^op [^:]*: /, '')); }
    const n = a < 0 ? 1 : x.dims[a];
    checkScale(c, 'Scale', c.req('Scale'), n);
    scaleDims = [n];
    const zp = c.in('ZeroPoint');
    if (zp?.value) {
      const d = zp.value.data as unknown as FqNum;
      for (let i = 0; i < d.length; i++) if (d[i] !== 0) c.fail(`ZeroPoint[${i}] = ${d[i]}: asymmetric quantization is not supported`);
    }
    outs.Y = [like];
  } else {
    outs.Out = [like];
  }
  if (op.hasOutput('OutScale')) outs.OutScale = [{ dtype: 'fp32', dims: scaleDims }];
  if (op.hasOutput('OutScales')) outs.OutScales = [{ dtype: 'fp32', dims: [Math.max(1, attrNum(op, 'window_size'))] }];
  if (op.hasOutput('OutState')) outs.OutState = [one];
  if (op.hasOutput('OutAccum')) outs.OutAccum = [one];
  return foldIfConstant(c, outs);
}

/** every input constant (weights of QAT / onnx_format models): compute the outputs now */
function foldIfConstant(c: InferCtx, outs: Record<string, ShapeInfo[]>): Record<string, ShapeInfo[]> {
  const op = c.op;
  const slots = op.inputs.filter((s) => s.arguments.length > 0).map((s) => s.parameter);
  const all = slots.flatMap((s) => c.ins(s));
  if (all.length === 0 || !all.every((s) => s.value)) return outs;
  const bufs = new Map<string, Float32Array>();
  for (const [slot, infos] of Object.entries(outs)) bufs.set(slot, new Float32Array(numelOf(infos[0].dims)));
  evalFakeQuant(op, (slot) => c.ins(slot).map((s) => ({ dims: s.dims, data: s.value!.data as unknown as FqNum })), (slot) => bufs.get(slot));
  const r: Record<string, ShapeInfo[]> = {};
  for (const [slot, infos] of Object.entries(outs)) {
    const value: Tensor = { dtype: 'fp32', dims: [...infos[0].dims], data: bufs.get(slot)! };
    r[slot] = [{ ...infos[0], value }];
  }
  return r;
}

for (const type of FAKE_QUANT_OPS) {
  const [inputs, outputs] = SLOTS[type];
  registerSchema({ type, inputs, outputs, attrs: DEFAULTS[type], infer: inferFake });
}
