// The WebAssembly SIMD backend: AssemblyScript kernels (wasm/assembly/*) on one shared linear memory that holds
// every arena, packed weight and parameter block. describe() picks a wasm kernel per op (named by what it
// computes) or delegates to the reference kernel run on the same memory (`ref:<type>`), so whole models always
// compile. prepare() packs weights once; execute() writes the io addresses into the op's parameter block and
// calls the kernel (split across worker threads for the heavy ones): no copies, no allocation.
import type { Arena, Backend, BackendInfo, BufferRef, Kernel, KernelDesc, KernelIO, OpNode, TensorSpec, Unsupported, WeightTensors } from '../../runtime/backend';
import { broadcast, convGeom, isIntType, matmulGeom, normAxis, poolGeom, poolWindow, prod } from '../../runtime/op_rules';
import { isLegacyQuantOp } from '../../runtime/op_rules';
import { dtypeSize, numel, viewAs, type DType, type TypedArray } from '../../util/dtype';
import { QdeployError } from '../../util/errors';
import { int8Scales as contractScales, quantizeWeight } from '../reference/int8';
import { refKernels, type RefCtx } from '../reference/registry';
import '../reference/kernels/all';
import { perChannel } from '../reference/kernels/util';
import { chooseIsa, loadModule, type Features, type WasmIsa } from './loader';
import { WasmHeap } from './heap';
import { ACT, D, FN, G, PARAM_SLOTS, PL, POOL_FNS, T } from './params';
import { ThreadPool, type KernelFn } from './threads';

export interface WasmOptions {
  threads?: number;
  /** 'auto' (default): relaxed SIMD where the engine validates it, else SIMD128 */
  isa?: 'auto' | WasmIsa;
  /**
   * 3×3 stride-1 convs by Winograd F(2×2, 3×3) where it pays (winogradConv; INT8 in exact integers, FP32 in f32);
   * default on, off with QDEPLOY_WASM_WINOGRAD=0
   */
  winograd?: boolean;
}

interface Exports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  k_align_i8(): number;
  is_relaxed(): number;
  wpack_bytes_s8(groups: number, M: number, K: number): number;
  pack_weights_s8(src: number, dst: number, groups: number, M: number, K: number, rs: number, ks: number): void;
  wpack_bytes_f32(groups: number, M: number, K: number): number;
  pack_weights_f32(src: number, dst: number, groups: number, M: number, K: number, rs: number, ks: number): void;
  quantize_f32_i8(x: number, y: number, n: number, scale: number, shift: number, t: number): void;
  dequantize_i8_f32(x: number, y: number, n: number, inv: number, shift: number, t: number): void;
  requantize_i8(x: number, y: number, n: number, factor: number, tin: number, tout: number): void;
  binary_f32(op: number, x: number, y: number, out: number, desc: number): void;
  unary_f32(op: number, x: number, y: number, n: number, a: number, b: number): void;
  relu_s8(x: number, y: number, n: number): void;
  batch_norm_f32(x: number, y: number, n: number, c: number, inner: number, mean: number, sd: number, scale: number, bias: number): void;
  softmax_f32(x: number, y: number, outer: number, d: number, inner: number): void;
  copy_bytes(dst: number, src: number, n: number): void;
  copy_chunks(dst: number, src: number, n: number, outer: number, dstStride: number, srcStride: number): void;
  transpose(x: number, y: number, desc: number, es: number): void;
  relaxed_dot_probe(a: number, b: number, out: number): void;
  relaxed_dot_add_probe(a: number, b: number, c: number, out: number): void;
  gemm_u8s8s32_4x8_simd128(a: number, b: number, kp2: number, tile: number): void;
  gemv_wpack_bytes_s8(N: number, K: number): number;
  gemv_wpack_s8(src: number, dst: number, N: number, K: number, rs: number, ks: number): void;
  gemv_scratch_s8(rows: number, K: number): number;
  gemv_wpack_f32(src: number, dst: number, N: number, K: number, rs: number, ks: number): void;
  winograd_scratch_bytes(ic: number, ph: number, pw: number, tr: number, nb: number, kp2: number): number;
  winograd_f32_scratch_bytes(ic: number, ph: number, pw: number, tr: number, nb: number): number;
}

/** an arena inside the wasm memory: `base` is its byte address */
export class WasmArena implements Arena {
  readonly allocs: number[] = [];
  constructor(private readonly be: WasmBackend, readonly base: number, readonly bytes: number) {}
  u8(): Uint8Array { return new Uint8Array(this.be.memory.buffer, this.base, this.bytes); }
  release(): void { this.be.releaseArena(this); }
}

type Run = (io: KernelIO, a: (r: BufferRef) => number) => void;

interface WasmKernel extends Kernel { run: Run; base?: number; addr?: (r: BufferRef) => number }

const f32 = Math.fround;
const tcode = (d: DType): number => (d === 'uint8' ? T.u8 : d === 'int8' ? T.s8 : T.f32);

