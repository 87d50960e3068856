// GEMM-driven ops: conv2d (1×1 and k×k, stride, pad, dilation, groups) as im2col panels × packed weights, and
// fc / matmul with constant weights (matrix mode). One work item = (image, group, chunk of NC positions, share of the channel tiles):
// gather the chunk's im2col rows, pack the panel, run every channel tile over it, fuse the epilogue.
// Rows of C are output channels (per-channel scale/bias), columns are positions (conv: oy·OW+ox; fc: batch row).
import { pI, pU, pF, epiI8x4, epiF32x4, T_F32 } from './common';
import { KALIGN_I8, packPanelRowsI8, gemm_u8s8s32_4x8_simd128, gemm_u8s8s32_4x8_simd128_fused, gemm_u8s8s32_4x4c4_relaxed } from './gemm_u8s8';
import { gemm_f32_4x8_simd128 } from './gemm_f32';

// parameter slots (src/backends/wasm/params.ts: G)
const MODE = 0; const IC = 1; const IH = 2; const IW = 3; const OW = 5;
const KH = 6; const KW = 7; const SH = 8; const SW = 9; const DH = 10; const DW = 11; const PT = 12; const PL = 13;
const GROUPS = 14; const M = 15; const K = 16; const P = 17; const X = 19; const Y = 20; const R = 21;
const W = 22; const BIAS = 23; const OS = 24; const FLAGS = 25; const ACT = 26; const ALPHA = 27; const BETA = 28;
const SUMSCALE = 29; const NC = 30; const NCHUNK = 31; const KP = 32; const MT = 33; const XSK = 34; const XSP = 35;
const XIMG = 36; const YSR = 37; const YSP = 38; const YIMG = 39; const SCR = 40; const SCRSTRIDE = 41; const ICG = 42;
const MSPLIT = 43; const DS = 44;

/** gather im2col row k (or matrix row k) for positions [c0, c0+nc) into dst (element size es), zero padded to nb·8 */
function gatherRow(p: usize, ximg: usize, k: i32, c0: i32, nc: i32, dst: usize, es: i32): void {
  const padTo = ((nc + 7) >> 3) << 3;
  if (pI(p, MODE) != 0) {
    const xsp = pI(p, XSP);
    const src = ximg + <usize>(k * pI(p, XSK) * es);
    if (xsp == 1) memory.copy(dst, src + <usize>(c0 * es), <usize>(nc * es));
    else if (es == 1) for (let j = 0; j < nc; j++) store<u8>(dst + <usize>j, load<u8>(src + <usize>((c0 + j) * xsp)));
    else for (let j = 0; j < nc; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>((c0 + j) * xsp) << 2)));
  } else {
    const kh = pI(p, KH), kw = pI(p, KW), ih = pI(p, IH), iw = pI(p, IW), ow = pI(p, OW);
    const sh = pI(p, SH), sw = pI(p, SW);
    const kk = kh * kw;
    const ic = k / kk, rem = k - ic * kk;
    const ky = rem / kw, kx = rem - ky * kw;
    const plane = ximg + <usize>(ic * ih * iw * es);
    let j = 0, oy = c0 / ow, ox = c0 - oy * ow;
    const offY = ky * pI(p, DH) - pI(p, PT), offX = kx * pI(p, DW) - pI(p, PL);
    while (j < nc) {
      const seg = min(nc - j, ow - ox);
      const iy = oy * sh + offY;
      const d = dst + <usize>(j * es);
      if (iy < 0 || iy >= ih) memory.fill(d, 0, <usize>(seg * es));
      else {
        const row = plane + <usize>(iy * iw * es);
        const ix0 = ox * sw + offX;
        if (sw == 1) {
          const lo = min(seg, max(0, -ix0)), hi = max(lo, min(seg, iw - ix0));
          if (lo > 0) memory.fill(d, 0, <usize>(lo * es));
          if (hi > lo) memory.copy(d + <usize>(lo * es), row + <usize>((ix0 + lo) * es), <usize>((hi - lo) * es));
          if (seg > hi) memory.fill(d + <usize>(hi * es), 0, <usize>((seg - hi) * es));
        } else if (es == 1) {
          for (let t = 0; t < seg; t++) {
            const ix = ix0 + t * sw;
            store<u8>(d + <usize>t, ix >= 0 && ix < iw ? load<u8>(row + <usize>ix) : 0);
          }
        } else {
          for (let t = 0; t < seg; t++) {
            const ix = ix0 + t * sw;
            store<f32>(d + (<usize>t << 2), ix >= 0 && ix < iw ? load<f32>(row + (<usize>ix << 2)) : 0);
          }
        }
      }
      j += seg; oy++; ox = 0;
    }
  }
  if (padTo > nc) memory.fill(dst + <usize>(nc * es), 0, <usize>((padTo - nc) * es));
}

