// GEMM-driven ops: conv2d (1×1 and k×k, stride, pad, dilation, groups) as im2col panels × packed weights, and
// fc / matmul with constant weights (matrix mode). One work item = (image, group, chunk of NC positions, share of the channel tiles):
// gather the chunk's im2col rows, pack the panel, run every channel tile over it, fuse the epilogue.
// Rows of C are output channels (per-channel scale/bias), columns are positions (conv: oy·OW+ox; fc: batch row).
// INT8 convs with stride 1 or 2 (MODE 2) skip the gather: each thread copies the image once into a zero-padded
// buffer whose rows are wide enough for OW rounded up to 8, so every 8-position block of an output row is 8 bytes
// (stride 2: every other byte of 16) at a fixed offset per k, loaded straight into the panel. Positions are then
// oy·OW8 + ox; the columns ox ≥ OW of the last block of a row are computed and dropped.
import { pI, pU, pF, epiI8x4, epiF32x4, T_F32, anyBit7, padPlanes } from './common';
import { G, CF } from './abi';
import {
  KALIGN_I8, packPanelRowsI8, packPairI8, packQuad7, gemm_u8s8s32_4x8_simd128, gemm_u8s8s32_4x8_simd128_fused,
  gemm_u8s8s32_4x8c4_relaxed, gemm_u8s8s32_4x8c4_relaxed_fused, gemm_u8s8s32_4x4_simd128, gemm_u8s8s32_4x4c4_relaxed,
  epiRecord, EPI_BYTES,
} from './gemm_u8s8';
import { gemm_f32_4x8_simd128 } from './gemm_f32';


