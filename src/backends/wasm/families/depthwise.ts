// Depthwise conv family: one group per channel (wasm/assembly/conv_depthwise.ts). describe() sizes the row buffers
// (HP padded rows, WQ phase-split row width) and the scratch; prepare() uploads the weights (i16 for INT8).
import { family, tname } from '../family';
import { D, poolFn } from '../params';
import { constFilter, convEpilogue, convFlags, convRun, convWeights, isDepthwise, type ConvEpilogue } from './conv_setup';

interface DwPlan { e: ConvEpilogue; fn: 'conv_dw_u8s8_simd128' | 'conv_dw_f32_simd128'; HP: number; WQ: number; scratch: number }

export const depthwiseFamily = family<DwPlan>({
  name: 'depthwise',
  ops: ['conv2d', 'depthwise_conv2d'],
  describe(node, ctx) {
    if (!constFilter(node)) return undefined;
    const e = convEpilogue(node);
    const { g } = e;
    if (!isDepthwise(g)) return undefined;
    const HP = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
    const WQ = Math.ceil((Math.ceil(g.ow / 8) * 8 + Math.floor(((g.kw - 1) * g.dw) / g.sw) + 8) / 8) * 8; // a multiple of 8 (phase split stores)
    const es = e.int8 ? 2 : 4;
    const scratch = 64 + 1024 + HP * g.sw * WQ * es + g.sw * WQ * es + 128;
    const fn = e.int8 ? 'conv_dw_u8s8_simd128' : 'conv_dw_f32_simd128';
    const t = tname(node.inputs.Input[0].dtype);
    const variant = e.int8 ? `conv_dw${g.kh}x${g.kw}_${t}s8_simd128` : `conv_dw${g.kh}x${g.kw}_f32_${ctx.isa === 'relaxed-simd' ? 'relaxed_madd' : 'simd128'}`;
    return { fn, variant, plan: { e, fn, HP, WQ, scratch } };
  },
  prepare(node, { e, fn, HP, WQ, scratch }, w, ctx) {
    const { mem } = ctx;
    const { g } = e;
    const c = convWeights(node, w, e);
    const b = mem.block();
    const wp = e.int8 ? mem.upload(Int16Array.from(c.wq as Int8Array)) : mem.upload(c.wq as Float32Array);
    const bias = c.bias ? mem.upload(c.bias) : 0;
    const os = c.os ? mem.upload(c.os) : 0;
    mem.ensureScratch(scratch);
    b.i(D.C, g.ic); b.i(D.IH, g.ih); b.i(D.IW, g.iw); b.i(D.OH, g.oh); b.i(D.OW, g.ow); b.i(D.KH, g.kh); b.i(D.KW, g.kw);
    b.i(D.SH, g.sh); b.i(D.SW, g.sw); b.i(D.DH, g.dh); b.i(D.DW, g.dw); b.i(D.PT, g.pad[0]); b.i(D.PL, g.pad[2]); b.i(D.NIMG, g.n);
    b.i(D.W, wp); b.i(D.BIAS, bias); b.i(D.OS, os); b.i(D.FLAGS, convFlags(e.signed, e.resType, e.outType)); b.i(D.ACT, e.act);
    b.i(D.HP, HP); b.i(D.WQ, WQ);
    b.f(D.ALPHA, e.alpha); b.f(D.BETA, e.beta); b.f(D.SUMSCALE, e.sumScale); b.f(D.DS, c.ds);
    return convRun(ctx, b, D, poolFn(fn), g.n * g.ic, e.resType !== 0);
  },
});
