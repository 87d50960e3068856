// INT8 GEMM microkernels (u8/s8 activations × s8 weights → exact s32) and their packing.
//
// Plain SIMD128 (`gemm_u8s8s32_4x8_simd128`): activations and weights are widened to i16 and taken two k at a
// time; i32x4.dot_i16x8_s gives a0·b0 + a1·b1 per lane exactly (|product sums| < 2^17). A tile is 4 output
// channels (weights, one k-pair splat per channel) × 8 positions (two v128 of the packed panel).
//   weights: [group][m-tile][k-pair][4 channels] i32 = (w[k0] as i16) | (w[k1] as i16) << 16
//   panel:   [8-position block][k-pair][8 positions] i32 = (x[k0] as i16) | (x[k1] as i16) << 16
//
// Relaxed SIMD (`gemm_u8s8s32_4x4c4_relaxed`): i16x8.relaxed_dot_i8x16_i7x16_s is only defined when its second
// operand is 7-bit (WebAssembly relaxed-simd proposal, Overview.md "Relaxed integer dot product"), so each
// activation byte x is split as x = lo + 128·hi with lo = x & 0x7f and hi = x >>> 7 (x = lo − 128·hi for s8):
// both parts are 7-bit, the dot of s8 weights with lo gives pair sums within ±32512 (no i16 overflow), which an
// extending pairwise add turns into exact i32 sums of four products; the hi dots (pair sums within ±256) are
// summed in i16 for up to 64 k-quads and then folded in shifted left by 7. The relaxed i32x4 dot-add form is
// not used: Node 20's baseline compiler returned twice the dot product for it on its first calls (issue text;
// test/backends/wasm/relaxed.test.ts checks the form used here from a fresh instance).
//   weights: [group][m-tile][k-quad][4 channels] 4 bytes w[k0..k3]
//   panel:   [8-position block][k-quad] 64 bytes: lo(p0..p3), lo(p4..p7), hi(p0..p3), hi(p4..p7), each 4×[k0..k3]

import { actI8, satRneLowBytes, T_F32, T_U8 } from './common';

export const KALIGN_I8: i32 = ASC_FEATURE_RELAXED_SIMD ? 4 : 2;

export function wpack_bytes_s8(groups: i32, M: i32, K: i32): i32 {
  const KP = (K + KALIGN_I8 - 1) / KALIGN_I8 * KALIGN_I8;
  const MT = (M + 3) >> 2;
  return groups * MT * KP * (ASC_FEATURE_RELAXED_SIMD ? 4 : 8);
}

/** pack s8 weights: element (row r of group g, k) is at src + (g·M + r)·rs + k·ks (bytes) */
export function pack_weights_s8(src: usize, dst: usize, groups: i32, M: i32, K: i32, rs: i32, ks: i32): void {
  const KP = (K + KALIGN_I8 - 1) / KALIGN_I8 * KALIGN_I8;
  const MT = (M + 3) >> 2;
  let o = dst;
  for (let g = 0; g < groups; g++) {
    for (let mt = 0; mt < MT; mt++) {
      for (let k = 0; k < KP; k += KALIGN_I8) {
        for (let r = 0; r < 4; r++) {
          const row = mt * 4 + r;
          for (let j = 0; j < KALIGN_I8; j++) {
            const kk = k + j;
            let v: i32 = 0;
            if (row < M && kk < K) v = <i32>load<i8>(src + <usize>((g * M + row) * rs + kk * ks));
            if (ASC_FEATURE_RELAXED_SIMD) store<i8>(o + <usize>j, <i8>v);
            else store<i16>(o + (<usize>j << 1), <i16>v);
          }
          o += 4;
        }
      }
    }
  }
}