/** what describe() decided: a wasm kernel family, or the reference kernel on wasm memory */
type Family = 'conv_gemm' | 'conv_dw' | 'fc' | 'mul' | 'matmul' | 'pool2d' | 'quantize' | 'dequantize' | 'requantize'
  | 'binary' | 'unary' | 'relu_s8' | 'copy' | 'batch_norm' | 'softmax' | 'concat' | 'transpose' | 'ref';

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly alignment = 64;
  /** its kernels take addresses in its own linear memory: the arena must be one it allocated */
  readonly runsOnAnyArena = false;
  readonly memory: WebAssembly.Memory;
  readonly isa: WasmIsa;
  readonly threads: number;
  readonly features: Features;
  readonly reason: string;
  readonly winograd: boolean;
  readonly x: Exports;
  private readonly heap: WasmHeap;
  private readonly pool: ThreadPool;
  private scratch = 0;
  private scratchPer = 0;
  private current?: WasmArena;
  private views?: { buf: ArrayBufferLike; len: number; i32: Int32Array; f32: Float32Array; u8: Uint8Array };

  constructor(opts: WasmOptions = {}) {
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new QdeployError('usage', `--num_threads must be 1..256, got ${threads}`);
    const pick = chooseIsa(opts.isa ?? 'auto');
    if (!pick.isa) throw new QdeployError('backend', `wasm backend unavailable: ${pick.reason}`);
    this.isa = pick.isa;
    this.features = pick.features;
    this.reason = pick.reason;
    this.threads = threads;
    this.winograd = opts.winograd ?? process.env.QDEPLOY_WASM_WINOGRAD !== '0';
    const module = loadModule(this.isa);
    this.memory = new WebAssembly.Memory({ initial: 32, maximum: 65536, shared: true });
    const inst = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.x = inst.exports as unknown as Exports;
    this.heap = new WasmHeap(this.memory, Math.max(65536, Math.ceil(this.x.heap_base() / 65536) * 65536));
    const local = POOL_FNS.map((n) => (inst.exports as unknown as Record<string, KernelFn>)[n]);
    this.pool = new ThreadPool(threads, module, this.memory, [...POOL_FNS], local);
  }

  info(): BackendInfo {
    return {
      name: 'wasm', available: true, isa: this.isa, threads: this.threads,
      features: [this.isa === 'relaxed-simd' ? 'relaxed-simd (i16x8.relaxed_dot_i8x16_i7x16_s, f32x4.relaxed_madd)' : 'simd128 (i32x4.dot_i16x8_s)', this.reason,
        this.winograd ? 'winograd: 3x3 stride-1 convs by F(2x2,3x3) (QDEPLOY_WASM_WINOGRAD=0: direct GEMM)' : 'winograd: off'],
    };
  }

  // ------------------------------------------------------------------ memory

  /** typed views of the whole memory (re-made after growth) */
  v(): { i32: Int32Array; f32: Float32Array; u8: Uint8Array } {
    const buf = this.memory.buffer;
    if (!this.views || this.views.len !== buf.byteLength) {
      this.views = { buf, len: buf.byteLength, i32: new Int32Array(buf), f32: new Float32Array(buf), u8: new Uint8Array(buf) };
    }
    return this.views;
  }

  /** memory for a kernel: freed with the arena prepare() was given */
  kalloc(bytes: number): number {
    const off = this.heap.alloc(bytes);
    if (this.current) this.current.allocs.push(off);
    return off;
  }

  /** copy host bytes into a fresh block */
  upload(data: ArrayBufferView): number {
    const off = this.kalloc(Math.max(1, data.byteLength));
    this.v().u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), off);
    return off;
  }

  /** a temporary copy of host data (packing source), freed by the caller */
  heap_upload_tmp(data: ArrayBufferView): { off: number; free(): void } {
    const off = this.heap.alloc(Math.max(1, data.byteLength));
    this.v().u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), off);
    return { off, free: () => this.heap.dealloc(off) };
  }

  ensureScratch(perThread: number): void {
    const need = Math.ceil((perThread + 256) / 64) * 64;
    if (need <= this.scratchPer) return;
    if (this.scratch) this.heap.dealloc(this.scratch);
    this.scratchPer = need;
    this.scratch = this.heap.alloc(need * this.threads);
  }

  get scratchBase(): number { return this.scratch; }
  get scratchStride(): number { return this.scratchPer; }

  allocArena(bytes: number): Arena {
    const base = this.heap.alloc(Math.max(bytes, 64));
    return new WasmArena(this, base, bytes);
  }

  releaseArena(a: WasmArena): void {
    this.heap.dealloc(a.base);
    for (const o of a.allocs) this.heap.dealloc(o);
    a.allocs.length = 0;
    if (this.current === a) this.current = undefined;
  }

  /** run a pool function (thread-split) */
  par(fn: number, param: number, items: number): void { this.pool.run(fn, param, items); }

  dispose(): void { this.pool.dispose(); }

  // ------------------------------------------------------------------ kernel interface

  describe(node: OpNode): KernelDesc | Unsupported {
    const ref = refKernels.get(node.op.type);
    const why = ref ? ref.check?.(node) : 'no kernel for this op type';
    const fam = why ? undefined : pickFamily(node);
    if (fam && fam !== 'ref') return { node, kernel: kernelName(fam, node, this.isa, this.winograd), data: fam };
    if (!ref) return { unsupported: 'no wasm or reference kernel' };
    if (why) return { unsupported: why };
    return { node, kernel: `ref:${node.op.type}`, data: 'ref' };
  }

  prepare(desc: KernelDesc, weights: WeightTensors, arena: Arena): Kernel {
    this.current = arena as WasmArena; // packed weights and parameter blocks are released with this arena
    const fam = desc.data as Family;
    const run = PREPARE[fam](this, desc.node, weights);
    const k: WasmKernel = { desc, run };
    return k;
  }

  execute(k: Kernel, io: KernelIO): void {
    const base = (io.arena as WasmArena).base;
    const w = k as WasmKernel;
    if (w.base !== base || !w.addr) { w.base = base; w.addr = (r) => base + r.offset; } // made once per arena, not per run
    w.run(io, w.addr);
  }
}

// ---------------------------------------------------------------------- choosing kernels

function constY(node: OpNode): boolean { return !!node.inputs.Y?.[0]?.value; }

function pickFamily(node: OpNode): Family {
  const op = node.op;
  const i0 = (s: string) => node.inputs[s]?.[0];
  switch (op.type) {
    case 'conv2d': case 'depthwise_conv2d': {
      const x = i0('Input')!, w = i0('Filter')!;
      if (!w.value) return 'ref';
      const g = convGeom(op, x.dims, w.dims);
      return g.groups > 1 && g.groups === g.ic && g.oc === g.ic ? 'conv_dw' : 'conv_gemm';
    }
    case 'fc': return i0('W')?.value ? 'fc' : 'ref';
    case 'mul': return constY(node) ? 'mul' : 'ref';
    case 'matmul': case 'matmul_v2': {
      const x = i0('X')!, y = i0('Y')!;
      if (x.dtype !== 'fp32' || !y.value || y.dims.length !== 2 || x.dims.length < 2) return 'ref';
      return 'matmul';
    }
    case 'pool2d': return 'pool2d';
    case 'quantize': return isLegacyQuantOp(node) ? 'ref' : 'quantize';
    case 'dequantize': return isLegacyQuantOp(node) ? 'ref' : 'dequantize';
    case 'requantize': return 'requantize';
    case 'elementwise_add': case 'elementwise_sub': case 'elementwise_mul': case 'elementwise_div': return 'binary';
    case 'relu': return i0('X')!.dtype === 'fp32' ? 'unary' : i0('X')!.dtype === 'int8' ? 'relu_s8' : 'copy';
    case 'relu6': case 'leaky_relu': case 'scale': case 'dropout': case 'hard_sigmoid': return 'unary';
    case 'batch_norm': return node.inputs.Mean?.[0]?.value && node.inputs.Variance?.[0]?.value && node.inputs.Scale?.[0]?.value && node.inputs.Bias?.[0]?.value ? 'batch_norm' : 'ref';
    case 'softmax': return 'softmax';
    case 'reshape2': case 'reshape': case 'flatten2': case 'flatten_contiguous_range': case 'squeeze2': case 'unsqueeze2': return 'copy';
    case 'concat': return node.inputs.X.some((t) => !!t.value) ? 'ref' : 'concat';
    case 'transpose2': { const s = dtypeSize(i0('X')!.dtype); return s === 1 || s === 4 ? 'transpose' : 'ref'; }
    default: return 'ref';
  }
}

