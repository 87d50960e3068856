// Intra-op threads: N−1 worker_threads instantiate the same module on the same shared memory; a kernel call
// (function, parameter block, item count) is split into contiguous item ranges, range 0 on the calling thread.
// Hand-off through a SharedArrayBuffer control block and Atomics (short spin, then wait), so a dispatch costs
// microseconds and allocates nothing.
import { Worker } from 'node:worker_threads';
import { QdeployError } from '../../util/errors';

const SEQ = 0, PENDING = 1, FN = 2, PARAM = 3, ITEMS = 4, NT = 5, READY = 6, QUIT = 7, ERR = 8;

const WORKER_SRC = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, tid, names } = workerData;
const c = new Int32Array(ctl);
let fns;
try {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  fns = names.map((n) => inst.exports[n]);
} catch (e) { Atomics.store(c, ${ERR}, 1); }
Atomics.add(c, ${READY}, 1); Atomics.notify(c, ${READY});
let seq = 0;
for (;;) {
  let s = Atomics.load(c, ${SEQ});
  for (let i = 0; s === seq && i < 20000; i++) s = Atomics.load(c, ${SEQ});
  if (s === seq) { Atomics.wait(c, ${SEQ}, seq); continue; }
  seq = s;
  if (Atomics.load(c, ${QUIT})) break;
  const nt = c[${NT}], n = c[${ITEMS}];
  if (tid < nt) {
    const lo = Math.floor(n * tid / nt), hi = Math.floor(n * (tid + 1) / nt);
    try { if (hi > lo) fns[c[${FN}]](c[${PARAM}], lo, hi, tid); } catch (e) { Atomics.store(c, ${ERR}, 1); }
  }
  if (Atomics.sub(c, ${PENDING}, 1) === 1) Atomics.notify(c, ${PENDING});
}
`;

export type KernelFn = (p: number, start: number, end: number, tid: number) => void;

export class ThreadPool {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(64));
  private readonly workers: Worker[] = [];
  private ready = false;

  constructor(readonly threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
    private readonly names: string[], private readonly local: KernelFn[]) {
    for (let t = 1; t < threads; t++) {
      const w = new Worker(WORKER_SRC, { eval: true, workerData: { module, memory, ctl: this.ctl.buffer, tid: t, names } });
      w.unref();
      this.workers.push(w);
    }
  }

  private waitReady(): void {
    const c = this.ctl;
    const n = this.workers.length;
    const t0 = Date.now();
    for (;;) {
      const r = Atomics.load(c, READY);
      if (r >= n) break;
      Atomics.wait(c, READY, r, 1000);
      if (Date.now() - t0 > 60000) throw new QdeployError('backend', `wasm: ${n - r} worker thread(s) did not start`);
    }
    if (Atomics.load(c, ERR)) throw new QdeployError('backend', 'wasm: a worker thread could not instantiate the kernels');
    this.ready = true;
  }

  /** run fn over items [0, n) split across the threads (tid 0 here) */
  run(fn: number, param: number, n: number): void {
    const nt = Math.min(this.threads, n);
    if (nt <= 1) { this.local[fn](param, 0, n, 0); return; }
    if (!this.ready) this.waitReady();
    const c = this.ctl;
    c[FN] = fn; c[PARAM] = param; c[ITEMS] = n; c[NT] = nt;
    Atomics.store(c, PENDING, this.workers.length);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    const hi = Math.floor(n / nt);
    let err: unknown;
    try { if (hi > 0) this.local[fn](param, 0, hi, 0); } catch (e) { err = e; }
    let p = Atomics.load(c, PENDING);
    for (let i = 0; p !== 0 && i < 100000; i++) p = Atomics.load(c, PENDING);
    while (p !== 0) { Atomics.wait(c, PENDING, p, 1000); p = Atomics.load(c, PENDING); }
    if (err) throw err;
    if (Atomics.load(c, ERR)) { Atomics.store(c, ERR, 0); throw new QdeployError('backend', `wasm: kernel ${this.names[fn]} failed in a worker thread`); }
  }

  dispose(): void {
    Atomics.store(this.ctl, QUIT, 1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
