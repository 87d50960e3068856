// Zoo models as quant models (qdeploy zoo --quant, demo): generated images, and src/quant's post-training
// quantization on them in PaddleSlim's layout and defaults.
import type { Graph } from '../graph/graph';
import { Rng, syntheticImage } from '../zoo/prng';
import { postTrainingQuantize, type Algo, type BatchSource, type PtqResult } from '../quant';
import { fail } from '../util/errors';
import { chooseBackend, type BackendChoice } from './backend_choice';

export function generatedImages(n: number, size: number, seed = 7): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => syntheticImage(rng, 3, size, size));
}

/**
 * The PTQ algorithm of `qdeploy zoo --quant` and `qdeploy demo`: bench/ptq_table.ts on the real models (16 calibration
 * images, 50 evaluated) puts `avg` level with the best (hist/KL) on accuracy and agreement, at abs_max's cost (one
 * pass over the data; hist and KL read it twice and build 2048-bin histograms).
 */
export const DEFAULT_ZOO_ALGO: Algo = 'avg';

/** calibration batches of one image each (PaddleSlim's batch_size 1), a fresh pass on every call */
export function imageBatches1(images: readonly Float32Array[]): BatchSource {
  return async function* () { for (const im of images) yield { images: im, count: 1 }; };
}

/** the quant model of an FP32 graph: src/quant's post-training quantization on `calib` images, PaddleSlim layout and defaults */
export function zooQuantModel(g: Graph, calib: readonly Float32Array[], choice?: BackendChoice, algo: Algo = DEFAULT_ZOO_ALGO): Promise<PtqResult> {
  if (calib.length === 0) fail('usage', 'quantize: no calibration images');
  const backend = (choice ?? chooseBackend('auto', 1)).backend;
  return postTrainingQuantize(g, backend, imageBatches1(calib), { algo, batches: calib.length });
}

