// The WebAssembly SIMD backend: AssemblyScript kernels (wasm/assembly/*) on one shared linear memory (memory.ts)
// that holds every arena, packed weight and parameter block. describe() asks the op families (registry.ts) in turn;
// the first that takes the op decides everything into KernelDesc.data, and the kernel is named
// `<wasm export>/<variant>`. Ops no family takes are declined: placement puts them on the next backend of the list
// (reference), which reads the same arena. prepare() carries the decision out once; execute() hands the io
// addresses to the prepared run (parameter block, thread split): no copies, no allocation.
import type { Arena, Backend, BackendInfo, BufferRef, Kernel, KernelDesc, KernelIO, OpNode, Unsupported, WeightTensors } from '../../runtime/backend';
import { QdeployError } from '../../util/errors';
import type { Exports } from './exports';
import type { Run, WasmCtx, WasmFamily } from './family';
import { chooseIsa, loadModule, type Features, type WasmIsa } from './loader';
import { WasmArena, WasmMemory } from './memory';
import { POOL_FNS } from './params';
import { refCheck } from './ref_check';
import { pickFamily } from './registry';
import { ThreadPool, type KernelFn } from './threads';

export { WasmArena } from './memory';

export interface WasmOptions {
  threads?: number;
  /** 'auto' (default): relaxed SIMD where the engine validates it, else SIMD128 */
  isa?: 'auto' | WasmIsa;
  /**
   * 3×3 stride-1 convs by Winograd F(2×2, 3×3) where it pays (families/winograd.ts; INT8 in exact integers, FP32 in
   * f32); default on, off with QDEPLOY_WASM_WINOGRAD=0
   */
  winograd?: boolean;
}

/** describe()'s KernelDesc.data: the family and its plan */
interface WasmData { family: WasmFamily; plan: unknown }

interface WasmKernel extends Kernel { run: Run; base?: number; addr?: (r: BufferRef) => number }

export class WasmBackend implements Backend, WasmCtx {
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
  readonly mem: WasmMemory;
  private readonly pool: ThreadPool;

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
    this.mem = new WasmMemory(this.memory, this.x.heap_base(), threads);
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

  allocArena(bytes: number): Arena { return this.mem.allocArena(bytes); }

  /** run a pool function (thread-split) */
  par(fn: number, param: number, items: number): void { this.pool.run(fn, param, items); }

  dispose(): void { this.pool.dispose(); }

  describe(node: OpNode): KernelDesc | Unsupported {
    // ops the reference cannot run are refused here too (its check validates attributes and dtypes)
    const why = refCheck(node);
    if (why) return { unsupported: why };
    const picked = pickFamily(node, this);
    if (!picked) return { unsupported: 'no wasm kernel' };
    const data: WasmData = { family: picked.family, plan: picked.decision.plan };
    return { node, kernel: `${picked.decision.fn}/${picked.decision.variant}`, data };
  }

  prepare(desc: KernelDesc, weights: WeightTensors, arena: Arena): Kernel {
    this.mem.useArena(arena as WasmArena); // packed weights and parameter blocks are released with this arena
    const d = desc.data as WasmData;
    const run = d.family.prepare(desc.node, d.plan, weights, this);
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

export function wasmBackend(opts: WasmOptions = {}): WasmBackend { return new WasmBackend(opts); }
