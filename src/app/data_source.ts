// Where images come from for the timed loop (bench, compare, run, demo): a Paddle dataset .bin read batch by
// batch, or a folder with val_list.txt preprocessed into memory first, behind one DataSource.
import { existsSync, statSync } from 'node:fs';
import { fail } from '../util/errors';
import { createProgress } from '../util/progress';
import {
  Preprocessor, choosePreset, describePreprocess, openModelDataset, preprocessEntries, readValList, type PreprocessOptions,
} from '../data';

export interface DataSource {
  /** images available */
  count: number;
  /** per-image float count */
  imageSize: number;
  what: string;
  /** fill `images` (n·imageSize floats) and `labels` (n) with images start..start+n−1 */
  read(start: number, n: number, images: Float32Array, labels: BigInt64Array): void;
  close(): void;
}

/**
 * Paddle's dataset .bin (spec 5.3): int64 N, N float32 images, N int64 labels, read with src/data's checked
 * reader (the header N must match the file size for the model's image size).
 */
export function openBinDataset(path: string, imageDims: number[]): DataSource {
  const r = openModelDataset(path, imageDims);
  return {
    count: r.n, imageSize: r.chw, what: `${path} (${r.n} images [${imageDims.join(',')}])`,
    read(start, k, images, labels) {
      r.readImages(start, k, images);
      const l = r.readLabels(start, k);
      for (let i = 0; i < k; i++) labels[i] = BigInt(l[i]);
    },
    close() { r.close(); },
  };
}

/**
 * Preprocessing for images (src/data choosePreset: refused before any image is read where the model's input rules
 * the preset out), announced on stderr (`preprocess: preset …`, and whether it is the default) wherever images are
 * preprocessed: bench, compare, quantize, run.
 */
export function presetFor(preset: string | undefined, imageDims: number[]): PreprocessOptions {
  const c = choosePreset(preset, imageDims);
  process.stderr.write(c.line + '\n');
  return c.options;
}

/** a folder with val_list.txt: the first `limit` images preprocessed into memory (before any timing) */
export async function openImageFolder(dir: string, imageDims: number[], preset?: string, limit?: number): Promise<DataSource> {
  const entries = readValList(dir);
  const take = entries.slice(0, limit && limit > 0 ? limit : entries.length);
  const pre = new Preprocessor(presetFor(preset, imageDims));
  const per = pre.chw;
  const images = new Float32Array(take.length * per);
  const labels: number[] = [];
  const bar = createProgress('preprocess', take.length, { unit: 'img' });
  let n = 0;
  try {
    for await (const r of preprocessEntries(take, pre, { listFile: 'val_list.txt', onProgress: () => bar.tick() })) {
      images.set(r.image, n * per);
      labels.push(r.entry.label);
      n++;
    }
  } finally {
    bar.stop();
  }
  return {
    count: n, imageSize: per, what: `${dir} (${n} images, ${describePreprocess(pre.options)})`,
    read(start, k, out, lab) {
      if (start + k > n) fail('data', `${dir}: images ${start}..${start + k - 1} requested, ${n} available`);
      out.set(images.subarray(start * per, (start + k) * per));
      for (let i = 0; i < k; i++) lab[i] = BigInt(labels[start + i]);
    },
    close() {},
  };
}

/** open --infer_data: a dataset .bin, or a folder with val_list.txt and JPEGs (preprocessed first) */
export async function openData(path: string, imageDims: number[], preset?: string, limit?: number): Promise<DataSource> {
  if (!existsSync(path)) fail('io', `dataset ${path} does not exist`);
  if (statSync(path).isDirectory()) return openImageFolder(path, imageDims, preset, limit);
  return openBinDataset(path, imageDims);
}
