// quantize / dequantize / requantize (oneDNN dialect), int8.ts formulas lane by lane:
//   quantize:   q  = sat(rne(f32(x · Scale)) + Shift)
//   dequantize: y  = f32(f32(q − Shift) · inv)          inv = f32(1/Scale), computed by the host
//   requantize: q' = sat(rne(f32(q · factor)))           factor = f32(Scale_out/Scale_in), by the host
import { T_U8 } from './common';

// @ts-ignore: decorator
@inline function sat(q: i32, t: i32): i32 {
  return t == T_U8 ? (q < 0 ? 0 : q > 255 ? 255 : q) : (q < -128 ? -128 : q > 127 ? 127 : q);
}

// @ts-ignore: decorator
@inline function narrowTo(q: v128, t: i32): v128 {
  const h = i16x8.narrow_i32x4_s(q, q);
  return t == T_U8 ? i8x16.narrow_i16x8_u(h, h) : i8x16.narrow_i16x8_s(h, h);
}

export function quantize_f32_i8(x: usize, y: usize, n: i32, scale: f32, shift: i32, t: i32): void {
  const sv = f32x4.splat(scale), lim = f32x4.splat(1e9), sh = i32x4.splat(shift);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let v = f32x4.nearest(f32x4.mul(v128.load(x + (<usize>i << 2)), sv));
    v = f32x4.min(f32x4.max(v, f32x4.neg(lim)), lim);
    v128.store32_lane(y + <usize>i, narrowTo(i32x4.add(i32x4.trunc_sat_f32x4_s(v), sh), t), 0);
  }
  for (; i < n; i++) {
    let v = nearest<f32>(load<f32>(x + (<usize>i << 2)) * scale);
    v = v < -1e9 ? -1e9 : v > 1e9 ? 1e9 : v;
    store<i8>(y + <usize>i, <i8>sat(<i32>v + shift, t));
  }
}

export function dequantize_i8_f32(x: usize, y: usize, n: i32, inv: f32, shift: i32, t: i32): void {
  for (let i = 0; i < n; i++) {
    const q: i32 = t == T_U8 ? <i32>load<u8>(x + <usize>i) : <i32>load<i8>(x + <usize>i);
    store<f32>(y + (<usize>i << 2), <f32>(q - shift) * inv);
  }
}

export function requantize_i8(x: usize, y: usize, n: i32, factor: f32, tin: i32, tout: i32): void {
  for (let i = 0; i < n; i++) {
    const q: i32 = tin == T_U8 ? <i32>load<u8>(x + <usize>i) : <i32>load<i8>(x + <usize>i);
    store<i8>(y + <usize>i, <i8>sat(<i32>nearest<f32>(<f32>q * factor), tout));
  }
}

// Paddle's legacy dynamic forms (QuantizeTranspiler's abs-max; reference kernels/quant.ts), in f64 as the reference
// computes them, two lanes at a time:
//   quantize_abs_max:   s = max|x| (NaN skipped, as `a > s` does), d = s ≤ 1e−30 ? s + 1e−6 : s,
//                       y = f32(x·127/d rounded half away from zero: −floor(−v + 0.5) for v < 0, else floor(v + 0.5)),
//                       *os = s (when os ≠ 0)
//   dequantize_max_abs: y = f32(f64(*sp)·x / range)

// @ts-ignore: decorator
@inline function roundAway2(v: v128): v128 {
  const r = f64x2.floor(f64x2.add(f64x2.abs(v), f64x2.splat(0.5)));
  // negate only where v < 0: −0 and +0 round to +0, as floor(v + 0.5) gives
  return v128.bitselect(f64x2.neg(r), r, f64x2.lt(v, f64x2.splat(0)));
}

// @ts-ignore: decorator
@inline function absMaxStep(s: f32, a: f32): f32 { return a > s ? a : s; }

export function quantize_abs_max_f32(x: usize, y: usize, os: usize, n: i32): void {
  // pmax(acc, a) = acc < a ? a : acc keeps acc where a is NaN, like the scalar step
  let m = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) m = f32x4.pmax(m, f32x4.abs(v128.load(x + (<usize>i << 2))));
  let s: f32 = 0;
  s = absMaxStep(s, f32x4.extract_lane(m, 0)); s = absMaxStep(s, f32x4.extract_lane(m, 1));
  s = absMaxStep(s, f32x4.extract_lane(m, 2)); s = absMaxStep(s, f32x4.extract_lane(m, 3));
  for (; i < n; i++) s = absMaxStep(s, Mathf.abs(load<f32>(x + (<usize>i << 2))));
  const d: f64 = <f64>s <= 1e-30 ? <f64>s + 1e-6 : <f64>s; // compared in f64, as the reference does
  const dv = f64x2.splat(d), k = f64x2.splat(127);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const lo = roundAway2(f64x2.div(f64x2.mul(f64x2.promote_low_f32x4(v), k), dv));
    const hi = roundAway2(f64x2.div(f64x2.mul(f64x2.promote_low_f32x4(i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)), k), dv));
    v128.store(y + (<usize>i << 2), i8x16.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
  for (; i < n; i++) {
    const v = (<f64>load<f32>(x + (<usize>i << 2)) * 127) / d;
    store<f32>(y + (<usize>i << 2), <f32>(v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5)));
  }
  if (os != 0) store<f32>(os, s); // 0: the op has no OutScale output
}

export function dequantize_max_abs_f32(x: usize, sp: usize, y: usize, n: i32, range: f64): void {
  const s: f64 = <f64>load<f32>(sp);
  const sv = f64x2.splat(s), rv = f64x2.splat(range);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const lo = f64x2.div(f64x2.mul(sv, f64x2.promote_low_f32x4(v)), rv);
    const hi = f64x2.div(f64x2.mul(sv, f64x2.promote_low_f32x4(i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7))), rv);
    v128.store(y + (<usize>i << 2), i8x16.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>((s * <f64>load<f32>(x + (<usize>i << 2))) / range));
}
