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
// test/backends/wasm/relaxed.test.ts checks the form used here from a fresh instance). The relaxed kernels run a
// tile as two passes of 2 channels × 8 positions: with 4 channels V8 keeps one register too many live (it loads
// all four weight broadcasts first) and the accumulator it spills made the loop as slow as the plain kernel's.
//   weights: after the plain layout, [group][m-tile][k-quad][4 channels] 4 bytes w[k0..k3]
//   panel:   [8-position block][k-quad] 32 bytes: x(p0..p3), x(p4..p7), each 4×[k0..k3]
// The relaxed build rounds K up to 4 for both layouts, so a block takes KP·16 bytes of panel either way.

import { ACT_NONE, ACT_RELU, ACT_RELU6, T_F32, T_U8 } from './common';

export const KALIGN_I8: i32 = ASC_FEATURE_RELAXED_SIMD ? 4 : 2;

/**
 * eight i16 ones in memory: loaded once before a loop, they stay in a register (a v128.const would be propagated
 * into every use by the optimizer and rematerialized by V8 inside the loop)
 */
export const ONES_I16: usize = memory.data<i16>([1, 1, 1, 1, 1, 1, 1, 1], 16);

/**
 * acc + Σ (four s8 × 7-bit products) per i32 lane: the relaxed dot needs its second operand in 0..127 (callers check
 * the activations), and its i16 pair sums are widened by a dot with `one` (ONES_I16 loaded once into a register;
 * V8 reloads extadd_pairwise's constant at every use).
 */
// @ts-ignore: decorator
@inline export function dot7Acc(acc: v128, s8: v128, x7: v128, one: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(s8, x7), one));
}

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
export function gemm_u8s8s32_4x8_simd128(a: usize, b: usize, kp2: i32, tile: usize): void { tile_u8s8s32_4x8(a, b, kp2, tile); }

/** gemm_u8s8s32_4x8_simd128's loop, inlined where a caller runs many tiles (a wasm call per tile costs ~5 ns) */
// @ts-ignore: decorator
@inline export function tile_u8s8s32_4x8(a: usize, b: usize, kp2: i32, tile: usize): void {
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
 * the first 4 positions of a 4×8 tile (same operands; tile rows as in the 4×8 kernel, columns 4..7 not written):
 * for blocks with at most 4 outputs left, e.g. the batch rows of an fc (50 = 6·8 + 2 computes 52, not 56)
 */
export function gemm_u8s8s32_4x4_simd128(a: usize, b: usize, kp2: i32, tile: usize): void {
  let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
  const bend = b + (<usize>kp2 << 5);
  while (b < bend) {
    const b0 = v128.load(b);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(b0, v128.load32_splat(a)));
    c1 = i32x4.add(c1, i32x4.dot_i16x8_s(b0, v128.load32_splat(a, 4)));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(b0, v128.load32_splat(a, 8)));
    c3 = i32x4.add(c3, i32x4.dot_i16x8_s(b0, v128.load32_splat(a, 12)));
    a += 16; b += 32;
  }
  v128.store(tile, c0); v128.store(tile, c1, 32); v128.store(tile, c2, 64); v128.store(tile, c3, 96);
}

// ---- fused kernels: a run of nblk full 4×8 tiles along the positions, the INT8 epilogue on the accumulators ----
// For the common case of every conv/fc inner loop (4 channels, 8 contiguous outputs per block, consecutive blocks
// writing consecutive outputs). At small K (1×1 convs, K = 64) the epilogue weighs as much as a third of the
// GEMM, so it is cut to the lane arithmetic: the per-call constants sit in an epilogue record (EPI_*, written once
// per kernel call by the driver) read with broadcast loads, which cost a load and no vector op, where a splat or a
// v128.const inside the block loop costs V8 one to three vector ops per use; one call covers the whole run, so
// the record, flags and pointers are set up once, not per tile. Lane arithmetic is epiI8x4's, bit for bit:
//   v = f32(f32(acc)·dq) + bias (+ ss·residual), relu/relu6, y = v·ds, c = min(hi, max(lo, y)),
//   n = bits(c + 1.5·2^23) & 0xFF: the rounded (half to even) value's two's-complement byte; two rows are narrowed
//   i32 → i16 → u8 (packssdw, packuswb: exact on 0..255) into one vector and stored as 8 bytes per channel.
// relu is folded into lo = 0 when ds > 0 (the driver decides): max(0, v)·ds and max(0, v·ds) clamp to the same
// byte for every v, NaN and ±0 included. s8 outputs with lo < 0 zero NaN lanes first (the reference's store).

