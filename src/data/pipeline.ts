// Streams of preprocessed images: several images in flight, results delivered in list order, memory bounded by the
// window (`concurrency` images). With 2+ threads and --resample pil, worker threads (src/data/worker_pool.ts) each
// read, decode, resize and normalise whole images and this thread only orders them; otherwise (1 thread, the sharp
// resamplers, QDEPLOY_PREPROCESS_WORKERS=0, short lists, while the workers start) the decodes run on libuv's pool and the
// resize here. Both give the same floats bit for bit. Feeds a dataset writer (`qdeploy preprocess`) or goes straight
// to a model as batches (`qdeploy bench/quantize` on a JPEG folder).
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { DatasetWriter } from '../format/paddle/dataset_bin';
import { QdeployError } from '../util/errors';
import { loadImage, where, type Outcome } from './image_job';
import { Preprocessor, type PreprocessOptions } from './preprocess';
import { readValList, type ImageEntry, type ValListOptions } from './val_list';
import { acquireWorkers, idleWorkersFit, releaseWorkers, workerEntry, type PreprocessWorkers } from './worker_pool';

export type OnError = 'skip' | 'fail';

// Loaded here on the main thread before any worker starts (sharp asks for that: its libraries must not be unloaded
// when a worker ends), with libvips' operation cache off as Preprocessor sets it on first use (process-wide).
sharp.cache(false);

export interface StreamOptions {
  /** unreadable / missing images: skip with a warning, or fail naming the file (default) */
  onError?: OnError;
  /** images in flight (default 8 × the thread pool size, 8..32) */
  concurrency?: number;
  /** one line per skipped image (default: stderr `qdeploy: warning: ...`) */
  onWarning?: (message: string) => void;
  /** called after each image (done includes skipped ones) */
  onProgress?: (done: number, total: number) => void;
  /**
   * worker threads preprocessing whole images; 0: all on this thread and libuv's pool (default: defaultWorkers(), and
   * none for a list shorter than MIN_IMAGES_FOR_NEW_WORKERS unless started ones are idle)
   */
  workers?: number;
  /** the workers' script (default: workerEntry(); tests pass stand-ins) */
  workerFile?: string;
}

export interface PreprocessedImage {
  entry: ImageEntry;
  /** position in the entry list */
  index: number;
  /** chw floats, a fresh array per image */
  image: Float32Array;
  /** preprocessed in a worker thread (else on this thread, with decodes on libuv's pool) */
  worker: boolean;
}

/**
 * Sets the worker threads for image decoding: libuv's pool (UV_THREADPOOL_SIZE, read by libuv when its pool
 * first starts — call this before any async fs or sharp work) and one libvips thread per image (throughput
 * comes from several images at once). An explicit UV_THREADPOOL_SIZE in the environment wins.
 * Returns the pool size in effect.
 */
export function configureThreads(threads?: number): number {
  const n = threads && threads > 0 ? Math.floor(threads) : availableParallelism();
  if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.max(1, n));
  sharp.concurrency(1);
  return Number(process.env.UV_THREADPOOL_SIZE) || n;
}

/**
 * Images in flight: 8 per pool thread (at most 32, which bounds memory for large photos). The decodes run on the
 * pool while the main thread resizes; with 2 per thread the main thread waited on the head image and 2 cores
 * ran at 1.2x one core (bench/preprocess.ts: 2 cores 400 img/s at a window of 4, 650-760 at 16; 1 core best at 8).
 */
export function defaultConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.min(32, Math.max(8, 8 * pool));
}

export const MAX_DEFAULT_WORKERS = 16;

/**
 * Worker threads for preprocessEntries: $QDEPLOY_PREPROCESS_WORKERS if set (0: none), else one per thread of the
 * pipeline (`threads`: UV_THREADPOOL_SIZE as configureThreads set it, or the cores available) from 2 threads on.
 * Measured with --resample pil on the 50 asset photos (taskset, medians of 6 interleaved runs): on 2 cores 2 workers
 * did 690-706 img/s with 1.93 cores busy, the main-thread path 580 with 1.58 (its resizes queue on one thread); on 1
 * core one worker did 386 img/s, the main thread 422 (the hand-off only costs there), so 1 thread keeps 0 workers.
 * At most MAX_DEFAULT_WORKERS: each costs about 25 MiB, the window (defaultConcurrency, ≤ 32 images) would leave more
 * without enough work, and nothing beyond 2 cores was measured here.
 */
