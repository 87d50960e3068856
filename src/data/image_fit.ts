// Do a data source's images fit the model input? One check and one message for every command that reads data
// (bench, compare, quantize, run), so a dataset of the wrong image size reads the same everywhere.
import { openDataset, type DatasetReader } from '../format/paddle/dataset_bin';
import { numel } from '../util/dtype';
import { QdeployError } from '../util/errors';

export interface ImageSize {
  /** floats per image */
  chw: number;
  /** [C,H,W] where the source knows it (a dataset file only knows it for square 3-channel images) */
  shape?: readonly number[];
}

/** Throws the one 'shape' error when the images of `source` ('dataset F') are not `modelDims` ([C,H,W]) in size. */
export function checkImagesFit(source: string, got: ImageSize, modelDims: readonly number[]): void {
  const want = numel([...modelDims]);
  if (got.chw === want) return; // the bytes decide; a shape read from a file size is only a guess
  const have = got.shape ? `[${got.shape.join(',')}] (${got.chw} floats)` : `${got.chw} floats`;
  throw new QdeployError('shape', `${source}: images of ${have} do not fit the model input [${modelDims.join(',')}] (${want} floats)`);
}

/**
 * Open a dataset .bin for a model whose per-image input is `modelDims`. The file is opened without the model's
 * shape, so that a file of another image size is reported as that (and not as a header/size mismatch).
 */
export function openModelDataset(path: string, modelDims: readonly number[]): DatasetReader {
  const r = openDataset(path);
  try {
    checkImagesFit(`dataset ${path}`, { chw: r.chw, shape: r.shape }, modelDims);
  } catch (e) {
    r.close();
    throw e;
  }
  return r;
}

/** The image size of a file that is a valid dataset .bin of square 3-channel images, else undefined (no error). */
export function datasetImageSize(path: string): ImageSize | undefined {
  let r: DatasetReader;
  try { r = openDataset(path); } catch { return undefined; }
  r.close();
  return r.shape ? { chw: r.chw, shape: r.shape } : undefined;
}