// epilogue record offsets (bytes)
export const EPI_LO = 0; export const EPI_HI = 4; export const EPI_DS = 8; export const EPI_SS = 12;
export const EPI_ALPHA = 16; export const EPI_MAGIC = 20; export const EPI_MASK = 24;
export const EPI_YT = 28; export const EPI_RT = 32; export const EPI_ACT = 36; export const EPI_NANFIX = 40;
export const EPI_BYTES = 48;

/** fills the epilogue record at e (see above); act is the op's activation */
export function epiRecord(e: usize, yt: i32, rt: i32, act: i32, alpha: f32, ds: f32, ss: f32): void {
  let lo: f32 = yt == T_U8 ? 0 : -128;
  const hi: f32 = yt == T_U8 ? 255 : 127;
  if (act == ACT_RELU && yt != T_F32 && ds > 0 && ds < Infinity) { act = ACT_NONE; lo = 0; }
  store<f32>(e, lo, EPI_LO); store<f32>(e, hi, EPI_HI); store<f32>(e, ds, EPI_DS); store<f32>(e, ss, EPI_SS);
  store<f32>(e, alpha, EPI_ALPHA); store<f32>(e, 12582912.0, EPI_MAGIC); store<i32>(e, 0xff, EPI_MASK);
  store<i32>(e, yt, EPI_YT); store<i32>(e, rt, EPI_RT); store<i32>(e, act, EPI_ACT);
  store<i32>(e, yt != T_U8 && yt != T_F32 && lo < 0 ? 1 : 0, EPI_NANFIX);
}

/** four accumulators of one channel → f32: f32(acc)·dq + bias (+ ss·residual at r, 4 bytes of type rt), relu/relu6 */
// @ts-ignore: decorator
@inline function epiF32x4(acc: v128, dq: v128, bv: v128, e: usize, rt: i32, act: i32, r: usize): v128 {
  let v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(acc), dq), bv);
  if (rt != 0) {
    const rb = v128.load32_zero(r);
    const rw = rt == T_U8 ? i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(rb)) : i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(rb));
    v = f32x4.add(v, f32x4.mul(v128.load32_splat(e + EPI_SS), f32x4.convert_i32x4_s(rw)));
  }
  if (act == ACT_RELU) v = f32x4.pmax(v, f32x4.splat(0));
  else if (act == ACT_RELU6) v = f32x4.pmin(f32x4.pmax(v, f32x4.splat(0)), v128.load32_splat(e + EPI_ALPHA));
  return v;
}

/** f32 → the rounded, clamped output byte's value (0..255, two's complement for s8) in each i32 lane */
// @ts-ignore: decorator
@inline function epiQ(v: v128, dsv: v128, lov: v128, hiv: v128, mag: v128, mask: v128, nanfix: bool): v128 {
  let y = f32x4.mul(v, dsv);
  if (nanfix) y = v128.and(y, f32x4.eq(y, y));
  return v128.and(f32x4.add(f32x4.pmin(hiv, f32x4.pmax(lov, y)), mag), mask);
}

/**
 * the epilogue of two channels' 8 outputs (c0x: the first channel's accumulators, c1x: the second's): y/r at the
 * first channel's first output, channels ysr elements apart; the record's constants are loaded once per pair
 */
