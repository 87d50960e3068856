// Paddle's ImageNet dataset binary (spec §5.3; written by PaddlePaddle/Paddle:
// paddle/fluid/inference/tests/api/full_ILSVRC2012_val_preprocess.py, read by PaddleSlim's
// demo/mkldnn_quant/sample_tester.cc). Little endian:
//
//   offset 0               int64 N
//   offset 8 + i·chw·4     float32[chw]  image i (CHW)
//   offset 8 + N·chw·4     int64[N]      labels
//
// so a valid file has exactly 8 + N·chw·4 + N·8 bytes. The writer streams images to a temp file and renames it
// into place on commit (the file appears whole or not at all); the reader validates the header against the file
// size and reads images/labels on demand with positional reads (the file is never loaded whole).
import { closeSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { AtomicFileWriter } from '../../util/fs_atomic';
import { QdeployError } from '../../util/errors';
import { openRegularFile } from '../../util/safe_read';

export const DATASET_HEADER_BYTES = 8;
const LE = endianness() === 'LE';

/** Bytes of a dataset with `n` images of `chw` floats each. */
export function datasetFileSize(n: number, chw: number): number {
  return DATASET_HEADER_BYTES + n * chw * 4 + n * 8;
}

function swap32InPlace(b: Uint8Array): void {
  for (let i = 0; i + 3 < b.length; i += 4) {
    const t0 = b[i], t1 = b[i + 1];
    b[i] = b[i + 3]; b[i + 1] = b[i + 2]; b[i + 2] = t1; b[i + 3] = t0;
  }
}

function f32Bytes(a: Float32Array): Uint8Array {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LE) return u;
  const c = new Uint8Array(u); swap32InPlace(c); return c;
}

function int64Bytes(values: ArrayLike<number>, count: number): Uint8Array {
  const out = new Uint8Array(count * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < count; i++) dv.setBigInt64(i * 8, BigInt(values[i]), true);
  return out;
}

export interface DatasetWriterOptions {
  /** floats per image (C·H·W) */
  chw: number;
  /** the number of images, when known in advance; the header is patched on commit if the count differs */
  n?: number;
}

/**
 * Streams a dataset file: `append(image, label)` writes the image at once; labels are kept (8 bytes each) and
 * written after the last image by `commit()`, which also fixes N in the header and renames the temp file into
 * place. `abort()` (or any exception before commit) leaves no file behind.
 */
export class DatasetWriter {
  readonly chw: number;
  private out: AtomicFileWriter;
  private labels: number[] = [];
  private headerN: number;
  private closed = false;

  constructor(readonly target: string, opts: DatasetWriterOptions) {
    if (!Number.isInteger(opts.chw) || opts.chw <= 0) {
      throw new QdeployError('internal', `dataset ${target}: image size must be a positive integer, got ${opts.chw}`);
    }
    this.chw = opts.chw;
    this.headerN = opts.n ?? 0;
    this.out = new AtomicFileWriter(target);
    this.out.write(int64Bytes([this.headerN], 1));
  }

  get count(): number { return this.labels.length; }

  append(image: Float32Array, label: number): void {
    if (this.closed) throw new QdeployError('internal', `dataset ${this.target}: append after commit/abort`);
    if (image.length !== this.chw) {
      this.abort();
      throw new QdeployError('shape', `dataset ${this.target}: image ${this.labels.length} has ${image.length} floats, expected ${this.chw}`);
    }
    if (!Number.isSafeInteger(label)) {
      this.abort();
      throw new QdeployError('data', `dataset ${this.target}: label of image ${this.labels.length} is not an integer: ${label}`);
    }
    try {
      this.out.write(f32Bytes(image));
    } catch (e) {
      this.abort();
      throw new QdeployError('io', `cannot write ${this.target}: ${(e as Error).message}`);
    }
    this.labels.push(label);
  }

  /** Write the labels, fix N, rename into place. Returns N and the file size. */
  commit(): { n: number; bytes: number } {
    if (this.closed) throw new QdeployError('internal', `dataset ${this.target}: commit after commit/abort`);
    const n = this.labels.length;
    try {
      this.out.write(int64Bytes(this.labels, n));
      if (n !== this.headerN) this.out.write(int64Bytes([n], 1), 0);
      this.out.commit();
    } catch (e) {
      this.abort();
      throw new QdeployError('io', `cannot write ${this.target}: ${(e as Error).message}`);
    }
    this.closed = true;
    return { n, bytes: datasetFileSize(n, this.chw) };
  }

  abort(): void {
    this.closed = true;
    this.out.abort();
  }
}