// scratch per thread: [0,128) tile, [128,256) tmp, [256, 256 + 4·rowBytes) gathered rows, then the panel
// @ts-ignore: decorator
@inline function rowBytesOf(p: usize): i32 { return (pI(p, NC) << 2) + 64; }

/** INT8 conv / fc: items are (image, group, chunk) */
export function gemm_op_u8s8(p: usize, start: i32, end: i32, tid: i32): void {
  const scr = pU(p, SCR) + <usize>(tid * pI(p, SCRSTRIDE));
  const tile = scr, tmp = scr + 128, rows = scr + 256;
  const rowBytes = rowBytesOf(p);
  const panel = rows + <usize>(4 * rowBytes);
  const groups = pI(p, GROUPS), nchunk = pI(p, NCHUNK), NCv = pI(p, NC), Pv = pI(p, P);
  const Mv = pI(p, M), Kv = pI(p, K), KPv = pI(p, KP), MTv = pI(p, MT);
  const flags = pI(p, FLAGS);
  const signed = (flags & 1) != 0;
  const rt = (flags >> 1) & 3, yt = (flags >> 4) & 3;
  const yes = yt == T_F32 ? 4 : 1;
  const act = pI(p, ACT); const alpha = pF(p, ALPHA); const ss = pF(p, SUMSCALE);
  const ysr = pI(p, YSR), ysp = pI(p, YSP), yimg = pI(p, YIMG);
  const conv = pI(p, MODE) == 0;
  const wbase = pU(p, W), bias = pU(p, BIAS), osp = pU(p, OS), ds = pF(p, DS);
  const wTile = ASC_FEATURE_RELAXED_SIMD ? KPv * 4 : KPv * 8; // bytes per m-tile: relaxed (KP/4)·16, plain (KP/2)·16
  const msplit = pI(p, MSPLIT);
  const rbase = pU(p, R), ybase = pU(p, Y);
  for (let it = start; it < end; it++) {
    const item = it / msplit, ms = it - item * msplit;
    const mt0 = ms * MTv / msplit, mt1 = (ms + 1) * MTv / msplit;
    const img = item / (groups * nchunk);
    const rem = item - img * groups * nchunk;
    const g = rem / nchunk, ch = rem - g * nchunk;
    const c0 = ch * NCv, nc = min(NCv, Pv - c0), nb = (nc + 7) >> 3;
    let ximg = pU(p, X) + <usize>(img * pI(p, XIMG));
    if (conv) ximg += <usize>(g * pI(p, ICG) * pI(p, IH) * pI(p, IW));
    // panel
    for (let k = 0; k < KPv; k += KALIGN_I8) {
      for (let j = 0; j < KALIGN_I8; j++) {
        const d = rows + <usize>(j * rowBytes);
        if (k + j < Kv) gatherRow(p, ximg, k + j, c0, nc, d, 1);
        else memory.fill(d, 0, <usize>(nb << 3));
      }
      packPanelRowsI8(rows, rowBytes, nb, panel, k / KALIGN_I8, KPv, signed);
    }
    const blockBytes = KPv * 16; // plain: (KP/2)·32, relaxed: (KP/4)·64
    for (let mt = mt0; mt < mt1; mt++) {
      const wt = wbase + <usize>((g * MTv + mt) * wTile);
      const fullRows = mt * 4 + 4 <= Mv;
      for (let b = 0; b < nb; b++) {
        const pb = panel + <usize>(b * blockBytes);
        const pos0 = c0 + (b << 3);
        if (!ASC_FEATURE_RELAXED_SIMD && fullRows && ysp == 1 && pos0 + 8 <= c0 + nc) {
          const gr = g * Mv + mt * 4;
          const eoff = img * yimg + gr * ysr + pos0;
          gemm_u8s8s32_4x8_simd128_fused(wt, pb, KPv >> 1, bias + (<usize>gr << 2), osp + (<usize>gr << 2), ds, rt,
            rbase + <usize>eoff, ss, act, alpha, yt, ybase + <usize>(eoff * yes), ysr, tmp);
          continue;
        }
        if (ASC_FEATURE_RELAXED_SIMD) {
          gemm_u8s8s32_4x4c4_relaxed(wt, pb, KPv >> 2, tile, signed);
          gemm_u8s8s32_4x4c4_relaxed(wt, pb + 16, KPv >> 2, tile + 16, signed);
        } else {
          gemm_u8s8s32_4x8_simd128(wt, pb, KPv >> 1, tile);
        }
        for (let r = 0; r < 4; r++) {
          const lr = mt * 4 + r;
          if (lr >= Mv) break;
          const gr = g * Mv + lr;
          const bv = load<f32>(bias + (<usize>gr << 2));
          const dq = load<f32>(osp + (<usize>gr << 2));
          for (let h = 0; h < 2; h++) {
            const pos = pos0 + (h << 2);
            if (pos >= c0 + nc) break;
            const nv = min(4, c0 + nc - pos);
            const acc = v128.load(tile + <usize>((r << 5) + (h << 4)));
            const eoff = img * yimg + gr * ysr + pos * ysp;
            epiI8x4(acc, dq, bv, ds, rt, pU(p, R) + <usize>(eoff), ss, act, alpha, yt, pU(p, Y) + <usize>(eoff * yes), ysp, nv, tmp);
          }
        }
      }
    }
  }
}