// @ts-ignore: decorator
@inline export function epiPair8(c00: v128, c01: v128, c10: v128, c11: v128, bias: usize, os: usize, e: usize, yt: i32, rt: i32,
  act: i32, nanfix: bool, r: usize, y: usize, ysr: usize): void {
  const dq0 = v128.load32_splat(os), bv0 = v128.load32_splat(bias), dq1 = v128.load32_splat(os, 4), bv1 = v128.load32_splat(bias, 4);
  const v00 = epiF32x4(c00, dq0, bv0, e, rt, act, r), v01 = epiF32x4(c01, dq0, bv0, e, rt, act, r + 4);
  const v10 = epiF32x4(c10, dq1, bv1, e, rt, act, r + ysr), v11 = epiF32x4(c11, dq1, bv1, e, rt, act, r + ysr + 4);
  if (yt == T_F32) {
    const y1 = y + (ysr << 2);
    v128.store(y, v00); v128.store(y, v01, 16); v128.store(y1, v10); v128.store(y1, v11, 16);
    return;
  }
  const dsv = v128.load32_splat(e + EPI_DS), lov = v128.load32_splat(e + EPI_LO), hiv = v128.load32_splat(e + EPI_HI);
  const mag = v128.load32_splat(e + EPI_MAGIC), mask = v128.load32_splat(e + EPI_MASK);
  const p = i8x16.narrow_i16x8_u(
    i16x8.narrow_i32x4_s(epiQ(v00, dsv, lov, hiv, mag, mask, nanfix), epiQ(v01, dsv, lov, hiv, mag, mask, nanfix)),
    i16x8.narrow_i32x4_s(epiQ(v10, dsv, lov, hiv, mag, mask, nanfix), epiQ(v11, dsv, lov, hiv, mag, mask, nanfix)));
  v128.store64_lane(y, p, 0); v128.store64_lane(y + ysr, p, 1);
}

/**
 * gemm_u8s8s32_4x8_simd128 over nblk panel blocks (blockBytes apart) with the epilogue fused: channel tile a
 * (kp2 k-pairs), bias/os: the 4 channels' f32 biases and dequantization scales, e: the epilogue record,
 * y/r: output/residual of channel 0 at the run's first position (block i writes 8 outputs from position 8i),
 * channels ysr elements apart
 */
export function gemm_u8s8s32_4x8_simd128_fused(a: usize, b: usize, kp2: i32, nblk: i32, blockBytes: i32, bias: usize,
  os: usize, e: usize, r: usize, y: usize, ysr: i32): void {
  const yt = load<i32>(e, EPI_YT), rt = load<i32>(e, EPI_RT), act = load<i32>(e, EPI_ACT), nanfix = load<i32>(e, EPI_NANFIX) != 0;
  // copies without epilogue branches for the common epilogues (constant flags fold after inlining)
  if (rt == 0 && yt != T_F32 && act == ACT_NONE && !nanfix) plainRun(a, b, kp2, nblk, blockBytes, bias, os, e, r, y, ysr, T_U8, 0, ACT_NONE, false);
  else if (rt == 0 && yt != T_F32 && act == ACT_NONE) plainRun(a, b, kp2, nblk, blockBytes, bias, os, e, r, y, ysr, T_U8, 0, ACT_NONE, true);
  else if (rt == 0 && yt != T_F32 && act == ACT_RELU6 && !nanfix) plainRun(a, b, kp2, nblk, blockBytes, bias, os, e, r, y, ysr, T_U8, 0, ACT_RELU6, false);
  else plainRun(a, b, kp2, nblk, blockBytes, bias, os, e, r, y, ysr, yt, rt, act, nanfix);
}

