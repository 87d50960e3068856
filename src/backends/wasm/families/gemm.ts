// GEMM family: conv2d (1×1 direct, k×k im2col or padded; not depthwise, not Winograd: those families come first in
// the registry), fc, mul and matmul with constant weights. describe() picks the function (gemm_op_* or, for 1..3
// contiguous rows, gemv_*) and its tiles; prepare() packs the weights and writes the block (wasm/assembly/conv.ts,
// gemv.ts).
import type { OpNode, WeightTensors } from '../../../runtime/backend';
import { attrBool, attrNum, attrStr, isIntType, matmulGeom, prod } from '../../../runtime/op_rules';
import { quantizeWeight } from '../../../int8/contract';
import { family, tcode, tname, weightOf, type Decision, type Run, type WasmCtx } from '../family';
import { ACT, G, poolFn, T } from '../params';
import { constFilter, convEpilogue, convFlags, convWeights, f32Bias, gemmVariant, int8Scales, type ConvGeom } from './conv_setup';

/** the problem as the kernels take it (weights aside) */
interface GemmShape {
  int8: boolean;
  signed: boolean;
  /** rows (output channels) per group, k per group, positions per image, images */
  groups: number; M: number; K: number; P: number; nimg: number;
  /** weight element (row r of group g, k) at (g·M + r)·rs + k·ks */
  rs: number; ks: number;
  outType: number; resType: number;
  act: number; alpha: number; beta: number; sumScale: number;
  conv?: ConvShape;
  xsk: number; xsp: number; ximg: number; ysr: number; ysp: number; yimg: number;
  /** io slots of the op: input, output, residual */
  xSlot: string; ySlot: string; rSlot?: string;
}

interface ConvShape { ic: number; ih: number; iw: number; oh: number; ow: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; icg: number }

/** what describe() decided: GEMV, or the GEMM with its panel width, chunks, channel-tile split and padded mode */
type GemmPlan = { shape: GemmShape; fn: 'gemv_u8s8s32' | 'gemv_f32_4x4_simd128'; gemv: { NP: number; wbytes: number; scratch: number } }
  | { shape: GemmShape; fn: 'gemm_op_u8s8' | 'gemm_op_f32'; gemm: GemmTiles };

interface GemmTiles {
  mode: number; pc?: PaddedConv; P: number; KP: number; MT: number; NC: number; nchunk: number; msplit: number;
  wbytes: number; scratch: number; items: number;
}

/** the weights as the kernels take them */
interface GemmWeights { wq: Int8Array | Float32Array; bias?: Float32Array; os?: Float32Array; ds?: number }

export const gemmFamily = family<GemmPlan>({
  name: 'gemm',
  ops: ['conv2d', 'depthwise_conv2d', 'fc', 'mul', 'matmul', 'matmul_v2'],
  describe(node, ctx) {
    const shape = gemmShape(node);
    if (!shape) return undefined;
    return decide(node, shape, ctx);
  },
  prepare(node, plan, w, ctx) {
    const ws = gemmWeights(node, w);
    return 'gemv' in plan ? gemvPrepare(ctx, plan.shape, plan.gemv, plan.fn, ws) : gemmPrepare(ctx, plan.shape, plan.gemm, plan.fn, ws);
  },
});

