// The native backend: conv2d (plain, grouped, depthwise), fc and pool2d on oneDNN through the qdeploy_dnnl addon, INT8
// byte-identical to the contract (src/int8/contract.ts) and FP32 within the kernel suite's tolerance.
// describe() accepts only what runs exactly on the ISA oneDNN picked and declines the rest with the reason;
// prepare() quantizes weights by the contract and creates the primitive; execute() runs it in place on the arena
// (an aligned external ArrayBuffer the addon owns).
//
// How INT8 stays exact (measured in the spec file onednn-mapping.md and by test/kernels/native.test.ts):
// - VNNI ISAs: oneDNN's own epilogue in the mapping measured exact (dq[c] as output scales, the f32 bias as a
//   binary_add post-op, activation, eltwise_linear(ds)) — 'direct'.
// - Residual (fuse_residual_connection): not oneDNN's sum post-op, which computes v + s·r with one rounding where
//   the contract rounds f32(s·r) first (1–3 outputs per layer would differ): the addon makes the f32(s·r) terms
//   itself and adds them with a binary_add post-op.
// - ISAs without VNNI (avx2, avx512_core): vpmaddubsw saturates each u8×s8 pair sum to int16, so oneDNN is exact
//   only for u8 activations with |w_q| ≤ 64 (255·64·2 < 2^15) — depthwise too (the spec file's one layer was exact
//   on avx2, the kernel suite's 2- and 3-channel depthwise convs are not). Larger weights run 'split': the
//   primitive runs on two 7-bit halves a = floor(w/2), b = w − a into exact s32 sums, and the addon applies the
//   contract's epilogue. s8 activations are inexact there everywhere: declined.
// - Non-finite scales (Scale_in 0): oneDNN converts the NaN of 0·inf differently from the contract: 'split' too.
// Everything but conv2d, depthwise_conv2d, fc and pool2d (adaptive pooling aside) is declined, and the runtime places
// it on the next backend of the list (--backend native: the reference, on this backend's arena).
// Layouts: INT8 activations stay NHWC in the arena (KernelDesc.layouts; oneDNN's INT8 kernels pinned to NCHW fall to
// its slow reference kernel), so consecutive INT8 ops pass them on with no reorder and the runtime reorders only
// at the edges. FP32 ops keep NCHW in the arena: oneDNN's FP32 kernels want a blocked layout, reordered in the op.
import type { Arena, Backend, BackendInfo, Kernel, KernelDesc, KernelIO, OpNode, Unsupported, WeightTensors } from '../../runtime/backend';
import type { Layout } from '../../runtime/layout';
import { attrBool, attrInts, attrNum, attrStr, convGeom, isIntType, poolGeom, prod, relu6Bound, type PoolGeom } from '../../runtime/op_rules';
import type { DType, TypedArray } from '../../util/dtype';
import { QdeployError } from '../../util/errors';
import { int8Scales, quantizeWeight } from '../../int8/contract';
import { loadDnnlAddon, type DnnlAddon, type NativeDType, type NativeHandle, type NativeInfo, type NativeOpSpec } from './addon';

/** ops the native backend runs (the rest are declined with this list in the reason) */
export const NATIVE_OPS = ['conv2d', 'depthwise_conv2d', 'fc', 'pool2d'] as const;

/** effective ISAs whose INT8 kernels use VNNI (vpdpbusd: s32 accumulation, no int16 pair sums) */
const VNNI_ISAS = new Set(['avx512_core_vnni', 'avx512_core_bf16', 'avx512_core_amx', 'avx2_vnni']);
/** ISAs oneDNN has JIT INT8/FP32 kernels for that we accept at all */
const USABLE_ISAS = new Set(['avx2', 'avx2_vnni', 'avx512_core', ...VNNI_ISAS]);

/** largest |w_q| whose u8 pair sums 255·(|w0|+|w1|) stay inside int16 */
const SAT_FREE_W = 64;

export interface NativeOptions {
  threads?: number;
  /** oneDNN ISA cap for the process (avx2, avx512_core, avx512_core_vnni, …); must come before the first use */
  maxIsa?: string;
}

let state: { addon?: DnnlAddon; info?: NativeInfo; reason?: string; maxIsa?: string } | undefined;

