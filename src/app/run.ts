// run's job: inputs from files (a dataset .bin, raw float32, images through src/data's preprocessing), every input
// through plans of a batch size, and the class names a labels file gives.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Graph } from '../graph/graph';
import type { Plan } from '../runtime/plan';
import { assetsDir } from '../util/assets';
import { numel } from '../util/dtype';
import { fail } from '../util/errors';
import { readRegularFile } from '../util/safe_read';
import { Preprocessor, checkImagesFit, datasetImageSize } from '../data';
import type { BackendChoice } from './backend_choice';
import { compileFor } from './bench';
import { openBinDataset, presetFor } from './data_source';

export interface Inputs {
  /** one CHW float32 image per entry */
  images: Float32Array[];
  /** label per image when the source has them */
  labels?: number[];
  names: string[];
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff', '.gif']);

/** a dataset .bin (N, images, labels) or raw float32 images; told apart by the file size */
export function readTensorFile(path: string, sampleDims: number[]): Inputs {
  if (!existsSync(path)) fail('io', `input ${path} does not exist`);
  if (statSync(path).isDirectory()) fail('usage', `input ${path} is a directory; give files (a .bin dataset, raw .f32, or images)`);
  const per = numel(sampleDims);
  const size = statSync(path).size;
  // dataset layout when the int64 header matches the size exactly
  if (size >= 8) {
    const head = Buffer.alloc(8);
    const fd = openSync(path, 'r');
    try { readSync(fd, head, 0, 8, 0); } finally { closeSync(fd); }
    const n = head.readBigInt64LE(0);
    if (n > 0n && 8n + n * BigInt(per * 4 + 8) === BigInt(size)) {
      const ds = openBinDataset(path, sampleDims);
      const count = ds.count;
      const all = new Float32Array(count * per);
      const labels = new BigInt64Array(count);
      ds.read(0, count, all, labels);
      ds.close();
      return {
        images: Array.from({ length: count }, (_, i) => all.subarray(i * per, (i + 1) * per)),
        labels: Array.from(labels, Number), names: Array.from({ length: count }, (_, i) => `${path}#${i}`),
      };
    }
  }
  // a dataset .bin of another image size: the one message every command gives
  const other = datasetImageSize(path);
  if (other) checkImagesFit(`dataset ${path}`, other, sampleDims);
  if (size > 0 && size % (per * 4) === 0) {
    const bytes = readFileSync(path);
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const count = size / (per * 4);
    return { images: Array.from({ length: count }, (_, i) => all.subarray(i * per, (i + 1) * per)), names: Array.from({ length: count }, (_, i) => `${path}#${i}`) };
  }
  return fail('data', `input ${path}: ${size} bytes is neither a dataset .bin of [${sampleDims.join(',')}] images nor raw float32 images (${per * 4} bytes each)`);
}

/** image files through src/data's preprocessing (resize short side, centre crop to the model's input, normalize) */
export async function readImages(paths: string[], sampleDims: number[], preset?: string): Promise<Inputs> {
  const pre = new Preprocessor(presetFor(preset, sampleDims));
  const images: Float32Array[] = [];
  for (const p of paths) {
    const buf = readRegularFile(p, { what: 'image', missing: `cannot read image ${p}: no such file` });
    images.push(await pre.process(buf, `image ${p}`));
  }
  return { images, names: [...paths] };
}

export async function readInputs(paths: string[], sampleDims: number[], preset?: string): Promise<Inputs> {
  const images = paths.filter((p) => IMAGE_EXT.has(extname(p).toLowerCase()));
  const tensors = paths.filter((p) => !IMAGE_EXT.has(extname(p).toLowerCase()));
  const parts: Inputs[] = tensors.map((p) => readTensorFile(p, sampleDims));
  if (images.length) parts.push(await readImages(images, sampleDims, preset));
  const out: Inputs = { images: [], names: [], labels: [] };
  let allLabels = true;
  for (const p of parts) {
    out.images.push(...p.images);
    out.names.push(...p.names);
    if (p.labels) out.labels!.push(...p.labels); else allLabels = false;
  }
  if (!allLabels) delete out.labels;
  return out;
}

/** synset_words.txt: line i = label i ("n01440764 tench, Tinca tinca") */
export function readLabels(path: string): string[] {
  if (!existsSync(path)) fail('io', `labels file ${path} does not exist`);
  return readFileSync(path, 'utf8').split(/\r?\n/).filter((l, i, a) => l.length > 0 || i < a.length - 1);
}

export function defaultLabels(classes: number): string[] | undefined {
  const a = assetsDir();
  const p = a ? join(a, 'data', 'synset_words.txt') : undefined;
  if (!p || !existsSync(p)) return undefined;
  const l = readLabels(p);
  return l.length === classes ? l : undefined;
}

/** run every image through plans of batch `b` (one more plan for a shorter last batch); rows of the first output */
export function runAll(getPlan: (batch: number) => Plan, images: Float32Array[], b: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let i = 0; i < images.length; i += b) {
    const n = Math.min(b, images.length - i);
    const plan = getPlan(n);
    const per = images[0].length;
    const buf = new Float32Array(n * per);
    for (let j = 0; j < n; j++) buf.set(images[i + j], j * per);
    const [out] = plan.run([buf]);
    if (out.dtype !== 'fp32') fail('unsupported', `output '${plan.outputs[0].spec.name}' is ${out.dtype}; run prints float32 outputs`);
    const data = out.data as Float32Array;
    const w = data.length / n;
    for (let j = 0; j < n; j++) rows.push(data.slice(j * w, (j + 1) * w));
  }
  return rows;
}


/** runAll with the plans compiled on `choice` as the batch sizes need them, disposed after */
export function runImages(g: Graph, choice: BackendChoice, images: Float32Array[], b: number, onPlacement?: (line: string) => void): Float32Array[] {
  const plans = new Map<number, Plan>();
  const getPlan = (n: number) => {
    let p = plans.get(n);
    if (!p) { p = compileFor(g, choice, n).plan; plans.set(n, p); }
    return p;
  };
  try {
    const rows = runAll(getPlan, images, b);
    const first = plans.values().next().value;
    if (first && onPlacement) onPlacement(first.placementLine());
    return rows;
  } finally {
    for (const p of plans.values()) p.dispose();
  }
}
