// INT8 GEMM microkernels (u8/s8 activations × s8 weights → exact s32) and their packing.
//
// Plain SIMD128 (`gemm_u8s8s32_4x8_simd128`): activations and weights are widened to i16 and taken two k at a
// time; i32x4.dot_i16x8_s gives a0·b0 + a1·b1 per lane exactly (|product sums| < 2^17). A tile is 4 output
// channels (weights, one k-pair splat per channel) × 8 positions (two v128 of the packed panel).
//   weights: [group][m-tile][k-pair][4 channels] i32 = (w[k0] as i16) | (w[k1] as i16) << 16
//   panel:   [8-position block][k-pair][8 positions] i32 = (x[k0] as i16) | (x[k1] as i16) << 16
//
// Relaxed SIMD (`gemm_u8s8s32_4x8c4_relaxed`, relaxed build only): i16x8.relaxed_dot_i8x16_i7x16_s is only
// defined when its second operand is 7-bit (WebAssembly relaxed-simd proposal, Overview.md "Relaxed integer dot
// product"), so it is used only where every activation byte of the work item is in 0..127 (no bit 7: u8 ≤ 127,
// s8 ≥ 0), which conv.ts checks on the source bytes. Then one dot of 16 s8 weights with 16 activation bytes gives
// pair sums within ±32512 (no i16 saturation) and a pairwise widening add the exact i32 sums of four products:
// 3 vector ops per 16 MACs against 4 (dot + add per 8) for the plain kernel, 1.33x in the kernel alone. The
// widening add is i32x4.dot_i16x8_s with a register of ones (the sums of i32x4.extadd_pairwise_i16x8_s, which
// V8 compiles to the same vpmaddwd but with its ones constant reloaded from memory at every use). Items
// with any byte ≥ 128 run the plain kernel: splitting bytes into two 7-bit halves (the previous relaxed kernel)
// costs 5 ops per 16 MACs and measured 0.74-0.76x of the plain kernel. The relaxed i32x4 dot-add form is not
// used: Node 20's baseline compiler returned twice the dot product for it on its first calls (issue text;
// test/backends/wasm/relaxed.test.ts checks the form used here from a fresh instance).
//   weights: after the plain layout, [group][m-tile][k-quad][4 channels] 4 bytes w[k0..k3]
//   panel:   [8-position block][k-quad] 32 bytes: x(p0..p3), x(p4..p7), each 4×[k0..k3]
// The relaxed build rounds K up to 4 for both layouts, so a block takes KP·16 bytes of panel either way.

import { actI8, satRneLowBytes, T_F32, T_U8 } from './common';

export const KALIGN_I8: i32 = ASC_FEATURE_RELAXED_SIMD ? 4 : 2;

/**
 * eight i16 ones in memory: loaded once before a loop, they stay in a register (a v128.const would be propagated
 * into every use by the optimizer and rematerialized by V8 inside the loop)
 */
export const ONES_I16: usize = memory.data<i16>([1, 1, 1, 1, 1, 1, 1, 1], 16);

export function wpack_bytes_s8(groups: i32, M: i32, K: i32): i32 {
  const KP = (K + KALIGN_I8 - 1) / KALIGN_I8 * KALIGN_I8;
  const MT = (M + 3) >> 2;
  return groups * MT * KP * (ASC_FEATURE_RELAXED_SIMD ? 12 : 8);
}