/** the addon and oneDNN's ISA, fixed on first call (a cap, if any, is applied first) */
function load(maxIsa?: string): NonNullable<typeof state> {
  if (state) {
    if (maxIsa && state.addon && maxIsa !== state.maxIsa) {
      throw new QdeployError('usage', `the ISA cap is process-wide and already fixed (${state.maxIsa ?? state.info?.effectiveIsa}): cannot cap to ${maxIsa}`);
    }
    return state;
  }
  const l = loadDnnlAddon();
  if (!l.addon) return (state = { reason: l.reason });
  if (maxIsa) {
    const why = l.addon.setMaxIsa(maxIsa);
    if (why) throw new QdeployError('usage', `max ISA ${maxIsa}: ${why}`);
  }
  const info = l.addon.info();
  if (!USABLE_ISAS.has(info.effectiveIsa)) {
    return (state = { reason: `oneDNN ${info.version} would run ${info.effectiveIsa} on this CPU (best: ${info.cpuBest}); the native backend needs AVX2 or better` });
  }
  return (state = { addon: l.addon, info, maxIsa });
}

/** why the native backend cannot run here, or undefined when it can */
export function nativeUnavailable(): string | undefined {
  return load().reason;
}

/** oneDNN's version and ISA, when available (for selection messages) */
export function nativeInfo(): NativeInfo | undefined {
  return load().info;
}

/** the arena: an aligned buffer the addon allocated; the kernels address it by offset */
class NativeArena implements Arena {
  constructor(readonly buffer: ArrayBuffer, readonly bytes: number) {}
  u8(): Uint8Array { return new Uint8Array(this.buffer, 0, this.bytes); }
}

interface NativeKernel extends Kernel {
  handle: NativeHandle;
  inSlot: string;
  outSlot: string;
  resSlot?: string;
}

/** the INT8 activation slots in NHWC (the residual as the output it is added to) */
const NHWC: Layout = 'NHWC';
const nhwc = (inputs: string[], outputs: string[]): NonNullable<KernelDesc['layouts']> => ({
  inputs: Object.fromEntries(inputs.map((k) => [k, NHWC])), outputs: Object.fromEntries(outputs.map((k) => [k, NHWC])),
});

const ntype = (d: DType): NativeDType => (d === 'uint8' ? 'u8' : d === 'int8' ? 's8' : 'f32');

export class NativeBackend implements Backend {
  readonly name = 'native' as const;
  readonly alignment = 64;
  /** the addon runs on its own aligned buffer (allocArena): the reference backend can share it, wasm cannot */
  readonly runsOnAnyArena = false;
  readonly threads: number;
  readonly addon: DnnlAddon;
  readonly lib: NativeInfo;
  /** INT8 without VNNI saturates: only the exact subset is accepted */
  readonly vnni: boolean;

  constructor(opts: NativeOptions = {}) {
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new QdeployError('usage', `--num_threads must be 1..256, got ${threads}`);
    const l = load(opts.maxIsa);
    if (!l.addon || !l.info) throw new QdeployError('backend', `native backend unavailable: ${l.reason}`);
    this.addon = l.addon;
    this.lib = l.info;
    this.threads = threads;
    this.vnni = VNNI_ISAS.has(l.info.effectiveIsa);
  }

  info(): BackendInfo {
    return {
      name: 'native', available: true, isa: this.lib.effectiveIsa, threads: this.threads,
      features: [
        `oneDNN ${this.lib.version}`, `CPU best ${this.lib.cpuBest} (cpuid + XGETBV)`,
        this.vnni ? 'INT8 on VNNI: exact mapping' : 'INT8 without VNNI: u8 activations, |w| <= 64 direct, larger weights as two 7-bit halves (split7)',
        'INT8 activations NHWC in the arena (reordered by the runtime at the edges); FP32 reordered NCHW <-> blocked in each op (counted)',
      ],
    };
  }

  describe(node: OpNode): KernelDesc | Unsupported {
    const t = node.op.type;
    if (t === 'conv2d' || t === 'depthwise_conv2d') return this.describeConv(node);
    if (t === 'fc') return this.describeFc(node);
    if (t === 'pool2d') return this.describePool(node);
    return { unsupported: `native runs ${NATIVE_OPS.join(', ')}` };
  }