function gemmShape(node: OpNode): GemmShape | undefined {
  const op = node.op;
  switch (op.type) {
    case 'conv2d': case 'depthwise_conv2d': {
      if (!constFilter(node)) return undefined;
      const c = convEpilogue(node);
      const { g } = c;
      const M = g.oc / g.groups, P = g.oh * g.ow;
      const common = {
        int8: c.int8, signed: c.signed, M, K: c.per, P, nimg: g.n, rs: c.per, ks: 1, outType: c.outType, resType: c.resType,
        act: c.act, alpha: c.alpha, beta: c.beta, sumScale: c.sumScale, xSlot: 'Input', ySlot: 'Output', rSlot: 'ResidualData',
      };
      // a 1×1, stride-1, unpadded conv is already a GEMM on the NCHW activations (K = IC rows of H·W contiguous
      // positions): run it in matrix mode, so each panel row is one contiguous copy instead of an im2col gather
      if (conv1x1Direct(g)) return { ...common, groups: 1, xsk: P, xsp: 1, ximg: g.ic * P, ysr: P, ysp: 1, yimg: g.oc * P };
      return { ...common, groups: g.groups, conv: gemmConv(g), xsk: 0, xsp: 0, ximg: g.ic * g.ih * g.iw, ysr: P, ysp: 1, yimg: g.oc * P };
    }
    case 'fc': {
      if (!node.inputs.W?.[0]?.value) return undefined;
      const x = node.inputs.Input[0], out = node.outputs.Out[0];
      const [K, N] = node.inputs.W[0].dims;
      const M = prod(x.dims, 0, attrNum(op, 'in_num_col_dims'));
      const relu = attrStr(op, 'activation_type') === 'relu';
      const int8 = isIntType(x.dtype);
      return {
        groups: 1, M: N, K, P: M, nimg: 1, rs: 1, ks: N, xsk: 1, xsp: K, ximg: 0, ysr: 1, ysp: N, yimg: 0, beta: 0, sumScale: 0, resType: 0,
        int8, signed: int8 && x.dtype === 'int8', outType: int8 ? tcode(out.dtype) : T.f32, act: relu ? ACT.relu : ACT.none, alpha: 0,
        xSlot: 'Input', ySlot: 'Out',
      };
    }
    case 'mul': {
      if (!node.inputs.Y?.[0]?.value) return undefined;
      const xd = node.inputs.X[0].dims, yd = node.inputs.Y[0].dims;
      const xn = attrNum(op, 'x_num_col_dims'), yn = attrNum(op, 'y_num_col_dims');
      const M = prod(xd, 0, xn), K = prod(xd, xn), N = prod(yd, yn);
      return {
        int8: false, signed: false, groups: 1, M: N, K, P: M, nimg: 1, rs: 1, ks: N,
        outType: T.f32, resType: 0, act: ACT.none, alpha: 0, beta: 0, sumScale: 0, xsk: 1, xsp: K, ximg: 0, ysr: 1, ysp: N, yimg: 0,
        xSlot: 'X', ySlot: 'Out',
      };
    }
    case 'matmul': case 'matmul_v2': {
      const x = node.inputs.X[0], y = node.inputs.Y[0];
      if (x.dtype !== 'fp32' || !y.value || y.dims.length !== 2 || x.dims.length < 2) return undefined;
      const { tx, ty } = matmulTrans(node);
      const g = matmulGeom(op, x.dims, y.dims, tx, ty);
      const nb = g.xIndex.length;
      // X broadcast over batches: the reference kernel
      for (let i = 0; i < nb; i++) if (g.xIndex[i] !== i) return undefined;
      const { M, K, N } = g;
      return {
        int8: false, signed: false, groups: 1, M: N, K, P: M, nimg: nb, rs: ty ? K : 1, ks: ty ? 1 : N,
        outType: T.f32, resType: 0, act: ACT.none, alpha: 0, beta: 0, sumScale: 0,
        xsk: tx ? M : 1, xsp: tx ? 1 : K, ximg: M * K, ysr: 1, ysp: N, yimg: M * N, xSlot: 'X', ySlot: 'Out',
      };
    }
    default: return undefined;
  }
}

function matmulTrans(node: OpNode): { tx: boolean; ty: boolean } {
  const op = node.op;
  const v2 = op.type === 'matmul_v2';
  return { tx: attrBool(op, v2 ? 'trans_x' : 'transpose_X'), ty: attrBool(op, v2 ? 'trans_y' : 'transpose_Y') };
}