/** plain panel entry for one k-pair of an 8-position block: r0/r1 hold the 8 bytes of k0/k1 → 8 i32 (k0 | k1 << 16) at d */
// @ts-ignore: decorator
@inline export function packPairI8(r0: v128, r1: v128, d: usize, signed: bool): void {
  const a = i8x16.shuffle(r0, r1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  if (signed) {
    v128.store(d, i16x8.extend_low_i8x16_s(a));
    v128.store(d, i16x8.extend_high_i8x16_s(a), 16);
  } else {
    v128.store(d, i16x8.extend_low_i8x16_u(a));
    v128.store(d, i16x8.extend_high_i8x16_u(a), 16);
  }
}

/** relaxed panel entry for one k-quad of an 8-position block: r0..r3 hold the 8 bytes of k0..k3 → 64 bytes at d */
// @ts-ignore: decorator
@inline export function packQuadI8(r0: v128, r1: v128, r2: v128, r3: v128, d: usize): void {
  const m7 = i8x16.splat(0x7f);
  const a01 = i8x16.shuffle(r0, r1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const a23 = i8x16.shuffle(r2, r3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const q0 = i8x16.shuffle(a01, a23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
  const q1 = i8x16.shuffle(a01, a23, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
  v128.store(d, v128.and(q0, m7));
  v128.store(d, v128.and(q1, m7), 16);
  v128.store(d, i8x16.shr_u(q0, 7), 32);
  v128.store(d, i8x16.shr_u(q1, 7), 48);
}

/** interleave/transposes two (plain) or four (relaxed) gathered byte rows into the panel for one k-pair/quad */
// @ts-ignore: decorator
@inline export function packPanelRowsI8(t: usize, rowBytes: i32, nb: i32, panel: usize, kidx: i32, KP: i32, signed: bool): void {
  for (let b = 0; b < nb; b++) {
    const off = <usize>(b << 3);
    const r0 = v128.load64_zero(t + off), r1 = v128.load64_zero(t + <usize>rowBytes + off);
    if (ASC_FEATURE_RELAXED_SIMD) {
      const r2 = v128.load64_zero(t + <usize>(2 * rowBytes) + off), r3 = v128.load64_zero(t + <usize>(3 * rowBytes) + off);
      packQuadI8(r0, r1, r2, r3, panel + <usize>((b * (KP >> 2) + kidx) << 6));
    } else {
      packPairI8(r0, r1, panel + <usize>((b * (KP >> 1) + kidx) << 5), signed);
    }
  }
}

/** 4 channels × 8 positions, kp2 k-pairs; s32 tile [4][8] to `tile` */
export function gemm_u8s8s32_4x8_simd128(a: usize, b: usize, kp2: i32, tile: usize): void {
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const bend = b + (<usize>kp2 << 5);
  while (b < bend) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(b0, s));
    c01 = i32x4.add(c01, i32x4.dot_i16x8_s(b1, s));
    s = v128.load32_splat(a, 4);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(b0, s));
    c11 = i32x4.add(c11, i32x4.dot_i16x8_s(b1, s));
    s = v128.load32_splat(a, 8);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(b0, s));
    c21 = i32x4.add(c21, i32x4.dot_i16x8_s(b1, s));
    s = v128.load32_splat(a, 12);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(b0, s));
    c31 = i32x4.add(c31, i32x4.dot_i16x8_s(b1, s));
    a += 16; b += 32;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
}

/**
 * The same 4×8 tile with the INT8 epilogue fused on the accumulators (no s32 tile round trip through memory):
 * for a full tile (4 channels, 8 contiguous positions), the common case of every conv/fc inner loop, which at
 * small K (1×1 convs, K = 64) otherwise spends a third of its time storing, reloading and dispatching the tile.
 * bias/dq: the 4 channels' f32 biases and dequantization scales, ds the output multiplier; y/r: output/residual of channel 0 at the first
 * position, channels ysr elements apart. Lane arithmetic is epiI8x4's, so results are bit-identical.
 */
export function gemm_u8s8s32_4x8_simd128_fused(a: usize, b: usize, kp2: i32, bias: usize, os: usize, ds: f32, rt: i32, r: usize,
  ss: f32, act: i32, alpha: f32, yt: i32, y: usize, ysr: i32, tmp: usize): void {
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  const bend = b + (<usize>kp2 << 5);
  while (b < bend) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(b0, s));
    c01 = i32x4.add(c01, i32x4.dot_i16x8_s(b1, s));
    s = v128.load32_splat(a, 4);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(b0, s));
    c11 = i32x4.add(c11, i32x4.dot_i16x8_s(b1, s));
    s = v128.load32_splat(a, 8);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(b0, s));
    c21 = i32x4.add(c21, i32x4.dot_i16x8_s(b1, s));
    s = v128.load32_splat(a, 12);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(b0, s));
    c31 = i32x4.add(c31, i32x4.dot_i16x8_s(b1, s));
    a += 16; b += 32;
  }
  const ye = <usize>(yt == T_F32 ? 4 : 1);
  epiRow8(c00, c01, bias, os, ds, rt, r, ss, act, alpha, yt, y, tmp);
  epiRow8(c10, c11, bias + 4, os + 4, ds, rt, r + <usize>ysr, ss, act, alpha, yt, y + <usize>ysr * ye, tmp);
  epiRow8(c20, c21, bias + 8, os + 8, ds, rt, r + <usize>(2 * ysr), ss, act, alpha, yt, y + <usize>(2 * ysr) * ye, tmp);
  epiRow8(c30, c31, bias + 12, os + 12, ds, rt, r + <usize>(3 * ysr), ss, act, alpha, yt, y + <usize>(3 * ysr) * ye, tmp);
}