  private describeConv(node: OpNode): KernelDesc | Unsupported {
    const op = node.op;
    const x = node.inputs.Input?.[0], w = node.inputs.Filter?.[0], b = node.inputs.Bias?.[0], out = node.outputs.Output?.[0];
    if (!x || !w || !out) return { unsupported: 'Input, Filter and Output are required' };
    if (!w.value) return { unsupported: 'Filter is not a constant' };
    if (w.dtype !== 'fp32' && w.dtype !== 'int8') return { unsupported: `Filter dtype ${w.dtype}` };
    if (b && (!b.value || b.dtype !== 'fp32')) return { unsupported: 'Bias must be a constant fp32 tensor' };
    const g = convGeom(op, x.dims, w.dims);
    const residual = attrBool(op, 'fuse_residual_connection');
    const act = attrStr(op, 'fuse_activation');
    const dw = g.groups > 1 && g.groups === g.ic && g.oc === g.ic;
    if (!isIntType(x.dtype)) {
      if (x.dtype !== 'fp32' || out.dtype !== 'fp32') return { unsupported: `Input dtype ${x.dtype}, Output ${out.dtype}` };
      if (!['', 'relu', 'relu6', 'leaky_relu'].includes(act)) return { unsupported: `fp32 fuse_activation ${act} (native fuses relu, relu6, leaky_relu)` };
      const r = node.inputs.ResidualData?.[0];
      if (residual && (!r || r.dtype !== 'fp32')) return { unsupported: 'fp32 residual must be an fp32 ResidualData' };
      return { node, kernel: `${dw ? 'conv_dw' : 'conv'}_f32_onednn` };
    }
    if (!['uint8', 'int8', 'fp32'].includes(out.dtype)) return { unsupported: `Output dtype ${out.dtype}` };
    if (act !== '' && act !== 'relu' && act !== 'relu6') return { unsupported: `int8 fuse_activation ${act}` };
    if (residual) {
      const r = node.inputs.ResidualData?.[0];
      if (!r || !isIntType(r.dtype)) return { unsupported: `int8 residual must be a u8/s8 ResidualData, got ${r?.dtype ?? 'none'}` };
    }
    const path = this.int8Path(node, x.dtype, () => convWeightsQ(node), g.oc);
    if (typeof path !== 'string') return path;
    return {
      node, kernel: `${dw ? 'conv_dw' : 'conv'}_${ntype(x.dtype)}s8_onednn${path === 'split' ? '_split7' : ''}`, data: path,
      layouts: nhwc(residual ? ['Input', 'ResidualData'] : ['Input'], ['Output']),
    };
  }

  private describePool(node: OpNode): KernelDesc | Unsupported {
    const x = node.inputs.X?.[0], out = node.outputs.Out?.[0];
    if (!x || !out) return { unsupported: 'X and Out are required' };
    if (!['uint8', 'int8', 'fp32'].includes(x.dtype) || out.dtype !== x.dtype) return { unsupported: `X dtype ${x.dtype}, Out ${out?.dtype}` };
    const g = poolGeom(node.op, x.dims);
    if (g.adaptive) return { unsupported: 'adaptive pooling (windows of different sizes per output)' };
    const pads = poolPads(g);
    if (pads.pb >= g.kh || pads.pr >= g.kw || g.pad[0] >= g.kh || g.pad[2] >= g.kw) {
      return { unsupported: `padding ${g.pad} (with ceil_mode: bottom ${pads.pb}, right ${pads.pr}) reaches a whole ${g.kh}x${g.kw} window` };
    }
    return { node, kernel: `pool2d_${g.type}_${ntype(x.dtype)}_onednn`, ...(isIntType(x.dtype) ? { layouts: nhwc(['X'], ['Out']) } : {}) };
  }