function kernelName(f: Family, node: OpNode, isa: WasmIsa, winograd: boolean): string {
  const relaxed = isa === 'relaxed-simd';
  const x = (node.inputs.Input ?? node.inputs.X)?.[0];
  const int8 = isIntType(x?.dtype);
  const t = x?.dtype === 'uint8' ? 'u8' : x?.dtype === 'int8' ? 's8' : 'f32';
  const gemm = int8 ? (relaxed ? `gemm_${t}s8s32_4x8c4_relaxed7_or_4x8_simd128` : `gemm_${t}s8s32_4x8_simd128`) : (relaxed ? 'gemm_f32_4x8_relaxed_madd' : 'gemm_f32_4x8_simd128');
  switch (f) {
    case 'conv_gemm': {
      const w = node.inputs.Filter[0].dims;
      const g = convGeom(node.op, node.inputs.Input[0].dims, w);
      if (winograd && winogradConv(g, x?.dtype)) {
        return int8 ? `conv3x3_winograd_f2x2_${t}s8s32_4x8_simd128` : `conv3x3_winograd_f2x2_f32_4x8_${relaxed ? 'relaxed_madd' : 'simd128'}`;
      }
      const direct = conv1x1Direct(g);
      const padded = !direct && int8 && !!paddedConv(gemmConv(g));
      return `conv${w[2]}x${w[3]}_${direct ? 'direct' : padded ? 'padded' : 'im2col'}_${gemm}`;
    }
    case 'conv_dw': {
      const w = node.inputs.Filter[0].dims;
      return int8 ? `conv_dw${w[2]}x${w[3]}_${t}s8_simd128` : `conv_dw${w[2]}x${w[3]}_f32_${relaxed ? 'relaxed_madd' : 'simd128'}`;
    }
    case 'fc': case 'mul': case 'matmul': {
      const xd = (node.inputs.Input ?? node.inputs.X)[0].dims;
      const rows = node.op.type === 'fc' ? prod(xd, 0, node.op.num('in_num_col_dims', 1)) : node.op.type === 'mul' ? prod(xd, 0, node.op.num('x_num_col_dims', 1))
        : xd.length === 2 && !node.op.bool(node.op.type === 'matmul_v2' ? 'trans_x' : 'transpose_X', false) ? xd[0] : -1;
      if (rows >= 1 && rows <= 3) {
        const gemv = relaxed ? `gemv_${t}s8s32_4x16c16_relaxed7_or_4x16_simd128` : `gemv_${t}s8s32_4x16_simd128`;
        return `${node.op.type}_${int8 ? gemv : `gemv_f32_4x4_${relaxed ? 'relaxed_madd' : 'simd128'}`}`;
      }
      return `${node.op.type}_${gemm}`;
    }
    case 'pool2d': {
      const g = poolGeom(node.op, x!.dims);
      const rows = g.type === 'max' && !g.adaptive && (g.sw === 1 || g.sw === 2);
      return rows ? `pool2d_max_${t}_rows_simd128` : `pool2d_${g.type}_${t}_wasm`;
    }
    case 'quantize': return `quantize_f32${node.outputs.Output[0].dtype === 'uint8' ? 'u8' : 's8'}_simd128`;
    case 'dequantize': return `dequantize_${t}f32_wasm`;
    case 'requantize': return `requantize_${t}_wasm`;
    case 'binary': return `${node.op.type}_f32_broadcast_simd128`;
    case 'unary': return `${node.op.type}_f32_simd128`;
    case 'relu_s8': return 'relu_s8_simd128';
    case 'copy': return `${node.op.type}_copy_wasm`;
    case 'batch_norm': return 'batch_norm_infer_f32_f64math_wasm';
    case 'softmax': return 'softmax_f32_wasm';
    case 'concat': return 'concat_copy_wasm';
    case 'transpose': return 'transpose2_gather_wasm';
    default: return `ref:${node.op.type}`;
  }
}

// ---------------------------------------------------------------------- prepare per family

type Prep = (be: WasmBackend, node: OpNode, w: WeightTensors) => Run;

function fail(node: OpNode, m: string): never { throw new QdeployError('unsupported', `op ${node.op.label}: ${m}`); }

function weightOf(node: OpNode, w: WeightTensors, spec: TensorSpec | undefined): TypedArray {
  if (!spec) return fail(node, 'missing weight');
  const t = w.get(spec.name) ?? spec.value;
  if (!t) return fail(node, `weight '${spec.name}' has no value`);
  return t.data;
}

/** a parameter block with i32/f32 setters */
function block(be: WasmBackend): { p: number; i(slot: number, v: number): void; f(slot: number, v: number): void } {
  const p = be.kalloc(PARAM_SLOTS * 4);
  return {
    p,
    i: (s, v) => { be.v().i32[(p >>> 2) + s] = v; },
    f: (s, v) => { be.v().f32[(p >>> 2) + s] = v; },
  };
}

interface GemmSetup {
  int8: boolean;
  signed: boolean;
  /** rows (output channels) per group, k per group, positions per image, images */
  groups: number; M: number; K: number; P: number; nimg: number;
  /** weights: quantized s8 (int8) or f32, element (row r of group g, k) at (g·M + r)·rs + k·ks */
  wq: Int8Array | Float32Array; rs: number; ks: number;
  /** f32 bias (for int8: always present, zeros when the op has none) */
  bias?: Float32Array;
  /** int8: per-row dq = f32(f32(1/Si)·f32(1/Sw[r])) and the output multiplier ds */
  os?: Float32Array; ds?: number;
  outType: number; resType: number;
  act: number; alpha: number; beta: number; sumScale: number;
  conv?: { ic: number; ih: number; iw: number; oh: number; ow: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; icg: number };
  xsk: number; xsp: number; ximg: number; ysr: number; ysp: number; yimg: number;
}

/** one to three rows of a matrix op: transposed weights, four features per step (wasm/assembly/gemv.ts) */
function gemvPrepare(be: WasmBackend, s: GemmSetup, xSlot: string, ySlot: string): Run {
  const b = block(be);
  const N = s.M, K = s.K;
  const NP = Math.ceil(N / 4) * 4;
  const wp = be.kalloc(s.int8 ? be.x.gemv_wpack_bytes_s8(N, K) : NP * Math.ceil(K / 4) * 4 * 4);
  const src = be.heap_upload_tmp(s.wq);
  if (s.int8) be.x.gemv_wpack_s8(src.off, wp, N, K, s.rs, s.ks);
  else be.x.gemv_wpack_f32(src.off, wp, N, K, s.rs, s.ks);
  src.free();
  const pad = (a: Float32Array) => { const o = new Float32Array(NP); o.set(a); return o; };
  const bias = s.bias ? be.upload(pad(s.bias)) : s.int8 ? be.upload(new Float32Array(NP)) : 0;
  const os = s.os ? be.upload(pad(s.os)) : 0;
  be.ensureScratch(64 + (s.int8 ? be.x.gemv_scratch_s8(s.P, K) : 0));
  b.i(G.M, N); b.i(G.K, K); b.i(G.P, s.P); b.i(G.W, wp); b.i(G.BIAS, bias); b.i(G.OS, os);
  b.i(G.FLAGS, (s.signed ? 1 : 0) | (s.outType << 4)); b.i(G.ACT, s.act); b.f(G.ALPHA, s.alpha); b.f(G.DS, s.ds ?? 1);
  const items = NP / 4;
  const fn = s.int8 ? FN.gemv_u8s8 : FN.gemv_f32;
  return (io, a) => {
    b.i(G.X, a(io.inputs[xSlot][0]));
    b.i(G.Y, a(io.outputs[ySlot][0]));
    b.i(G.SCR, be.scratchBase); b.i(G.SCRSTRIDE, be.scratchStride);
    be.par(fn, b.p, items);
  };
}

