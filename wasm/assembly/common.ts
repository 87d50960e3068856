// Shared pieces of the kernels: parameter-block access and the fused INT8 / FP32 epilogues.
// Every kernel reads its parameters from an i32 block in linear memory written by the host
// (slot numbers: abi.ts, which the host imports too), so the thread pool only passes (block, range, tid).
//
// INT8 epilogue = src/backends/reference/int8.ts epilogue(), lane by lane in f32 (no fused multiply-add):
//   v = f32(f32(f32(acc) * dq) + bias); residual: v = f32(v + f32(sumScale * r)); relu / relu6(alpha) clamp;
//   out = sat(rne(f32(v * ds))), or v as f32.
// Only the cheap lane ops: f32x4.pmin/pmax are one minps/maxps each and are exactly the reference's
// `v < 0 ? 0 : v` comparisons (f32x4.min/max and i32x4.trunc_sat are 6-8 instructions each in V8's x64 code);
// sat(rne(y)) is a clamp to the type's range (integer bounds, so clamping first rounds the same) and one add
// of 1.5·2^23, whose sum has ulp 1: the default round-half-to-even rounding happens in that add and the low
// byte of each lane's bits is the two's-complement u8/s8 result.

import { ACT, T } from './abi';

// @ts-ignore: decorator
@inline export function pI(p: usize, slot: i32): i32 { return load<i32>(p + (<usize>slot << 2)); }
// @ts-ignore: decorator
@inline export function pF(p: usize, slot: i32): f32 { return load<f32>(p + (<usize>slot << 2)); }
// @ts-ignore: decorator
@inline export function pU(p: usize, slot: i32): usize { return <usize>load<u32>(p + (<usize>slot << 2)); }

// element types (flags fields) and activations, as the kernels spell them (abi.ts declares them)
export const T_F32: i32 = T.f32;
export const T_U8: i32 = T.u8;
export const T_S8: i32 = T.s8;
export const ACT_NONE: i32 = ACT.none;
export const ACT_RELU: i32 = ACT.relu;
export const ACT_RELU6: i32 = ACT.relu6;
export const ACT_LEAKY: i32 = ACT.leaky_relu;
export const ACT_HARD_SWISH: i32 = ACT.hard_swish;
export const ACT_SWISH: i32 = ACT.swish;

/** four u8/s8 values at ptr → f32x4 (exact) */
// @ts-ignore: decorator
@inline export function load4i8AsF32(ptr: usize, t: i32): v128 {
  let v = v128.load32_zero(ptr);
  if (t == T_U8) v = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v));
  else v = i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v));
  return f32x4.convert_i32x4_s(v);
}

const RNE_MAGIC: f32 = 12582912.0; // 1.5·2^23

/**
 * y → sat(rne(y)) for the element type t, as the low byte of each lane (see the header). NaN gives 0, as the
 * reference's typed-array store does: pmax(0, NaN) is 0 for u8; for s8 NaN lanes are zeroed first.
 */
// @ts-ignore: decorator
@inline export function satRneLowBytes(y: v128, t: i32): v128 {
  if (t != T_U8) y = v128.and(y, f32x4.eq(y, y));
  const c = f32x4.pmin(f32x4.splat(t == T_U8 ? 255 : 127), f32x4.pmax(f32x4.splat(t == T_U8 ? 0 : -128), y));
  return f32x4.add(c, f32x4.splat(RNE_MAGIC));
}

/** f32x4 → four saturated u8/s8 (round half to even) in the low 4 bytes */
// @ts-ignore: decorator
@inline export function f32ToI8x4(v: v128, t: i32): v128 {
  const q = satRneLowBytes(v, t);
  return i8x16.shuffle(q, q, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12);
}

/** relu: the reference's v < 0 ? 0 : v; relu6 then v > alpha ? alpha : v (pmax(a, b) = a < b ? b : a) */
// @ts-ignore: decorator
@inline export function actI8(v: v128, act: i32, alpha: f32): v128 {
  if (act == ACT_RELU) return f32x4.pmax(v, f32x4.splat(0));
  if (act == ACT_RELU6) return f32x4.pmin(f32x4.pmax(v, f32x4.splat(0)), f32x4.splat(alpha));
  return v;
}

/**
 * INT8 epilogue for 4 consecutive outputs of one channel. `acc` holds the exact s32 sums; dq/bias/ds are the
 * channel's dequantization scale, f32 bias and the output multiplier.
 * Outputs go to y + pos·ysp (elements of type yt), residuals come from r + pos·ysp (type rt, 0 = none).
 * `nv` (1..4) lanes are valid; contiguous full stores when nv == 4 and ysp == 1.
 */
// @ts-ignore: decorator
@inline export function epiI8x4(acc: v128, dq: f32, bias: f32, ds: f32, rt: i32, r: usize, ss: f32, act: i32, alpha: f32,
  yt: i32, y: usize, ysp: i32, nv: i32, tmp: usize): void {
  let v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(acc), f32x4.splat(dq)), f32x4.splat(bias));
  if (rt != 0) {
    let rv: v128;
    if (nv == 4 && ysp == 1) rv = load4i8AsF32(r, rt);
    else {
      for (let i = 0; i < nv; i++) {
        const a = r + <usize>(i * ysp);
        store<f32>(tmp + (<usize>i << 2), rt == T_U8 ? <f32>load<u8>(a) : <f32>load<i8>(a));
      }
      rv = v128.load(tmp);
    }
    v = f32x4.add(v, f32x4.mul(f32x4.splat(ss), rv));
  }
  v = actI8(v, act, alpha);
  if (yt == T_F32) {
    if (nv == 4 && ysp == 1) { v128.store(y, v); return; }
    v128.store(tmp, v);
    for (let i = 0; i < nv; i++) store<f32>(y + (<usize>(i * ysp) << 2), load<f32>(tmp + (<usize>i << 2)));
    return;
  }
  const b = f32ToI8x4(f32x4.mul(v, f32x4.splat(ds)), yt);
  if (nv == 4 && ysp == 1) { v128.store32_lane(y, b, 0); return; }
  v128.store(tmp, b);
  for (let i = 0; i < nv; i++) store<u8>(y + <usize>(i * ysp), load<u8>(tmp + <usize>i));
}