// @ts-ignore: decorator
@inline function plainRun(a: usize, b: usize, kp2: i32, nblk: i32, blockBytes: i32, bias: usize, os: usize, e: usize, r: usize,
  y: usize, ysr: i32, yt: i32, rt: i32, act: i32, nanfix: bool): void {
  const ystep: usize = yt == T_F32 ? 32 : 8;
  for (let blk = 0; blk < nblk; blk++) {
    // tile_u8s8s32_4x8's loop, written out so the accumulators stay in registers for the epilogue: calling it and
    // reloading its 128-byte tile once per block measured 0.95-0.98x on the 1x1 layer (Zen 4, interleaved A/B)
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
    let ak = a, bk = b;
    const bend = b + (<usize>kp2 << 5);
    while (bk < bend) {
      const b0 = v128.load(bk), b1 = v128.load(bk, 16);
      let s = v128.load32_splat(ak);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(b0, s));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(b1, s));
      s = v128.load32_splat(ak, 4);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(b0, s));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(b1, s));
      s = v128.load32_splat(ak, 8);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(b0, s));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(b1, s));
      s = v128.load32_splat(ak, 12);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(b0, s));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(b1, s));
      ak += 16; bk += 32;
    }
    const ys2 = <usize>(2 * ysr) * (yt == T_F32 ? 4 : 1);
    epiPair8(c00, c01, c10, c11, bias, os, e, yt, rt, act, nanfix, r, y, <usize>ysr);
    epiPair8(c20, c21, c30, c31, bias + 8, os + 8, e, yt, rt, act, nanfix, r + <usize>(2 * ysr), y + ys2, <usize>ysr);
    b += <usize>blockBytes; y += ystep; r += 8;
  }
}

/** two channels × 8 positions of the 7-bit relaxed kernel over kq k-quads (channel tile a, panel block b) → 4 × i32x4 at acc */
// @ts-ignore: decorator
@inline function relaxedPairLoop(a: usize, b: usize, kq: i32, acc: usize): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    const one = v128.load(ONES_I16);
    // two k-quads per iteration (fewer loop instructions per vector op; V8 keeps all values in registers here)
    const bend = b + (<usize>kq << 5), bend2 = b + (<usize>(kq & ~1) << 5);
    while (b < bend2) {
      let b0 = v128.load(b), b1 = v128.load(b, 16);
      let s = v128.load32_splat(a);
      c00 = dot7Acc(c00, s, b0, one);
      c01 = dot7Acc(c01, s, b1, one);
      s = v128.load32_splat(a, 4);
      c10 = dot7Acc(c10, s, b0, one);
      c11 = dot7Acc(c11, s, b1, one);
      b0 = v128.load(b, 32); b1 = v128.load(b, 48);
      s = v128.load32_splat(a, 16);
      c00 = dot7Acc(c00, s, b0, one);
      c01 = dot7Acc(c01, s, b1, one);
      s = v128.load32_splat(a, 20);
      c10 = dot7Acc(c10, s, b0, one);
      c11 = dot7Acc(c11, s, b1, one);
      a += 32; b += 64;
    }
    if (b < bend) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let s = v128.load32_splat(a);
      c00 = dot7Acc(c00, s, b0, one);
      c01 = dot7Acc(c01, s, b1, one);
      s = v128.load32_splat(a, 4);
      c10 = dot7Acc(c10, s, b0, one);
      c11 = dot7Acc(c11, s, b1, one);
    }
    v128.store(acc, c00); v128.store(acc, c01, 16); v128.store(acc, c10, 32); v128.store(acc, c11, 48);
  }
}

/**
 * the 7-bit relaxed tile over a run of blocks with the epilogue fused (arguments as gemm_u8s8s32_4x8_simd128_fused;
 * kq k-quads; acc: 64 bytes for a pass's accumulators). Two passes of two channels per block: with four channels V8 keeps the four weight broadcasts, eight
 * accumulators, the panel pair, the ones and a temporary live, one more than x64's 15 xmm registers, and the
 * spilled accumulator's store/reload chain made the loop as slow as the plain kernel's.
 */