export function defaultWorkers(threads = Number(process.env.UV_THREADPOOL_SIZE) || availableParallelism()): number {
  return envWorkers() ?? (threads >= 2 ? Math.min(threads, MAX_DEFAULT_WORKERS) : 0);
}

/** $QDEPLOY_PREPROCESS_WORKERS, checked; undefined when unset */
function envWorkers(): number | undefined {
  const env = process.env.QDEPLOY_PREPROCESS_WORKERS;
  if (env === undefined || env.trim() === '') return undefined;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new QdeployError('usage', `QDEPLOY_PREPROCESS_WORKERS must be an integer in 0..256, got '${env}'`);
  return n;
}

/**
 * Below this many images a stream with the default worker count runs on the main thread unless a started pool is
 * waiting: starting the threads would not pay. `qdeploy preprocess` from the bundle, 2 cores, asset photos repeated:
 * 100 images 0.6-0.7 s with workers vs 0.4-0.5 s without, 200 images 0.7-0.8 s vs 0.8-1.1 s.
 */
export const MIN_IMAGES_FOR_NEW_WORKERS = 150;

/** Worker threads for this stream, or undefined for the in-thread path. */
function startWorkers(p: Preprocessor, opts: StreamOptions, images: number): PreprocessWorkers | undefined {
  // PIL's Lanczos in wasm is the work that needs a thread; the sharp resamplers already run in libvips' threads
  if (p.options.layout !== 'resize_crop' || p.options.resample !== 'pil') return undefined;
  const asked = opts.workers ?? envWorkers();
  const n = asked ?? defaultWorkers();
  const file = opts.workerFile ?? workerEntry();
  if (n <= 0 || !file) return undefined;
  if (asked === undefined && images < MIN_IMAGES_FOR_NEW_WORKERS && !idleWorkersFit(n, file)) return undefined;
  return acquireWorkers(n, file);
}

/**
 * Preprocess `entries` with a window of images in flight; yields them in order. With onError 'skip', unreadable
 * images are reported through onWarning and left out; with 'fail' the first one throws (naming the file and the
 * list line); a worker thread that stops ends the stream with an error either way. Stopping the iteration early
 * leaves nothing running that could reject unhandled, and no worker thread.
 */
export async function* preprocessEntries(
  entries: readonly ImageEntry[], pre: Preprocessor | PreprocessOptions, opts: StreamOptions & { listFile?: string } = {},
): AsyncGenerator<PreprocessedImage> {
  const p = pre instanceof Preprocessor ? pre : new Preprocessor(pre);
  const window = Math.max(1, opts.concurrency ?? defaultConcurrency());
  const onError = opts.onError ?? 'fail';
  const warn = opts.onWarning ?? ((m: string) => process.stderr.write(`qdeploy: warning: ${m}\n`));
  const pool = entries.length > 0 ? startWorkers(p, opts, entries.length) : undefined;
  const key = JSON.stringify(p.options);
  const pending: Promise<Outcome>[] = [];
  let next = 0, done = 0, finished = false;
  const launch = () => {
    const e = entries[next++], name = `image ${where(e, opts.listFile)}`;
    // until a worker has started (100-400 ms), images are done here: a short list need not wait for them
    pending.push(pool?.takesJobs ? pool.submit(e.path, name, p.options, key) : loadImage(e.path, name, p));
  };
  try {
    while (next < entries.length && pending.length < window) launch();
    while (pending.length > 0) {
      const r = await pending.shift()!;
      const index = done++;
      if (next < entries.length) launch();
      if (r.ok) {
        opts.onProgress?.(done, entries.length);
        yield { entry: entries[index], index, image: r.image, worker: r.worker ?? false };
      } else {
        if (onError === 'fail' || r.fatal) throw r.error;
        warn(`skipping ${r.error.message}`);
        opts.onProgress?.(done, entries.length);
      }
    }
    finished = true;
  } finally {
    // ran to the end: the workers stay for the next stream; stopped early or failed: they are terminated
    if (pool) await releaseWorkers(pool, finished);
  }
}