/** scalar fp32 activations that have no cheap lane form */
export function actF32Scalar(v: f32, act: i32, a: f32, b: f32): f32 {
  if (act == ACT_LEAKY) return v > 0 ? v : a * v;
  if (act == ACT_HARD_SWISH) {
    let s = a * v + b;
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    return v * s;
  }
  if (act == ACT_SWISH) return <f32>(<f64>v / (1.0 + Math.exp(-<f64>a * <f64>v)));
  return v;
}

/**
 * FP32 epilogue for 4 consecutive outputs of one channel: v = acc + bias (+ residual), activation.
 */
// @ts-ignore: decorator
@inline export function epiF32x4(acc: v128, bias: f32, hasR: bool, r: usize, act: i32, alpha: f32, beta: f32,
  y: usize, ysp: i32, nv: i32, tmp: usize): void {
  let v = f32x4.add(acc, f32x4.splat(bias));
  if (hasR) {
    let rv: v128;
    if (nv == 4 && ysp == 1) rv = v128.load(r);
    else {
      for (let i = 0; i < nv; i++) store<f32>(tmp + (<usize>i << 2), load<f32>(r + (<usize>(i * ysp) << 2)));
      rv = v128.load(tmp);
    }
    v = f32x4.add(v, rv);
  }
  if (act == ACT_RELU) v = f32x4.max(v, f32x4.splat(0));
  else if (act == ACT_RELU6) v = f32x4.min(f32x4.max(v, f32x4.splat(0)), f32x4.splat(alpha));
  else if (act == ACT_LEAKY) {
    const neg = f32x4.lt(v, f32x4.splat(0));
    v = v128.bitselect(f32x4.mul(v, f32x4.splat(alpha)), v, neg);
  } else if (act >= ACT_HARD_SWISH) {
    v128.store(tmp, v);
    for (let i = 0; i < 4; i++) store<f32>(tmp + (<usize>i << 2), actF32Scalar(load<f32>(tmp + (<usize>i << 2)), act, alpha, beta));
    v = v128.load(tmp);
  }
  if (nv == 4 && ysp == 1) { v128.store(y, v); return; }
  v128.store(tmp, v);
  for (let i = 0; i < nv; i++) store<f32>(y + (<usize>(i * ysp) << 2), load<f32>(tmp + (<usize>i << 2)));
}

/** whether any of n bytes at x has bit 7 set (u8 ≥ 128 / s8 < 0): such items cannot take the 7-bit relaxed dot */
export function anyBit7(x: usize, n: i32): bool {
  let acc = i32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) acc = v128.or(acc, v128.load(x + <usize>i));
  let t: u32 = 0;
  for (; i < n; i++) t |= <u32>load<u8>(x + <usize>i);
  return i8x16.bitmask(acc) != 0 || (t & 0x80) != 0;
}

/**
 * A zero-padded copy of an NCHW image for the convs that read it in place (conv.ts padded mode, the Winograd
 * kernels): ic planes of ih × iw elements of es bytes → ic planes of ph rows × pw elements, input at row pt, column
 * pl, and 16 zero bytes after the last plane (loads of the last row run past it). Only the padding is zeroed, and
 * rows are copied in 16-byte vectors (the last one overlapping): a bulk fill of the whole buffer and a memory.copy
 * call per row measured 1-2% of a 56×56 Winograd layer.
 */
export function padPlanes(x: usize, pad: usize, ic: i32, ih: i32, iw: i32, ph: i32, pw: i32, pt: i32, pl: i32, es: i32): void {
  const rb = pw * es, lb = pl * es, db = iw * es, z = i32x4.splat(0);
  for (let c = 0; c < ic; c++) {
    const cp = pad + <usize>(c * ph * rb), sp = x + <usize>(c * ih * db);
    memory.fill(cp, 0, <usize>(pt * rb));
    for (let y = 0; y < ih; y++) {
      const d = cp + <usize>((pt + y) * rb), s = sp + <usize>(y * db);
      if (rb < 16 || db < 16) { // short rows: as one fill and one copy
        memory.fill(d, 0, <usize>rb);
        memory.copy(d + <usize>lb, s, <usize>db);
        continue;
      }
      // the ends first: their 16-byte stores may run into the data, which the copy then overwrites
      for (let i = 0; i < lb; i += 16) v128.store(d + <usize>i, z);
      for (let i = lb + db; i < rb; i += 16) v128.store(d + <usize>min(i, rb - 16), z);
      let i = 0;
      for (; i + 16 <= db; i += 16) v128.store(d + <usize>(lb + i), v128.load(s + <usize>i));
      if (i < db) v128.store(d + <usize>(lb + db - 16), v128.load(s + <usize>(db - 16)));
    }
    memory.fill(cp + <usize>((pt + ih) * rb), 0, <usize>((ph - pt - ih) * rb));
  }
  v128.store(pad + <usize>(ic * ph * rb), z);
}