export function gemm_u8s8s32_4x8c4_relaxed_fused(a: usize, b: usize, kq: i32, nblk: i32, blockBytes: i32, bias: usize,
  os: usize, e: usize, r: usize, y: usize, ysr: i32, acc: usize): void {
  if (!ASC_FEATURE_RELAXED_SIMD) return;
  const yt = load<i32>(e, EPI_YT), rt = load<i32>(e, EPI_RT), act = load<i32>(e, EPI_ACT), nanfix = load<i32>(e, EPI_NANFIX) != 0;
  if (rt == 0 && yt != T_F32 && act == ACT_NONE && !nanfix) relaxedRun(a, b, kq, nblk, blockBytes, bias, os, e, r, y, ysr, acc, T_U8, 0, ACT_NONE, false);
  else if (rt == 0 && yt != T_F32 && act == ACT_NONE) relaxedRun(a, b, kq, nblk, blockBytes, bias, os, e, r, y, ysr, acc, T_U8, 0, ACT_NONE, true);
  else if (rt == 0 && yt != T_F32 && act == ACT_RELU6 && !nanfix) relaxedRun(a, b, kq, nblk, blockBytes, bias, os, e, r, y, ysr, acc, T_U8, 0, ACT_RELU6, false);
  else relaxedRun(a, b, kq, nblk, blockBytes, bias, os, e, r, y, ysr, acc, yt, rt, act, nanfix);
}

// @ts-ignore: decorator
@inline function relaxedRun(a: usize, b: usize, kq: i32, nblk: i32, blockBytes: i32, bias: usize, os: usize, e: usize, r: usize,
  y: usize, ysr: i32, acc: usize, yt: i32, rt: i32, act: i32, nanfix: bool): void {
  const ystep: usize = yt == T_F32 ? 32 : 8;
  const ys2 = <usize>(2 * ysr) * (yt == T_F32 ? 4 : 1);
  for (let blk = 0; blk < nblk; blk++) {
    for (let h = 0; h < 2; h++) {
      const o = <usize>(h << 3);
      relaxedPairLoop(a + o, b, kq, acc);
      epiPair8(v128.load(acc), v128.load(acc, 16), v128.load(acc, 32), v128.load(acc, 48), bias + o, os + o, e, yt, rt, act, nanfix,
        r + <usize>(h * 2 * ysr), y + (h ? ys2 : 0), <usize>ysr);
    }
    b += <usize>blockBytes; y += ystep; r += 8;
  }
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

/** the first 4 positions of the 7-bit relaxed 4×8 tile (as gemm_u8s8s32_4x4_simd128; kq k-quads) */
export function gemm_u8s8s32_4x4c4_relaxed(a: usize, b: usize, kq: i32, tile: usize): void {
  if (!ASC_FEATURE_RELAXED_SIMD) return;
  let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
  const one = v128.load(ONES_I16);
  const bend = b + (<usize>kq << 5);
  while (b < bend) {
    const b0 = v128.load(b);
    c0 = dot7Acc(c0, v128.load32_splat(a), b0, one);
    c1 = dot7Acc(c1, v128.load32_splat(a, 4), b0, one);
    c2 = dot7Acc(c2, v128.load32_splat(a, 8), b0, one);
    c3 = dot7Acc(c3, v128.load32_splat(a, 12), b0, one);
    a += 16; b += 32;
  }
  v128.store(tile, c0); v128.store(tile, c1, 32); v128.store(tile, c2, 64); v128.store(tile, c3, 96);
}

/** 4 channels × 8 positions, kq k-quads, activations all in 0..127 (7-bit panel: lo(p0..3), lo(p4..7) per k-quad); s32 tile [4][8] (two 2-channel passes, see gemm_u8s8s32_4x8c4_relaxed_fused) */
export function gemm_u8s8s32_4x8c4_relaxed(a: usize, b: usize, kq: i32, tile: usize): void {
  relaxedPairLoop(a, b, kq, tile);
  relaxedPairLoop(a + 8, b, kq, tile + 64);
}