/** gather im2col row k (or matrix row k) for positions [c0, c0+nc) into dst (element size es), zero padded to nb·8 */
function gatherRow(p: usize, ximg: usize, k: i32, c0: i32, nc: i32, dst: usize, es: i32): void {
  const padTo = ((nc + 7) >> 3) << 3;
  if (pI(p, G.MODE) != 0) {
    const xsp = pI(p, G.XSP);
    const src = ximg + <usize>(k * pI(p, G.XSK) * es);
    if (xsp == 1) memory.copy(dst, src + <usize>(c0 * es), <usize>(nc * es));
    else if (es == 1) for (let j = 0; j < nc; j++) store<u8>(dst + <usize>j, load<u8>(src + <usize>((c0 + j) * xsp)));
    else for (let j = 0; j < nc; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>((c0 + j) * xsp) << 2)));
  } else {
    const kh = pI(p, G.KH), kw = pI(p, G.KW), ih = pI(p, G.IH), iw = pI(p, G.IW), ow = pI(p, G.OW);
    const sh = pI(p, G.SH), sw = pI(p, G.SW);
    const kk = kh * kw;
    const ic = k / kk, rem = k - ic * kk;
    const ky = rem / kw, kx = rem - ky * kw;
    const plane = ximg + <usize>(ic * ih * iw * es);
    let j = 0, oy = c0 / ow, ox = c0 - oy * ow;
    const offY = ky * pI(p, G.DH) - pI(p, G.PT), offX = kx * pI(p, G.DW) - pI(p, G.PL);
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

// scratch per thread: [0,128) tile, [128,192) tmp, [192,256) the fused kernels' epilogue record,
// [256, 256 + 4·rowBytes) gathered rows, then the panel
// @ts-ignore: decorator
@inline function rowBytesOf(p: usize): i32 { return (pI(p, G.NC) << 2) + 64; }

/** INT8 conv / fc: items are (image, group, chunk) */
export function gemm_op_u8s8(p: usize, start: i32, end: i32, tid: i32): void {
  const scr = pU(p, G.SCR) + <usize>(tid * pI(p, G.SCRSTRIDE));
  const tile = scr, tmp = scr + 128, epi = scr + 192, rows = scr + 256;
  const rowBytes = rowBytesOf(p);
  const panel = rows + <usize>(4 * rowBytes);
  const groups = pI(p, G.GROUPS), nchunk = pI(p, G.NCHUNK), NCv = pI(p, G.NC), Pv = pI(p, G.P);
  const Mv = pI(p, G.M), Kv = pI(p, G.K), KPv = pI(p, G.KP), MTv = pI(p, G.MT);
  if (EPI_BYTES > 64) unreachable();
  const flags = pI(p, G.FLAGS);
  const signed = (flags & CF.SIGNED) != 0;
  const rt = (flags >> CF.RES_SHIFT) & CF.TYPE_MASK, yt = (flags >> CF.OUT_SHIFT) & CF.TYPE_MASK;
  const yes = yt == T_F32 ? 4 : 1;
  const act = pI(p, G.ACT); const alpha = pF(p, G.ALPHA); const ss = pF(p, G.SUMSCALE);
  const ysr = pI(p, G.YSR), ysp = pI(p, G.YSP), yimg = pI(p, G.YIMG);
  const conv = pI(p, G.MODE) == 0;
  const wbase = pU(p, G.W), bias = pU(p, G.BIAS), osp = pU(p, G.OS), ds = pF(p, G.DS);
  const wTile = KPv * 8, wTile7 = KPv * 4; // bytes per m-tile: plain (KP/2)·16, 7-bit (KP/4)·16 after all plain ones
  const wbase7 = wbase + <usize>(groups * MTv * wTile);
  const mode = pI(p, G.MODE), xsk = pI(p, G.XSK), xsp = pI(p, G.XSP);
  const msplit = pI(p, G.MSPLIT);
  const rbase = pU(p, G.R), ybase = pU(p, G.Y);
  const padded = pI(p, G.MODE) == 2;
  const ow = pI(p, G.OW), ow8 = pI(p, G.OW8), pw = pI(p, G.PW), ph = pI(p, G.PH), sw = pI(p, G.SW), rowStep = pI(p, G.SH) * pw;
  const offs = panel + <usize>((KPv * 2 * NCv + 64 + 15) & ~15);
  const pad = offs + <usize>(((Kv << 2) + 15) & ~15) + 16;
  const gStride = <usize>(pI(p, G.ICG) * ph * pw);
  let padImg = -1, padSeven = false;
  if (padded) fillOffsets(p, offs, Kv, pw, ph);
  epiRecord(epi, yt, rt, act, alpha, ds, ss);
  for (let it = start; it < end; it++) {
    const item = it / msplit, ms = it - item * msplit;
    const mt0 = ms * MTv / msplit, mt1 = (ms + 1) * MTv / msplit;
    const img = item / (groups * nchunk);
    const rem = item - img * groups * nchunk;
    const g = rem / nchunk, ch = rem - g * nchunk;
    const c0 = ch * NCv, nc = min(NCv, Pv - c0), nb = (nc + 7) >> 3;
    const blockBytes = KPv * 16; // plain (KP/2)·32; 7-bit (KP/4)·32 fits too
    let seven = false; // relaxed build: every activation byte of this item in 0..127
    // panel
    if (padded) {
      if (img != padImg) {
        const x = pU(p, G.X) + <usize>(img * pI(p, G.XIMG));
        padPlanes(x, pad, pI(p, G.IC), pI(p, G.IH), pI(p, G.IW), ph, pw, pI(p, G.PT), pI(p, G.PL), 1); padImg = img;
        if (ASC_FEATURE_RELAXED_SIMD) padSeven = !anyBit7(x, pI(p, G.IC) * pI(p, G.IH) * pI(p, G.IW));
      }
      seven = padSeven;
      const gbase = pad + <usize>g * gStride;
      for (let b = 0; b < nb; b++) {
        const pp = c0 + (b << 3), oy = pp / ow8, ox = pp - oy * ow8;
        packBlockPadded(gbase + <usize>(oy * rowStep + ox * sw), offs, Kv, KPv, sw, panel + <usize>(b * blockBytes), signed, seven);
      }
    } else {
      let ximg = pU(p, G.X) + <usize>(img * pI(p, G.XIMG));
      if (conv) ximg += <usize>(g * pI(p, G.ICG) * pI(p, G.IH) * pI(p, G.IW));
      if (ASC_FEATURE_RELAXED_SIMD && mode == 1) {
        // matrix rows: K rows of nc contiguous positions (1×1 convs) or nc rows of K contiguous features (fc)
        seven = true;
        if (xsp == 1) { for (let k = 0; k < Kv && seven; k++) seven = !anyBit7(ximg + <usize>(k * xsk + c0), nc); }
        else if (xsk == 1) { for (let j = 0; j < nc && seven; j++) seven = !anyBit7(ximg + <usize>((c0 + j) * xsp), Kv); }
        else seven = false;
      }
      for (let k = 0; k < KPv; k += KALIGN_I8) {
        for (let j = 0; j < KALIGN_I8; j++) {
          const d = rows + <usize>(j * rowBytes);
          if (k + j < Kv) gatherRow(p, ximg, k + j, c0, nc, d, 1);
          else memory.fill(d, 0, <usize>(nb << 3));
        }
        packPanelRowsI8(rows, rowBytes, nb, panel, k, blockBytes, signed, seven);
      }
    }
    for (let mt = mt0; mt < mt1; mt++) {
      const wt = wbase + <usize>((g * MTv + mt) * wTile), wt7 = wbase7 + <usize>((g * MTv + mt) * wTile7);
      const fullRows = mt * 4 + 4 <= Mv;
      const gr = g * Mv + mt * 4;
      let b = 0;
      while (b < nb) {
        // output position of the block's first column and how many of its 8 columns are outputs
        let pos0 = c0 + (b << 3), nvb = min(8, c0 + nc - pos0);
        if (padded) { const oy = pos0 / ow8, ox = pos0 - oy * ow8; pos0 = oy * ow + ox; nvb = min(8, ow - ox); }
        if (fullRows && ysp == 1 && nvb == 8) {
          // a run of full blocks whose outputs follow each other: one fused call
          let n = 1;
          while (b + n < nb) {
            let q0 = c0 + ((b + n) << 3), qn = min(8, c0 + nc - q0);
            if (padded) { const oy = q0 / ow8, ox = q0 - oy * ow8; q0 = oy * ow + ox; qn = min(8, ow - ox); }
            if (qn != 8 || q0 != pos0 + (n << 3)) break;
            n++;
          }
          const eoff = img * yimg + gr * ysr + pos0;
          const pb = panel + <usize>(b * blockBytes);
          if (seven) {
            gemm_u8s8s32_4x8c4_relaxed_fused(wt7, pb, KPv >> 2, n, blockBytes, bias + (<usize>gr << 2), osp + (<usize>gr << 2), epi,
              rbase + <usize>eoff, ybase + <usize>(eoff * yes), ysr, tile);
          } else {
            gemm_u8s8s32_4x8_simd128_fused(wt, pb, KPv >> 1, n, blockBytes, bias + (<usize>gr << 2), osp + (<usize>gr << 2), epi,
              rbase + <usize>eoff, ybase + <usize>(eoff * yes), ysr);
          }
          b += n;
          continue;
        }
        const pb = panel + <usize>(b * blockBytes);
        if (nvb <= 4) { // columns 4..7 are not outputs: half the work
          if (seven) gemm_u8s8s32_4x4c4_relaxed(wt7, pb, KPv >> 2, tile);
          else gemm_u8s8s32_4x4_simd128(wt, pb, KPv >> 1, tile);
        } else if (seven) gemm_u8s8s32_4x8c4_relaxed(wt7, pb, KPv >> 2, tile);
        else gemm_u8s8s32_4x8_simd128(wt, pb, KPv >> 1, tile);
        for (let r = 0; r < 4; r++) {
          const lr = mt * 4 + r;
          if (lr >= Mv) break;
          const grr = g * Mv + lr;
          const bv = load<f32>(bias + (<usize>grr << 2));
          const dq = load<f32>(osp + (<usize>grr << 2));
          for (let h = 0; h < 2; h++) {
            const nv = min(4, nvb - (h << 2));
            if (nv <= 0) break;
            const acc = v128.load(tile + <usize>((r << 5) + (h << 4)));
            const eoff = img * yimg + grr * ysr + (pos0 + (h << 2)) * ysp;
            epiI8x4(acc, dq, bv, ds, rt, rbase + <usize>(eoff), ss, act, alpha, yt, ybase + <usize>(eoff * yes), ysp, nv, tmp);
          }
        }
        b++;
      }
    }
  }
}

/** byte offset of im2col row k in the padded image: channel plane, kernel row, kernel column */
function fillOffsets(p: usize, offs: usize, Kv: i32, pw: i32, ph: i32): void {
  const kh = pI(p, G.KH), kw = pI(p, G.KW), dh = pI(p, G.DH), dw = pI(p, G.DW);
  let k = 0;
  for (let ic = 0; k < Kv; ic++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        store<i32>(offs + (<usize>k << 2), (ic * ph + ky * dh) * pw + kx * dw);
        k++;
      }
    }
  }
}

