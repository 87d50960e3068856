// FP32 3×3 stride-1 convs by Winograd F(2×2, 3×3): the same tiling as the INT8 kernel (conv_winograd.ts), so the
// FP32 baseline is as fast an algorithm as the INT8 one. Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A in f32: U = G g Gᵀ is made by
// the host (in f64, rounded once), Bᵀ and Aᵀ hold 0 and ±1, so the only rounding beyond the direct conv's is in the
// transforms' additions (within the suite's 1e-5 of the largest output).
// Per block of 8 tiles: the input transform of every channel into a panel [16 ξ][IC][8 tiles] f32 (the FP32 GEMM's
// panel entry), 16 GEMMs of 4 channels × 8 tiles (gemm_f32_4x8_simd128's loop; fused multiply-add on the relaxed
// build), the output transform, and epiF32x4 (bias, residual, activation). Weights: [16 ξ][MT][IC][4 channels] f32.
import { pI, pU, pF, epiF32x4, padPlanes } from './common';
import { G, CF } from './abi';
import { tile_f32_4x8 } from './gemm_f32';
import { outputTransform, storeBt, columnsBt } from './conv_winograd';


// scratch per thread: [0, 2048) the 16 f32 tiles (the row transforms' temporaries before the GEMMs),
// [2048, 2112) one output transform's rows, [2112, 2176) epiF32x4's tmp, then the padded image and the panels
const SCR_OUT: usize = 2048; const SCR_ETMP: usize = 2112; const SCR_PAD: usize = 2176;

// @ts-ignore: decorator
@inline function padBytes(ic: i32, ph: i32, pw: i32): i32 { return ((ic * ph * pw * 4 + 64) + 15) & ~15; }
// @ts-ignore: decorator
@inline function blockBytesOf(ic: i32): i32 { return 16 * ic * 32; }

/** scratch bytes per thread (the host sizes the scratch with this) */
export function winograd_f32_scratch_bytes(ic: i32, ph: i32, pw: i32, tr: i32, nb: i32): i32 {
  return <i32>SCR_PAD + padBytes(ic, ph, pw) + tr * nb * blockBytesOf(ic);
}

/** d·B of one padded row for 4 tiles (columns 2t + j of the row at a): 4 results to t (64 bytes) */
// @ts-ignore: decorator
@inline function rowT(a: usize, t: usize): void {
  const l0 = v128.load(a), l1 = v128.load(a, 16), l2 = v128.load(a, 8), l3 = v128.load(a, 24);
  const d0 = i32x4.shuffle(l0, l1, 0, 2, 4, 6), d1 = i32x4.shuffle(l0, l1, 1, 3, 5, 7);
  const d2 = i32x4.shuffle(l2, l3, 0, 2, 4, 6), d3 = i32x4.shuffle(l2, l3, 1, 3, 5, 7);
  storeBt<f32>(d0, d1, d2, d3, t, 16);
}

/** the panel of one block: V = Bᵀ d B of every channel, ξ = 4i + j at d + ξ·ic·32 (+16 for tiles 4..7) */
function transformBlock(src: usize, plane: i32, pw: i32, ic: i32, t: usize, d: usize): void {
  const xs = <usize>(ic * 32), rs = <usize>pw << 2;
  for (let c = 0; c < ic; c++) {
    const a = src + (<usize>(c * plane) << 2);
    const e = d + <usize>(c << 5);
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < 4; i++) rowT(a + <usize>i * rs + <usize>(h << 5), t + <usize>(i << 6));
      columnsBt<f32>(t, e + <usize>(h << 4), xs);
    }
  }
}

/** the 16 GEMMs of a block: channel tile a (ξ's weights wXi bytes apart), panel b (ξ's ic·32 apart), tiles at t */
function gemm16(a: usize, wXi: usize, b: usize, ic: i32, t: usize): void {
  const step = <usize>(ic << 5);
  for (let x = 0; x < 16; x++) { tile_f32_4x8(a, b, ic, t); a += wXi; b += step; t += 128; }
}