  private describeFc(node: OpNode): KernelDesc | Unsupported {
    const op = node.op;
    const x = node.inputs.Input?.[0], w = node.inputs.W?.[0], b = node.inputs.Bias?.[0], out = node.outputs.Out?.[0];
    if (!x || !w || !out) return { unsupported: 'Input, W and Out are required' };
    if (!w.value || w.dims.length !== 2) return { unsupported: 'W must be a constant 2-D tensor' };
    if (w.dtype !== 'fp32' && w.dtype !== 'int8') return { unsupported: `W dtype ${w.dtype}` };
    if (b && (!b.value || b.dtype !== 'fp32')) return { unsupported: 'Bias must be a constant fp32 tensor' };
    const act = attrStr(op, 'activation_type');
    if (act !== '' && act !== 'relu') return { unsupported: `activation_type ${act}` };
    const ncd = attrNum(op, 'in_num_col_dims');
    if (prod(x.dims, ncd) !== w.dims[0]) return { unsupported: `Input [${x.dims}] with in_num_col_dims ${ncd} does not match W [${w.dims}]` };
    if (!isIntType(x.dtype)) {
      if (x.dtype !== 'fp32') return { unsupported: `Input dtype ${x.dtype}` };
      return { node, kernel: 'fc_f32_onednn' };
    }
    if (!['uint8', 'int8', 'fp32'].includes(out.dtype)) return { unsupported: `Out dtype ${out.dtype}` };
    const path = this.int8Path(node, x.dtype, () => fcWeightsQ(node), w.dims[1]);
    if (typeof path !== 'string') return path;
    // a 4-D input flattened whole (in_num_col_dims 1) is read NHWC, as the conv before it left it
    return {
      node, kernel: `fc_${ntype(x.dtype)}s8_onednn${path === 'split' ? '_split7' : ''}`, data: path,
      ...(x.dims.length === 4 && ncd === 1 ? { layouts: nhwc(['Input'], []) } : {}),
    };
  }

  /**
   * How this INT8 op runs exactly on the ISA in use: 'direct' (oneDNN's own epilogue, the mapping measured exact
   * on VNNI; without VNNI only when |w_q| <= 64), 'split' (two 7-bit weight halves, exact s32 sums, the contract's
   * epilogue in the addon), or why it cannot.
   */
  private int8Path(node: OpNode, xType: DType, weightsQ: () => Int8Array, rows: number): 'direct' | 'split' | Unsupported {
    const isa = this.lib.effectiveIsa;
    if (!this.vnni && xType === 'int8') return { unsupported: `s8 activations on ${isa} (no VNNI): oneDNN's INT8 kernels there are not exact for s8 inputs` };
    // an infinite dq (Scale_in 0) or output multiplier makes 0·inf = NaN, which the contract stores as 0 and
    // oneDNN's conversion does not: the addon's own epilogue does it the contract's way
    const out = (node.outputs.Output ?? node.outputs.Out)[0];
    const n = (node.inputs.Filter?.[0].dims[0]) ?? node.inputs.W[0].dims[1];
    const e = int8Epilogue(node, n, out.dtype, attrBool(node.op, 'force_fp32_output') && node.op.type !== 'fc');
    const finite = e.deq.every(Number.isFinite) && Number.isFinite(e.dstScale);
    if (this.vnni && finite) return 'direct';
    const wq = weightsQ();
    let mx = 0;
    for (const v of wq) mx = Math.max(mx, Math.abs(v));
    if (mx <= SAT_FREE_W && finite) return 'direct';
    // the halves' sums must stay exact through oneDNN's s32 output: |Σ x·h| <= 255·Σ|h| <= 2^24 per channel
    const per = wq.length / rows;
    for (let c = 0; c < rows; c++) {
      let sa = 0, sb = 0;
      for (let k = 0; k < per; k++) { const w = wq[c * per + k], a = Math.floor(w / 2); sa += Math.abs(a); sb += Math.abs(w - a); }
      if (255 * Math.max(sa, sb) > 1 << 24) {
        return { unsupported: `u8 × s8 on ${isa} (no VNNI) with weights up to |${mx}|: oneDNN's int16 pair sums would saturate, and channel ${c}'s sums are too large for the split-weight path` };
      }
    }
    return 'split';
  }

  prepare(desc: KernelDesc, weights: WeightTensors, _arena: Arena): Kernel {
    const node = desc.node;
    const t = node.op.type;
    const spec = t === 'fc' ? fcSpec(node, weights, this.threads, !!desc.layouts) : t === 'pool2d' ? poolSpec(node, this.threads) : convSpec(node, weights, this.threads);
    if (desc.data === 'split') spec.split = true;
    if (desc.layouts) spec.nhwc = true;
    let handle: NativeHandle;
    try {
      handle = this.addon.create(spec);
    } catch (e) {
      throw new QdeployError('backend', `op ${node.op.label}: native prepare failed: ${(e as Error).message}`);
    }
    // the plan shows oneDNN's implementation per op, e.g. conv_u8s8_onednn[brg:avx512_core_vnni]
    desc.kernel = `${desc.kernel}[${this.addon.impl(handle)}]`;
    const k: NativeKernel = {
      desc, handle, inSlot: t === 'pool2d' ? 'X' : 'Input', outSlot: t === 'conv2d' || t === 'depthwise_conv2d' ? 'Output' : 'Out',
      resSlot: spec.residual ? 'ResidualData' : undefined,
    };
    return k;
  }

