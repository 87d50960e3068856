// Direct depthwise convolution (groups == channels, one filter per channel), any kernel size, stride, pad,
// dilation. Per (image, channel): the input plane is copied once into a zero-padded, stride-phase-split plane
// (row iy', phase φ, column t holds x[iy' − PT][t·SW + φ − PL]), so for every tap the 8 outputs ox..ox+7 read
// one contiguous vector. INT8 (`conv_dw_u8s8_simd128`): plane in i16, i32x4.extmul_{low,high}_i16x8_s per tap,
// exact s32 sums; FP32 (`conv_dw_f32_simd128`): f32 plane, mul+add (relaxed_madd in the relaxed build).
import { pI, pU, pF, epiI8x4, epiF32x4, actI8, T_F32, T_U8, ACT_NONE, ACT_RELU6 } from './common';
import { D, CF } from './abi';

// slots (src/backends/wasm/params.ts: D)

/**
 * zeroes n bytes at d in 16-byte stores, so up to 15 bytes past d + n too (callers leave room: the plane's
 * rows are written in order and the scratch has slack after the plane and the staging row). A store loop
 * instead of memory.fill / memory.copy for the few dozen bytes of a row's padding (measured: ~5% on the
 * MobileNetV2 dw layer, within this machine's noise).
 */
// @ts-ignore: decorator
@inline function zero16(d: usize, n: i32): void {
  for (let i = 0; i < n; i += 16) v128.store(d + <usize>i, i32x4.splat(0));
}

/** copies n bytes (exactly) */
// @ts-ignore: decorator
@inline function copyExact(d: usize, s: usize, n: i32): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) v128.store(d + <usize>i, v128.load(s + <usize>i));
  for (; i < n; i += 4) store<u32>(d + <usize>i, load<u32>(s + <usize>i));
}

/** padded, phase-split plane of one channel; es = 2 (i16 from u8/s8) or 4 (f32) */
function buildPlane(p: usize, src: usize, dst: usize, es: i32, srcSigned: bool): void {
  const ih = pI(p, D.IH), iw = pI(p, D.IW), sw = pI(p, D.SW), pt = pI(p, D.PT), pl = pI(p, D.PL);
  const hp = pI(p, D.HP), wq = pI(p, D.WQ);
  const rowElems = sw * wq;
  for (let yy = 0; yy < hp; yy++) {
    const iy = yy - pt;
    const d = dst + <usize>(yy * rowElems * es);
    if (iy < 0 || iy >= ih) { zero16(d, rowElems * es); continue; }
    const s = src + <usize>(iy * iw * (es == 4 ? 4 : 1));
    if (sw == 1) {
      // columns t: x[t − PL]
      const lo = min(rowElems, pl), hi = min(rowElems, pl + iw);
      if (lo > 0) zero16(d, lo * es);
      if (es == 4) copyExact(d + <usize>(lo * 4), s + <usize>((lo - pl) * 4), (hi - lo) * 4);
      else {
        let t = lo;
        for (; t + 8 <= hi; t += 8) {
          const v = srcSigned ? v128.load8x8_s(s + <usize>(t - pl)) : v128.load8x8_u(s + <usize>(t - pl));
          v128.store(d + <usize>(t << 1), v);
        }
        for (; t < hi; t++) store<i16>(d + <usize>(t << 1), srcSigned ? <i16>load<i8>(s + <usize>(t - pl)) : <i16>load<u8>(s + <usize>(t - pl)));
      }
      if (rowElems > hi) zero16(d + <usize>(hi * es), (rowElems - hi) * es);
    } else if (sw == 2 && es == 2) {
      // u8/s8 stride 2: the padded row once as bytes into `row` (after the plane), then 16 columns at a time
      // split into even/odd bytes and widened to i16 (one byte shuffle per phase, no i16 staging pass)
      const row = dst + <usize>(hp * rowElems * 2);
      const lo = min(rowElems, pl), hi = min(rowElems, pl + iw);
      if (lo > 0) zero16(row, lo);
      let t = lo;
      for (; t + 16 <= hi; t += 16) v128.store(row + <usize>t, v128.load(s + <usize>(t - pl)));
      for (; t < hi; t++) store<u8>(row + <usize>t, load<u8>(s + <usize>(t - pl)));
      zero16(row + <usize>hi, rowElems - hi + 32);
      const d1 = d + <usize>(wq << 1);
      for (let q = 0; q < wq; q += 16) {
        const a = v128.load(row + <usize>(q << 1)), b = v128.load(row + <usize>(q << 1), 16);
        const ev = i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const od = i8x16.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        const o = <usize>(q << 1);
        if (srcSigned) {
          v128.store(d + o, i16x8.extend_low_i8x16_s(ev)); v128.store(d1 + o, i16x8.extend_low_i8x16_s(od));
          if (q + 8 < wq) { v128.store(d + o, i16x8.extend_high_i8x16_s(ev), 16); v128.store(d1 + o, i16x8.extend_high_i8x16_s(od), 16); }
        } else {
          v128.store(d + o, i16x8.extend_low_i8x16_u(ev)); v128.store(d1 + o, i16x8.extend_low_i8x16_u(od));
          if (q + 8 < wq) { v128.store(d + o, i16x8.extend_high_i8x16_u(ev), 16); v128.store(d1 + o, i16x8.extend_high_i8x16_u(od), 16); }
        }
      }
    } else if (sw == 2 && es == 4) {
      // f32 stride 2: the same with f32 lanes (a fair FP32 baseline)
      const row = dst + <usize>(hp * rowElems * 4);
      const lo = min(rowElems, pl), hi = min(rowElems, pl + iw);
      if (lo > 0) zero16(row, lo * 4);
      zero16(row + <usize>(hi * 4), (rowElems - hi) * 4 + 64);
      if (hi > lo) copyExact(row + <usize>(lo << 2), s + <usize>((lo - pl) << 2), (hi - lo) << 2);
      const d1 = d + <usize>(wq << 2);
      for (let q = 0; q < wq; q += 4) {
        const a = v128.load(row + <usize>(q << 3)), b = v128.load(row + <usize>(q << 3), 16);
        v128.store(d + <usize>(q << 2), v128.shuffle<f32>(a, b, 0, 2, 4, 6));
        v128.store(d1 + <usize>(q << 2), v128.shuffle<f32>(a, b, 1, 3, 5, 7));
      }
    } else {
      for (let ph = 0; ph < sw; ph++) {
        const dp = d + <usize>(ph * wq * es);
        for (let t = 0; t < wq; t++) {
          const ix = t * sw + ph - pl;
          const ok = ix >= 0 && ix < iw;
          if (es == 4) store<f32>(dp + (<usize>t << 2), ok ? load<f32>(s + (<usize>ix << 2)) : 0);
          else store<i16>(dp + (<usize>t << 1), ok ? (srcSigned ? <i16>load<i8>(s + <usize>ix) : <i16>load<u8>(s + <usize>ix)) : 0);
        }
      }
    }
  }
}

