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
