// quantize's job: an FP32 model dir → a PaddleSlim-format quant model dir through src/quant's post-training
// quantization (PaddleSlim quant_post_static), calibrated on a Paddle dataset .bin (streamed with positional reads)
// or a folder with val_list.txt and images.
import { existsSync, statSync } from 'node:fs';
import type { LoadModelOptions } from '../format/paddle';
import { QdeployError } from '../util/errors';
import { checkOutputDir } from '../util/fs_atomic';
import { createProgress } from '../util/progress';
import { Preprocessor, imageBatches, openModelDataset, readValList, describePreprocess } from '../data';
import { postTrainingQuantize, type BatchSource, type PtqOptions, type PtqResult } from '../quant';
import { backendLine, chooseBackend } from './backend_choice';
import { presetFor } from './data_source';
import { loadGraph, modelIo, saveGraph, type GraphSaveOptions } from './model_io';

export interface CalibrationData {
  source: BatchSource;
  /** images that will be used */
  images: number;
  batches: number;
  what: string;
  close(): void;
}

const warn = (m: string) => process.stderr.write(`qdeploy: warning: ${m}\n`);

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

export interface QuantizeModelOptions extends Omit<PtqOptions, 'batches'> {
  /** calibration data: a dataset .bin, or a folder with val_list.txt and images */
  data: string;
  batchSize: number;
  /** calibration batches; absent: all the data */
  batchNums?: number;
  /** preprocessing preset for an image folder */
  preset?: string;
  /** `--backend` name (default auto) and threads (default 1) running the calibration */
  backend?: string;
  threads?: number;
  load?: LoadModelOptions;
  save?: GraphSaveOptions;
  /** what was done, line by line (the command prints it on stdout) */
  log?: (line: string) => void;
}

/**
 * The library entry of `qdeploy quantize`: the output dir is refused before any work when it is not empty (unless
 * save.overwrite), and written whole or not at all.
 */
export async function quantizeModel(modelDir: string, saveDir: string, o: QuantizeModelOptions): Promise<PtqResult> {
  const { data: dataPath, batchSize, batchNums, preset, backend, threads, load, save = {}, log = () => {}, ...ptq } = o;
  checkOutputDir(saveDir, !!save.overwrite);
  const g = loadGraph(modelDir, load);
  const io = modelIo(g);
  const data = openCalibrationData(dataPath, io.sampleDims, batchSize, batchNums, preset);
  const choice = chooseBackend(backend ?? 'auto', threads ?? 1);
  log(backendLine(choice));
  log(`calibration data: ${data.what}, ${data.batches} batch${data.batches === 1 ? '' : 'es'} of ${batchSize}`);
  let r;
  try {
    r = await postTrainingQuantize(g, choice.backends, data.source, {
      ...ptq, batches: data.batches,
      progress: ptq.progress ?? ((label, total) => createProgress(label, total, { unit: 'batch' })),
      warn: ptq.warn ?? warn,
    });
  } finally {
    data.close();
  }
  if (r.legacy) log('input is a legacy 8-bit program: quantize/dequantize ops removed and int8 weights dequantized first');
  saveGraph(r.graph, saveDir, save);
  log(`algo ${ptq.algo}: ${r.calibration.thresholds.size} activation thresholds from ${r.calibration.images} images in ${r.calibration.seconds.toFixed(1)} s`);
  // onnx_format carries output scales in observer pairs, not out_threshold attributes (PaddleSlim's onnx_format=True)
  log(ptq.onnxFormat
    ? `quantized ${r.summary.quantizedOps} ops (onnx_format: ${r.summary.fakeQuantOps} quantize_linear, ${r.summary.dequantOps} dequantize_linear ops; output scales in the observer pairs)`
    : `quantized ${r.summary.quantizedOps} ops (${r.summary.fakeQuantOps} fake quantize, ${r.summary.dequantOps} dequantize ops); out_threshold on ${r.summary.thresholdOps} ops`);
  return r;
}
