// Issue 15 acceptance: the asset models quantized with and without onnx_format (same algo, same calibration images)
// → written and read back → convert → INT8 top-1 within one image of each other and of the quant model, and the
// per-layer outputs of the two INT8 models compared op by op.
// Expected: EQUAL, bit for bit. Both layouts carry the same thresholds (Scale / <act>@scale hold T itself, as PTQ
// writes them), the frozen and the int8 weights are the same integers (round(W/T·127) with T = max|W[c]|, so the
// classic clip and the onnx clip to [-128, 127] never act), so dequantize_weights gives the same floats, the same
// weight scales follow, and the passes build the same ops with the same scale attributes.
// Always: SqueezeNet, 4 calibration images, 16 images. QDEPLOY_LONG=1: SqueezeNet, MobileNetV1 and MobileNetV2 (the
// FP32 models derived from the 8-bit assets), 16 calibration images, all 50 images.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../src/backends/select';
import { loadGraph, saveGraph } from '../../src/app/model_io';
import type { Graph } from '../../src/graph/graph';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { convertPipeline } from '../../src/passes/pipelines';
import { postTrainingQuantize } from '../../src/quant';
import type { Backends } from '../../src/runtime/compile';
import { compile } from '../../src/runtime/compile';
import { assetsDir } from '../../src/util/assets';
import { skipTest } from '../skip';
import { sampleImages, type Dataset } from './accuracy';
import { registerFakeKernels } from './fake_kernels';

