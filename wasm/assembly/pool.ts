// pool2d max / avg for f32, u8, s8 (NCHW planes). The window bounds per output row/column come from the host
// (src/ops/attrs.ts poolWindow, so ceil_mode, padding, adaptive and exclusive follow one definition), as
// i32 pairs [start, end) at HW (OH pairs) and WW (OW pairs).
// f32: max, or the window sum (f64, rounded once) / count; u8/s8 (int8.ts avgPoolValue): exact s32 sum, f32(sum / count) (one
// f32 division of two exactly representable values), round half to even, saturate; max is the plain max.
// Max pooling with regular windows (not adaptive) and stride 1 or 2 (flag 16) runs on SIMD rows instead: per output
// row, the max over its window rows into a row buffer T that holds each input column at T0 + w and the identity
// elsewhere (u8 0, s8 −128, f32 −FLT_MAX), then per 16 (bytes) or 4 (f32) outputs the max over the kw columns at
// T0 + ox·sw − pl + kx: the clipped windows of the edges and ceil_mode read identities where the scalar loop reads
// nothing. f32 uses f32x4.pmax (a < b ? b : a), the scalar `if (v > m) m = v` from m = −FLT_MAX lane by lane, NaN
// skipped alike; u8/s8 i8x16.max_u/max_s.
import { pI, pU, T_F32, T_U8 } from './common';
import { PL, PF } from './abi';


const F32_LOWEST: f32 = -3.4028234663852886e38;

/** the identity-filled row buffer T (twd elements of size es) */
// @ts-ignore: decorator
@inline function fillIdentity(tb: usize, twd: i32, t: i32): void {
  if (t == T_F32) { const v = f32x4.splat(F32_LOWEST); for (let i = 0; i < twd; i += 4) v128.store(tb + (<usize>i << 2), v); }
  else memory.fill(tb, t == T_U8 ? 0 : 0x80, <usize>twd);
}

const IOTA8: usize = memory.data<u8>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 16);

/**
 * T[T0 + w] = max(T[T0 + w], row[w]) for w < iw. A byte row's tail is one masked vector (lanes past iw keep T's
 * identities) when 16 bytes can be read there without leaving the plane (`end`), else scalar.
 */
// @ts-ignore: decorator
@inline function maxRow(tb: usize, row: usize, iw: i32, t: i32, end: usize): void {
  if (t == T_F32) {
    let w = 0;
    for (; w + 4 <= iw; w += 4) { const a = tb + (<usize>w << 2); v128.store(a, f32x4.pmax(v128.load(a), v128.load(row + (<usize>w << 2)))); }
    for (; w < iw; w++) { const a = tb + (<usize>w << 2); const v = load<f32>(row + (<usize>w << 2)); if (v > load<f32>(a)) store<f32>(a, v); }
  } else {
    let w = 0;
    for (; w + 16 <= iw; w += 16) {
      const a = tb + <usize>w, v = v128.load(row + <usize>w);
      v128.store(a, t == T_U8 ? i8x16.max_u(v128.load(a), v) : i8x16.max_s(v128.load(a), v));
    }
    if (w < iw && row + <usize>(w + 16) <= end) {
      const a = tb + <usize>w, old = v128.load(a);
      const keep = i8x16.gt_s(i8x16.splat(<i8>(iw - w)), v128.load(IOTA8)); // lanes w + i < iw
      const v = v128.bitselect(v128.load(row + <usize>w), old, keep);
      v128.store(a, t == T_U8 ? i8x16.max_u(old, v) : i8x16.max_s(old, v));
      return;
    }
    for (; w < iw; w++) {
      const a = tb + <usize>w;
      if (t == T_U8) { const v = load<u8>(row + <usize>w); if (v > load<u8>(a)) store<u8>(a, v); }
      else { const v = load<i8>(row + <usize>w); if (v > load<i8>(a)) store<i8>(a, v); }
    }
  }
}

