// quantize's job: calibration data for src/quant's post-training quantization (PaddleSlim quant_post_static):
// a Paddle dataset .bin streamed with positional reads, or a folder with val_list.txt and images.
import { existsSync, statSync } from 'node:fs';
import { QdeployError } from '../util/errors';
import { Preprocessor, imageBatches, openModelDataset, readValList, describePreprocess } from '../data';
import type { BatchSource } from '../quant';
import { presetFor } from './data_source';

export interface CalibrationData {
  source: BatchSource;
  /** images that will be used */
  images: number;
  batches: number;
  what: string;
  close(): void;
}

export const warn = (m: string) => process.stderr.write(`qdeploy: warning: ${m}\n`);

/** how many images to use: batch_size × batch_nums, or everything; fewer present → say so and use them all */
function plan(have: number, batchSize: number, batchNums: number | undefined, what: string): { images: number; batches: number } {
  if (have === 0) throw new QdeployError('data', `${what} has no images`);
  const want = batchNums ? batchSize * batchNums : have;
  if (want > have) warn(`${what} has ${have} images, fewer than batch_size × batch_nums = ${batchSize} × ${batchNums} = ${want}; calibrating on all ${have}`);
  const images = Math.min(want, have);
  return { images, batches: Math.ceil(images / batchSize) };
}

/** --data: a Paddle dataset .bin (streamed with positional reads) or a folder with val_list.txt and JPEGs */
export function openCalibrationData(path: string, sampleDims: number[], batchSize: number, batchNums: number | undefined, preset?: string): CalibrationData {
  if (!existsSync(path)) throw new QdeployError('io', `calibration data ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const entries = readValList(path);
    const { images, batches } = plan(entries.length, batchSize, batchNums, `${path}/val_list.txt`);
    const pre = new Preprocessor(presetFor(preset, sampleDims));
    const take = entries.slice(0, images);
    return {
      images, batches, what: `${path} (${images} images, ${describePreprocess(pre.options)})`,
      source: () => imageBatches(take, pre, { batchSize, listFile: 'val_list.txt' }),
      close() {},
    };
  }
  const r = openModelDataset(path, sampleDims);
  const { images, batches } = plan(r.n, batchSize, batchNums, `dataset ${path}`);
  return {
    images, batches, what: `${path} (${images} of ${r.n} images [${sampleDims.join(',')}])`,
    source: async function* () {
      for (let k = 0; k < batches; k++) {
        const count = Math.min(batchSize, images - k * batchSize);
        yield { images: r.readImages(k * batchSize, count), count };
      }
    },
    close() { r.close(); },
  };
}
