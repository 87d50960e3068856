// Worker threads that preprocess whole images (src/data/preprocess_worker.ts): the wasm resize then runs beside the
// decodes instead of queueing on the main thread, which on 2 cores kept the in-thread pipeline near 1.3× one core.
// Jobs go to the least busy worker, a few at a time each (`perWorker`) so that a worker never idles while its reply
// travels or the main thread waits for a core (2 and 4 measured alike on 2 quiet cores; 4 leaves more slack when
// busy); the rest wait here in submission order. A worker that stops (an uncaught exception, exit, failed start)
// fails its jobs and every later one with one clear error instead of leaving them pending. Idle workers are unref'd:
// they never keep the process alive.
//
// A pool outlives the stream that started it (acquireWorkers / releaseWorkers): starting a worker costs 100-400 ms
// (150-200 ms from the bundle, more under esbuild-register) plus the wasm resize's tier-up, which for 50 images a
// stream was more than the work. One idle pool is kept, for IDLE_MS; a stream stopped early or failed closes its
// pool. Workers load sharp too: the main thread has loaded it first (src/data/pipeline.ts imports it), which sharp
// needs on glibc so that its libraries are not unloaded when a worker ends.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { metaDir } from '../util/build_dir';
import { QdeployError } from '../util/errors';
import type { Outcome, WorkerJob, WorkerReply } from './image_job';
import type { PreprocessOptions } from './preprocess';

/**
 * The worker's entry: dist/preprocess_worker.mjs beside the bundle, or the TypeScript source beside this file
 * (loaded through the esbuild-register that the worker inherits from process.execArgv). Undefined if neither exists.
 */
export function workerEntry(): string | undefined {
  const cands: string[] = [];
  const md = metaDir();
  if (md) cands.push(join(md, 'preprocess_worker.mjs'));
  if (typeof __dirname !== 'undefined') cands.push(join(__dirname, 'preprocess_worker.ts'));
  return cands.find((c) => existsSync(c));
}

interface Pending { job: WorkerJob; resolve: (o: Outcome) => void }

interface Slot {
  worker: Worker;
  busy: Map<number, Pending>;
  /** its modules loaded (it said so): jobs go only to ready workers */
  ready?: boolean;
  dead?: boolean;
  /** first line of an uncaught exception, kept for the 'exit' that follows it */
  error?: string;
}

/** worker threads started and not yet exited, all pools together (tests check that none are left running) */
let live = 0;
export const liveWorkerThreads = (): number => live;
/** images answered by workers, all pools together (tests check which path ran) */
let answered = 0;
export const workerJobsAnswered = (): number => answered;
/** per worker script: why it could not start */
const startFailures = new Map<string, QdeployError>();

export class PreprocessWorkers {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closing = false;
  /** callers in whenReady(): until then the starting workers keep the process alive */
  private waiting = 0;
  private readyWaiters: (() => void)[] = [];
  /** set when a worker stopped: every job from then on fails with it */
  private broken?: QdeployError;