/** pack s8 weights: element (row r of group g, k) is at src + (g·M + r)·rs + k·ks (bytes); relaxed build: both layouts */
export function pack_weights_s8(src: usize, dst: usize, groups: i32, M: i32, K: i32, rs: i32, ks: i32): void {
  const KP = (K + KALIGN_I8 - 1) / KALIGN_I8 * KALIGN_I8;
  const MT = (M + 3) >> 2;
  let o = dst, o7 = dst + <usize>(groups * MT * KP * 8);
  for (let g = 0; g < groups; g++) {
    for (let mt = 0; mt < MT; mt++) {
      for (let k = 0; k < KP; k += 2) {
        for (let r = 0; r < 4; r++) {
          const row = mt * 4 + r;
          for (let j = 0; j < 2; j++) {
            const kk = k + j;
            const v: i32 = row < M && kk < K ? <i32>load<i8>(src + <usize>((g * M + row) * rs + kk * ks)) : 0;
            store<i16>(o + (<usize>j << 1), <i16>v);
          }
          o += 4;
        }
      }
      if (ASC_FEATURE_RELAXED_SIMD) {
        for (let k = 0; k < KP; k += 4) {
          for (let r = 0; r < 4; r++) {
            const row = mt * 4 + r;
            for (let j = 0; j < 4; j++) {
              const kk = k + j;
              store<i8>(o7 + <usize>j, row < M && kk < K ? load<i8>(src + <usize>((g * M + row) * rs + kk * ks)) : 0);
            }
            o7 += 4;
          }
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

/** 7-bit panel entry for one k-quad of an 8-position block: r0..r3 hold the 8 bytes of k0..k3 → 32 bytes at d */
// @ts-ignore: decorator
@inline export function packQuad7(r0: v128, r1: v128, r2: v128, r3: v128, d: usize): void {
  const a01 = i8x16.shuffle(r0, r1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const a23 = i8x16.shuffle(r2, r3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128.store(d, i8x16.shuffle(a01, a23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
  v128.store(d, i8x16.shuffle(a01, a23, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 16);
}

/**
 * KALIGN_I8 gathered byte rows (k .. k+KALIGN_I8−1, rowBytes apart) into the panel of nb blocks (blockBytes apart):
 * plain k-pairs, or 7-bit k-quads when `seven` (relaxed build)
 */
// @ts-ignore: decorator
@inline export function packPanelRowsI8(t: usize, rowBytes: i32, nb: i32, panel: usize, k: i32, blockBytes: i32, signed: bool, seven: bool): void {
  for (let b = 0; b < nb; b++) {
    const off = <usize>(b << 3);
    const d = panel + <usize>(b * blockBytes);
    const r0 = v128.load64_zero(t + off), r1 = v128.load64_zero(t + <usize>rowBytes + off);
    if (ASC_FEATURE_RELAXED_SIMD) {
      const r2 = v128.load64_zero(t + <usize>(2 * rowBytes) + off), r3 = v128.load64_zero(t + <usize>(3 * rowBytes) + off);
      if (seven) packQuad7(r0, r1, r2, r3, d + (<usize>k << 3));
      else { packPairI8(r0, r1, d + (<usize>k << 4), signed); packPairI8(r2, r3, d + (<usize>k << 4) + 32, signed); }
    } else {
      packPairI8(r0, r1, d + (<usize>k << 4), signed);
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

/** probe for the relaxed dot as the kernels use it: i16x8 relaxed dot, then pair sums by a dot with ones (test hook) */
export function relaxed_dot_probe(a: usize, b: usize, out: usize): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    v128.store(out, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(a), v128.load(b)), i16x8.splat(1)));
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

/** 4 channels × 8 positions, kq k-quads, activations all in 0..127 (7-bit panel: lo(p0..3), lo(p4..7) per k-quad); s32 tile [4][8] */
export function gemm_u8s8s32_4x8c4_relaxed(a: usize, b: usize, kq: i32, tile: usize): void {
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  if (ASC_FEATURE_RELAXED_SIMD) {
    const one = v128.load(ONES_I16); // pair sums as a dot with ones (see the header)
    const bend = b + (<usize>kq << 5);
    while (b < bend) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let s = v128.load32_splat(a);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b0), one));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b1), one));
      s = v128.load32_splat(a, 4);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b0), one));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b1), one));
      s = v128.load32_splat(a, 8);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b0), one));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b1), one));
      s = v128.load32_splat(a, 12);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b0), one));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b1), one));
      a += 16; b += 32;
    }
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
}

/** the 7-bit relaxed tile with the INT8 epilogue fused (arguments as gemm_u8s8s32_4x8_simd128_fused) */
export function gemm_u8s8s32_4x8c4_relaxed_fused(a: usize, b: usize, kq: i32, bias: usize, os: usize, ds: f32, rt: i32, r: usize,
  ss: f32, act: i32, alpha: f32, yt: i32, y: usize, ysr: i32, tmp: usize): void {
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  if (ASC_FEATURE_RELAXED_SIMD) {
    const one = v128.load(ONES_I16); // pair sums as a dot with ones (see the header)
    const bend = b + (<usize>kq << 5);
    while (b < bend) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let s = v128.load32_splat(a);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b0), one));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b1), one));
      s = v128.load32_splat(a, 4);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b0), one));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b1), one));
      s = v128.load32_splat(a, 8);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b0), one));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b1), one));
      s = v128.load32_splat(a, 12);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b0), one));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s, b1), one));
      a += 16; b += 32;
    }
  }
  const ye = <usize>(yt == T_F32 ? 4 : 1);
  epiRow8(c00, c01, bias, os, ds, rt, r, ss, act, alpha, yt, y, tmp);
  epiRow8(c10, c11, bias + 4, os + 4, ds, rt, r + <usize>ysr, ss, act, alpha, yt, y + <usize>ysr * ye, tmp);
  epiRow8(c20, c21, bias + 8, os + 8, ds, rt, r + <usize>(2 * ysr), ss, act, alpha, yt, y + <usize>(2 * ysr) * ye, tmp);
  epiRow8(c30, c31, bias + 12, os + 12, ds, rt, r + <usize>(3 * ysr), ss, act, alpha, yt, y + <usize>(3 * ysr) * ye, tmp);
}
