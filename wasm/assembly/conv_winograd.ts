// INT8 3×3 stride-1 convs by Winograd F(2×2, 3×3) in exact integer arithmetic: 16 multiplies per 2×2 outputs
// and channel pair instead of 36 (Lavin & Gray 2015, "Fast Algorithms for Convolutional Neural Networks").
//
// Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A. G has halves, so the weights are transformed with 2G (integers):
// U = (2G) g (2G)ᵀ = 4·G g Gᵀ, |U| ≤ 9·128 = 1152. Bᵀ and Aᵀ hold only 0 and ±1: V = Bᵀ d B is an integer with
// |V| ≤ 4·255 = 1020, and Aᵀ[U ⊙ V]A = 4·Y exactly. Both fit i16, so the channel sums run on the plain GEMM
// microkernel (i32x4.dot_i16x8_s, exact products). The sums and the output transform are i32 additions, which are
// exact modulo 2^32; the result is 4·Y itself whenever |4·Y| < 2^31, which the host guarantees by taking this path
// only for IC·9·|x|max·128·4 < 2^31 (u8: IC ≤ 1827). 4·Y >> 2 is then the direct conv's s32 sum, bit for bit, and
// the epilogue is epiI8x4's, so outputs equal the reference's. Host: src/backends/wasm/backend.ts winogradPrepare.
//
// Work item = (image, TR tile rows). Each thread first copies the image into a zero-padded buffer [IC][PH][PW]
// (once per image, as conv.ts's padded mode), rows wide enough that every block of 8 tiles is two 16-byte loads
// per row. Per block of 8 tiles along a tile row, the input transform of every channel pair goes into a panel
// [16 ξ][KP2 channel pairs][8 tiles] i32 = (V[c] as i16) | (V[c+1] as i16) << 16 (conv.ts's plain panel entry):
// the pair's bytes are interleaved by the first shuffle, so every transform op works on both channels at once.
// Then per 4 output channels: 16 GEMMs (ξ = 4i + j), 4 channels × 8 tiles each, the output transform, and the
// fused GEMM's epilogue (epiPair8, two channels × 8 outputs) where the block is whole, epiI8x4 at the edges.
// Weights: [16 ξ][MT][KP2][4 channels] i32 pairs, packed by the host.
import { pI, pU, pF, padPlanes, epiI8x4, T_F32, T_U8, ACT_NONE, ACT_RELU6 } from './common';
import { G, CF } from './abi';
import { gemm_u8s8s32_4x4_simd128, tile_u8s8s32_4x8, epiPair8, epiRecord, EPI_YT, EPI_RT, EPI_ACT, EPI_NANFIX } from './gemm_u8s8';

// lane-typed add / sub, so the transforms below are written once for i16 (INT8 inputs), i32 (INT8 sums) and f32
// @ts-ignore: decorator
@inline function vadd<T>(a: v128, b: v128): v128 { return isFloat<T>() ? f32x4.add(a, b) : sizeof<T>() == 2 ? i16x8.add(a, b) : i32x4.add(a, b); }
// @ts-ignore: decorator
@inline function vsub<T>(a: v128, b: v128): v128 { return isFloat<T>() ? f32x4.sub(a, b) : sizeof<T>() == 2 ? i16x8.sub(a, b) : i32x4.sub(a, b); }

/** Bᵀ along one axis: (x0 − x2, x1 + x2, x2 − x1, x1 − x3) to out, out + stride, out + 2·stride, out + 3·stride */
// @ts-ignore: decorator
@inline export function storeBt<T>(x0: v128, x1: v128, x2: v128, x3: v128, out: usize, stride: usize): void {
  v128.store(out, vsub<T>(x0, x2)); v128.store(out + stride, vadd<T>(x1, x2));
  v128.store(out + 2 * stride, vsub<T>(x2, x1)); v128.store(out + 3 * stride, vsub<T>(x1, x3));
}

/**
 * Bᵀ across the 4 rows of row-transformed taps at t (row i's 4 values at t + 64·i + 16·j): V(i, j) for ξ = 4i + j to
 * out + ξ·xs
 */
// @ts-ignore: decorator
@inline export function columnsBt<T>(t: usize, out: usize, xs: usize): void {
  for (let j = 0; j < 4; j++) {
    const o = <usize>(j << 4);
    storeBt<T>(v128.load(t + o), v128.load(t + o + 64), v128.load(t + o + 128), v128.load(t + o + 192), out + <usize>j * xs, 4 * xs);
  }
}


// scratch per thread: [0, 2048) the 16 s32 tiles, [2048, 2304) two channels' output-transformed rows,
// [2304, 2368) the epilogue record, [2368, 2432) epiI8x4's tmp, then the padded image and the panels
const SCR_OUT: usize = 2048; const SCR_EPI: usize = 2304; const SCR_ETMP: usize = 2368; const SCR_PAD: usize = 2432;