/** FP32 conv 3×3, stride 1, dilation 1, one group, by Winograd F(2×2, 3×3): items are (image, TR tile rows) */
export function conv_winograd_f32(p: usize, start: i32, end: i32, tid: i32): void {
  const scr = pU(p, G.SCR) + <usize>(tid * pI(p, G.SCRSTRIDE));
  const tiles = scr, out = scr + SCR_OUT, etmp = scr + SCR_ETMP, pad = scr + SCR_PAD;
  const ic = pI(p, G.IC), ih = pI(p, G.IH), iw = pI(p, G.IW), oh = pI(p, G.OH), ow = pI(p, G.OW), ph = pI(p, G.PH), pw = pI(p, G.PW);
  const Mv = pI(p, G.M), MTv = pI(p, G.MT);
  const tw = pI(p, G.TW), th = pI(p, G.TH), nb = pI(p, G.NB), tr = pI(p, G.TR), per = pI(p, G.ITEMS_IMG);
  const panels = pad + <usize>padBytes(ic, ph, pw);
  const blockBytes = blockBytesOf(ic);
  const hasR = (pI(p, G.FLAGS) & CF.RES_BITS) != 0;
  const act = pI(p, G.ACT), alpha = pF(p, G.ALPHA), beta = pF(p, G.BETA);
  const wbase = pU(p, G.W), bias = pU(p, G.BIAS), rbase = pU(p, G.R), ybase = pU(p, G.Y);
  const xi = ic * ih * iw, yi = Mv * oh * ow, plane = oh * ow, pplane = ph * pw;
  const wXi = <usize>(MTv * ic * 16);
  let padImg = -1;
  for (let it = start; it < end; it++) {
    const img = it / per, ty0 = (it - img * per) * tr, ty1 = min(th, ty0 + tr);
    if (img != padImg) { padPlanes(pU(p, G.X) + (<usize>(img * xi) << 2), pad, ic, ih, iw, ph, pw, pI(p, G.PT), pI(p, G.PL), 4); padImg = img; }
    for (let ty = ty0; ty < ty1; ty++) {
      for (let b = 0; b < nb; b++) {
        transformBlock(pad + (<usize>(2 * ty * pw + (b << 4)) << 2), pplane, pw, ic, tiles, panels + <usize>(((ty - ty0) * nb + b) * blockBytes));
      }
    }
    for (let ty = ty0; ty < ty1; ty++) {
      for (let b = 0; b < nb; b++) {
        const pb = panels + <usize>(((ty - ty0) * nb + b) * blockBytes);
        const nt = min(8, tw - (b << 3));
        for (let mt = 0; mt < MTv; mt++) {
          gemm16(wbase + <usize>(mt * ic * 16), wXi, pb, ic, tiles);
          for (let r = 0; r < 4; r++) {
            const oc = mt * 4 + r;
            if (oc >= Mv) break;
            const bv = bias != 0 ? load<f32>(bias + (<usize>oc << 2)) : 0;
            for (let h = 0; h < 2; h++) {
              if ((h << 2) >= nt) break;
              outputTransform<f32>(tiles, r, h, out, 32);
              const ox0 = (b << 4) + (h << 3);
              for (let i = 0; i < 2; i++) {
                const oy = 2 * ty + i;
                if (oy >= oh) break;
                for (let u = 0; u < 2; u++) {
                  const ox = ox0 + (u << 2);
                  const nv = min(4, ow - ox);
                  if (nv <= 0) break;
                  const eoff = <usize>(img * yi + oc * plane + oy * ow + ox) << 2;
                  epiF32x4(v128.load(out + <usize>((i << 5) + (u << 4))), bv, hasR, rbase + eoff, act, alpha, beta, ybase + eoff, 1, nv, etmp);
                }
              }
            }
          }
        }
      }
    }
  }
}