/** epilogue of one channel's 8 contiguous outputs held in two accumulators: epiI8x4's lane arithmetic, one 8-byte store */
// @ts-ignore: decorator
@inline function epiRow8(lo: v128, hi: v128, bias: usize, os: usize, ds: f32, rt: i32, r: usize, ss: f32, act: i32, alpha: f32,
  yt: i32, y: usize, tmp: usize): void {
  const dq = v128.load32_splat(os), bv = v128.load32_splat(bias);
  let v0 = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(lo), dq), bv);
  let v1 = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(hi), dq), bv);
  if (rt != 0) {
    const rb = v128.load64_zero(r);
    const rh = rt == T_U8 ? i16x8.extend_low_i8x16_u(rb) : i16x8.extend_low_i8x16_s(rb);
    const sv = f32x4.splat(ss);
    v0 = f32x4.add(v0, f32x4.mul(sv, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(rh))));
    v1 = f32x4.add(v1, f32x4.mul(sv, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(rh))));
  }
  v0 = actI8(v0, act, alpha); v1 = actI8(v1, act, alpha);
  if (yt == T_F32) { v128.store(y, v0); v128.store(y, v1, 16); return; }
  const dsv = f32x4.splat(ds);
  const q0 = satRneLowBytes(f32x4.mul(v0, dsv), yt), q1 = satRneLowBytes(f32x4.mul(v1, dsv), yt);
  v128.store64_lane(y, i8x16.shuffle(q0, q1, 0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28), 0);
}

// @ts-ignore: decorator
@inline function fold(lo: v128, hi: v128, signed: bool): v128 {
  const h = i32x4.shl(i32x4.extadd_pairwise_i16x8_s(hi), 7);
  return signed ? i32x4.sub(lo, h) : i32x4.add(lo, h);
}

/** 4 channels × 4 positions (one half of an 8-position block), kq k-quads; writes tile columns [4h, 4h+4) */
export function gemm_u8s8s32_4x4c4_relaxed(a: usize, b: usize, kq: i32, tile: usize, signed: bool): void {
  let l0 = i32x4.splat(0), l1 = i32x4.splat(0), l2 = i32x4.splat(0), l3 = i32x4.splat(0);
  let k = 0;
  while (k < kq) {
    const end = min(kq, k + 64);
    let h0 = i16x8.splat(0), h1 = i16x8.splat(0), h2 = i16x8.splat(0), h3 = i16x8.splat(0);
    for (; k < end; k++) {
      const lo = v128.load(b), hi = v128.load(b, 32);
      let s = v128.load32_splat(a);
      l0 = i32x4.add(l0, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, lo)));
      h0 = i16x8.add(h0, i16x8.relaxed_dot_i8x16_i7x16_s(s, hi));
      s = v128.load32_splat(a, 4);
      l1 = i32x4.add(l1, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, lo)));
      h1 = i16x8.add(h1, i16x8.relaxed_dot_i8x16_i7x16_s(s, hi));
      s = v128.load32_splat(a, 8);
      l2 = i32x4.add(l2, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, lo)));
      h2 = i16x8.add(h2, i16x8.relaxed_dot_i8x16_i7x16_s(s, hi));
      s = v128.load32_splat(a, 12);
      l3 = i32x4.add(l3, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, lo)));
      h3 = i16x8.add(h3, i16x8.relaxed_dot_i8x16_i7x16_s(s, hi));
      a += 16; b += 64;
    }
    l0 = fold(l0, h0, signed); l1 = fold(l1, h1, signed); l2 = fold(l2, h2, signed); l3 = fold(l3, h3, signed);
  }
  v128.store(tile, l0); v128.store(tile, l1, 32); v128.store(tile, l2, 64); v128.store(tile, l3, 96);
}

/** probe for the relaxed dot: Σ over 16 lanes of a·b via the i16x8 dot + extending add (test hook) */
export function relaxed_dot_probe(a: usize, b: usize, out: usize): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    v128.store(out, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(a), v128.load(b))));
  } else {
    v128.store(out, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(v128.load(a)), i16x8.extend_low_i8x16_s(v128.load(b))));
  }
}

/** the same through i32x4.relaxed_dot_i8x16_i7x16_add_s (not used by the kernels; the test shows why) */
export function relaxed_dot_add_probe(a: usize, b: usize, c: usize, out: usize): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    v128.store(out, i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(a), v128.load(b), v128.load(c)));
  }
}
