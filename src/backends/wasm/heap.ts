// A small first-fit allocator over the module's linear memory (above the kernels' static data): arenas,
// packed weights, parameter blocks and per-thread scratch. Grows the (shared) memory when needed; freed
// blocks are coalesced with their neighbours.
import { QdeployError } from '../../util/errors';

const PAGE = 65536;
const MAX_PAGES = 65536;

export class WasmHeap {
  private free: { off: number; size: number }[] = [];
  private top: number;
  private readonly sizes = new Map<number, number>();

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.top = Math.ceil(base / 64) * 64;
  }

  alloc(bytes: number, align = 64): number {
    const size = Math.max(align, Math.ceil(bytes / align) * align);
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i];
      const off = Math.ceil(f.off / align) * align;
      if (off + size <= f.off + f.size) {
        const before = off - f.off, after = f.off + f.size - (off + size);
        const repl: { off: number; size: number }[] = [];
        if (before > 0) repl.push({ off: f.off, size: before });
        if (after > 0) repl.push({ off: off + size, size: after });
        this.free.splice(i, 1, ...repl);
        this.sizes.set(off, size);
        return off;
      }
    }
    const off = Math.ceil(this.top / align) * align;
    const end = off + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new QdeployError('backend', `wasm: cannot allocate ${bytes} bytes (4 GiB linear memory limit)`);
      try { this.memory.grow(pages); } catch (e) {
        throw new QdeployError('backend', `wasm: cannot grow memory to ${(end / 2 ** 20).toFixed(0)} MiB: ${(e as Error).message}`);
      }
    }
    if (off > this.top) this.release(this.top, off - this.top);
    this.top = end;
    this.sizes.set(off, size);
    return off;
  }

  private release(off: number, size: number): void {
    this.free.push({ off, size });
    this.free.sort((a, b) => a.off - b.off);
    const merged: { off: number; size: number }[] = [];
    for (const f of this.free) {
      const last = merged[merged.length - 1];
      if (last && last.off + last.size === f.off) last.size += f.size;
      else merged.push({ ...f });
    }
    // give the tail back to the bump pointer
    const last = merged[merged.length - 1];
    if (last && last.off + last.size === this.top) { this.top = last.off; merged.pop(); }
    this.free = merged;
  }

  dealloc(off: number): void {
    const size = this.sizes.get(off);
    if (size === undefined) return;
    this.sizes.delete(off);
    this.release(off, size);
  }

  get used(): number { return this.top; }
}