function decide(node: OpNode, s: GemmShape, ctx: WasmCtx): Decision<GemmPlan> {
  const x = node.inputs[s.xSlot][0];
  const t = tname(x.dtype);
  const relaxed = ctx.isa === 'relaxed-simd';
  // matrix ops with 1..3 contiguous rows: the matrix-vector kernels
  if (!s.conv && s.nimg === 1 && s.P <= 3 && s.xsk === 1 && s.xsp === s.K && s.ysr === 1 && s.ysp === s.M && s.act <= ACT.relu6 && s.resType === 0) {
    const N = s.M, K = s.K;
    const NP = Math.ceil(N / 4) * 4;
    const wbytes = s.int8 ? ctx.x.gemv_wpack_bytes_s8(N, K) : NP * Math.ceil(K / 4) * 4 * 4;
    const scratch = 64 + (s.int8 ? ctx.x.gemv_scratch_s8(s.P, K) : 0);
    const variant = s.int8 ? (relaxed ? `gemv_${t}s8s32_4x16c16_relaxed7_or_4x16_simd128` : `gemv_${t}s8s32_4x16_simd128`) : `gemv_f32_4x4_${relaxed ? 'relaxed_madd' : 'simd128'}`;
    const fn = s.int8 ? 'gemv_u8s8s32' : 'gemv_f32_4x4_simd128';
    return { fn, variant: `${node.op.type}_${variant}`, plan: { shape: s, fn, gemv: { NP, wbytes, scratch } } };
  }
  const { int8 } = s;
  const wbytes = int8 ? ctx.x.wpack_bytes_s8(s.groups, s.M, s.K) : ctx.x.wpack_bytes_f32(s.groups, s.M, s.K);
  const kal = int8 ? ctx.x.k_align_i8() : 1;
  const KP = Math.ceil(s.K / kal) * kal;
  const MT = Math.ceil(s.M / 4);
  const colBytes = int8 ? KP * 2 : s.K * 4;
  const pc = int8 ? paddedConv(s.conv) : undefined;
  const P = pc ? pc.P : s.P;
  // panel budget: L1/L2-sized; when the packed weights are large (fc layers), a bigger panel so they stream once
  const panelBudget = wbytes > (1 << 20) ? 512 * 1024 : 96 * 1024;
  let NC = Math.max(8, Math.min(256, Math.floor(panelBudget / colBytes / 8) * 8));
  NC = Math.min(NC, Math.ceil(P / 8) * 8);
  const threads = ctx.threads;
  // enough items for the threads: shrink chunks, then split the channel tiles
  const itemsFor = (nc: number) => s.nimg * s.groups * Math.ceil(P / nc);
  while (threads > 1 && NC > 8 && itemsFor(NC) < 2 * threads) NC = Math.max(8, Math.ceil(NC / 2 / 8) * 8);
  const nchunk = Math.ceil(P / NC);
  let msplit = 1;
  if (threads > 1 && itemsFor(NC) < threads) msplit = Math.min(MT, Math.ceil(threads / itemsFor(NC)));
  // tile, tmp, gathered rows, panel (conv.ts); padded mode adds the k offset table and the padded image
  let scratch = 256 + 4 * (NC * 4 + 64) + colBytes * NC + 64;
  if (pc) scratch += 16 + 4 * s.K + 32 + pc.bytes + 64;
  const items = s.nimg * s.groups * nchunk * msplit;
  const mode = pc ? 2 : s.conv ? 0 : 1;
  const fn = int8 ? 'gemm_op_u8s8' : 'gemm_op_f32';
  const gemm = gemmVariant(int8, t, relaxed);
  const f = node.inputs.Filter?.[0]?.dims;
  const variant = f ? `conv${f[2]}x${f[3]}_${mode === 1 ? 'direct' : pc ? 'padded' : 'im2col'}_${gemm}` : `${node.op.type}_${gemm}`;
  return { fn, variant, plan: { shape: s, fn, gemm: { mode, pc, P, KP, MT, NC, nchunk, msplit, wbytes, scratch, items } } };
}