/** 8 consecutive output columns of im2col row k: 8 bytes (stride 1) or the even bytes of 16 (stride 2) */
// @ts-ignore: decorator
@inline function loadCols(a: usize, sw: i32): v128 {
  if (sw == 1) return v128.load64_zero(a);
  const v = v128.load(a);
  return i8x16.shuffle(v, v, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
}

/** one 8-position block of the panel straight from the padded image (src: the block's top-left tap) */
function packBlockPadded(src: usize, offs: usize, Kv: i32, KPv: i32, sw: i32, d: usize, signed: bool, seven: bool): void {
  const z = i32x4.splat(0);
  if (ASC_FEATURE_RELAXED_SIMD && seven) {
    for (let k = 0; k < KPv; k += 4) {
      const o = offs + (<usize>k << 2);
      const r0 = loadCols(src + <usize>load<i32>(o), sw);
      const r1 = k + 1 < Kv ? loadCols(src + <usize>load<i32>(o, 4), sw) : z;
      const r2 = k + 2 < Kv ? loadCols(src + <usize>load<i32>(o, 8), sw) : z;
      const r3 = k + 3 < Kv ? loadCols(src + <usize>load<i32>(o, 12), sw) : z;
      packQuad7(r0, r1, r2, r3, d + (<usize>k << 3));
    }
  } else if (sw == 1) {
    const K2 = Kv & ~1;
    let k = 0;
    for (; k < K2; k += 2) {
      const o = offs + (<usize>k << 2);
      packPairI8(v128.load64_zero(src + <usize>load<i32>(o)), v128.load64_zero(src + <usize>load<i32>(o, 4)), d + (<usize>k << 4), signed);
    }
    if (k < Kv) { packPairI8(v128.load64_zero(src + <usize>load<i32>(offs + (<usize>k << 2))), z, d + (<usize>k << 4), signed); k += 2; }
    for (; k < KPv; k += 2) packPairI8(z, z, d + (<usize>k << 4), signed);
  } else {
    for (let k = 0; k < KPv; k += 2) {
      const o = offs + (<usize>k << 2);
      const r0 = k < Kv ? loadCols(src + <usize>load<i32>(o), sw) : z;
      const r1 = k + 1 < Kv ? loadCols(src + <usize>load<i32>(o, 4), sw) : z;
      packPairI8(r0, r1, d + (<usize>k << 4), signed);
    }
  }
}

/** FP32 conv / fc / matmul with constant weights */
export function gemm_op_f32(p: usize, start: i32, end: i32, tid: i32): void {
  const scr = pU(p, G.SCR) + <usize>(tid * pI(p, G.SCRSTRIDE));
  const tile = scr, tmp = scr + 128, rows = scr + 256;
  const rowBytes = rowBytesOf(p);
  const panel = rows + <usize>(4 * rowBytes);
  const groups = pI(p, G.GROUPS), nchunk = pI(p, G.NCHUNK), NCv = pI(p, G.NC), Pv = pI(p, G.P);
  const Mv = pI(p, G.M), Kv = pI(p, G.K), MTv = pI(p, G.MT);
  const hasR = pI(p, G.FLAGS) & CF.RES_BITS;
  const act = pI(p, G.ACT); const alpha = pF(p, G.ALPHA); const beta = pF(p, G.BETA);
  const ysr = pI(p, G.YSR), ysp = pI(p, G.YSP), yimg = pI(p, G.YIMG);
  const conv = pI(p, G.MODE) == 0;
  const wbase = pU(p, G.W), bias = pU(p, G.BIAS);
  const wTile = Kv * 16;
  const msplit = pI(p, G.MSPLIT);
  for (let it = start; it < end; it++) {
    const item = it / msplit, ms = it - item * msplit;
    const mt0 = ms * MTv / msplit, mt1 = (ms + 1) * MTv / msplit;
    const img = item / (groups * nchunk);
    const rem = item - img * groups * nchunk;
    const g = rem / nchunk, ch = rem - g * nchunk;
    const c0 = ch * NCv, nc = min(NCv, Pv - c0), nb = (nc + 7) >> 3;
    let ximg = pU(p, G.X) + (<usize>(img * pI(p, G.XIMG)) << 2);
    if (conv) ximg += <usize>(g * pI(p, G.ICG) * pI(p, G.IH) * pI(p, G.IW)) << 2;
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
            epiF32x4(v128.load(tile + <usize>((r << 5) + (h << 4))), bv, hasR != 0, pU(p, G.R) + eoff, act, alpha, beta,
              pU(p, G.Y) + eoff, ysp, nv, tmp);
          }
        }
      }
    }
  }
}
