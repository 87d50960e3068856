// What the three conv families (GEMM, depthwise, Winograd) share: the fused epilogue as the kernels take it (decided
// from attributes in describe) and the weights, bias and INT8 scales (made from the weights in prepare).
import type { OpNode, WeightTensors } from '../../../runtime/backend';
import type { ParamBlock } from '../memory';
import { attrBool, attrInts, attrNum, attrStr, convGeom, isIntType, relu6Bound } from '../../../runtime/op_rules';
import type { DType, TypedArray } from '../../../util/dtype';
import { int8Scales as contractScales, quantizeWeight } from '../../../int8/contract';
import { perChannel } from '../../reference/kernels/util';
import { fail, tcode, weightOf, type Run, type WasmCtx } from '../family';
import { ACT, CF, T } from '../params';

export type ConvGeom = ReturnType<typeof convGeom>;

/** a conv's epilogue codes and geometry: attributes only, so describe() can decide with them */
export interface ConvEpilogue {
  g: ConvGeom;
  int8: boolean;
  signed: boolean;
  /** input elements per output channel */
  per: number;
  outType: number; resType: number;
  act: number; alpha: number; beta: number; sumScale: number;
}

export function convEpilogue(node: OpNode): ConvEpilogue {
  const op = node.op;
  const x = node.inputs.Input[0], f = node.inputs.Filter[0], out = node.outputs.Output[0];
  const g = convGeom(op, x.dims, f.dims);
  const int8 = isIntType(x.dtype);
  const residual = attrBool(op, 'fuse_residual_connection');
  const r = residual ? node.inputs.ResidualData?.[0] : undefined;
  const per = (g.ic / g.groups) * g.kh * g.kw;
  if (int8) {
    const actName = attrStr(op, 'fuse_activation');
    const act = actName === 'relu' ? ACT.relu : actName === 'relu6' ? ACT.relu6 : ACT.none;
    return {
      g, int8, per, outType: tcode(out.dtype), resType: r ? tcode(r.dtype) : 0,
      act, alpha: act === ACT.relu6 ? relu6Bound(op) : 0, beta: 0,
      sumScale: residual ? Math.fround(1 / attrNum(op, 'Scale_in_eltwise')) : 0, signed: x.dtype === 'int8',
    };
  }
  return { g, int8, per, outType: T.f32, resType: r ? 3 : 0, ...fp32Act(node), sumScale: 0, signed: false };
}

/** a conv's weights as the kernels take them: s8 quantized (INT8) or f32, f32 bias, INT8 dq[c] and multiplier */
export interface ConvWeights { wq: Int8Array | Float32Array; bias?: Float32Array; os?: Float32Array; ds: number }

export function convWeights(node: OpNode, w: WeightTensors, e: ConvEpilogue): ConvWeights {
  const op = node.op;
  const f = node.inputs.Filter[0], out = node.outputs.Output[0];
  const { g, per } = e;
  const src = weightOf(node, w, f);
  const bSpec = node.inputs.Bias?.[0];
  const bsrc = bSpec ? weightOf(node, w, bSpec) : undefined;
  if (e.int8) {
    const sc = int8Scales(node, g.oc, out.dtype, attrBool(op, 'force_fp32_output'));
    const wq = new Int8Array(g.oc * per);
    for (let oc = 0; oc < g.oc; oc++) {
      for (let i = 0; i < per; i++) {
        const v = src[oc * per + i] as number;
        wq[oc * per + i] = f.dtype === 'int8' ? v : quantizeWeight(v, sc.sw[oc]);
      }
    }
    return { wq, bias: f32Bias(bsrc, g.oc), os: sc.deq, ds: sc.dstScale };
  }
  const wf = src instanceof Float32Array ? src : Float32Array.from(src as ArrayLike<number>);
  return { wq: wf, bias: bsrc ? Float32Array.from(bsrc as ArrayLike<number>) : undefined, ds: 1 };
}

export interface Int8Conv { deq: Float32Array; dstScale: number; sw: Float64Array }

/** the contract's dq[c] and output multiplier (src/int8/contract.ts int8Scales) */
export function int8Scales(node: OpNode, nch: number, outDtype: DType, forceF32: boolean): Int8Conv {
  const op = node.op;
  const sw = perChannel(node, attrInts(op, 'Scale_weights'), nch);
  const { deq, dstScale } = contractScales(sw, attrNum(op, 'Scale_in'), attrNum(op, 'Scale_out'), forceF32 || outDtype === 'fp32');
  return { deq, dstScale, sw };
}

/** an int8 op's f32 bias (zeros when it has none), as the epilogue adds it */
export function f32Bias(src: TypedArray | undefined, n: number): Float32Array {
  const b = new Float32Array(n);
  if (src) for (let c = 0; c < n; c++) b[c] = src[c] as number;
  return b;
}

function fp32Act(node: OpNode): { act: number; alpha: number; beta: number } {
  const op = node.op;
  const a = attrNum(op, 'fuse_alpha'), b = attrNum(op, 'fuse_beta');
  switch (attrStr(op, 'fuse_activation')) {
    case '': return { act: ACT.none, alpha: 0, beta: 0 };
    case 'relu': return { act: ACT.relu, alpha: 0, beta: 0 };
    case 'relu6': return { act: ACT.relu6, alpha: relu6Bound(op), beta: 0 };
    case 'leaky_relu': return { act: ACT.leaky_relu, alpha: a, beta: 0 };
    case 'hard_swish': return { act: ACT.hard_swish, alpha: a, beta: b };
    case 'swish': return { act: ACT.swish, alpha: a, beta: 0 };
    default: return fail(node, `fuse_activation ${attrStr(op, 'fuse_activation')} is not supported`);
  }
}

/** the FLAGS word of conv / GEMM blocks (abi.ts CF) */
export function convFlags(signed: boolean, resType: number, outType: number): number {
  return (signed ? CF.SIGNED : 0) | (resType << CF.RES_SHIFT) | (outType << CF.OUT_SHIFT);
}

/** the gemm name part of variants: the inner kernel the ISA build runs */
export function gemmVariant(int8: boolean, t: string, relaxed: boolean): string {
  return int8 ? (relaxed ? `gemm_${t}s8s32_4x8c4_relaxed7_or_4x8_simd128` : `gemm_${t}s8s32_4x8_simd128`) : (relaxed ? 'gemm_f32_4x8_relaxed_madd' : 'gemm_f32_4x8_simd128');
}

/** whether a conv with a constant filter is depthwise (one group per channel, as many outputs) */
export function isDepthwise(g: ConvGeom): boolean { return g.groups > 1 && g.groups === g.ic && g.oc === g.ic; }

/** conv ops that a wasm conv family may take: a constant filter */
export function constFilter(node: OpNode): boolean { return !!node.inputs.Filter?.[0]?.value; }

/** a conv kernel's run: io addresses and the scratch into its parameter block (G or D slots), then the thread split */
export function convRun(ctx: WasmCtx, b: ParamBlock, s: { X: number; Y: number; R: number; SCR: number; SCRSTRIDE: number },
  fn: number, items: number, residual: boolean): Run {
  const { mem } = ctx;
  return (io, a) => {
    b.i(s.X, a(io.inputs.Input[0]));
    b.i(s.Y, a(io.outputs.Output[0]));
    if (residual) b.i(s.R, a(io.inputs.ResidualData[0]));
    b.i(s.SCR, mem.scratchBase); b.i(s.SCRSTRIDE, mem.scratchStride);
    ctx.par(fn, b.p, items);
  };
}