/** padded image bytes (16 spare for the last row's loads) and panel bytes per 8-tile block */
// @ts-ignore: decorator
@inline function padBytes(ic: i32, ph: i32, pw: i32): i32 { return ((ic * ph * pw + 16) + 15) & ~15; }
// @ts-ignore: decorator
@inline function blockBytesOf(kp2: i32): i32 { return 16 * kp2 * 32; }

/** scratch bytes per thread (the host sizes the scratch with this) */
export function winograd_scratch_bytes(ic: i32, ph: i32, pw: i32, tr: i32, nb: i32, kp2: i32): i32 {
  return <i32>SCR_PAD + padBytes(ic, ph, pw) + tr * nb * blockBytesOf(kp2);
}

/**
 * d·B of one padded row for half h of 8 tiles, both channels: tile t reads bytes 2t + j (j = 0..3) of the row at a
 * (channel c0) and b (c1); each lane pair holds (c0, c1) as i16. The four results go to t (64 bytes).
 */
// @ts-ignore: decorator
@inline function rowT(a: usize, b: usize, h: i32, signed: bool, t: usize): void {
  const a0 = v128.load(a), a1 = v128.load(a, 2), b0 = v128.load(b), b1 = v128.load(b, 2);
  // bytes 2t + j of both channels, interleaved: (c0, c1) for tiles 0..7
  let d0 = i8x16.shuffle(a0, b0, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
  let d1 = i8x16.shuffle(a0, b0, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
  let d2 = i8x16.shuffle(a1, b1, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
  let d3 = i8x16.shuffle(a1, b1, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
  if (h == 0) {
    if (signed) { d0 = i16x8.extend_low_i8x16_s(d0); d1 = i16x8.extend_low_i8x16_s(d1); d2 = i16x8.extend_low_i8x16_s(d2); d3 = i16x8.extend_low_i8x16_s(d3); }
    else { d0 = i16x8.extend_low_i8x16_u(d0); d1 = i16x8.extend_low_i8x16_u(d1); d2 = i16x8.extend_low_i8x16_u(d2); d3 = i16x8.extend_low_i8x16_u(d3); }
  } else {
    if (signed) { d0 = i16x8.extend_high_i8x16_s(d0); d1 = i16x8.extend_high_i8x16_s(d1); d2 = i16x8.extend_high_i8x16_s(d2); d3 = i16x8.extend_high_i8x16_s(d3); }
    else { d0 = i16x8.extend_high_i8x16_u(d0); d1 = i16x8.extend_high_i8x16_u(d1); d2 = i16x8.extend_high_i8x16_u(d2); d3 = i16x8.extend_high_i8x16_u(d3); }
  }
  storeBt<i16>(d0, d1, d2, d3, t, 16);
}

/**
 * the panel entries of block b for every channel pair: V = Bᵀ d B, ξ = 4i + j at d + ξ·kp2·32 (+16 for tiles 4..7).
 * src: channel 0's row 2·ty of the padded image at the block's first column. An odd IC's last pair repeats its
 * channel: the packed weights of the channel past IC are zeros, so what it reads adds nothing.
 */
function transformBlock(src: usize, plane: i32, pw: i32, ic: i32, kp2: i32, signed: bool, t: usize, d: usize): void {
  const xs = <usize>(kp2 * 32);
  for (let kp = 0; kp < kp2; kp++) {
    const a = src + <usize>(2 * kp * plane);
    const b = 2 * kp + 1 < ic ? a + <usize>plane : a;
    const e = d + <usize>(kp << 5);
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < 4; i++) rowT(a + <usize>(i * pw), b + <usize>(i * pw), h, signed, t + <usize>(i << 6));
      columnsBt<i16>(t, e + <usize>(h << 4), xs);
    }
  }
}

/**
 * Aᵀ m A for 4 tiles (half h of the 16 tiles' row r), lanes of type T (i32: then divided by 4, exactly, undoing
 * the 2G weights; f32 for conv_winograd_f32.ts): the 2×2 outputs of each tile as two output rows of 8 columns
 * (tile t's at columns 2t, 2t+1): row 0 at out, row 1 at out + rowStride
 */
// @ts-ignore: decorator
@inline export function outputTransform<T>(tiles: usize, r: i32, h: i32, out: usize, rowStride: usize): void {
  const o = tiles + <usize>((r << 5) + (h << 4));
  let s00 = i32x4.splat(0), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  for (let j = 0; j < 4; j++) { // along i: s0j = m0j + m1j + m2j, s1j = m1j − m2j − m3j
    const m0 = v128.load(o + <usize>(j << 7)), m1 = v128.load(o + <usize>((4 + j) << 7));
    const m2 = v128.load(o + <usize>((8 + j) << 7)), m3 = v128.load(o + <usize>((12 + j) << 7));
    const a = vadd<T>(vadd<T>(m0, m1), m2), c = vsub<T>(vsub<T>(m1, m2), m3);
    if (j == 0) { s00 = a; s10 = c; } else if (j == 1) { s01 = a; s11 = c; } else if (j == 2) { s02 = a; s12 = c; } else { s03 = a; s13 = c; }
  }
  // along j
  let y00 = vadd<T>(vadd<T>(s00, s01), s02), y01 = vsub<T>(vsub<T>(s01, s02), s03);
  let y10 = vadd<T>(vadd<T>(s10, s11), s12), y11 = vsub<T>(vsub<T>(s11, s12), s13);
  if (!isFloat<T>()) { y00 = i32x4.shr_s(y00, 2); y01 = i32x4.shr_s(y01, 2); y10 = i32x4.shr_s(y10, 2); y11 = i32x4.shr_s(y11, 2); }
  v128.store(out, i32x4.shuffle(y00, y01, 0, 4, 1, 5)); v128.store(out, i32x4.shuffle(y00, y01, 2, 6, 3, 7), 16);
  v128.store(out + rowStride, i32x4.shuffle(y10, y11, 0, 4, 1, 5)); v128.store(out + rowStride, i32x4.shuffle(y10, y11, 2, 6, 3, 7), 16);
}

/**
 * a whole block's outputs for channels r0, r0+1 of the tile (both output rows, 16 columns): out holds
 * [channel][row][16] s32; y/r at channel r0's first output, rows ow apart, channels plane apart
 */
// @ts-ignore: decorator
@inline function epiBlock2(out: usize, bias: usize, os: usize, e: usize, yt: i32, rt: i32, act: i32, nanfix: bool,
  r: usize, y: usize, ow: usize, plane: usize): void {
  const ye: usize = yt == T_F32 ? 4 : 1;
  for (let i = 0; i < 2; i++) {
    for (let q = 0; q < 2; q++) {
      const c0 = out + <usize>((i << 6) + (q << 5)), c1 = c0 + 128;
      const off = <usize>i * ow + <usize>(q << 3);
      epiPair8(v128.load(c0), v128.load(c0, 16), v128.load(c1), v128.load(c1, 16), bias, os, e, yt, rt, act, nanfix, r + off, y + off * ye, plane);
    }
  }
}

/** epiBlock2 with the epilogue's flags constant in the common cases (branches fold, as the fused GEMM's) */
function epiBlock2Any(out: usize, bias: usize, os: usize, e: usize, r: usize, y: usize, ow: usize, plane: usize): void {
  const yt = load<i32>(e, EPI_YT), rt = load<i32>(e, EPI_RT), act = load<i32>(e, EPI_ACT), nanfix = load<i32>(e, EPI_NANFIX) != 0;
  if (rt == 0 && yt != T_F32 && act == ACT_NONE && !nanfix) epiBlock2(out, bias, os, e, T_U8, 0, ACT_NONE, false, r, y, ow, plane);
  else if (rt == 0 && yt != T_F32 && act == ACT_RELU6 && !nanfix) epiBlock2(out, bias, os, e, T_U8, 0, ACT_RELU6, false, r, y, ow, plane);
  else epiBlock2(out, bias, os, e, yt, rt, act, nanfix, r, y, ow, plane);
}

/**
 * the 16 GEMMs of a block, 4 channels × 8 tiles each: channel tile a (ξ's weights wXi bytes apart), panel b (ξ's
 * entries kp2·32 bytes apart), s32 tiles [16][4][8] at t. One call: 16 calls of the exported microkernel per block
 * measured 0.76× of this (wasm calls at this rate cost ~5 ns each).
 */
function gemm16(a: usize, wXi: usize, b: usize, kp2: i32, t: usize): void {
  const step = <usize>(kp2 << 5);
  for (let x = 0; x < 16; x++) { tile_u8s8s32_4x8(a, b, kp2, t); a += wXi; b += step; t += 128; }
}

/** INT8 conv 3×3, stride 1, dilation 1, one group, by Winograd F(2×2, 3×3): items are (image, TR tile rows) */
export function conv_winograd_u8s8(p: usize, start: i32, end: i32, tid: i32): void {
  const scr = pU(p, G.SCR) + <usize>(tid * pI(p, G.SCRSTRIDE));
  const tiles = scr, out = scr + SCR_OUT, epi = scr + SCR_EPI, etmp = scr + SCR_ETMP, pad = scr + SCR_PAD;
  const ic = pI(p, G.IC), ih = pI(p, G.IH), iw = pI(p, G.IW), oh = pI(p, G.OH), ow = pI(p, G.OW), ph = pI(p, G.PH), pw = pI(p, G.PW);
  const Mv = pI(p, G.M), MTv = pI(p, G.MT), kp2 = pI(p, G.KP2);
  const tw = pI(p, G.TW), th = pI(p, G.TH), nb = pI(p, G.NB), tr = pI(p, G.TR), per = pI(p, G.ITEMS_IMG);
  const panels = pad + <usize>padBytes(ic, ph, pw);
  const blockBytes = blockBytesOf(kp2);
  const flags = pI(p, G.FLAGS);
  const signed = (flags & CF.SIGNED) != 0;
  const rt = (flags >> CF.RES_SHIFT) & CF.TYPE_MASK, yt = (flags >> CF.OUT_SHIFT) & CF.TYPE_MASK;
  const yes = yt == T_F32 ? 4 : 1;
  const act = pI(p, G.ACT), alpha = pF(p, G.ALPHA), ss = pF(p, G.SUMSCALE), ds = pF(p, G.DS);
  const wbase = pU(p, G.W), bias = pU(p, G.BIAS), osp = pU(p, G.OS), rbase = pU(p, G.R), ybase = pU(p, G.Y);
  const xi = ic * ih * iw, yi = Mv * oh * ow, plane = oh * ow, pplane = ph * pw;
  const wXi = <usize>(MTv * kp2 * 16); // bytes of one ξ's weights
  epiRecord(epi, yt, rt, act, alpha, ds, ss);
  let padImg = -1;
  for (let it = start; it < end; it++) {
    const img = it / per, ty0 = (it - img * per) * tr, ty1 = min(th, ty0 + tr);
    if (img != padImg) { padPlanes(pU(p, G.X) + <usize>(img * xi), pad, ic, ih, iw, ph, pw, pI(p, G.PT), pI(p, G.PL), 1); padImg = img; }
    for (let ty = ty0; ty < ty1; ty++) {
      for (let b = 0; b < nb; b++) {
        transformBlock(pad + <usize>(2 * ty * pw + (b << 4)), pplane, pw, ic, kp2, signed, tiles,
          panels + <usize>(((ty - ty0) * nb + b) * blockBytes));
      }
    }
    for (let ty = ty0; ty < ty1; ty++) {
      const rows2 = 2 * ty + 2 <= oh;
      for (let b = 0; b < nb; b++) {
        const pb = panels + <usize>(((ty - ty0) * nb + b) * blockBytes);
        const nt = min(8, tw - (b << 3));
        const whole = rows2 && (b << 4) + 16 <= ow;
        for (let mt = 0; mt < MTv; mt++) {
          const wt = wbase + <usize>(mt * kp2 * 16);
          if (nt <= 4) { for (let x = 0; x < 16; x++) gemm_u8s8s32_4x4_simd128(wt + <usize>x * wXi, pb + <usize>(x * kp2 * 32), kp2, tiles + <usize>(x << 7)); }
          else gemm16(wt, wXi, pb, kp2, tiles);
          for (let r = 0; r < 4; r += 2) {
            const oc = mt * 4 + r;
            if (oc >= Mv) break;
            if (whole && oc + 1 < Mv) {
              for (let q = 0; q < 2; q++) {
                outputTransform<i32>(tiles, r + q, 0, out + <usize>(q << 7), 64);
                outputTransform<i32>(tiles, r + q, 1, out + <usize>((q << 7) + 32), 64);
              }
              const eoff = img * yi + oc * plane + 2 * ty * ow + (b << 4);
              epiBlock2Any(out, bias + (<usize>oc << 2), osp + (<usize>oc << 2), epi, rbase + <usize>eoff, ybase + <usize>(eoff * yes), <usize>ow, <usize>plane);
              continue;
            }
            // edges: channel by channel, 4 outputs at a time
            for (let q = 0; q < 2 && oc + q < Mv; q++) {
              const c = oc + q;
              const dq = load<f32>(osp + (<usize>c << 2)), bv = load<f32>(bias + (<usize>c << 2));
              for (let h = 0; h < 2; h++) {
                if ((h << 2) >= nt) break;
                outputTransform<i32>(tiles, r + q, h, out, 32);
                const ox0 = (b << 4) + (h << 3);
                for (let i = 0; i < 2; i++) {
                  const oy = 2 * ty + i;
                  if (oy >= oh) break;
                  for (let u = 0; u < 2; u++) {
                    const ox = ox0 + (u << 2);
                    const nv = min(4, ow - ox);
                    if (nv <= 0) break;
                    const eoff = img * yi + c * plane + oy * ow + ox;
                    epiI8x4(v128.load(out + <usize>((i << 5) + (u << 4))), dq, bv, ds, rt, rbase + <usize>eoff, ss, act, alpha, yt,
                      ybase + <usize>(eoff * yes), 1, nv, etmp);
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