/**
 * epiI8x4's result for 8 outputs with no residual and a u8/s8 output, in one pass: the same f32 steps
 * (acc·dq + bias, activation, ·ds, NaN → 0 for s8, clamp), then round-half-even with f32x4.nearest (what the
 * 1.5·2^23 add does) and a saturating narrow of values that are already in range, one 8-byte store.
 * dqv/bv/dsv are splats, hoisted by the caller.
 */
// @ts-ignore: decorator
@inline function epiI8x8(a0: v128, a1: v128, dqv: v128, bv: v128, dsv: v128, act: i32, alpha: f32, u8: bool, lo: v128, hi: v128, y: usize): void {
  let v0 = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(a0), dqv), bv);
  let v1 = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(a1), dqv), bv);
  v0 = f32x4.mul(actI8(v0, act, alpha), dsv);
  v1 = f32x4.mul(actI8(v1, act, alpha), dsv);
  if (!u8) { v0 = v128.and(v0, f32x4.eq(v0, v0)); v1 = v128.and(v1, f32x4.eq(v1, v1)); }
  v0 = f32x4.nearest(f32x4.pmin(hi, f32x4.pmax(lo, v0)));
  v1 = f32x4.nearest(f32x4.pmin(hi, f32x4.pmax(lo, v1)));
  const h = i16x8.narrow_i32x4_s(i32x4.trunc_sat_f32x4_s(v0), i32x4.trunc_sat_f32x4_s(v1));
  v128.store64_lane(y, u8 ? i8x16.narrow_i16x8_u(h, h) : i8x16.narrow_i16x8_s(h, h), 0);
}

/** i16 lanes 0..3 of a and b interleaved (a0 b0 a1 b1 ...), and lanes 4..7 */
// @ts-ignore: decorator
@inline function ilo(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23); }
// @ts-ignore: decorator
@inline function ihi(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31); }