/** FP32 conv / fc / matmul with constant weights */
export function gemm_op_f32(p: usize, start: i32, end: i32, tid: i32): void {
  const scr = pU(p, SCR) + <usize>(tid * pI(p, SCRSTRIDE));
  const tile = scr, tmp = scr + 128, rows = scr + 256;
  const rowBytes = rowBytesOf(p);
  const panel = rows + <usize>(4 * rowBytes);
  const groups = pI(p, GROUPS), nchunk = pI(p, NCHUNK), NCv = pI(p, NC), Pv = pI(p, P);
  const Mv = pI(p, M), Kv = pI(p, K), MTv = pI(p, MT);
  const hasR = pI(p, FLAGS) & 6;
  const act = pI(p, ACT); const alpha = pF(p, ALPHA); const beta = pF(p, BETA);
  const ysr = pI(p, YSR), ysp = pI(p, YSP), yimg = pI(p, YIMG);
  const conv = pI(p, MODE) == 0;
  const wbase = pU(p, W), bias = pU(p, BIAS);
  const wTile = Kv * 16;
  const msplit = pI(p, MSPLIT);
  for (let it = start; it < end; it++) {
    const item = it / msplit, ms = it - item * msplit;
    const mt0 = ms * MTv / msplit, mt1 = (ms + 1) * MTv / msplit;
    const img = item / (groups * nchunk);
    const rem = item - img * groups * nchunk;
    const g = rem / nchunk, ch = rem - g * nchunk;
    const c0 = ch * NCv, nc = min(NCv, Pv - c0), nb = (nc + 7) >> 3;
    let ximg = pU(p, X) + (<usize>(img * pI(p, XIMG)) << 2);
    if (conv) ximg += <usize>(g * pI(p, ICG) * pI(p, IH) * pI(p, IW)) << 2;
    for (let k = 0; k < Kv; k++) {
      gatherRow(p, ximg, k, c0, nc, rows, 4);
      for (let b = 0; b < nb; b++) {
        const s = rows + <usize>(b << 5), d = panel + <usize>(((b * Kv + k) << 5));
        v128.store(d, v128.load(s)); v128.store(d, v128.load(s, 16), 16);
      }
    }
    for (let mt = mt0; mt < mt1; mt++) {
      const wt = wbase + <usize>((g * MTv + mt) * wTile);
      for (let b = 0; b < nb; b++) {
        gemm_f32_4x8_simd128(wt, panel + <usize>(b * Kv * 32), Kv, tile);
        const pos0 = c0 + (b << 3);
        for (let r = 0; r < 4; r++) {
          const lr = mt * 4 + r;
          if (lr >= Mv) break;
          const gr = g * Mv + lr;
          const bv = bias != 0 ? load<f32>(bias + (<usize>gr << 2)) : 0;
          for (let h = 0; h < 2; h++) {
            const pos = pos0 + (h << 2);
            if (pos >= c0 + nc) break;
            const nv = min(4, c0 + nc - pos);
            const eoff = <usize>(img * yimg + gr * ysr + pos * ysp) << 2;
            epiF32x4(v128.load(tile + <usize>((r << 5) + (h << 4))), bv, hasR != 0, pU(p, R) + eoff, act, alpha, beta,
              pU(p, Y) + eoff, ysp, nv, tmp);
          }
        }
      }
    }
  }
}
