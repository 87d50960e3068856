// The five PTQ algorithms side by side on the ImageNet sample of ../shared/assets: each FP32 model is calibrated
// on the first 16 images of data/val_list.txt (batch_size 1, as PaddleSlim's quant_post_static default), the quant
// model goes through qdeploy convert's pipeline (written to disk and read back in between), and FP32 and INT8 are
// evaluated on all 50 images and on the 34 not used for calibration: top-1 accuracy, top-1 agreement with FP32,
// calibration time. Not a test (minutes per model).
//
//   node -r esbuild-register bench/ptq_table.ts [--models squeezenet_v1.1,mobilenet_v2,mobilenet_v1]
//        [--algos abs_max,avg,hist,KL,mse] [--calib 16] [--backend auto] [--threads 1] [--json out.json]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend, type BackendChoiceName } from '../src/backends/select';
import { loadGraph, saveGraph } from '../src/app/model_io';
import { Preprocessor, preprocessEntries, preprocessOptions, readValList, type PresetName } from '../src/data';
import type { Graph } from '../src/graph/graph';
import { PassContext, runPipeline } from '../src/passes/pass';
import { convertPipeline } from '../src/passes/pipelines';
import { ALGOS, postTrainingQuantize, type Algo } from '../src/quant';
import type { Backends } from '../src/runtime/compile';
import { compile } from '../src/runtime/compile';
import { assetsDir } from '../src/util/assets';

const arg = (k: string, d: string) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const models = arg('models', 'squeezenet_v1.1,mobilenet_v2,mobilenet_v1').split(',');
const algos = arg('algos', ALGOS.join(',')).split(',') as Algo[];
const calibN = Number(arg('calib', '16'));
const PRESET: Record<string, [PresetName, number]> = {
  'squeezenet_v1.1': ['caffe_squeezenet', 227], mobilenet_v1: ['caffe_mobilenet', 224], mobilenet_v2: ['caffe_mobilenet', 224],
};

const argmax = (d: Float32Array, off: number, n: number) => { let k = 0; for (let i = 1; i < n; i++) if (d[off + i] > d[off + k]) k = i; return k; };

function top1(g: Graph, backend: Backends, images: Float32Array[]): number[] {
  const plan = compile(g, backend, { batch: 1 });
  const out = images.map((img) => { const o = plan.run([img])[0].data as Float32Array; return argmax(o, 0, o.length); });
  plan.dispose();
  return out;
}

interface Row { model: string; algo: string; calibS: number; fp32All: number; int8All: number; agreeAll: number; fp32Held: number; int8Held: number; agreeHeld: number; n: number; held: number }

async function main(): Promise<void> {
  const assets = assetsDir();
  if (!assets) { console.log('SKIP: assets not found (QDEPLOY_ASSETS or ../shared/assets)'); return; }
  const { backend: first, backends: backend, reason } = selectBackend(arg('backend', 'auto') as BackendChoiceName, { threads: Number(arg('threads', '1')) });
  console.log(`backend: ${reason}`);
  const entries = readValList(join(assets, 'data'));
  const rows: Row[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'qdeploy-ptq-'));
  try {
    for (const model of models) {
      const [preset, side] = PRESET[model] ?? fail(`no preset for ${model}`);
      const pre = new Preprocessor(preprocessOptions(preset, { dataDim: side }));
      const images: Float32Array[] = [];
      for await (const r of preprocessEntries(entries, pre)) images.push(r.image);
      const labels = entries.map((e) => e.label);
      const fp32 = loadGraph(join(assets, 'models', model));
      const t0 = performance.now();
      const p32 = top1(fp32, backend, images);
      console.log(`${model}: FP32 on ${images.length} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      for (const algo of algos) {
        const calib = images.slice(0, calibN);
        const r = await postTrainingQuantize(fp32, backend, async function* () { for (const im of calib) yield { images: im, count: 1 }; }, { algo, batches: calib.length });
        const dir = join(tmp, `${model}_${algo}`);
        saveGraph(r.graph, dir, { modelFilename: 'model.pdmodel', paramsFilename: 'model.pdiparams' });
        const int8 = loadGraph(dir);
        runPipeline(int8, convertPipeline({}), new PassContext({}));
        const t1 = performance.now();
        const p8 = top1(int8, backend, images);
        const ok = (p: number[], from: number) => p.slice(from).filter((v, i) => v === labels[from + i]).length;
        const agree = (from: number) => p8.slice(from).filter((v, i) => v === p32[from + i]).length;
        const row: Row = {
          model, algo, calibS: r.calibration.seconds, n: images.length, held: images.length - calibN,
          fp32All: ok(p32, 0), int8All: ok(p8, 0), agreeAll: agree(0), fp32Held: ok(p32, calibN), int8Held: ok(p8, calibN), agreeHeld: agree(calibN),
        };
        rows.push(row);
        console.log(`  ${algo.padEnd(8)} calib ${row.calibS.toFixed(1)} s, INT8 eval ${((performance.now() - t1) / 1000).toFixed(1)} s: top-1 ${row.int8All}/${row.n} (FP32 ${row.fp32All}), agreement ${row.agreeAll}/${row.n}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    first.dispose?.();
  }
  const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(0)}% (${k}/${n})`;
  const lines = [
    '| model | algo | calib time (16 img) | top-1 FP32 / INT8 (50) | agreement (50) | top-1 FP32 / INT8 (34 held out) | agreement (34) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.model} | ${r.algo} | ${r.calibS.toFixed(1)} s | ${r.fp32All} / ${r.int8All} | ${pct(r.agreeAll, r.n)} | ${r.fp32Held} / ${r.int8Held} | ${pct(r.agreeHeld, r.held)} |`),
  ];
  console.log('\n' + lines.join('\n'));
  const json = arg('json', '');
  if (json) writeFileSync(json, JSON.stringify(rows, null, 2));
}

function fail(m: string): never { throw new Error(m); }

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