function gemmPrepare(be: WasmBackend, s: GemmSetup, xSlot: string, ySlot: string, rSlot?: string): Run {
  // matrix ops with 1..3 contiguous rows: the matrix-vector kernels
  if (!s.conv && s.nimg === 1 && s.P <= 3 && s.xsk === 1 && s.xsp === s.K && s.ysr === 1 && s.ysp === s.M && s.act <= ACT.relu6 && s.resType === 0) {
    return gemvPrepare(be, s, xSlot, ySlot);
  }
  const b = block(be);
  const { int8 } = s;
  const wbytes = int8 ? be.x.wpack_bytes_s8(s.groups, s.M, s.K) : be.x.wpack_bytes_f32(s.groups, s.M, s.K);
  const wp = be.kalloc(wbytes);
  const src = be.heap_upload_tmp(s.wq);
  if (int8) be.x.pack_weights_s8(src.off, wp, s.groups, s.M, s.K, s.rs, s.ks);
  else be.x.pack_weights_f32(src.off, wp, s.groups, s.M, s.K, s.rs, s.ks);
  src.free();
  const rowsAll = s.groups * s.M;
  const bias = s.bias ? be.upload(s.bias) : int8 ? be.upload(new Float32Array(rowsAll)) : 0;
  const os = s.os ? be.upload(s.os) : 0;
  const kal = int8 ? be.x.k_align_i8() : 1;
  const KP = Math.ceil(s.K / kal) * kal;
  const MT = Math.ceil(s.M / 4);
  const colBytes = int8 ? KP * 2 : s.K * 4;
  const pc = int8 ? paddedConv(s.conv) : undefined;
  const P = pc ? pc.P : s.P;
  // panel budget: L1/L2-sized; when the packed weights are large (fc layers), a bigger panel so they stream once
  const panelBudget = wbytes > (1 << 20) ? 512 * 1024 : 96 * 1024;
  let NC = Math.max(8, Math.min(256, Math.floor(panelBudget / colBytes / 8) * 8));
  NC = Math.min(NC, Math.ceil(P / 8) * 8);
  const threads = be.threads;
  // enough items for the threads: shrink chunks, then split the channel tiles
  const itemsFor = (nc: number) => s.nimg * s.groups * Math.ceil(P / nc);
  while (threads > 1 && NC > 8 && itemsFor(NC) < 2 * threads) NC = Math.max(8, Math.ceil(NC / 2 / 8) * 8);
  const nchunk = Math.ceil(P / NC);
  let msplit = 1;
  if (threads > 1 && itemsFor(NC) < threads) msplit = Math.min(MT, Math.ceil(threads / itemsFor(NC)));
  // tile, tmp, gathered rows, panel (conv.ts); padded mode adds the k offset table and the padded image
  let scratch = 256 + 4 * (NC * 4 + 64) + colBytes * NC + 64;
  if (pc) scratch += 16 + 4 * s.K + 32 + pc.bytes + 64;
  be.ensureScratch(scratch);
  const c = s.conv;
  b.i(G.MODE, pc ? 2 : c ? 0 : 1);
  if (pc) { b.i(G.OW8, pc.ow8); b.i(G.PW, pc.pw); b.i(G.PH, pc.ph); }
  if (c) {
    b.i(G.IC, c.ic); b.i(G.IH, c.ih); b.i(G.IW, c.iw); b.i(G.OH, c.oh); b.i(G.OW, c.ow); b.i(G.KH, c.kh); b.i(G.KW, c.kw);
    b.i(G.SH, c.sh); b.i(G.SW, c.sw); b.i(G.DH, c.dh); b.i(G.DW, c.dw); b.i(G.PT, c.pt); b.i(G.PL, c.pl); b.i(G.ICG, c.icg);
  }
  b.i(G.GROUPS, s.groups); b.i(G.M, s.M); b.i(G.K, s.K); b.i(G.P, P); b.i(G.NIMG, s.nimg);
  b.i(G.W, wp); b.i(G.BIAS, bias); b.i(G.OS, os);
  b.i(G.FLAGS, (s.signed ? 1 : 0) | (s.resType << 1) | (s.outType << 4));
  b.i(G.ACT, s.act); b.f(G.ALPHA, s.alpha); b.f(G.BETA, s.beta); b.f(G.SUMSCALE, s.sumScale); b.f(G.DS, s.ds ?? 1);
  b.i(G.NC, NC); b.i(G.NCHUNK, nchunk); b.i(G.KP, KP); b.i(G.MT, MT); b.i(G.MSPLIT, msplit);
  b.i(G.XSK, s.xsk); b.i(G.XSP, s.xsp); b.i(G.XIMG, s.ximg); b.i(G.YSR, s.ysr); b.i(G.YSP, s.ysp); b.i(G.YIMG, s.yimg);
  const items = s.nimg * s.groups * nchunk * msplit;
  const fn = int8 ? FN.gemm_u8s8 : FN.gemm_f32;
  return (io, a) => {
    b.i(G.X, a(io.inputs[xSlot][0]));
    b.i(G.Y, a(io.outputs[ySlot][0]));
    if (rSlot && s.resType) b.i(G.R, a(io.inputs[rSlot][0]));
    b.i(G.SCR, be.scratchBase); b.i(G.SCRSTRIDE, be.scratchStride);
    be.par(fn, b.p, items);
  };
}

/** the conv geometry gemmPrepare and the kernels take */
function gemmConv(g: ReturnType<typeof convGeom>): NonNullable<GemmSetup['conv']> {
  return { ic: g.ic, ih: g.ih, iw: g.iw, oh: g.oh, ow: g.ow, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw, pt: g.pad[0], pl: g.pad[2], icg: g.ic / g.groups };
}

/**
 * INT8 k×k convs with stride 1 or 2 read the panel straight from a zero-padded copy of the image (conv.ts MODE 2):
 * rows of ow8 = OW rounded up to 8 positions, wide enough that every 8-column block is one load per k.
 * Positions become OH·ow8. Undefined (gather mode) for other strides or a padded image over 4 MiB per thread.
 */
function paddedConv(c: GemmSetup['conv']): { ow8: number; pw: number; ph: number; P: number; bytes: number } | undefined {
  if (!c || (c.sw !== 1 && c.sw !== 2)) return undefined;
  const ow8 = Math.ceil(c.ow / 8) * 8;
  const pw = Math.max(c.sw * ow8 + (c.kw - 1) * c.dw, c.pl + c.iw);
  const ph = Math.max((c.oh - 1) * c.sh + (c.kh - 1) * c.dh + 1, c.pt + c.ih);
  const bytes = c.ic * ph * pw + 16;
  if (bytes > 4 << 20) return undefined;
  return { ow8, pw, ph, P: c.oh * ow8, bytes };
}

interface Int8Conv { deq: Float32Array; dstScale: number; sw: Float64Array }

/** the contract's dq[c] and output multiplier (src/backends/reference/int8.ts int8Scales) */
function int8Scales(node: OpNode, nch: number, outDtype: DType, forceF32: boolean): Int8Conv {
  const op = node.op;
  const sw = perChannel(node, op.ints('Scale_weights', [1]), nch);
  const { deq, dstScale } = contractScales(sw, op.num('Scale_in', 1), op.num('Scale_out', 1), forceF32 || outDtype === 'fp32');
  return { deq, dstScale, sw };
}