export interface ImageBatch {
  /** count·chw floats (batchSize·chw; a short last batch has count < batchSize and a shorter array) */
  images: Float32Array;
  labels: number[];
  entries: ImageEntry[];
  count: number;
}

export interface BatchOptions extends StreamOptions {
  batchSize: number;
  /** drop a last batch shorter than batchSize (Paddle's tester runs whole batches only); default false */
  dropLast?: boolean;
  listFile?: string;
}

/** Batches of preprocessed images, in list order, straight from the JPEGs. */
export async function* imageBatches(
  entries: readonly ImageEntry[], pre: Preprocessor | PreprocessOptions, opts: BatchOptions,
): AsyncGenerator<ImageBatch> {
  const p = pre instanceof Preprocessor ? pre : new Preprocessor(pre);
  const bs = opts.batchSize;
  if (!Number.isInteger(bs) || bs <= 0) throw new QdeployError('usage', `batch size must be a positive integer, got ${bs}`);
  let images = new Float32Array(bs * p.chw);
  let labels: number[] = [], batchEntries: ImageEntry[] = [];
  for await (const r of preprocessEntries(entries, p, opts)) {
    images.set(r.image, labels.length * p.chw);
    labels.push(r.entry.label); batchEntries.push(r.entry);
    if (labels.length === bs) {
      yield { images, labels, entries: batchEntries, count: bs };
      images = new Float32Array(bs * p.chw); labels = []; batchEntries = [];
    }
  }
  if (labels.length > 0 && !opts.dropLast) {
    yield { images: images.subarray(0, labels.length * p.chw), labels, entries: batchEntries, count: labels.length };
  }
}

export interface FolderBatchOptions extends BatchOptions, ValListOptions {
  /** list file relative to dataDir (default val_list.txt) */
  labelList?: string;
}

/** `imageBatches` over `<dataDir>/<labelList>`: what `bench`/`quantize` use to read a JPEG folder without a .bin. */
export function imageFolderBatches(dataDir: string, pre: Preprocessor | PreprocessOptions, opts: FolderBatchOptions): AsyncGenerator<ImageBatch> {
  const entries = readValList(dataDir, opts.labelList, opts);
  return imageBatches(entries, pre, { ...opts, listFile: opts.listFile ?? opts.labelList ?? 'val_list.txt' });
}

export interface WriteResult {
  n: number; skipped: number; bytes: number; seconds: number;
  /** of the n, how many worker threads preprocessed */
  inWorkers: number;
}

/**
 * Preprocess `entries` into a Paddle dataset file at `target`. The file appears only when every image is done;
 * on any failure (or when no image could be read) nothing is left behind.
 */
export async function writeDatasetFromImages(
  entries: readonly ImageEntry[], target: string, pre: Preprocessor | PreprocessOptions, opts: StreamOptions & { listFile?: string } = {},
): Promise<WriteResult> {
  const p = pre instanceof Preprocessor ? pre : new Preprocessor(pre);
  const t0 = performance.now();
  const writer = new DatasetWriter(target, { chw: p.chw, n: entries.length });
  let skipped = 0, inWorkers = 0;
  try {
    const warn = opts.onWarning ?? ((m: string) => process.stderr.write(`qdeploy: warning: ${m}\n`));
    for await (const r of preprocessEntries(entries, p, { ...opts, onWarning: (m) => { skipped++; warn(m); } })) {
      writer.append(r.image, r.entry.label);
      if (r.worker) inWorkers++;
    }
    if (writer.count === 0) throw new QdeployError('data', `no image could be read (${skipped} skipped); ${target} not written`);
    const { n, bytes } = writer.commit();
    return { n, skipped, bytes, seconds: (performance.now() - t0) / 1000, inWorkers };
  } catch (e) {
    writer.abort();
    throw e;
  }
}