/** Write a whole in-memory dataset (tests, small tools): `images` holds N·chw floats. */
export function writeDataset(target: string, images: Float32Array, labels: ArrayLike<number>, chw: number): void {
  const n = labels.length;
  if (images.length !== n * chw) {
    throw new QdeployError('shape', `dataset ${target}: ${images.length} floats do not make ${n} images of ${chw}`);
  }
  const w = new DatasetWriter(target, { chw, n });
  for (let i = 0; i < n; i++) w.append(images.subarray(i * chw, (i + 1) * chw), labels[i]);
  w.commit();
}

export interface OpenDatasetOptions {
  /** floats per image, when known */
  chw?: number;
  /**
   * the model's input shape ([N,C,H,W] or [C,H,W], -1/0 for dynamic dims): fixes chw when C, H and W are known,
   * otherwise chw is inferred from the file size and checked against the known dims.
   */
  shape?: readonly number[];
}

export interface DatasetBatch {
  /** batchSize·chw floats */
  images: Float32Array;
  labels: number[];
}

/** An open dataset file; `close()` when done. */
export class DatasetReader {
  /** [C,H,W] where it could be determined (from the given shape, or C known and H = W) */
  readonly shape: [number, number, number] | undefined;
  private closed = false;

  constructor(
    readonly path: string,
    private fd: number,
    readonly n: number,
    readonly chw: number,
    shape: [number, number, number] | undefined,
  ) {
    this.shape = shape;
  }

  get imageBytes(): number { return this.chw * 4; }
  get labelsOffset(): number { return DATASET_HEADER_BYTES + this.n * this.chw * 4; }
  /** whole batches of `batchSize` in the file (Paddle's tester: N / batch_size, integer division) */
  numBatches(batchSize: number): number { return Math.floor(this.n / batchSize); }

  private checkRange(start: number, count: number, what: string): void {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.n) {
      throw new QdeployError('data',
        `dataset ${this.path} has ${this.n} images: ${what} needs images ${start}..${start + count - 1}`);
    }
  }

  private pread(buf: Uint8Array, position: number): void {
    if (this.closed) throw new QdeployError('internal', `dataset ${this.path}: read after close`);
    let off = 0;
    while (off < buf.length) {
      const got = readSync(this.fd, buf, off, buf.length - off, position + off);
      if (got === 0) throw new QdeployError('format', `dataset ${this.path}: unexpected end of file at byte ${position + off}`);
      off += got;
    }
  }

  /** Images start..start+count-1 as one Float32Array (count·chw floats), into `out` when given. */
  readImages(start: number, count: number, out?: Float32Array): Float32Array {
    this.checkRange(start, count, `reading ${count} images from ${start}`);
    const len = count * this.chw;
    const dst = out ?? new Float32Array(len);
    if (dst.length < len) throw new QdeployError('internal', `dataset ${this.path}: output buffer of ${dst.length} floats < ${len}`);
    const bytes = new Uint8Array(dst.buffer, dst.byteOffset, len * 4);
    this.pread(bytes, DATASET_HEADER_BYTES + start * this.imageBytes);
    if (!LE) swap32InPlace(bytes);
    return dst;
  }

  /** Labels start..start+count-1. */
  readLabels(start: number, count: number): number[] {
    this.checkRange(start, count, `reading ${count} labels from ${start}`);
    const bytes = new Uint8Array(count * 8);
    this.pread(bytes, this.labelsOffset + start * 8);
    const dv = new DataView(bytes.buffer);
    const out: number[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const v = dv.getBigInt64(i * 8, true);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new QdeployError('format', `dataset ${this.path}: label of image ${start + i} is out of range (${v})`);
      }
      out[i] = Number(v);
    }
    return out;
  }

  /** Batch k (images k·batchSize .. (k+1)·batchSize-1); `out` reuses a buffer of batchSize·chw floats. */
  batch(k: number, batchSize: number, out?: Float32Array): DatasetBatch {
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new QdeployError('usage', `dataset ${this.path}: batch size must be a positive integer, got ${batchSize}`);
    }
    const start = k * batchSize;
    this.checkRange(start, batchSize, `batch ${k} of size ${batchSize}`);
    return { images: this.readImages(start, batchSize, out), labels: this.readLabels(start, batchSize) };
  }

  /**
   * Batches 0..iterations-1 (iterations 0 or undefined = every whole batch, as Paddle's tester). Asking for more
   * batches than the file holds is an error, raised before the first batch. With `reuse`, every batch is read
   * into the same buffer.
   */
  *batches(batchSize: number, opts: { iterations?: number; reuse?: boolean } = {}): Generator<DatasetBatch> {
    const have = this.numBatches(batchSize);
    const want = opts.iterations && opts.iterations > 0 ? opts.iterations : have;
    if (want > have || want === 0) {
      throw new QdeployError('data', want === 0
        ? `dataset ${this.path} has ${this.n} images: not one batch of ${batchSize} fits`
        : `dataset ${this.path} has ${this.n} images: ${want} batch${want === 1 ? '' : 'es'} of ${batchSize} need ${want * batchSize}`);
    }
    const buf = opts.reuse ? new Float32Array(batchSize * this.chw) : undefined;
    for (let k = 0; k < want; k++) yield this.batch(k, batchSize, buf);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

function lastThree(shape: readonly number[] | undefined, path: string): [number, number, number] | undefined {
  if (!shape) return undefined;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new QdeployError('shape', `dataset ${path}: model input shape [${shape.join(',')}] is not [N,C,H,W] or [C,H,W]`);
  }
  const s = shape.slice(-3) as [number, number, number];
  return s.map((d) => (d > 0 ? d : -1)) as [number, number, number];
}

