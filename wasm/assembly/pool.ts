// pool2d max / avg for f32, u8, s8 (NCHW planes). The window bounds per output row/column come from the host
// (src/ops/attrs.ts poolWindow, so ceil_mode, padding, adaptive and exclusive follow one definition), as
// i32 pairs [start, end) at HW (OH pairs) and WW (OW pairs).
// f32: max, or the window sum (f64, rounded once) / count; u8/s8 (int8.ts avgPoolValue): exact s32 sum, f32(sum / count) (one
// f32 division of two exactly representable values), round half to even, saturate; max is the plain max.
import { pI, pU, T_F32, T_U8 } from './common';

const IH = 1; const IW = 2; const OH = 3; const OW = 4; const KHW = 5; const FLAGS = 6; const X = 7; const Y = 8;
const HW = 9; const WW = 10;

export function pool2d(p: usize, start: i32, end: i32, tid: i32): void {
  const ih = pI(p, IH), iw = pI(p, IW), oh = pI(p, OH), ow = pI(p, OW), khw = pI(p, KHW), flags = pI(p, FLAGS);
  const t = flags & 3, isAvg = (flags & 4) != 0, clipped = (flags & 8) != 0;
  const hw = pU(p, HW), ww = pU(p, WW);
  const es: usize = t == T_F32 ? 4 : 1;
  for (let pl = start; pl < end; pl++) {
    const x = pU(p, X) + <usize>pl * <usize>(ih * iw) * es;
    const y = pU(p, Y) + <usize>pl * <usize>(oh * ow) * es;
    for (let oy = 0; oy < oh; oy++) {
      const h0 = load<i32>(hw + (<usize>oy << 3)), h1 = load<i32>(hw + (<usize>oy << 3), 4);
      for (let ox = 0; ox < ow; ox++) {
        const w0 = load<i32>(ww + (<usize>ox << 3)), w1 = load<i32>(ww + (<usize>ox << 3), 4);
        const o = <usize>(oy * ow + ox);
        const count: i32 = clipped ? (h1 - h0) * (w1 - w0) : khw;
        if (t == T_F32) {
          if (isAvg) {
            let s: f64 = 0; // summed in f64 in row order and rounded once, like the reference
            for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += <f64>load<f32>(x + (<usize>(h * iw + w) << 2));
            store<f32>(y + (o << 2), <f32>(s / <f64>count));
          } else {
            let m: f32 = -3.4028234663852886e38;
            for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) { const v = load<f32>(x + (<usize>(h * iw + w) << 2)); if (v > m) m = v; }
            store<f32>(y + (o << 2), m);
          }
        } else {
          let s: i32 = 0, m: i32 = t == T_U8 ? 0 : -128;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const a = x + <usize>(h * iw + w);
              const v: i32 = t == T_U8 ? <i32>load<u8>(a) : <i32>load<i8>(a);
              s += v; if (v > m) m = v;
            }
          }
          if (isAvg) {
            let q = <i32>nearest<f32>(<f32>s / <f32>count);
            q = t == T_U8 ? (q < 0 ? 0 : q > 255 ? 255 : q) : (q < -128 ? -128 : q > 127 ? 127 : q);
            store<i8>(y + o, <i8>q);
          } else store<i8>(y + o, <i8>m);
        }
      }
    }
  }
}
