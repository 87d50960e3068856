// Long run (QDEPLOY_LONG=1): PTQ accuracy on the ImageNet sample of ../shared/assets, as the issue states it:
// each FP32 model calibrated on the first 16 images of data/val_list.txt, converted (qdeploy convert's pipeline)
// and run INT8 on all 50; with the best algorithm, at most two images more misclassified than FP32 and top-1
// agreement with FP32 >= 90 %, on all 50 and on the 34 not used for calibration. bench/ptq_table.ts prints the
// full five-algorithm table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../../src/backends/select';
import { loadGraph } from '../../src/app/model_io';
import { Preprocessor, preprocessEntries, preprocessOptions, readValList, type PresetName } from '../../src/data';
import type { Graph } from '../../src/graph/graph';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { convertPipeline } from '../../src/passes/pipelines';
import { postTrainingQuantize, type Algo } from '../../src/quant';
import type { Backends } from '../../src/runtime/compile';
import { compile } from '../../src/runtime/compile';
import { assetsDir } from '../../src/util/assets';
import { skipTest } from '../skip';

const assets = assetsDir();
const long = process.env.QDEPLOY_LONG === '1';

const MODELS: [string, PresetName, number][] = [['squeezenet_v1.1', 'caffe_squeezenet', 227], ['mobilenet_v2', 'caffe_mobilenet', 224], ['mobilenet_v1', 'caffe_mobilenet', 224]];
const ALGOS: Algo[] = ['KL', 'hist', 'abs_max', 'avg'];
const CALIB = 16;

function top1(g: Graph, backend: Backends, images: Float32Array[]): number[] {
  const p = compile(g, backend, { batch: 1 });
  const out = images.map((im) => { const o = p.run([im])[0].data as Float32Array; let k = 0; for (let i = 1; i < o.length; i++) if (o[i] > o[k]) k = i; return k; });
  p.dispose();
  return out;
}

for (const [model, preset, side] of MODELS) {
  test(`${model}: best algorithm within 2 extra misclassifications and >= 90 % agreement (50 and 34 held out)`, async () => {
    if (!long || !assets || !existsSync(join(assets, 'models', model))) { skipTest(!long ? `${model}: long PTQ accuracy run (set QDEPLOY_LONG=1)` : `${model}: assets absent`); return; }
    const { backend: first, backends: backend } = selectBackend('auto'); // the placement list
    try {
      const entries = readValList(join(assets, 'data'));
      const pre = new Preprocessor(preprocessOptions(preset, { dataDim: side }));
      const images: Float32Array[] = [];
      for await (const r of preprocessEntries(entries, pre)) images.push(r.image);
      const labels = entries.map((e) => e.label);
      const fp32 = loadGraph(join(assets, 'models', model));
      const p32 = top1(fp32, backend, images);
      const wrong = (p: number[], from: number) => p.slice(from).filter((v, i) => v !== labels[from + i]).length;
      const lines: string[] = [];
      let best: { algo: Algo; score: number; ok: boolean } | undefined;
      for (const algo of ALGOS) {
        const calib = images.slice(0, CALIB);
        const r = await postTrainingQuantize(fp32, backend, async function* () { for (const im of calib) yield { images: im, count: 1 }; }, { algo, batches: CALIB });
        const int8 = r.graph;
        runPipeline(int8, convertPipeline({}), new PassContext({}));
        const p8 = top1(int8, backend, images);
        const agree = (from: number) => p8.slice(from).filter((v, i) => v === p32[from + i]).length / (p8.length - from);
        const ok = wrong(p8, 0) - wrong(p32, 0) <= 2 && wrong(p8, CALIB) - wrong(p32, CALIB) <= 2 && agree(0) >= 0.9 && agree(CALIB) >= 0.9;
        lines.push(`${model} ${algo}: wrong ${wrong(p8, 0)} (FP32 ${wrong(p32, 0)}), agreement ${(agree(0) * 100).toFixed(0)} % / held out ${(agree(CALIB) * 100).toFixed(0)} %`);
        const score = agree(0) - wrong(p8, 0) / 100;
        if (!best || (ok && !best.ok) || (ok === best.ok && score > best.score)) best = { algo, score, ok };
      }
      console.log(lines.join('\n'));
      assert.ok(best?.ok, `no algorithm meets the bar:\n${lines.join('\n')}`);
    } finally {
      first.dispose?.();
    }
  });
}

test.run();
