// Streams of preprocessed images: several images in flight (sharp runs them on libuv's thread pool), results
// delivered in list order, memory bounded by the window (`concurrency` images). Feeds a dataset writer
// (`qdeploy preprocess`) or goes straight to a model as batches (`qdeploy bench/quantize` on a JPEG folder).
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { DatasetWriter } from '../format/paddle/dataset_bin';
import { QdeployError } from '../util/errors';
import { Preprocessor, type PreprocessOptions } from './preprocess';
import { readValList, type ImageEntry, type ValListOptions } from './val_list';

export type OnError = 'skip' | 'fail';

export interface StreamOptions {
  /** unreadable / missing images: skip with a warning, or fail naming the file (default) */
  onError?: OnError;
  /** images in flight (default 8 × the thread pool size, 8..32) */
  concurrency?: number;
  /** one line per skipped image (default: stderr `qdeploy: warning: ...`) */
  onWarning?: (message: string) => void;
  /** called after each image (done includes skipped ones) */
  onProgress?: (done: number, total: number) => void;
}

export interface PreprocessedImage {
  entry: ImageEntry;
  /** position in the entry list */
  index: number;
  /** chw floats, a fresh array per image */
  image: Float32Array;
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

type Outcome = { ok: true; image: Float32Array } | { ok: false; error: QdeployError };

function where(e: ImageEntry, listFile?: string): string {
  return `${e.path} (${listFile ? `${listFile}:` : 'line '}${e.line})`;
}

async function loadOne(e: ImageEntry, pre: Preprocessor, listFile?: string): Promise<Outcome> {
  try {
    let buf: Buffer;
    try { buf = await readFile(e.path); } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new QdeployError('data', `image ${where(e, listFile)}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    return { ok: true, image: await pre.process(buf, `image ${where(e, listFile)}`) };
  } catch (err) {
    const error = err instanceof QdeployError ? err : new QdeployError('data', `image ${where(e, listFile)}: ${(err as Error).message}`);
    return { ok: false, error };
  }
}

/**
 * Preprocess `entries` with a window of images in flight; yields them in order. With onError 'skip', unreadable
 * images are reported through onWarning and left out; with 'fail' the first one throws (naming the file and the
 * list line). Stopping the iteration early leaves nothing running that could reject unhandled.
 */
export async function* preprocessEntries(
  entries: readonly ImageEntry[], pre: Preprocessor | PreprocessOptions, opts: StreamOptions & { listFile?: string } = {},
): AsyncGenerator<PreprocessedImage> {
  const p = pre instanceof Preprocessor ? pre : new Preprocessor(pre);
  const window = Math.max(1, opts.concurrency ?? defaultConcurrency());
  const onError = opts.onError ?? 'fail';
  const warn = opts.onWarning ?? ((m: string) => process.stderr.write(`qdeploy: warning: ${m}\n`));
  const pending: Promise<Outcome>[] = [];
  let next = 0, done = 0;
  const launch = () => { const e = entries[next++]; pending.push(loadOne(e, p, opts.listFile)); };
  while (next < entries.length && pending.length < window) launch();
  while (pending.length > 0) {
    const r = await pending.shift()!;
    const index = done++;
    if (next < entries.length) launch();
    if (r.ok) {
      opts.onProgress?.(done, entries.length);
      yield { entry: entries[index], index, image: r.image };
    } else {
      if (onError === 'fail') throw r.error;
      warn(`skipping ${r.error.message}`);
      opts.onProgress?.(done, entries.length);
    }
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

export interface WriteResult { n: number; skipped: number; bytes: number; seconds: number }

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
  let skipped = 0;
  try {
    const warn = opts.onWarning ?? ((m: string) => process.stderr.write(`qdeploy: warning: ${m}\n`));
    for await (const r of preprocessEntries(entries, p, { ...opts, onWarning: (m) => { skipped++; warn(m); } })) {
      writer.append(r.image, r.entry.label);
    }
    if (writer.count === 0) throw new QdeployError('data', `no image could be read (${skipped} skipped); ${target} not written`);
    const { n, bytes } = writer.commit();
    return { n, skipped, bytes, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    writer.abort();
    throw e;
  }
}
