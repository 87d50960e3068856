// One image of a stream: read the file, preprocess it, turn every failure into a one-line QdeployError naming the
// file and its list line. Shared by the in-thread pipeline (src/data/pipeline.ts) and the worker threads
// (src/data/preprocess_worker.ts), so both give the same messages; also the messages between them.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { QdeployError } from '../util/errors';
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

function readError(err: unknown, name: string): QdeployError {
  const code = (err as NodeJS.ErrnoException).code;
  return new QdeployError('data', `${name}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
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
    buf = sync ? readFileSync(path) : await readFile(path);
  } catch (err) {
    return { ok: false, error: readError(err, name) };
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