/** one output row from T: lanes of output columns, max over kw taps (stride 1 or 2) */
// @ts-ignore: decorator
@inline function maxCols(tb: usize, ow: i32, kw: i32, sw: i32, pleft: i32, t0: i32, t: i32, y: usize, tmp: usize): void {
  const n = t == T_F32 ? 4 : 16, es: usize = t == T_F32 ? 4 : 1;
  for (let ox = 0; ox < ow; ox += n) {
    let m = t == T_F32 ? f32x4.splat(F32_LOWEST) : t == T_U8 ? i8x16.splat(0) : i8x16.splat(-128);
    const base = tb + <usize>(t0 + ox * sw - pleft) * es;
    for (let kx = 0; kx < kw; kx++) {
      const a = base + <usize>kx * es;
      let v: v128;
      if (sw == 1) v = v128.load(a);
      else if (t == T_F32) v = i32x4.shuffle(v128.load(a), v128.load(a, 16), 0, 2, 4, 6);
      else v = i8x16.shuffle(v128.load(a), v128.load(a, 16), 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      m = t == T_F32 ? f32x4.pmax(m, v) : t == T_U8 ? i8x16.max_u(m, v) : i8x16.max_s(m, v);
    }
    const d = y + <usize>ox * es;
    if (ox + n <= ow) v128.store(d, m);
    else { v128.store(tmp, m); memory.copy(d, tmp, <usize>(ow - ox) * es); }
  }
}

/** max pooling by rows (the header): t is constant at the call sites so the type branches fold */
// @ts-ignore: decorator
@inline function maxPoolRows(p: usize, start: i32, end: i32, tid: i32, t: i32): void {
  const ih = pI(p, PL.IH), iw = pI(p, PL.IW), oh = pI(p, PL.OH), ow = pI(p, PL.OW);
  const kw = pI(p, PL.KW), sw = pI(p, PL.SW), pleft = pI(p, PL.PLEFT), t0 = pI(p, PL.T0), twd = pI(p, PL.TWD);
  const hw = pU(p, PL.HW);
  const es: usize = t == T_F32 ? 4 : 1;
  const scr = pU(p, PL.SCR) + <usize>(tid * pI(p, PL.SCRSTRIDE));
  const tmp = scr, tb = scr + 64, tr = tb + <usize>t0 * es;
  const rowBytes = <usize>iw * es;
  // identities once: only T0 .. T0 + iw is written below (the first window row is copied in, the others max'ed)
  fillIdentity(tb, twd, t);
  for (let pl = start; pl < end; pl++) {
    const x = pU(p, PL.X) + <usize>pl * <usize>(ih * iw) * es;
    const xend = x + <usize>(ih * iw) * es;
    const y = pU(p, PL.Y) + <usize>pl * <usize>(oh * ow) * es;
    for (let oy = 0; oy < oh; oy++) {
      const h0 = load<i32>(hw + (<usize>oy << 3)), h1 = load<i32>(hw + (<usize>oy << 3), 4);
      if (h1 <= h0) { // no rows (ceil_mode past the input): identities
        if (t == T_F32) { for (let w = 0; w < iw; w++) store<f32>(tr + (<usize>w << 2), F32_LOWEST); }
        else memory.fill(tr, t == T_U8 ? 0 : 0x80, rowBytes);
      } else {
        memory.copy(tr, x + <usize>(h0 * iw) * es, rowBytes);
        for (let h = h0 + 1; h < h1; h++) maxRow(tr, x + <usize>(h * iw) * es, iw, t, xend);
      }
      maxCols(tb, ow, kw, sw, pleft, t0, t, y + <usize>(oy * ow) * es, tmp);
    }
  }
}

export function pool2d(p: usize, start: i32, end: i32, tid: i32): void {
  const ih = pI(p, PL.IH), iw = pI(p, PL.IW), oh = pI(p, PL.OH), ow = pI(p, PL.OW), khw = pI(p, PL.KHW), flags = pI(p, PL.FLAGS);
  const t = flags & PF.TYPE_MASK, isAvg = (flags & PF.AVG) != 0, clipped = (flags & PF.EXCLUSIVE) != 0;
  if (!isAvg && (flags & PF.ROWS) != 0) {
    if (t == T_F32) maxPoolRows(p, start, end, tid, T_F32);
    else if (t == T_U8) maxPoolRows(p, start, end, tid, T_U8);
    else maxPoolRows(p, start, end, tid, 2);
    return;
  }
  const hw = pU(p, PL.HW), ww = pU(p, PL.WW);
  const es: usize = t == T_F32 ? 4 : 1;
  for (let pl = start; pl < end; pl++) {
    const x = pU(p, PL.X) + <usize>pl * <usize>(ih * iw) * es;
    const y = pU(p, PL.Y) + <usize>pl * <usize>(oh * ow) * es;
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