  constructor(readonly threads: number, readonly file: string, readonly perWorker = 4) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(file, { stdout: false, stderr: false });
      live++;
      const slot: Slot = { worker, busy: new Map() };
      worker.unref();
      worker.on('message', (m: WorkerReply) => this.reply(slot, m));
      worker.on('error', (e: Error) => { slot.error ??= String(e?.message ?? e).split('\n')[0].trim(); });
      worker.on('messageerror', (e: Error) => { slot.error ??= `message could not be read: ${e.message}`; });
      worker.on('exit', (code: number) => this.died(slot, i, code));
      this.slots.push(slot);
    }
  }

  /** some worker is ready, or the pool is broken (then submit fails at once): jobs may be submitted */
  get takesJobs(): boolean {
    return !this.usable || this.slots.some((s) => s.ready && !s.dead);
  }

  /** jobs sent and not answered, plus those waiting here */
  get outstanding(): number {
    return this.queue.length + this.slots.reduce((n, s) => n + s.busy.size, 0);
  }

  /** false once a worker stopped or close() was called */
  get usable(): boolean {
    return !this.broken && !this.closing;
  }

  /** Resolves when every worker is ready, or the pool broke or closed. */
  async whenReady(): Promise<void> {
    const settled = () => !this.usable || this.slots.every((s) => s.ready || s.dead);
    if (settled()) return;
    this.waiting++;
    this.slots.forEach((s) => this.updateRef(s));
    try {
      await new Promise<void>((resolve) => {
        const check = () => { if (settled()) resolve(); else this.readyWaiters.push(check); };
        check();
      });
    } finally {
      this.waiting--;
      this.slots.forEach((s) => this.updateRef(s));
    }
  }

  /**
   * Preprocess the file at `path` in a worker with `options` (`key`: their JSON); `name` ('image <where>') starts
   * every message. Never rejects.
   */
  submit(path: string, name: string, options: PreprocessOptions, key: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const p = { job: { id: this.nextId++, path, name, key, options }, resolve };
      if (!this.usable) { resolve(this.fatal()); return; }
      this.queue.push(p);
      this.dispatch();
    });
  }

  /** Stop every worker (jobs still out are dropped, their promises never settle); idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    this.queue.length = 0;
    this.wake();
    // terminate() refs the worker until it exits; nothing here may unref it after that (see updateRef)
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private fatal(): Outcome {
    return { ok: false, fatal: true, error: this.broken ?? new QdeployError('internal', 'preprocess workers already stopped') };
  }

  /** a job out, or someone waiting for the start: the worker keeps the process alive; idle: it does not */
  private updateRef(s: Slot): void {
    // closing: a reply still arriving would unref a stopping worker, and the process could exit before close() resolves
    if (s.dead || this.closing) return;
    if (s.busy.size > 0 || (!s.ready && this.waiting > 0)) s.worker.ref();
    else s.worker.unref();
  }

  private wake(): void {
    const w = this.readyWaiters.splice(0);
    for (const f of w) f();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) {
        if (s.ready && !s.dead && s.busy.size < this.perWorker && (!best || s.busy.size < best.busy.size)) best = s;
      }
      if (!best) return;
      const p = this.queue.shift()!;
      best.busy.set(p.job.id, p);
      if (best.busy.size === 1) this.updateRef(best);
      best.worker.postMessage(p.job);
    }
  }

  private reply(slot: Slot, m: WorkerReply): void {
    if (this.closing) return;
    if ('ready' in m) {
      slot.ready = true;
      this.updateRef(slot);
      this.wake();
      this.dispatch();
      return;
    }
    const p = slot.busy.get(m.id);
    if (!p) return;
    slot.busy.delete(m.id);
    answered++;
    if (slot.busy.size === 0) this.updateRef(slot);
    if ('image' in m) p.resolve({ ok: true, image: m.image, worker: true });
    else p.resolve({ ok: false, error: new QdeployError(m.error.code, m.error.message) });
    this.dispatch();
  }

  private died(slot: Slot, index: number, code: number): void {
    slot.dead = true;
    live--;
    this.wake();
    if (this.closing) return;
    const on = slot.busy.values().next().value as Pending | undefined;
    this.broken ??= new QdeployError('internal',
      `preprocess worker ${index + 1} of ${this.threads} stopped (${slot.error ?? `exit code ${code}`})` +
      `${on ? ` while on ${on.job.name.replace(/^image /, '')}` : ''}; QDEPLOY_PREPROCESS_WORKERS=0 preprocesses without workers`);
    // a script that cannot start will not start next time either: later streams fail at once (see acquireWorkers)
    if (!slot.ready) startFailures.set(this.file, this.broken);
    const lost = [...slot.busy.values(), ...this.queue.splice(0)];
    slot.busy.clear();
    for (const p of lost) p.resolve(this.fatal());
  }
}

const IDLE_MS = 5000;
let idle: { pool: PreprocessWorkers; timer: NodeJS.Timeout } | undefined;

/** An idle pool of `threads` workers running `file` is waiting (acquireWorkers would start none). */
export function idleWorkersFit(threads: number, file: string): boolean {
  return !!idle && idle.pool.threads === threads && idle.pool.file === file && idle.pool.usable;
}

/**
 * The idle pool when it fits (same size and script), else a new one. Pair with releaseWorkers. Throws the error of
 * an earlier start of `file` that failed: a stream that runs on the main thread while the workers start would
 * otherwise never hear of it.
 */
export function acquireWorkers(threads: number, file: string): PreprocessWorkers {
  const failed = startFailures.get(file);
  if (failed) throw failed;
  if (idle && idleWorkersFit(threads, file)) {
    const { pool, timer } = idle;
    clearTimeout(timer);
    idle = undefined;
    return pool;
  }
  return new PreprocessWorkers(threads, file);
}

/**
 * Done with `pool`: kept as the idle pool when `keep` and it is healthy with nothing out (a stream that ran to its
 * end), else closed (stopped early, failed, or another pool is already kept). Resolves once closed workers exited.
 */
export async function releaseWorkers(pool: PreprocessWorkers, keep: boolean): Promise<void> {
  if (!keep || !pool.usable || pool.outstanding > 0 || idle) { await pool.close(); return; }
  const timer = setTimeout(() => { if (idle?.pool === pool) { idle = undefined; void pool.close(); } }, IDLE_MS);
  timer.unref();
  idle = { pool, timer };
}

/** Close the idle pool now (tests, and benchmarks that want a cold start). */
export async function closeIdleWorkers(): Promise<void> {
  const i = idle;
  idle = undefined;
  if (i) { clearTimeout(i.timer); await i.pool.close(); }
}

/** Start (or keep) the idle pool for `threads` workers and wait until they are ready: tests, benchmarks. */
export async function prewarmWorkers(threads: number, file = workerEntry()): Promise<void> {
  if (!file || threads <= 0) return;
  const pool = acquireWorkers(threads, file);
  await pool.whenReady();
  await releaseWorkers(pool, true);
}