  execute(k: Kernel, io: KernelIO): void {
    const n = k as NativeKernel;
    const res = n.resSlot ? io.inputs[n.resSlot][0].offset : -1;
    this.addon.run(n.handle, (io.arena as NativeArena).buffer, io.inputs[n.inSlot][0].offset, io.outputs[n.outSlot][0].offset, res);
  }

  allocArena(bytes: number): Arena {
    return new NativeArena(this.addon.allocArena(Math.max(bytes, 64)), bytes);
  }

  /** activation layout reorders run in the ops so far (FP32 convs and pools; INT8 ops run on NHWC: none) */
  reorders(): number { return this.addon.reorders(); }
}

function weightData(node: OpNode, weights: WeightTensors, slot: string): { data: TypedArray; dtype: DType } {
  const s = node.inputs[slot][0];
  const t = weights.get(s.name) ?? s.value;
  if (!t) throw new QdeployError('unsupported', `op ${node.op.label}: ${slot} '${s.name}' has no value`);
  return { data: t.data, dtype: t.dtype };
}

function perChannel(node: OpNode, n: number): number[] {
  const sw = attrInts(node.op, 'Scale_weights');
  if (sw.length !== 1 && sw.length !== n) throw new QdeployError('format', `op ${node.op.label}: Scale_weights has ${sw.length} values, expected 1 or ${n}`);
  return Array.from({ length: n }, (_, c) => (sw.length === 1 ? sw[0] : sw[c]));
}

/** conv weights quantized by the contract, OIHW (an int8 Filter is taken as already quantized) */
function convWeightsQ(node: OpNode, weights?: WeightTensors): Int8Array {
  const f = node.inputs.Filter[0];
  const { data, dtype } = weights ? weightData(node, weights, 'Filter') : { data: f.value!.data, dtype: f.value!.dtype };
  const oc = f.dims[0], per = data.length / oc;
  const sw = perChannel(node, oc);
  const wq = new Int8Array(data.length);
  for (let c = 0; c < oc; c++) for (let i = 0; i < per; i++) {
    const v = data[c * per + i] as number;
    wq[c * per + i] = dtype === 'int8' ? v : quantizeWeight(v, sw[c]);
  }
  return wq;
}

/** fc weights W [K, N] quantized per column n by the contract, transposed to N×K as oneDNN's inner product wants */
function fcWeightsQ(node: OpNode, weights?: WeightTensors): Int8Array {
  const w = node.inputs.W[0];
  const { data, dtype } = weights ? weightData(node, weights, 'W') : { data: w.value!.data, dtype: w.value!.dtype };
  const [K, N] = w.dims;
  const sw = perChannel(node, N);
  const wq = new Int8Array(K * N);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) {
    const v = data[k * N + j] as number;
    wq[j * K + k] = dtype === 'int8' ? v : quantizeWeight(v, sw[j]);
  }
  return wq;
}

function biasOf(node: OpNode, weights: WeightTensors, n: number): Float32Array | undefined {
  if (!node.inputs.Bias?.[0]) return undefined;
  const b = weightData(node, weights, 'Bias').data;
  return Float32Array.from({ length: n }, (_, c) => b[c] as number);
}

/** the INT8 epilogue's numbers (dq[c], ds) by the contract; f32 output when forced or typed so */
function int8Epilogue(node: OpNode, n: number, outType: DType, forceF32: boolean): { deq: Float32Array; dstScale: number } {
  const op = node.op;
  return int8Scales(perChannel(node, n), attrNum(op, 'Scale_in'), attrNum(op, 'Scale_out'), forceF32 || outType === 'fp32');
}