function gemmWeights(node: OpNode, w: WeightTensors): GemmWeights {
  const op = node.op;
  switch (op.type) {
    case 'fc': {
      const x = node.inputs.Input[0], out = node.outputs.Out[0];
      const [K, N] = node.inputs.W[0].dims;
      const src = weightOf(node, w, node.inputs.W[0]);
      const bSpec = node.inputs.Bias?.[0];
      const bsrc = bSpec ? weightOf(node, w, bSpec) : undefined;
      if (isIntType(x.dtype)) {
        const sc = int8Scales(node, N, out.dtype, false);
        const wq = new Int8Array(K * N);
        for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wq[k * N + j] = node.inputs.W[0].dtype === 'int8' ? (src[k * N + j] as number) : quantizeWeight(src[k * N + j] as number, sc.sw[j]);
        return { wq, bias: f32Bias(bsrc, N), os: sc.deq, ds: sc.dstScale };
      }
      return { wq: Float32Array.from(src as ArrayLike<number>), bias: bsrc ? Float32Array.from(bsrc as ArrayLike<number>) : undefined };
    }
    case 'mul': return { wq: Float32Array.from(weightOf(node, w, node.inputs.Y[0]) as ArrayLike<number>) };
    case 'matmul': case 'matmul_v2': {
      const alpha = op.type === 'matmul_v2' ? 1 : attrNum(op, 'alpha');
      const src = weightOf(node, w, node.inputs.Y[0]);
      const wf = new Float32Array(src.length);
      for (let i = 0; i < wf.length; i++) wf[i] = (src[i] as number) * alpha;
      return { wq: wf };
    }
    default: return convWeights(node, w, convEpilogue(node));
  }
}

/** one to three rows of a matrix op: transposed weights, four features per step (wasm/assembly/gemv.ts) */
function gemvPrepare(ctx: WasmCtx, s: GemmShape, d: { NP: number; wbytes: number; scratch: number }, fn: string, ws: GemmWeights): Run {
  const { mem, x } = ctx;
  const b = mem.block();
  const N = s.M, K = s.K, NP = d.NP;
  const wp = mem.kalloc(d.wbytes);
  const src = mem.uploadTmp(ws.wq);
  if (s.int8) x.gemv_wpack_s8(src.off, wp, N, K, s.rs, s.ks);
  else x.gemv_wpack_f32(src.off, wp, N, K, s.rs, s.ks);
  src.free();
  const pad = (a: Float32Array) => { const o = new Float32Array(NP); o.set(a); return o; };
  const bias = ws.bias ? mem.upload(pad(ws.bias)) : s.int8 ? mem.upload(new Float32Array(NP)) : 0;
  const os = ws.os ? mem.upload(pad(ws.os)) : 0;
  mem.ensureScratch(d.scratch);
  b.i(G.M, N); b.i(G.K, K); b.i(G.P, s.P); b.i(G.W, wp); b.i(G.BIAS, bias); b.i(G.OS, os);
  b.i(G.FLAGS, convFlags(s.signed, 0, s.outType)); b.i(G.ACT, s.act); b.f(G.ALPHA, s.alpha); b.f(G.DS, ws.ds ?? 1);
  const items = NP / 4;
  const f = poolFn(fn as 'gemv_u8s8s32' | 'gemv_f32_4x4_simd128');
  const { xSlot, ySlot } = s;
  return (io, a) => {
    b.i(G.X, a(io.inputs[xSlot][0]));
    b.i(G.Y, a(io.outputs[ySlot][0]));
    b.i(G.SCR, mem.scratchBase); b.i(G.SCRSTRIDE, mem.scratchStride);
    ctx.par(f, b.p, items);
  };
}

