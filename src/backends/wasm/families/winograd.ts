// Winograd F(2×2, 3×3) family: 3×3 stride-1 convs where it is exact (INT8) and pays (wasm/assembly/conv_winograd.ts,
// conv_winograd_f32.ts). describe() decides whether (winogradConv), the tile geometry and the tile rows per item;
// prepare() transforms and packs the filters.
import { isIntType } from '../../../runtime/op_rules';
import type { DType } from '../../../util/dtype';
import { family, tname } from '../family';
import { G, poolFn } from '../params';
import { constFilter, convEpilogue, convFlags, convRun, convWeights, type ConvEpilogue, type ConvGeom } from './conv_setup';

interface WinogradPlan {
  e: ConvEpilogue; fn: 'conv_winograd_u8s8' | 'conv_winograd_f32';
  kp2: number; MT: number; tw: number; th: number; nb: number; pw: number; ph: number; tr: number; per: number; scratch: number;
}

export const winogradFamily = family<WinogradPlan>({
  name: 'winograd',
  ops: ['conv2d', 'depthwise_conv2d'],
  describe(node, ctx) {
    if (!ctx.winograd || !constFilter(node)) return undefined;
    const e = convEpilogue(node);
    const { g, int8 } = e;
    const xType = node.inputs.Input[0].dtype;
    if (!winogradConv(g, xType)) return undefined;
    const ic = g.ic, oc = g.oc;
    const kp2 = Math.ceil(ic / 2), MT = Math.ceil(oc / 4);
    const { tw, th, nb, pw, ph } = winogradGeom(g);
    // tile rows per item: their panels within an L2-sized budget (more when the weights are large, so they stream
    // fewer times), and enough items for the threads
    const wbytes = int8 ? 16 * MT * kp2 * 8 * 2 : 16 * MT * ic * 4 * 4;
    const blockBytes = int8 ? 16 * kp2 * 32 : 16 * ic * 32;
    const budget = wbytes > (1 << 20) ? 512 * 1024 : 128 * 1024;
    let tr = Math.max(1, Math.min(th, Math.floor(budget / (nb * blockBytes))));
    while (ctx.threads > 1 && tr > 1 && g.n * Math.ceil(th / tr) < 2 * ctx.threads) tr = Math.ceil(tr / 2);
    const per = Math.ceil(th / tr);
    const scratch = int8 ? ctx.x.winograd_scratch_bytes(ic, ph, pw, tr, nb, kp2) : ctx.x.winograd_f32_scratch_bytes(ic, ph, pw, tr, nb);
    const fn = int8 ? 'conv_winograd_u8s8' : 'conv_winograd_f32';
    const variant = int8 ? `conv3x3_winograd_f2x2_${tname(xType)}s8s32_4x8_simd128` : `conv3x3_winograd_f2x2_f32_4x8_${ctx.isa === 'relaxed-simd' ? 'relaxed_madd' : 'simd128'}`;
    return { fn, variant, plan: { e, fn, kp2, MT, tw, th, nb, pw, ph, tr, per, scratch } };
  },
  prepare(node, d, w, ctx) {
    const { mem } = ctx;
    const { e } = d;
    const { g, int8 } = e;
    const c = convWeights(node, w, e);
    const ic = g.ic, oc = g.oc, { kp2, MT } = d;
    // INT8: 4·U as i16 pairs [ξ][MT][KP2][4 channels] (k0 | k1 << 16); FP32: U (f64, rounded once) [ξ][MT][IC][4];
    // zeros past IC and OC
    const wp = int8 ? new Int16Array(16 * MT * kp2 * 8) : new Float32Array(16 * MT * ic * 4);
    const u = new Float64Array(16);
    for (let o = 0; o < oc; o++) {
      for (let ci = 0; ci < ic; ci++) {
        winogradFilter(c.wq, (o * ic + ci) * 9, u);
        for (let xi = 0; xi < 16; xi++) {
          if (int8) wp[((((xi * MT + (o >> 2)) * kp2 + (ci >> 1)) * 4 + (o & 3)) << 1) + (ci & 1)] = u[xi];
          else wp[((xi * MT + (o >> 2)) * ic + ci) * 4 + (o & 3)] = u[xi] / 4;
        }
      }
    }
    const b = mem.block();
    const wbase = mem.upload(wp);
    const bias = c.bias ? mem.upload(c.bias) : int8 ? mem.upload(new Float32Array(oc)) : 0;
    mem.ensureScratch(d.scratch);
    b.i(G.IC, ic); b.i(G.IH, g.ih); b.i(G.IW, g.iw); b.i(G.OH, g.oh); b.i(G.OW, g.ow); b.i(G.PT, g.pad[0]); b.i(G.PL, g.pad[2]);
    b.i(G.M, oc); b.i(G.MT, MT); b.i(G.KP2, kp2); b.i(G.W, wbase); b.i(G.BIAS, bias);
    if (int8) b.i(G.OS, mem.upload(c.os!));
    b.i(G.TW, d.tw); b.i(G.TH, d.th); b.i(G.NB, d.nb); b.i(G.PW, d.pw); b.i(G.PH, d.ph); b.i(G.TR, d.tr); b.i(G.ITEMS_IMG, d.per);
    b.i(G.FLAGS, convFlags(e.signed, e.resType, e.outType));
    b.i(G.ACT, e.act); b.f(G.ALPHA, e.alpha); b.f(G.BETA, e.beta); b.f(G.SUMSCALE, e.sumScale); b.f(G.DS, c.ds);
    return convRun(ctx, b, G, poolFn(d.fn), g.n * d.per, e.resType !== 0);
  },
});