const assets = assetsDir();
const long = process.env.QDEPLOY_LONG === '1';
const tmp = mkdtempSync(join(tmpdir(), 'qdeploy-onnx-acc-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const MODELS = [
  { name: 'squeezenet_v1.1', side: 227, preset: 'caffe_squeezenet' as const, long: false },
  { name: 'mobilenet_v1', side: 224, preset: 'caffe_mobilenet' as const, long: true },
  { name: 'mobilenet_v2', side: 224, preset: 'caffe_mobilenet' as const, long: true },
];
const ALGO = 'avg' as const;

const argmax = (d: Float32Array) => { let k = 0; for (let i = 1; i < d.length; i++) if (d[i] > d[k]) k = i; return k; };

function top1(g: Graph, backend: Backends, images: Float32Array[]): number[] {
  const plan = compile(g, backend, { batch: 1 });
  try { return images.map((img) => argmax(plan.run([img])[0].data as Float32Array)); } finally { plan.dispose(); }
}

async function quantizeConvert(fp32: Graph, backend: Backends, calib: Float32Array[], onnxFormat: boolean, dir: string): Promise<{ quant: Graph; int8: Graph }> {
  const r = await postTrainingQuantize(fp32, backend, async function* () { for (const im of calib) yield { images: im, count: 1 }; }, { algo: ALGO, batches: calib.length, onnxFormat });
  saveGraph(r.graph, dir, { modelFilename: 'model.pdmodel', paramsFilename: 'model.pdiparams' });
  const quant = loadGraph(dir);
  const int8 = quant.clone();
  runPipeline(int8, convertPipeline({}), new PassContext({}));
  return { quant, int8 };
}

/** op by op (the two INT8 op lists must match in type order): the largest |a − b| over every output, on `images` */
function perLayer(a: Graph, b: Graph, backend: Backends, images: Float32Array[]): { ops: number; maxDiff: number; where: string } {
  assert.equal(a.ops.map((o) => o.type), b.ops.map((o) => o.type), 'the two INT8 models have the same ops in the same order');
  const pa = compile(a, backend, { batch: 1, keep: 'all' }), pb = compile(b, backend, { batch: 1, keep: 'all' });
  let maxDiff = 0, where = '', ops = 0;
  try {
    for (const img of images) {
      pa.run([img]); pb.run([img]);
      a.ops.forEach((oa, k) => {
        if (oa.type === 'feed' || oa.type === 'fetch') return;
        ops++;
        const ob = b.ops[k];
        oa.outputs.forEach((slot, s) => slot.arguments.forEach((na, j) => {
          const nb = ob.outputs[s].arguments[j];
          const ta = pa.read(na), tb = pb.read(nb);
          assert.equal(ta.dims, tb.dims, `${oa.label} ${na}`);
          const da = ta.data, db = tb.data;
          for (let i = 0; i < da.length; i++) {
            const d = Math.abs(Number(da[i]) - Number(db[i]));
            if (d > maxDiff) { maxDiff = d; where = `${oa.label} '${na}' vs ${ob.label} '${nb}'`; }
          }
        }));
      });
    }
  } finally { pa.dispose(); pb.dispose(); }
  return { ops, maxDiff, where };
}

for (const m of MODELS) {
  test(`${m.name}: onnx_format and classic quant models → INT8 top-1 within one image; per-layer outputs equal`, async () => {
    if (m.long && !long) { skipTest(`${m.name}: long run (set QDEPLOY_LONG=1)`); return; }
    const dir = assets && join(assets, 'models', m.name);
    const limit = long ? 50 : 16;
    const data: Dataset | undefined = assets ? await sampleImages(assets, m.name, m.side, m.preset, limit) : undefined;
    if (!dir || !existsSync(dir) || !data) { skipTest(`${m.name}: model or golden inputs not found under ${assets ?? 'QDEPLOY_ASSETS'}`); return; }
    registerFakeKernels();
    // the placement list: fake-quant ops of the quant models have no wasm kernel and run on the reference
    const { backend: first, backends: backend } = selectBackend('auto');
    try {
      const fp32 = loadGraph(dir);
      const calib = data.images.slice(0, long ? 16 : 4);
      const classic = await quantizeConvert(fp32, backend, calib, false, join(tmp, `${m.name}_classic`));
      const onnx = await quantizeConvert(fp32, backend, calib, true, join(tmp, `${m.name}_onnx`));
      assert.ok(onnx.quant.ops.some((o) => o.type === 'quantize_linear') && classic.quant.ops.some((o) => o.type === 'fake_channel_wise_dequantize_max_abs'));
      const ok = (p: number[]) => p.filter((v, i) => v === data.labels[i]).length;
      const p = {
        fp32: top1(fp32, backend, data.images),
        quantClassic: top1(classic.quant, backend, data.images), int8Classic: top1(classic.int8, backend, data.images),
        quantOnnx: top1(onnx.quant, backend, data.images), int8Onnx: top1(onnx.int8, backend, data.images),
      };
      const n = data.labels.length;
      console.log(`${m.name} (${ALGO}, ${calib.length} calibration images, ${n} images): top-1 FP32 ${ok(p.fp32)}/${n}; classic quant ${ok(p.quantClassic)} → INT8 ${ok(p.int8Classic)}; onnx_format quant ${ok(p.quantOnnx)} → INT8 ${ok(p.int8Onnx)}`);
      assert.ok(Math.abs(ok(p.int8Onnx) - ok(p.int8Classic)) <= 1, 'the two INT8 models within one image');
      assert.ok(Math.abs(ok(p.int8Onnx) - ok(p.quantOnnx)) <= 1, 'onnx_format INT8 within one image of its quant model');
      assert.ok(Math.abs(ok(p.int8Classic) - ok(p.quantClassic)) <= 1, 'classic INT8 within one image of its quant model');
      const layers = perLayer(onnx.int8, classic.int8, backend, data.images.slice(0, 2));
      console.log(`  per-layer, ${layers.ops} op outputs on 2 images: max |onnx_format INT8 − classic INT8| = ${layers.maxDiff}${layers.maxDiff ? ` at ${layers.where}` : ''}`);
      assert.is(layers.maxDiff, 0, `per-layer outputs differ, at ${layers.where}`);
    } finally {
      first.dispose?.();
    }
  });
}

test.run();