function gemmPrepare(ctx: WasmCtx, s: GemmShape, d: GemmTiles, fn: string, ws: GemmWeights): Run {
  const { mem, x } = ctx;
  const b = mem.block();
  const { int8 } = s;
  const wp = mem.kalloc(d.wbytes);
  const src = mem.uploadTmp(ws.wq);
  if (int8) x.pack_weights_s8(src.off, wp, s.groups, s.M, s.K, s.rs, s.ks);
  else x.pack_weights_f32(src.off, wp, s.groups, s.M, s.K, s.rs, s.ks);
  src.free();
  const rowsAll = s.groups * s.M;
  const bias = ws.bias ? mem.upload(ws.bias) : int8 ? mem.upload(new Float32Array(rowsAll)) : 0;
  const os = ws.os ? mem.upload(ws.os) : 0;
  mem.ensureScratch(d.scratch);
  const c = s.conv, pc = d.pc;
  b.i(G.MODE, d.mode);
  if (pc) { b.i(G.OW8, pc.ow8); b.i(G.PW, pc.pw); b.i(G.PH, pc.ph); }
  if (c) {
    b.i(G.IC, c.ic); b.i(G.IH, c.ih); b.i(G.IW, c.iw); b.i(G.OH, c.oh); b.i(G.OW, c.ow); b.i(G.KH, c.kh); b.i(G.KW, c.kw);
    b.i(G.SH, c.sh); b.i(G.SW, c.sw); b.i(G.DH, c.dh); b.i(G.DW, c.dw); b.i(G.PT, c.pt); b.i(G.PL, c.pl); b.i(G.ICG, c.icg);
  }
  b.i(G.GROUPS, s.groups); b.i(G.M, s.M); b.i(G.K, s.K); b.i(G.P, d.P); b.i(G.NIMG, s.nimg);
  b.i(G.W, wp); b.i(G.BIAS, bias); b.i(G.OS, os);
  b.i(G.FLAGS, convFlags(s.signed, s.resType, s.outType));
  b.i(G.ACT, s.act); b.f(G.ALPHA, s.alpha); b.f(G.BETA, s.beta); b.f(G.SUMSCALE, s.sumScale); b.f(G.DS, ws.ds ?? 1);
  b.i(G.NC, d.NC); b.i(G.NCHUNK, d.nchunk); b.i(G.KP, d.KP); b.i(G.MT, d.MT); b.i(G.MSPLIT, d.msplit);
  b.i(G.XSK, s.xsk); b.i(G.XSP, s.xsp); b.i(G.XIMG, s.ximg); b.i(G.YSR, s.ysr); b.i(G.YSP, s.ysp); b.i(G.YIMG, s.yimg);
  const items = d.items;
  const f = poolFn(fn as 'gemm_op_u8s8' | 'gemm_op_f32');
  const { xSlot, ySlot, rSlot } = s;
  return (io, a) => {
    b.i(G.X, a(io.inputs[xSlot][0]));
    b.i(G.Y, a(io.outputs[ySlot][0]));
    if (rSlot && s.resType) b.i(G.R, a(io.inputs[rSlot][0]));
    b.i(G.SCR, mem.scratchBase); b.i(G.SCRSTRIDE, mem.scratchStride);
    ctx.par(f, b.p, items);
  };
}

/** 1×1, stride 1, unpadded, ungrouped: the conv is a GEMM on the NCHW activations as they are */
function conv1x1Direct(g: ConvGeom): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.groups === 1 && g.pad.every((v: number) => v === 0);
}

/** the conv geometry the kernels take */
function gemmConv(g: ConvGeom): ConvShape {
  return { ic: g.ic, ih: g.ih, iw: g.iw, oh: g.oh, ow: g.ow, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw, pt: g.pad[0], pl: g.pad[2], icg: g.ic / g.groups };
}

interface PaddedConv { ow8: number; pw: number; ph: number; P: number; bytes: number }

/**
 * INT8 k×k convs with stride 1 or 2 read the panel straight from a zero-padded copy of the image (conv.ts MODE 2):
 * rows of ow8 = OW rounded up to 8 positions, wide enough that every 8-column block is one load per k.
 * Positions become OH·ow8. Undefined (gather mode) for other strides or a padded image over 4 MiB per thread.
 */
function paddedConv(c: ConvShape | undefined): PaddedConv | undefined {
  if (!c || (c.sw !== 1 && c.sw !== 2)) return undefined;
  const ow8 = Math.ceil(c.ow / 8) * 8;
  const pw = Math.max(c.sw * ow8 + (c.kw - 1) * c.dw, c.pl + c.iw);
  const ph = Math.max((c.oh - 1) * c.sh + (c.kh - 1) * c.dh + 1, c.pt + c.ih);
  const bytes = c.ic * ph * pw + 16;
  if (bytes > 4 << 20) return undefined;
  return { ow8, pw, ph, P: c.oh * ow8, bytes };
}
