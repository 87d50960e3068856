// One image of a stream: read the file, preprocess it, turn every failure into a one-line QdeployError naming the
// file and its list line. Shared by the in-thread pipeline (src/data/pipeline.ts) and the worker threads
// (src/data/preprocess_worker.ts), so both give the same messages; also the messages between them.
import { QdeployError } from '../util/errors';
import { readRegularFile, readRegularFileAsync } from '../util/safe_read';
import type { Preprocessor, PreprocessOptions } from './preprocess';
import type { ImageEntry } from './val_list';

export type Outcome =
  /** worker: preprocessed in a worker thread */
  | { ok: true; image: Float32Array; worker?: boolean }
  /** fatal: not this image's fault (a worker died); ends the stream whatever --on_error says */
  | { ok: false; error: QdeployError; fatal?: boolean };

/** `path (list.txt:line)`, or `path (line N)` without a list file. */
export function where(e: ImageEntry, listFile?: string): string {
  return `${e.path} (${listFile ? `${listFile}:` : 'line '}${e.line})`;
}

function readError(err: unknown, path: string, name: string): QdeployError {
  // safe_read's messages start with the path, which `name` already holds
  const m = (err as Error).message;
  return new QdeployError('data', `${name}: ${m.startsWith(`${path}: `) ? m.slice(path.length + 2) : m}`);
}

function asOutcomeError(err: unknown, name: string): Outcome {
  return { ok: false, error: err instanceof QdeployError ? err : new QdeployError('data', `${name}: ${(err as Error).message}`) };
}

/**
 * Read and preprocess one file; never rejects. `name` ('image <where>') starts every message. `sync` reads the file
 * on this thread (a worker owns its thread; the pool hop would only add latency), else through libuv's pool.
 */
export async function loadImage(path: string, name: string, pre: Preprocessor, sync = false): Promise<Outcome> {
  let buf: Uint8Array;
  try {
    // a regular file only (a FIFO in the list would block the stream for ever); the list may name files anywhere,
    // as Paddle's os.path.join allows absolute paths, so no containment check here
    const o = { what: 'image', missing: `${path}: no such file` };
    buf = sync ? readRegularFile(path, o) : await readRegularFileAsync(path, o);
  } catch (err) {
    return { ok: false, error: readError(err, path, name) };
  }
  try {
    return { ok: true, image: await pre.process(buf, name) };
  } catch (err) {
    return asOutcomeError(err, name);
  }
}

/** main → worker: one image, and the options to preprocess it with (`key`: their JSON, naming the worker's Preprocessor) */
export interface WorkerJob { id: number; path: string; name: string; key: string; options: PreprocessOptions }
/** worker → main: started; then per job the image (its buffer transferred), or the error's code and message */
export type WorkerReply =
  | { ready: true }
  | { id: number; image: Float32Array }
  | { id: number; error: { code: QdeployError['code']; message: string } };