function convSpec(node: OpNode, weights: WeightTensors, threads: number): NativeOpSpec {
  const op = node.op;
  const x = node.inputs.Input[0], f = node.inputs.Filter[0], out = node.outputs.Output[0];
  const g = convGeom(op, x.dims, f.dims);
  const geo = {
    n: g.n, ic: g.ic, ih: g.ih, iw: g.iw, oc: g.oc, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw,
    pt: g.pad[0], pb: g.pad[1], pl: g.pad[2], pr: g.pad[3], groups: g.groups, oh: g.oh, ow: g.ow,
  };
  const act = attrStr(op, 'fuse_activation');
  const alpha = attrNum(op, 'fuse_alpha');
  const bias = biasOf(node, weights, g.oc);
  if (!isIntType(x.dtype)) {
    const src = weightData(node, weights, 'Filter').data;
    return {
      kind: 'conv', ...geo, src: 'f32', dst: 'f32', weights: Float32Array.from(src as ArrayLike<number>), bias, threads,
      act: act === 'relu' ? 'relu' : act === 'relu6' ? 'clip' : act === 'leaky_relu' ? 'leaky' : 'none',
      alpha: act === 'relu6' ? relu6Bound(op) : alpha,
      residual: attrBool(op, 'fuse_residual_connection'),
    };
  }
  const forceF32 = attrBool(op, 'force_fp32_output');
  const e = int8Epilogue(node, g.oc, out.dtype, forceF32);
  return {
    kind: 'conv', ...geo, src: ntype(x.dtype), dst: forceF32 ? 'f32' : ntype(out.dtype), weights: convWeightsQ(node, weights),
    bias, deq: e.deq, dstScale: e.dstScale, threads,
    act: act === 'relu' ? 'relu' : act === 'relu6' ? 'clip' : 'none', alpha: act === 'relu6' ? relu6Bound(op) : 0,
    ...(attrBool(op, 'fuse_residual_connection')
      ? { residual: true, residualType: ntype(node.inputs.ResidualData[0].dtype), sumScale: Math.fround(1 / attrNum(op, 'Scale_in_eltwise')) }
      : {}),
  };
}

function fcSpec(node: OpNode, weights: WeightTensors, threads: number, nhwcInput: boolean): NativeOpSpec {
  const op = node.op;
  const x = node.inputs.Input[0], w = node.inputs.W[0], out = node.outputs.Out[0];
  const [K, N] = w.dims;
  const M = prod(x.dims, 0, attrNum(op, 'in_num_col_dims'));
  const relu = attrStr(op, 'activation_type') === 'relu';
  const bias = biasOf(node, weights, N);
  const base = { kind: 'fc' as const, n: M, ic: K, oc: N, bias, threads, act: relu ? 'relu' as const : 'none' as const };
  if (!isIntType(x.dtype)) {
    const src = weightData(node, weights, 'W').data;
    const wt = new Float32Array(K * N);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wt[j * K + k] = src[k * N + j] as number;
    return { ...base, src: 'f32', dst: 'f32', weights: wt };
  }
  const e = int8Epilogue(node, N, out.dtype, false);
  // an NHWC 4-D input (describeFc) keeps its C, H, W: the addon flattens it as oneDNN's inner product does
  const geo = nhwcInput ? { ic: x.dims[1], ih: x.dims[2], iw: x.dims[3] } : {};
  return { ...base, ...geo, src: ntype(x.dtype), dst: ntype(out.dtype), weights: fcWeightsQ(node, weights), deq: e.deq, dstScale: e.dstScale };
}

/**
 * oneDNN's bottom/right padding: with ceil_mode the last window may reach past Paddle's padding, and oneDNN wants
 * the padding that makes (in + pads − k) / s + 1 the output size. Either way the windows are clipped to the input.
 */
function poolPads(g: PoolGeom): { pb: number; pr: number } {
  return { pb: Math.max(g.pad[1], (g.oh - 1) * g.sh + g.kh - g.ih - g.pad[0]), pr: Math.max(g.pad[3], (g.ow - 1) * g.sw + g.kw - g.iw - g.pad[2]) };
}

function poolSpec(node: OpNode, threads: number): NativeOpSpec {
  const x = node.inputs.X[0];
  const g = poolGeom(node.op, x.dims);
  const { pb, pr } = poolPads(g);
  return {
    kind: 'pool', pool: g.type === 'max' ? 'max' : g.exclusive ? 'avg_exc' : 'avg_inc',
    n: g.n, ic: g.c, oc: g.c, ih: g.ih, iw: g.iw, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw,
    pt: g.pad[0], pb, pl: g.pad[2], pr, oh: g.oh, ow: g.ow, src: ntype(x.dtype), dst: ntype(x.dtype), threads,
  };
}

export function nativeBackend(opts: NativeOptions = {}): NativeBackend { return new NativeBackend(opts); }
