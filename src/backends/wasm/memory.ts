// The wasm backend's memory: one shared linear memory holding every arena, packed weight, parameter block and the
// per-thread scratch, carved by WasmHeap. Kernel memory (kalloc/upload) belongs to the arena prepare() was given
// (useArena) and is freed with it.
import type { Arena } from '../../runtime/backend';
import { WasmHeap } from './heap';
import { PARAM_SLOTS } from './params';

/** an arena inside the wasm memory: `base` is its byte address */
export class WasmArena implements Arena {
  readonly allocs: number[] = [];
  constructor(private readonly mem: WasmMemory, readonly base: number, readonly bytes: number) {}
  u8(): Uint8Array { return new Uint8Array(this.mem.memory.buffer, this.base, this.bytes); }
  release(): void { this.mem.releaseArena(this); }
}

/** a parameter block (PARAM_SLOTS i32 words) with i32/f32 setters; slots are wasm/assembly/abi.ts names */
export interface ParamBlock { p: number; i(slot: number, v: number): void; f(slot: number, v: number): void }

export class WasmMemory {
  private readonly heap: WasmHeap;
  private scratch = 0;
  private scratchPer = 0;
  private current?: WasmArena;
  private views?: { buf: ArrayBufferLike; len: number; i32: Int32Array; f32: Float32Array; u8: Uint8Array };

  constructor(readonly memory: WebAssembly.Memory, heapBase: number, private readonly threads: number) {
    this.heap = new WasmHeap(memory, Math.max(65536, Math.ceil(heapBase / 65536) * 65536));
  }

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
  uploadTmp(data: ArrayBufferView): { off: number; free(): void } {
    const off = this.heap.alloc(Math.max(1, data.byteLength));
    this.v().u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), off);
    return { off, free: () => this.heap.dealloc(off) };
  }

  /** a fresh parameter block */
  block(): ParamBlock {
    const p = this.kalloc(PARAM_SLOTS * 4);
    return {
      p,
      i: (s, v) => { this.v().i32[(p >>> 2) + s] = v; },
      f: (s, v) => { this.v().f32[(p >>> 2) + s] = v; },
    };
  }

  /** per-thread scratch of at least perThread bytes (grown, never shrunk) */
  ensureScratch(perThread: number): void {
    const need = Math.ceil((perThread + 256) / 64) * 64;
    if (need <= this.scratchPer) return;
    if (this.scratch) this.heap.dealloc(this.scratch);
    this.scratchPer = need;
    this.scratch = this.heap.alloc(need * this.threads);
  }

  get scratchBase(): number { return this.scratch; }
  get scratchStride(): number { return this.scratchPer; }

  allocArena(bytes: number): WasmArena {
    const base = this.heap.alloc(Math.max(bytes, 64));
    return new WasmArena(this, base, bytes);
  }

  /** the arena the kernel memory allocated from now on belongs to (prepare's arena) */
  useArena(a: WasmArena): void { this.current = a; }

  releaseArena(a: WasmArena): void {
    this.heap.dealloc(a.base);
    for (const o of a.allocs) this.heap.dealloc(o);
    a.allocs.length = 0;
    if (this.current === a) this.current = undefined;
  }
}