/** an int8 op's f32 bias (zeros when it has none), as the epilogue adds it */
function f32Bias(src: TypedArray | undefined, n: number): Float32Array {
  const b = new Float32Array(n);
  if (src) for (let c = 0; c < n; c++) b[c] = src[c] as number;
  return b;
}

function fp32Act(node: OpNode): { act: number; alpha: number; beta: number } {
  const op = node.op;
  const a = op.num('fuse_alpha', 0), b = op.num('fuse_beta', 0);
  switch (op.str('fuse_activation', '')) {
    case '': return { act: ACT.none, alpha: 0, beta: 0 };
    case 'relu': return { act: ACT.relu, alpha: 0, beta: 0 };
    case 'relu6': return { act: ACT.relu6, alpha: a === 0 ? 6 : a, beta: 0 };
    case 'leaky_relu': return { act: ACT.leaky_relu, alpha: a, beta: 0 };
    case 'hard_swish': return { act: ACT.hard_swish, alpha: a, beta: b };
    case 'swish': return { act: ACT.swish, alpha: a, beta: 0 };
    default: return fail(node, `fuse_activation ${op.str('fuse_activation', '')} is not supported`);
  }
}

/** conv weights/bias/epilogue, shared by the GEMM and depthwise paths */
/** 1×1, stride 1, unpadded, ungrouped: the conv is a GEMM on the NCHW activations as they are */
function conv1x1Direct(g: ReturnType<typeof convGeom>): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.groups === 1 && g.pad.every((v: number) => v === 0);
}

function convCommon(node: OpNode, w: WeightTensors) {
  const op = node.op;
  const x = node.inputs.Input[0], f = node.inputs.Filter[0], out = node.outputs.Output[0];
  const g = convGeom(op, x.dims, f.dims);
  const int8 = isIntType(x.dtype);
  const residual = op.bool('fuse_residual_connection', false);
  const r = residual ? node.inputs.ResidualData?.[0] : undefined;
  const per = (g.ic / g.groups) * g.kh * g.kw;
  const src = weightOf(node, w, f);
  const bSpec = node.inputs.Bias?.[0];
  const bsrc = bSpec ? weightOf(node, w, bSpec) : undefined;
  if (int8) {
    const sc = int8Scales(node, g.oc, out.dtype, op.bool('force_fp32_output', false));
    const wq = new Int8Array(g.oc * per);
    for (let oc = 0; oc < g.oc; oc++) {
      for (let i = 0; i < per; i++) {
        const v = src[oc * per + i] as number;
        wq[oc * per + i] = f.dtype === 'int8' ? v : quantizeWeight(v, sc.sw[oc]);
      }
    }
    const actName = op.str('fuse_activation', '');
    const act = actName === 'relu' ? ACT.relu : actName === 'relu6' ? ACT.relu6 : ACT.none;
    return {
      g, int8, per, wq, bias: f32Bias(bsrc, g.oc) as Float32Array | undefined, os: sc.deq as Float32Array | undefined, ds: sc.dstScale,
      outType: tcode(out.dtype), resType: r ? tcode(r.dtype) : 0,
      act, alpha: act === ACT.relu6 ? op.num('fuse_alpha', 6) : 0, beta: 0,
      sumScale: residual ? f32(1 / op.num('Scale_in_eltwise', 1)) : 0, signed: x.dtype === 'int8',
    };
  }
  const wf = src instanceof Float32Array ? src : Float32Array.from(src as ArrayLike<number>);
  const a = fp32Act(node);
  return {
    g, int8, per, wq: wf as Int8Array | Float32Array, bias: bsrc ? Float32Array.from(bsrc as ArrayLike<number>) : undefined,
    os: undefined as Float32Array | undefined, ds: 1, outType: T.f32, resType: r ? 3 : 0, ...a, sumScale: 0, signed: false,
  };
}

const prepConvGemm: Prep = (be, node, w) => {
  const c = convCommon(node, w);
  const { g } = c;
  if (be.winograd && winogradConv(g, node.inputs.Input[0].dtype)) return winogradPrepare(be, c);
  const M = g.oc / g.groups, P = g.oh * g.ow;
  // a 1×1, stride-1, unpadded conv is already a GEMM on the NCHW activations (K = IC rows of H·W contiguous
  // positions): run it in matrix mode, so each panel row is one contiguous copy instead of an im2col gather
  if (conv1x1Direct(g)) {
    return gemmPrepare(be, {
      int8: c.int8, signed: c.signed, groups: 1, M, K: c.per, P, nimg: g.n,
      wq: c.wq, rs: c.per, ks: 1, bias: c.bias, os: c.os, ds: c.ds, outType: c.outType, resType: c.resType,
      act: c.act, alpha: c.alpha, beta: c.beta, sumScale: c.sumScale,
      xsk: P, xsp: 1, ximg: g.ic * P, ysr: P, ysp: 1, yimg: g.oc * P,
    }, 'Input', 'Output', 'ResidualData');
  }
  return gemmPrepare(be, {
    int8: c.int8, signed: c.signed, groups: g.groups, M, K: c.per, P, nimg: g.n,
    wq: c.wq, rs: c.per, ks: 1, bias: c.bias, os: c.os, ds: c.ds, outType: c.outType, resType: c.resType,
    act: c.act, alpha: c.alpha, beta: c.beta, sumScale: c.sumScale,
    conv: gemmConv(g),
    xsk: 0, xsp: 0, ximg: g.ic * g.ih * g.iw, ysr: P, ysp: 1, yimg: g.oc * P,
  }, 'Input', 'Output', 'ResidualData');
};

/**
 * Whether a conv runs as Winograd F(2×2, 3×3) (wasm/assembly/conv_winograd.ts, conv_winograd_f32.ts): 3×3, stride 1,
 * dilation 1, one group; IC ≥ 8 for INT8 and ≥ 2 for FP32, below which the transforms and the per-output work cost
 * more than the multiplies saved (Zen 4, one thread, against the direct GEMM: INT8 3 → 16 channels 0.68×, 8 → 8
 * 1.03×, 16 → 64 1.27×, 64 → 64 1.74×; FP32, whose multiplies cost twice as much, 1 → 8 0.89×, 2 → 8 1.20×,
 * 64 → 64 2.08×); transformed weights of at most 4 MiB (16 values per 3×3 filter), past which streaming them costs
 * more than it saves; a padded image of at most 4 MiB per thread (as the direct padded mode). INT8 also needs
 * exactness: |4·Y| < 2^31 for every input (|Y| ≤ 9·IC·|x|max·128), so the i32 sums cannot wrap.
 */