/**
 * Open a dataset file and check it: N ≥ 0 and size == 8 + N·chw·4 + N·8. chw comes from `opts.chw`, from the
 * model input shape when C, H and W are all known, or else from the file size (then checked against any known
 * dims of the shape).
 */
export function openDataset(path: string, opts: OpenDatasetOptions = {}): DatasetReader {
  // a regular file only: a FIFO would block the reader for ever (the path itself is the user's choice, links included)
  const { fd, size } = openRegularFile(path, { what: 'dataset', missing: `cannot open dataset ${path}: no such file` });
  try {
    if (size < DATASET_HEADER_BYTES) {
      throw new QdeployError('format', `dataset ${path}: ${size} bytes is shorter than the 8-byte header`);
    }
    const head = new Uint8Array(8);
    readSync(fd, head, 0, 8, 0);
    const nBig = new DataView(head.buffer).getBigInt64(0, true);
    if (nBig < 0n) throw new QdeployError('format', `dataset ${path}: header N = ${nBig} is negative (file has ${size} bytes)`);
    if (nBig > BigInt(size)) {
      throw new QdeployError('format', `dataset ${path}: header N = ${nBig} images cannot fit in ${size} bytes (at least ${nBig}·12+8 needed)`);
    }
    const n = Number(nBig);
    const dims = lastThree(opts.shape, path);
    let chw = opts.chw;
    if (chw === undefined && dims && dims.every((d) => d > 0)) chw = dims[0] * dims[1] * dims[2];
    if (chw !== undefined) {
      if (!Number.isInteger(chw) || chw <= 0) throw new QdeployError('internal', `dataset ${path}: bad image size ${chw}`);
      const expected = datasetFileSize(n, chw);
      if (expected !== size) {
        throw new QdeployError('format',
          `dataset ${path}: header N = ${n} images of ${chw} floats needs ${expected} bytes (8 + N·${chw}·4 + N·8) but the file has ${size}`);
      }
    } else {
      if (n === 0) {
        if (size !== DATASET_HEADER_BYTES) {
          throw new QdeployError('format', `dataset ${path}: header N = 0 but the file has ${size} bytes (expected 8)`);
        }
        throw new QdeployError('format', `dataset ${path}: header N = 0 (empty dataset); the image size cannot be inferred`);
      }
      const per = (size - DATASET_HEADER_BYTES) / n; // bytes per image + its label
      const inferred = (per - 8) / 4;
      if (!Number.isInteger(per) || !Number.isInteger(inferred) || inferred <= 0) {
        throw new QdeployError('format',
          `dataset ${path}: file size ${size} does not fit header N = ${n} (size must be 8 + N·(C·H·W·4 + 8))`);
      }
      chw = inferred;
    }
    let shape: [number, number, number] | undefined;
    if (dims) {
      const known = dims.filter((d) => d > 0).reduce((a, b) => a * b, 1);
      if (chw % known !== 0) {
        throw new QdeployError('shape', `dataset ${path}: ${chw} floats per image do not fit the model input [${dims.join(',')}]`);
      }
      const [c, h, w] = dims;
      if (c > 0 && h > 0 && w > 0) {
        if (c * h * w !== chw) {
          throw new QdeployError('shape', `dataset ${path}: images of ${chw} floats do not match the model input ${c}x${h}x${w} (${c * h * w})`);
        }
        shape = [c, h, w];
      } else if (c > 0 && h <= 0 && w <= 0) {
        const side = Math.round(Math.sqrt(chw / c));
        if (side * side * c === chw) shape = [c, side, side];
      } else {
        const missing = chw / known;
        shape = [c > 0 ? c : missing, h > 0 ? h : missing, w > 0 ? w : missing];
        if (dims.filter((d) => d <= 0).length !== 1) shape = undefined;
      }
    } else if (chw % 3 === 0) {
      const side = Math.round(Math.sqrt(chw / 3));
      if (side * side * 3 === chw) shape = [3, side, side];
    }
    return new DatasetReader(path, fd, n, chw, shape);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