/**
 * Whether a conv runs as Winograd F(2×2, 3×3) (wasm/assembly/conv_winograd.ts, conv_winograd_f32.ts): 3×3, stride 1,
 * dilation 1, one group; IC ≥ 8 for INT8 and ≥ 2 for FP32, below which the transforms and the per-output work cost
 * more than the multiplies saved (Zen 4, one thread, against the direct GEMM: INT8 3 → 16 channels 0.68×, 8 → 8
 * 1.03×, 16 → 64 1.27×, 64 → 64 1.74×; FP32, whose multiplies cost twice as much, 1 → 8 0.89×, 2 → 8 1.20×,
 * 64 → 64 2.08×); transformed weights of at most 4 MiB (16 values per 3×3 filter), past which streaming them costs
 * more than it saves; a padded image of at most 4 MiB per thread (as the direct padded mode). INT8 also needs
 * exactness: |4·Y| < 2^31 for every input (|Y| ≤ 9·IC·|x|max·128), so the i32 sums cannot wrap.
 */
function winogradConv(g: ConvGeom, xType: DType | undefined): boolean {
  if (g.kh !== 3 || g.kw !== 3 || g.sh !== 1 || g.sw !== 1 || g.dh !== 1 || g.dw !== 1 || g.groups !== 1) return false;
  const int8 = isIntType(xType);
  if (!int8 && xType !== 'fp32') return false;
  if (g.ic < (int8 ? 8 : 2)) return false;
  if (int8 && 4 * 9 * g.ic * (xType === 'uint8' ? 255 : 128) * 128 >= 2 ** 31) return false;
  const es = int8 ? 1 : 4;
  if (winogradGeom(g).padBytes * es > 4 << 20) return false;
  return 16 * g.ic * g.oc * (int8 ? 2 : 4) <= 4 << 20;
}

/** tiles per row / column, 8-tile blocks per row, and the padded image rows (elements) */
function winogradGeom(g: ConvGeom): { tw: number; th: number; nb: number; pw: number; ph: number; padBytes: number } {
  const tw = Math.ceil(g.ow / 2), th = Math.ceil(g.oh / 2), nb = Math.ceil(tw / 8);
  // rows: loads at 16·b .. 16·b + 17 for every block, and the whole padded input row; 2 rows per tile row + 2
  const pw = Math.ceil(Math.max(16 * nb + 16, g.pad[2] + g.iw) / 16) * 16;
  const ph = Math.max(2 * th + 2, g.pad[0] + g.ih);
  return { tw, th, nb, pw, ph, padBytes: g.ic * ph * pw + 16 };
}

/** (2G) g (2G)ᵀ = 4·G g Gᵀ of one 3×3 filter (row-major at w[o..o+9)), 16 values in ξ = 4i + j order (exact for ints) */
export function winogradFilter(w: ArrayLike<number>, o: number, u: Float64Array): void {
  // (2G) g: rows 2·g0, g0 + g1 + g2, g0 − g1 + g2, 2·g2 (g_k: filter row k)
  const t = new Float64Array(12);
  for (let c = 0; c < 3; c++) {
    const g0 = w[o + c], g1 = w[o + 3 + c], g2 = w[o + 6 + c];
    t[c] = 2 * g0; t[3 + c] = g0 + g1 + g2; t[6 + c] = g0 - g1 + g2; t[9 + c] = 2 * g2;
  }
  // then · (2G)ᵀ along each row
  for (let i = 0; i < 4; i++) {
    const a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2];
    u[4 * i] = 2 * a; u[4 * i + 1] = a + b + c; u[4 * i + 2] = a - b + c; u[4 * i + 3] = 2 * c;
  }
}