function winogradConv(g: ReturnType<typeof convGeom>, xType: DType | undefined): boolean {
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
function winogradGeom(g: ReturnType<typeof convGeom>): { tw: number; th: number; nb: number; pw: number; ph: number; padBytes: number } {
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

function winogradPrepare(be: WasmBackend, c: ReturnType<typeof convCommon>): Run {
  const { g, int8 } = c;
  const ic = g.ic, oc = g.oc;
  const kp2 = Math.ceil(ic / 2), MT = Math.ceil(oc / 4);
  const { tw, th, nb, pw, ph } = winogradGeom(g);
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
  const b = block(be);
  const wbase = be.upload(wp);
  const bias = c.bias ? be.upload(c.bias) : int8 ? be.upload(new Float32Array(oc)) : 0;
  // tile rows per item: their panels within an L2-sized budget (more when the weights are large, so they stream
  // fewer times), and enough items for the threads
  const blockBytes = int8 ? 16 * kp2 * 32 : 16 * ic * 32;
  const budget = wp.byteLength > (1 << 20) ? 512 * 1024 : 128 * 1024;
  let tr = Math.max(1, Math.min(th, Math.floor(budget / (nb * blockBytes))));
  while (be.threads > 1 && tr > 1 && g.n * Math.ceil(th / tr) < 2 * be.threads) tr = Math.ceil(tr / 2);
  const per = Math.ceil(th / tr);
  be.ensureScratch(int8 ? be.x.winograd_scratch_bytes(ic, ph, pw, tr, nb, kp2) : be.x.winograd_f32_scratch_bytes(ic, ph, pw, tr, nb));
  b.i(G.IC, ic); b.i(G.IH, g.ih); b.i(G.IW, g.iw); b.i(G.OH, g.oh); b.i(G.OW, g.ow); b.i(G.PT, g.pad[0]); b.i(G.PL, g.pad[2]);
  b.i(G.M, oc); b.i(G.MT, MT); b.i(G.KP2, kp2); b.i(G.W, wbase); b.i(G.BIAS, bias);
  if (int8) b.i(G.OS, be.upload(c.os!));
  b.i(G.TW, tw); b.i(G.TH, th); b.i(G.NB, nb); b.i(G.PW, pw); b.i(G.PH, ph); b.i(G.TR, tr); b.i(G.ITEMS_IMG, per);
  b.i(G.FLAGS, (c.signed ? 1 : 0) | (c.resType << 1) | (c.outType << 4));
  b.i(G.ACT, c.act); b.f(G.ALPHA, c.alpha); b.f(G.BETA, c.beta); b.f(G.SUMSCALE, c.sumScale); b.f(G.DS, c.ds);
  return convRun(be, b, G, int8 ? FN.winograd_u8s8 : FN.winograd_f32, g.n * per, c.resType !== 0);
}

/** the run of a conv kernel: io addresses and the scratch into its parameter block, then the thread split */
function convRun(be: WasmBackend, b: ReturnType<typeof block>, s: { X: number; Y: number; R: number; SCR: number; SCRSTRIDE: number },
  fn: number, items: number, residual: boolean): Run {
  return (io, a) => {
    b.i(s.X, a(io.inputs.Input[0]));
    b.i(s.Y, a(io.outputs.Output[0]));
    if (residual) b.i(s.R, a(io.inputs.ResidualData[0]));
    b.i(s.SCR, be.scratchBase); b.i(s.SCRSTRIDE, be.scratchStride);
    be.par(fn, b.p, items);
  };
}

const prepConvDw: Prep = (be, node, w) => {
  const c = convCommon(node, w);
  const { g } = c;
  const b = block(be);
  const T_ = g.kh * g.kw;
  const wp = c.int8 ? be.upload(Int16Array.from(c.wq as Int8Array)) : be.upload(c.wq as Float32Array);
  const bias = c.bias ? be.upload(c.bias) : 0;
  const os = c.os ? be.upload(c.os) : 0;
  const HP = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const WQ = Math.ceil((Math.ceil(g.ow / 8) * 8 + Math.floor(((g.kw - 1) * g.dw) / g.sw) + 8) / 8) * 8; // a multiple of 8 (phase split stores)
  const es = c.int8 ? 2 : 4;
  be.ensureScratch(64 + 1024 + HP * g.sw * WQ * es + g.sw * WQ * es + 128);
  const set: [number, number][] = [
    [D.C, g.ic], [D.IH, g.ih], [D.IW, g.iw], [D.OH, g.oh], [D.OW, g.ow], [D.KH, g.kh], [D.KW, g.kw], [D.SH, g.sh], [D.SW, g.sw],
    [D.DH, g.dh], [D.DW, g.dw], [D.PT, g.pad[0]], [D.PL, g.pad[2]], [D.NIMG, g.n], [D.W, wp], [D.BIAS, bias], [D.OS, os],
    [D.FLAGS, (c.signed ? 1 : 0) | (c.resType << 1) | (c.outType << 4)], [D.ACT, c.act], [D.HP, HP], [D.WQ, WQ],
  ];
  for (const [s, v] of set) b.i(s, v);
  b.f(D.ALPHA, c.alpha); b.f(D.BETA, c.beta); b.f(D.SUMSCALE, c.sumScale); b.f(D.DS, c.ds);
  void T_;
  return convRun(be, b, D, c.int8 ? FN.dw_u8s8 : FN.dw_f32, g.n * g.ic, c.resType !== 0);
};

const prepFc: Prep = (be, node, w) => {
  const op = node.op;
  const x = node.inputs.Input[0], out = node.outputs.Out[0];
  const [K, N] = node.inputs.W[0].dims;
  const M = prod(x.dims, 0, op.num('in_num_col_dims', 1));
  const relu = op.str('activation_type', '') === 'relu';
  const src = weightOf(node, w, node.inputs.W[0]);
  const bSpec = node.inputs.Bias?.[0];
  const bsrc = bSpec ? weightOf(node, w, bSpec) : undefined;
  const common = { groups: 1, M: N, K, P: M, nimg: 1, rs: 1, ks: N, xsk: 1, xsp: K, ximg: 0, ysr: 1, ysp: N, yimg: 0, beta: 0, sumScale: 0, resType: 0 };
  if (isIntType(x.dtype)) {
    const sc = int8Scales(node, N, out.dtype, false);
    const wq = new Int8Array(K * N);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wq[k * N + j] = node.inputs.W[0].dtype === 'int8' ? (src[k * N + j] as number) : quantizeWeight(src[k * N + j] as number, sc.sw[j]);
    return gemmPrepare(be, { ...common, int8: true, signed: x.dtype === 'int8', wq, bias: f32Bias(bsrc, N), os: sc.deq, ds: sc.dstScale, outType: tcode(out.dtype), act: relu ? ACT.relu : ACT.none, alpha: 0 }, 'Input', 'Out');
  }
  return gemmPrepare(be, {
    ...common, int8: false, signed: false, wq: Float32Array.from(src as ArrayLike<number>),
    bias: bsrc ? Float32Array.from(bsrc as ArrayLike<number>) : undefined, outType: T.f32, act: relu ? ACT.relu : ACT.none, alpha: 0,
  }, 'Input', 'Out');
};

const prepMul: Prep = (be, node, w) => {
  const op = node.op;
  const xd = node.inputs.X[0].dims, yd = node.inputs.Y[0].dims;
  const xn = op.num('x_num_col_dims', 1), yn = op.num('y_num_col_dims', 1);
  const M = prod(xd, 0, xn), K = prod(xd, xn), N = prod(yd, yn);
  const src = weightOf(node, w, node.inputs.Y[0]);
  return gemmPrepare(be, {
    int8: false, signed: false, groups: 1, M: N, K, P: M, nimg: 1, wq: Float32Array.from(src as ArrayLike<number>), rs: 1, ks: N,
    outType: T.f32, resType: 0, act: ACT.none, alpha: 0, beta: 0, sumScale: 0, xsk: 1, xsp: K, ximg: 0, ysr: 1, ysp: N, yimg: 0,
  }, 'X', 'Out');
};

const prepMatmul: Prep = (be, node, w) => {
  const op = node.op;
  const v2 = op.type === 'matmul_v2';
  const tx = op.bool(v2 ? 'trans_x' : 'transpose_X', false), ty = op.bool(v2 ? 'trans_y' : 'transpose_Y', false);
  const alpha = v2 ? 1 : op.num('alpha', 1);
  const xd = node.inputs.X[0].dims, yd = node.inputs.Y[0].dims;
  const g = matmulGeom(op, xd, yd, tx, ty);
  const nb = g.xIndex.length;
  for (let i = 0; i < nb; i++) if (g.xIndex[i] !== i) fail(node, 'broadcast X batch not supported by the wasm matmul');
  const src = weightOf(node, w, node.inputs.Y[0]);
  const wf = new Float32Array(src.length);
  for (let i = 0; i < wf.length; i++) wf[i] = (src[i] as number) * alpha;
  const { M, K, N } = g;
  return gemmPrepare(be, {
    int8: false, signed: false, groups: 1, M: N, K, P: M, nimg: nb, wq: wf, rs: ty ? K : 1, ks: ty ? 1 : N,
    outType: T.f32, resType: 0, act: ACT.none, alpha: 0, beta: 0, sumScale: 0,
    xsk: tx ? M : 1, xsp: tx ? 1 : K, ximg: M * K, ysr: 1, ysp: N, yimg: M * N,
  }, 'X', 'Out');
};

const prepPool: Prep = (be, node) => {
  const g = poolGeom(node.op, node.inputs.X[0].dims);
  const dt = node.inputs.X[0].dtype;
  const hw = new Int32Array(g.oh * 2), ww = new Int32Array(g.ow * 2);
  for (let o = 0; o < g.oh; o++) { const [a, b2] = poolWindow(g, o, 'h'); hw[2 * o] = a; hw[2 * o + 1] = b2; }
  for (let o = 0; o < g.ow; o++) { const [a, b2] = poolWindow(g, o, 'w'); ww[2 * o] = a; ww[2 * o + 1] = b2; }
  const b = block(be);
  // max pooling with regular windows and stride 1 or 2: SIMD rows (wasm/assembly/pool.ts) over a row buffer holding
  // input column w at t0 + w, identities around it: t0 ≥ the left pad (16-aligned), room for the last 16 outputs' taps
  const rows = g.type === 'max' && !g.adaptive && (g.sw === 1 || g.sw === 2);
  const es = dt === 'fp32' ? 4 : 1;
  const t0 = Math.ceil(g.pad[2] / 16) * 16;
  const twd = Math.ceil((t0 + Math.ceil(g.ow / 16) * 16 * g.sw + g.kw + 32) / 16) * 16;
  if (rows) {
    be.ensureScratch(64 + twd * es);
    b.i(PL.KW, g.kw); b.i(PL.SW, g.sw); b.i(PL.PLEFT, g.pad[2]); b.i(PL.T0, t0); b.i(PL.TWD, twd);
  }
  b.i(PL.IH, g.ih); b.i(PL.IW, g.iw); b.i(PL.OH, g.oh); b.i(PL.OW, g.ow); b.i(PL.KHW, g.kh * g.kw);
  b.i(PL.FLAGS, tcode(dt) | (g.type === 'avg' ? 4 : 0) | (g.exclusive || g.adaptive ? 8 : 0) | (rows ? 16 : 0));
  b.i(PL.HW, be.upload(hw)); b.i(PL.WW, be.upload(ww));
  const items = g.n * g.c;
  return (io, a) => {
    b.i(PL.X, a(io.inputs.X[0])); b.i(PL.Y, a(io.outputs.Out[0]));
    if (rows) { b.i(PL.SCR, be.scratchBase); b.i(PL.SCRSTRIDE, be.scratchStride); }
    be.par(FN.pool2d, b.p, items);
  };
};

const prepQuantize: Prep = (be, node) => {
  const op = node.op;
  const scale = f32(op.num('Scale', 1)), shift = op.num('Shift', 0);
  const t = tcode(node.outputs.Output[0].dtype);
  const n = numel(node.inputs.Input[0].dims);
  if (scale !== op.num('Scale', 1)) {
    // the contract multiplies by the f32 Scale attribute value; Paddle stores it as f32, so this never differs
  }
  return (io, a) => be.x.quantize_f32_i8(a(io.inputs.Input[0]), a(io.outputs.Output[0]), n, scale, shift, t);
};

const prepDequantize: Prep = (be, node) => {
  const op = node.op;
  const inv = f32(1 / op.num('Scale', 1)), shift = op.num('Shift', 0);
  const t = tcode(node.inputs.Input[0].dtype);
  const n = numel(node.inputs.Input[0].dims);
  return (io, a) => be.x.dequantize_i8_f32(a(io.inputs.Input[0]), a(io.outputs.Output[0]), n, inv, shift, t);
};

const prepRequantize: Prep = (be, node) => {
  const op = node.op;
  const factor = f32(op.num('Scale_out', 1) / op.num('Scale_in', 1));
  const tin = tcode(node.inputs.Input[0].dtype), tout = tcode(node.outputs.Output[0].dtype);
  const n = numel(node.inputs.Input[0].dims);
  return (io, a) => be.x.requantize_i8(a(io.inputs.Input[0]), a(io.outputs.Output[0]), n, factor, tin, tout);
};

const BIN: Record<string, number> = { elementwise_add: 0, elementwise_sub: 1, elementwise_mul: 2, elementwise_div: 3 };

const prepBinary: Prep = (be, node) => {
  const bc = broadcast(node.op, node.inputs.X[0].dims, node.inputs.Y[0].dims, node.op.num('axis', -1));
  // collapse adjacent dims where both operands stay regular
  const dims: number[] = [], xs: number[] = [], ys: number[] = [];
  bc.out.forEach((d, i) => {
    if (d === 1) return;
    const k = dims.length - 1;
    if (k >= 0 && xs[k] === bc.xStrides[i] * d && ys[k] === bc.yStrides[i] * d) {
      dims[k] *= d; xs[k] = bc.xStrides[i]; ys[k] = bc.yStrides[i];
    } else { dims.push(d); xs.push(bc.xStrides[i]); ys.push(bc.yStrides[i]); }
  });
  if (dims.length === 0) { dims.push(1); xs.push(0); ys.push(0); }
  const desc = be.upload(Int32Array.from([dims.length, ...dims, ...xs, ...ys]));
  const op = BIN[node.op.type];
  return (io, a) => be.x.binary_f32(op, a(io.inputs.X[0]), a(io.inputs.Y[0]), a(io.outputs.Out[0]), desc);
};

const prepUnary: Prep = (be, node) => {
  const op = node.op;
  const n = numel(node.inputs.X[0].dims);
  let code = 0, A = 0, B = 0;
  switch (op.type) {
    case 'relu': code = 0; break;
    case 'relu6': code = 1; A = op.num('threshold', 6); break;
    case 'leaky_relu': code = 2; A = op.num('alpha', 0.02); break;
    case 'scale': {
      const s = op.num('scale', 1), b = op.num('bias', 0);
      if (op.bool('bias_after_scale', true)) { code = 3; A = s; B = b; } else { code = 4; A = s; B = b; }
      break;
    }
    case 'dropout': code = 3; B = 0; A = op.str('dropout_implementation', 'downgrade_in_infer') === 'upscale_in_train' ? 1 : 1 - op.num('dropout_prob', 0.5); break;
    case 'hard_sigmoid': code = 5; A = op.num('slope', 0.2); B = op.num('offset', 0.5); break;
  }
  const mask = op.type === 'dropout' && node.outputs.Mask?.[0] ? node.outputs.Mask[0] : undefined;
  const maskBytes = mask ? numel(mask.dims) * dtypeSize(mask.dtype) : 0;
  return (io, a) => {
    be.x.unary_f32(code, a(io.inputs.X[0]), a(io.outputs.Out[0]), n, A, B);
    if (mask && maskBytes) { const m = a(io.outputs.Mask[0]); be.v().u8.fill(0, m, m + maskBytes); if (mask.dtype === 'uint8') be.v().u8.fill(1, m, m + maskBytes); }
  };
};

const prepReluS8: Prep = (be, node) => {
  const n = numel(node.inputs.X[0].dims);
  return (io, a) => be.x.relu_s8(a(io.inputs.X[0]), a(io.outputs.Out[0]), n);
};

const prepCopy: Prep = (be, node) => {
  const x = node.inputs.X[0];
  const bytes = numel(x.dims) * dtypeSize(x.dtype);
  return (io, a) => { const s = a(io.inputs.X[0]), d = a(io.outputs.Out[0]); if (s !== d) be.x.copy_bytes(d, s, bytes); };
};

const prepBatchNorm: Prep = (be, node, w) => {
  const eps = node.op.num('epsilon', 1e-5);
  const dims = node.inputs.X[0].dims;
  const N = dims[0], C = dims[1], inner = prod(dims, 2);
  const get = (s: string) => weightOf(node, w, node.inputs[s][0]) as unknown as ArrayLike<number>;
  const varr = get('Variance');
  const sd = new Float64Array(C);
  for (let c = 0; c < C; c++) sd[c] = Math.sqrt(varr[c] + eps);
  const mean = be.upload(Float64Array.from(get('Mean'))), sdp = be.upload(sd);
  const sc = be.upload(Float64Array.from(get('Scale'))), bi = be.upload(Float64Array.from(get('Bias')));
  return (io, a) => be.x.batch_norm_f32(a(io.inputs.X[0]), a(io.outputs.Y[0]), N, C, inner, mean, sdp, sc, bi);
};

const prepSoftmax: Prep = (be, node) => {
  const dims = node.inputs.X[0].dims;
  const axis = normAxis(node.op, node.op.num('axis', -1), dims.length);
  const outer = prod(dims, 0, axis), d = dims[axis], inner = prod(dims, axis + 1);
  return (io, a) => be.x.softmax_f32(a(io.inputs.X[0]), a(io.outputs.Out[0]), outer, d, inner);
};

const prepConcat: Prep = (be, node) => {
  const od = node.outputs.Out[0].dims;
  const es = dtypeSize(node.outputs.Out[0].dtype);
  const axis = normAxis(node.op, node.op.num('axis', 0), od.length);
  const outer = prod(od, 0, axis), inner = prod(od, axis + 1);
  const pieces = node.inputs.X.map((s) => s.dims[axis] * inner * es);
  const rowOut = od[axis] * inner * es;
  return (io, a) => {
    const y = a(io.outputs.Out[0]);
    let off = 0;
    io.inputs.X.forEach((r, i) => {
      be.x.copy_chunks(y + off, a(r), pieces[i], outer, rowOut, pieces[i]);
      off += pieces[i];
    });
  };
};

const prepTranspose: Prep = (be, node) => {
  const perm = node.op.ints('axis', []);
  const xd = node.inputs.X[0].dims;
  const r = xd.length;
  const xs = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) { xs[i] = acc; acc *= xd[i]; }
  const od = perm.map((p) => xd[p]), ps = perm.map((p) => xs[p]);
  const desc = be.upload(Int32Array.from([r, ...od, ...ps]));
  const es = dtypeSize(node.inputs.X[0].dtype);
  return (io, a) => be.x.transpose(a(io.inputs.X[0]), a(io.outputs.Out[0]), desc, es);
};

/** the reference kernel on views of the wasm memory (views re-made when the memory grows) */
const prepRef: Prep = (be, node, w) => {
  const impl = refKernels.get(node.op.type)!;
  const state = impl.prepare?.(node, w);
  let ctx: RefCtx | undefined;
  let len = -1;
  return (io, a) => {
    const buf = be.memory.buffer;
    if (!ctx || len !== buf.byteLength) { ctx = refCtx(node, io, a, new Uint8Array(buf), state); len = buf.byteLength; }
    impl.run(ctx);
  };
};

function refCtx(node: OpNode, io: KernelIO, a: (r: BufferRef) => number, mem: Uint8Array, state: unknown): RefCtx {
  const view = (r: BufferRef): TypedArray => {
    const off = a(r);
    return viewAs(r.spec.dtype, mem.subarray(off, off + numel(r.spec.dims) * dtypeSize(r.spec.dtype)));
  };
  const ins = new Map<string, TypedArray[]>(), outs = new Map<string, TypedArray[]>();
  for (const [s, refs] of Object.entries(io.inputs)) ins.set(s, refs.map(view));
  for (const [s, refs] of Object.entries(io.outputs)) outs.set(s, refs.map(view));
  const pick = (m: Map<string, TypedArray[]>, s: string, i: number) => {
    const v = m.get(s)?.[i];
    if (!v) throw new QdeployError('internal', `op ${node.op.label}: missing ${s}[${i}]`);
    return v;
  };
  return {
    node, state,
    in: (s, i = 0) => pick(ins, s, i), out: (s, i = 0) => pick(outs, s, i),
    inSpec: (s, i = 0) => node.inputs[s][i], outSpec: (s, i = 0) => node.outputs[s][i],
    hasIn: (s) => (ins.get(s)?.length ?? 0) > 0, hasOut: (s) => (outs.get(s)?.length ?? 0) > 0,
    ins: (s) => ins.get(s) ?? [],
  };
}

const PREPARE: Record<Family, Prep> = {
  conv_gemm: prepConvGemm, conv_dw: prepConvDw, fc: prepFc, mul: prepMul, matmul: prepMatmul, pool2d: prepPool,
  quantize: prepQuantize, dequantize: prepDequantize, requantize: prepRequantize, binary: prepBinary, unary: prepUnary,
  relu_s8: prepReluS8, copy: prepCopy, batch_norm: prepBatchNorm, softmax: prepSoftmax, concat: prepConcat,
  transpose: prepTranspose, ref: prepRef,
};

export function wasmBackend(opts: WasmOptions = {}): WasmBackend { return new WasmBackend(opts); }