/** INT8 depthwise: items are (image, channel) planes; weights i16 [C][KH·KW], bias and scales f32 */
export function conv_dw_u8s8_simd128(p: usize, start: i32, end: i32, tid: i32): void {
  const scr = pU(p, D.SCR) + <usize>(tid * pI(p, D.SCRSTRIDE));
  const tmp = scr, wsp = scr + 64, plane = scr + 64 + 16 * 64;
  const c = pI(p, D.C), ih = pI(p, D.IH), iw = pI(p, D.IW), oh = pI(p, D.OH), ow = pI(p, D.OW);
  const kh = pI(p, D.KH), kw = pI(p, D.KW), sh = pI(p, D.SH), sw = pI(p, D.SW), dh = pI(p, D.DH), dw = pI(p, D.DW);
  const wq = pI(p, D.WQ);
  const flags = pI(p, D.FLAGS);
  const signed = (flags & CF.SIGNED) != 0;
  const rt = (flags >> CF.RES_SHIFT) & CF.TYPE_MASK, yt = (flags >> CF.OUT_SHIFT) & CF.TYPE_MASK;
  const yes = yt == T_F32 ? 4 : 1;
  const act = pI(p, D.ACT), alpha = pF(p, D.ALPHA), ss = pF(p, D.SUMSCALE);
  const taps = kh * kw;
  const rowBytes = sw * wq * 2;
  for (let item = start; item < end; item++) {
    const ch = item % c;
    buildPlane(p, pU(p, D.X) + <usize>(item * ih * iw), plane, 2, signed);
    const wbase = pU(p, D.W) + <usize>(ch * taps * 2);
    const tapsCached = min(taps, 64);
    for (let t = 0; t < tapsCached; t++) v128.store(wsp + <usize>(t << 4), i16x8.splat(load<i16>(wbase + <usize>(t << 1))));
    const bv = load<f32>(pU(p, D.BIAS) + (<usize>ch << 2));
    const dq = load<f32>(pU(p, D.OS) + (<usize>ch << 2)), ds = pF(p, D.DS);
    const ybase = <usize>item * <usize>(oh * ow);
    if (kh == 3 && kw == 3) {
      // the common case: tap pairs interleaved (lanes x_t[j], x_t'[j]) against (w_t, w_t') pairs, so one
      // i32x4.dot_i16x8_s does two taps of 4 outputs (exact: |x·w| < 2^15, two of them fit i32); tap 8 pairs
      // with zeros. Weight pairs in locals, tap offsets computed once (no per-tap div/mod).
      const w01 = i32x4.splat(load<i32>(wbase)), w23 = i32x4.splat(load<i32>(wbase, 4));
      const w45 = i32x4.splat(load<i32>(wbase, 8)), w67 = i32x4.splat(load<i32>(wbase, 12));
      const w8 = i32x4.splat(<i32>load<u16>(wbase, 16)), zv = i32x4.splat(0);
      const c1 = <usize>((((dw % sw) * wq + dw / sw)) << 1), c2 = <usize>((((2 * dw) % sw) * wq + (2 * dw) / sw) << 1);
      const r1 = <usize>(dh * rowBytes), r2 = <usize>(2 * dh * rowBytes);
      const fast8 = rt == 0 && yt != T_F32, u8 = yt == T_U8;
      const dqv = f32x4.splat(dq), bvv = f32x4.splat(bv), dsv = f32x4.splat(ds);
      const lo = f32x4.splat(u8 ? 0 : -128), hi = f32x4.splat(u8 ? 255 : 127);
      const yb = pU(p, D.Y) + ybase;
      for (let oy = 0; oy < oh; oy++) {
        const rb = plane + <usize>(oy * sh * rowBytes);
        for (let ox = 0; ox < ow; ox += 8) {
          const q = rb + (<usize>ox << 1), q1 = q + r1, q2 = q + r2;
          let v = v128.load(q), u = v128.load(q + c1);
          let a0 = i32x4.dot_i16x8_s(ilo(v, u), w01), a1 = i32x4.dot_i16x8_s(ihi(v, u), w01);
          v = v128.load(q + c2); u = v128.load(q1);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(ilo(v, u), w23)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(ihi(v, u), w23));
          v = v128.load(q1 + c1); u = v128.load(q1 + c2);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(ilo(v, u), w45)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(ihi(v, u), w45));
          v = v128.load(q2); u = v128.load(q2 + c1);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(ilo(v, u), w67)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(ihi(v, u), w67));
          v = v128.load(q2 + c2);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(ilo(v, zv), w8)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(ihi(v, zv), w8));
          if (fast8 && ox + 8 <= ow) { epiI8x8(a0, a1, dqv, bvv, dsv, act, alpha, u8, lo, hi, yb + <usize>(oy * ow + ox)); continue; }
          const eo = ybase + <usize>(oy * ow + ox);
          epiI8x4(a0, dq, bv, ds, rt, pU(p, D.R) + eo, ss, act, alpha, yt, pU(p, D.Y) + eo * yes, 1, min(4, ow - ox), tmp);
          if (ox + 4 < ow) {
            epiI8x4(a1, dq, bv, ds, rt, pU(p, D.R) + eo + 4, ss, act, alpha, yt, pU(p, D.Y) + (eo + 4) * yes, 1, min(4, ow - ox - 4), tmp);
          }
        }
      }
      continue;
    }
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox += 8) {
        let a0 = i32x4.splat(0), a1 = i32x4.splat(0);
        for (let ky = 0; ky < kh; ky++) {
          const row = plane + <usize>((oy * sh + ky * dh) * rowBytes);
          for (let kx = 0; kx < kw; kx++) {
            const off = kx * dw;
            const ph = off % sw, t0 = off / sw;
            const v = v128.load(row + <usize>((ph * wq + t0 + ox) << 1));
            const t = ky * kw + kx;
            const wv = t < 64 ? v128.load(wsp + <usize>(t << 4)) : i16x8.splat(load<i16>(wbase + <usize>(t << 1)));
            a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(v, wv));
            a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(v, wv));
          }
        }
        const eo = ybase + <usize>(oy * ow + ox);
        const n0 = min(4, ow - ox);
        epiI8x4(a0, dq, bv, ds, rt, pU(p, D.R) + eo, ss, act, alpha, yt, pU(p, D.Y) + eo * yes, 1, n0, tmp);
        if (ox + 4 < ow) {
          epiI8x4(a1, dq, bv, ds, rt, pU(p, D.R) + eo + 4, ss, act, alpha, yt, pU(p, D.Y) + (eo + 4) * yes, 1, min(4, ow - ox - 4), tmp);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** FP32 depthwise: weights f32 [C][KH·KW], bias f32 (0 pointer: none), fp32 residual optional */
export function conv_dw_f32_simd128(p: usize, start: i32, end: i32, tid: i32): void {
  const scr = pU(p, D.SCR) + <usize>(tid * pI(p, D.SCRSTRIDE));
  const tmp = scr, wsp = scr + 64, plane = scr + 64 + 16 * 64;
  const c = pI(p, D.C), ih = pI(p, D.IH), iw = pI(p, D.IW), oh = pI(p, D.OH), ow = pI(p, D.OW);
  const kh = pI(p, D.KH), kw = pI(p, D.KW), sh = pI(p, D.SH), sw = pI(p, D.SW), dh = pI(p, D.DH), dw = pI(p, D.DW);
  const wq = pI(p, D.WQ);
  const hasR = (pI(p, D.FLAGS) & CF.RES_BITS) != 0;
  const act = pI(p, D.ACT), alpha = pF(p, D.ALPHA), beta = pF(p, D.BETA);
  const taps = kh * kw;
  const rowBytes = sw * wq * 4;
  const biasP = pU(p, D.BIAS);
  for (let item = start; item < end; item++) {
    const ch = item % c;
    buildPlane(p, pU(p, D.X) + (<usize>(item * ih * iw) << 2), plane, 4, false);
    const wbase = pU(p, D.W) + (<usize>(ch * taps) << 2);
    const tapsCached = min(taps, 64);
    for (let t = 0; t < tapsCached; t++) v128.store(wsp + <usize>(t << 4), v128.load32_splat(wbase + (<usize>t << 2)));
    const bv: f32 = biasP != 0 ? load<f32>(biasP + (<usize>ch << 2)) : 0;
    const ybase = <usize>item * <usize>(oh * ow);
    if (kh == 3 && kw == 3) {
      // as in the INT8 kernel: weight splats in locals, tap offsets computed once
      const w0 = v128.load(wsp), w1 = v128.load(wsp, 16), w2 = v128.load(wsp, 32);
      const w3 = v128.load(wsp, 48), w4 = v128.load(wsp, 64), w5 = v128.load(wsp, 80);
      const w6 = v128.load(wsp, 96), w7 = v128.load(wsp, 112), w8 = v128.load(wsp, 128);
      const c1 = <usize>((((dw % sw) * wq + dw / sw)) << 2), c2 = <usize>((((2 * dw) % sw) * wq + (2 * dw) / sw) << 2);
      const r1 = <usize>(dh * rowBytes), r2 = <usize>(2 * dh * rowBytes);
      // no residual and none/relu/relu6: 8 outputs in registers (epiF32x4's same steps, without its branches)
      const fast8 = !hasR && act <= ACT_RELU6;
      const bvv = f32x4.splat(bv), z = f32x4.splat(0), av = f32x4.splat(act == ACT_RELU6 ? alpha : Infinity);
      const yb = pU(p, D.Y) + (ybase << 2);
      for (let oy = 0; oy < oh; oy++) {
        const rb = plane + <usize>(oy * sh * rowBytes);
        for (let ox = 0; ox < ow; ox += 8) {
          const q = rb + (<usize>ox << 2);
          let a0 = f32x4.mul(v128.load(q), w0), a1 = f32x4.mul(v128.load(q, 16), w0);
          a0 = fma(v128.load(q + c1), w1, a0); a1 = fma(v128.load(q + c1, 16), w1, a1);
          a0 = fma(v128.load(q + c2), w2, a0); a1 = fma(v128.load(q + c2, 16), w2, a1);
          const q1 = q + r1;
          a0 = fma(v128.load(q1), w3, a0); a1 = fma(v128.load(q1, 16), w3, a1);
          a0 = fma(v128.load(q1 + c1), w4, a0); a1 = fma(v128.load(q1 + c1, 16), w4, a1);
          a0 = fma(v128.load(q1 + c2), w5, a0); a1 = fma(v128.load(q1 + c2, 16), w5, a1);
          const q2 = q + r2;
          a0 = fma(v128.load(q2), w6, a0); a1 = fma(v128.load(q2, 16), w6, a1);
          a0 = fma(v128.load(q2 + c1), w7, a0); a1 = fma(v128.load(q2 + c1, 16), w7, a1);
          a0 = fma(v128.load(q2 + c2), w8, a0); a1 = fma(v128.load(q2 + c2, 16), w8, a1);
          if (fast8 && ox + 8 <= ow) {
            let v0 = f32x4.add(a0, bvv), v1 = f32x4.add(a1, bvv);
            if (act != ACT_NONE) { v0 = f32x4.min(f32x4.max(v0, z), av); v1 = f32x4.min(f32x4.max(v1, z), av); }
            const yo = yb + (<usize>(oy * ow + ox) << 2);
            v128.store(yo, v0); v128.store(yo, v1, 16);
            continue;
          }
          const eo = (ybase + <usize>(oy * ow + ox)) << 2;
          epiF32x4(a0, bv, hasR, pU(p, D.R) + eo, act, alpha, beta, pU(p, D.Y) + eo, 1, min(4, ow - ox), tmp);
          if (ox + 4 < ow) epiF32x4(a1, bv, hasR, pU(p, D.R) + eo + 16, act, alpha, beta, pU(p, D.Y) + eo + 16, 1, min(4, ow - ox - 4), tmp);
        }
      }
      continue;
    }
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox += 8) {
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
        for (let ky = 0; ky < kh; ky++) {
          const row = plane + <usize>((oy * sh + ky * dh) * rowBytes);
          for (let kx = 0; kx < kw; kx++) {
            const off = kx * dw;
            const ph = off % sw, t0 = off / sw;
            const a = row + <usize>((ph * wq + t0 + ox) << 2);
            const t = ky * kw + kx;
            const wv = t < 64 ? v128.load(wsp + <usize>(t << 4)) : v128.load32_splat(wbase + (<usize>t << 2));
            a0 = fma(v128.load(a), wv, a0);
            a1 = fma(v128.load(a, 16), wv, a1);
          }
        }
        const eo = (ybase + <usize>(oy * ow + ox)) << 2;
        epiF32x4(a0, bv, hasR, pU(p, D.R) + eo, act, alpha, beta, pU(p, D.Y) + eo, 1, min(4, ow - ox), tmp);
        if (ox + 4 < ow) epiF32x4(a1, bv, hasR, pU(p, D.R) + eo + 16, act, alpha, beta, pU(p, D.Y) + eo + 16, 1, min(4, ow - ox - 4), tmp);
      }
    }
  }
}
