// qdeploy demo (npm run demo): the whole FP32 → INT8 path on this machine, with nothing downloaded.
//   1. a zoo model (default mobilenet_v1, synthetic weights) → quant model (src/quant post-training quantization,
//      PaddleSlim layout) calibrated on generated images → qdeploy convert's Quant2Int8 pipeline → FP32 vs INT8
//      speed and agreement on the best backend;
//   2. where the real assets are present (QDEPLOY_ASSETS / ../shared/assets): SqueezeNet v1.1 FP32 on real
//      images (top-5 with names), then all images preprocessed (caffe_squeezenet preset) → SqueezeNet quantized on
//      the first 16 and converted → FP32 vs INT8 accuracy on all of them, as Paddle's comparison summary.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../graph/graph';
import { formatSummary, summarize } from '../passes/summary';
import { buildZooModel, ZOO_MODELS, type ZooModel } from '../zoo/models';
import type { Algo } from '../quant';
import { formatTable, fixed } from '../report/table';
import { renderCompareHtml } from '../report/html';
import { Preprocessor, readValList, writeDatasetFromImages } from '../data';
import { writeDataset } from '../format/paddle/dataset_bin';
import { assetsDir } from '../util/assets';
import { fail } from '../util/errors';
import { checkOutputDir, writeFileAtomic } from '../util/fs_atomic';
import { bytesUnder, ownedTempDir } from '../util/temp_dir';
import type { CommandSpec, ParsedArgs } from './args';
import { algoFlag, backendFlag, numThreadsFlag } from './shared_flags';
import { backendLine, chooseBackend } from '../app/backend_choice';
import { runCompare, type CompareResult } from '../app/compare';
import { convertGraph } from '../app/convert';
import { presetFor } from '../app/data_source';
import { loadGraph, saveGraph } from '../app/model_io';
import { openCalibrationData } from '../app/quantize';
import { defaultLabels, readImages, runImages } from '../app/run';
import { DEFAULT_ZOO_ALGO, generatedImages, zooQuantModel } from '../app/zoo';
import { formatComparison, formatLayers } from './compare';
import { formatTopK } from './run';
import { checkAlgo, postTrainingQuantize } from '../quant';

const out = (s: string) => process.stdout.write(s);
const step = (i: number, n: number, what: string) => out(`\n[${i}/${n}] ${what}\n`);

function timed<T>(what: string, fn: () => T): T {
  const t0 = performance.now();
  const r = fn();
  out(`      ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  return r;
}

const ALGO_WHY: Partial<Record<Algo, string>> = {
  avg: 'one pass over the data like abs_max, as accurate as hist/KL in bench/ptq_table.ts',
  abs_max: 'one pass, the plain maximum',
  hist: 'two passes, 2048-bin histograms, percentile',
  KL: 'two passes, 2048-bin histograms, KL divergence',
  mse: 'one pass, threshold search',
};
const quantNote = (algo: Algo) =>
  `quantize: src/quant post-training quantization, PaddleSlim quant_post_static layout and defaults, algo ${algo} (${algo === DEFAULT_ZOO_ALGO ? 'the default: ' : ''}${ALGO_WHY[algo] ?? ''})`;
const ptqLine = (r: { calibration: { thresholds: Map<string, number>; images: number }; summary: { quantizedOps: number; fakeQuantOps: number; dequantOps: number } }) =>
  `${r.calibration.thresholds.size} activation thresholds from ${r.calibration.images} images; ${r.summary.quantizedOps} ops quantized (${r.summary.fakeQuantOps} fake quantize, ${r.summary.dequantOps} dequantize ops)`;

async function timedAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  out(`      ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  return r;
}

function convert(quant: Graph): { int8: Graph; summary: string } {
  const int8 = quant.clone();
  const ctx = convertGraph(int8, { opsToQuantize: [], opIdsToSkip: [] });
  return { int8, summary: formatSummary(summarize(int8, ctx.log)) };
}

function speedTable(r: CompareResult, agreeLabel: string): string {
  const a = r.r32, b = r.r8;
  const rows: (string | number)[][] = [
    ['ms per image (median batch / batch size)', fixed(a.latency.median / a.batchSize, 2), fixed(b.latency.median / b.batchSize, 2), `${fixed(a.latency.median / b.latency.median, 2)}x speed-up`],
    ['images/s', fixed(a.fps, 2), fixed(b.fps, 2), `${fixed(b.fps / a.fps, 2)}x`],
    [agreeLabel, '', fixed(r.agreement, 4), ''],
  ];
  return formatTable(['', 'FP32', 'INT8', 'INT8 vs FP32'], rows, { align: ['l', 'r', 'r', 'r'], indent: '      ' });
}

export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'FP32 → quant → INT8 end to end: a zoo model, and real models/images where the assets are present',
  usage: 'qdeploy demo [--model mobilenet_v1] [--images 4] [--algo avg] [--real_calib_images 16] [--real_images 0] [--out_dir DIR] [--backend auto] [--no_real]',
  flags: {
    model: { type: 'string', help: 'zoo architecture', choices: [...ZOO_MODELS], default: 'mobilenet_v1' },
    images: { type: 'int', min: 1, help: 'generated images for the zoo FP32-vs-INT8 run (one batch)', default: 4 },
    calib_images: { type: 'int', min: 1, help: 'generated images the zoo model is calibrated on', default: 4 },
    algo: algoFlag('activation calibration (src/quant)', DEFAULT_ZOO_ALGO),
    real_calib_images: { type: 'int', min: 1, help: 'real images SqueezeNet is calibrated on (the first of val_list.txt)', default: 16 },
    real_images: { type: 'int', min: 0, help: 'real images for the SqueezeNet accuracy comparison (0: all of val_list.txt)', default: 0 },
    image_size: { type: 'int', min: 32, help: 'zoo input size', default: 224 },
    out_dir: { type: 'string', help: 'where the models, dataset and report are written and kept (default: a temp dir, removed at the end)' },
    backend: backendFlag(),
    num_threads: numThreadsFlag(undefined, 1),
    no_real: { type: 'boolean', help: 'skip the real-model part even when the assets are present' },
  },
  async run(args) {
    // Without --out_dir the work dir is ours: removed at the end, on error and on Ctrl-C (src/util/temp_dir.ts).
    const outDir = args.str('out_dir');
    if (outDir !== undefined) checkOutputDir(outDir, true);
    const work = outDir === undefined ? ownedTempDir('demo') : undefined;
    try {
      await demo(args, work?.path);
    } catch (e) {
      work?.remove();
      throw e;
    }
    if (work) {
      const bytes = bytesUnder(work.path);
      work.remove();
      out(`removed the work dir ${work.path} (${(bytes / 1048576).toFixed(1)} MiB); --out_dir DIR keeps the models and the HTML report\n`);
    }
  },
};

async function demo(args: ParsedArgs, tempWork: string | undefined): Promise<void> {
  const t0 = performance.now();
  const model = args.str('model') as ZooModel;
  const nImg = args.num('images')!, nCal = args.num('calib_images')!, size = args.num('image_size')!;
  const nRealCal = args.num('real_calib_images')!, nRealArg = args.num('real_images')!;
  if (nImg < 1 || nCal < 1 || nRealCal < 1) fail('usage', 'demo: --images, --calib_images and --real_calib_images must be >= 1');
  if (nRealArg < 0) fail('usage', 'demo: --real_images must be >= 0 (0: all)');
  const algo = checkAlgo(args.str('algo') ?? DEFAULT_ZOO_ALGO);
  const dir = tempWork ?? args.str('out_dir')!;
  mkdirSync(dir, { recursive: true });
  const choice = chooseBackend(args.str('backend')!, args.num('num_threads')!);
  const assets = args.bool('no_real') ? undefined : assetsDir();
  const squeeze = assets ? join(assets, 'models', 'squeezenet_v1.1') : undefined;
  const haveReal = !!squeeze && existsSync(squeeze) && existsSync(join(assets!, 'data', 'val_list.txt'));
  const n = haveReal ? 8 : 4;
  out(`qdeploy demo — ${backendLine(choice)}\n`);
  out(`work dir: ${dir}${tempWork ? ' (a temp dir, removed at the end; --out_dir DIR keeps it)' : ''}\n`);
  if (choice.info.name === 'reference') out('note: the reference backend runs plain TypeScript kernels written to be obviously right, not fast (INT8 is emulated step by step); INT8 speed-ups come from the wasm/native backends\n');
  out(haveReal ? `assets: ${assets}\n` : `assets: not found (set QDEPLOY_ASSETS); the real-model steps are skipped\n`);

  // ---- 1. zoo model
  step(1, n, `zoo ${model}: Paddle model zoo structure, synthetic weights (seeded), input [-1,3,${size},${size}]`);
  const fp32 = timed(`built ${model}; classifier standardised on ${nCal} generated images`, () =>
    buildZooModel(model, { imageSize: size, fcCalibration: { images: generatedImages(nCal, size, 1234), backend: choice.backends } }));
  const fp32Dir = join(dir, `${model}_fp32`);
  saveGraph(fp32, fp32Dir, { overwrite: true });
  out(`      ${fp32.ops.length} ops, ${fp32.params.size} parameters → ${fp32Dir}\n`);

  step(2, n, `quantize ${model} on ${nCal} generated calibration images`);
  out(`      ${quantNote(algo)}\n`);
  const zq = await timedAsync('calibrated and wrote the fake quant ops', () => zooQuantModel(fp32, generatedImages(nCal, size, 7), choice, algo));
  const quant = zq.graph;
  const quantDir = join(dir, `${model}_quant`);
  saveGraph(quant, quantDir, { overwrite: true });
  out(`      ${ptqLine(zq)} → ${quantDir}\n`);

  step(3, n, 'convert (Quant2Int8 pass pipeline)');
  const { int8, summary } = timed('converted', () => convert(quant));
  out(summary.split('\n').filter(Boolean).map((l) => `      ${l}`).join('\n') + '\n');
  const int8Dir = join(dir, `${model}_int8`);
  saveGraph(int8, int8Dir, { overwrite: true });
  out(`      → ${int8Dir}\n`);

  step(4, n, `FP32 vs INT8 on ${nImg} generated images (one batch of ${nImg} after one warm-up batch; labels = nothing, so agreement is what counts)`);
  const evalImgs = generatedImages(nImg, size, 99);
  const chw = evalImgs[0].length;
  const all = new Float32Array(nImg * chw);
  evalImgs.forEach((x, i) => all.set(x, i * chw));
  const zooData = join(dir, 'generated.bin');
  writeDataset(zooData, all, new Array(nImg).fill(0), chw);
  const zr = await runCompare(fp32Dir, int8Dir, zooData, choice, { batchSize: nImg, iterations: 1, warmup: 1, layerImages: 1, useAnalysis: false, log: (l) => out(`      ${l}\n`) });
  out(speedTable(zr, 'top-1 agreement (INT8 = FP32)'));
  const worst = [...zr.layers.rows].sort((a, b) => b.relL2 - a.relL2)[0];
  const convRows = zr.layers.rows.filter((r) => r.int8Ops.includes('conv2d'));
  const meanConv = convRows.reduce((s, r) => s + r.relL2, 0) / Math.max(1, convRows.length);
  out(`      per-layer error (INT8 dequantized vs FP32, 1 image): ${convRows.length} conv layers, mean rel. L2 ${fixed(meanConv, 4)}; largest ${worst ? `${fixed(worst.relL2, 4)} at ${worst.var}` : 'n/a'}\n`);
  // Random conv weights make the pooled features of different images nearly equal; the zoo's classifier
  // (src/zoo/fc_calibrate.ts) stretches their small differences to spread the logits, and stretches INT8's
  // rounding with them. So the fc error is large and agreement is near chance: neither says anything about accuracy.
  out(`      (synthetic weights: the classifier amplifies tiny feature differences, INT8 rounding included, so the top-1 agreement and the fc error above say nothing about accuracy; speed is what this model is for${haveReal ? ', and the real SqueezeNet below measures accuracy' : ''})\n`);
  const html = join(dir, `compare_${model}.html`);
  writeFileAtomic(html, renderCompareHtml(zr.data));
  out(`      HTML report: ${html}\n`);

  if (!haveReal) {
    out(`\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s (real-model steps skipped: no assets)\n`);
    return;
  }

  // ---- 2. real model, real images
  const a = assets!;
  const entries = readValList(join(a, 'data'));
  const sq = loadGraph(squeeze!);
  const sqDims = sq.mustVar(sq.feeds()[0].name).dims.slice(1);
  step(5, n, `SqueezeNet v1.1 (FP32, real weights) on real images: top-5`);
  const show = entries.slice(0, 4);
  const imgs = await readImages(show.map((e) => e.path), sqDims, 'caffe_squeezenet');
  const rows = timed(`ran ${show.length} images`, () => runImages(sq, choice, imgs.images, 1));
  out(formatTopK(rows, show.map((e) => e.path.slice(a.length + 1)), 5, defaultLabels(1000), show.map((e) => e.label)).split('\n').map((l) => (l ? `      ${l}` : l)).join('\n'));

  const nReal = nRealArg === 0 ? entries.length : Math.min(nRealArg, entries.length);
  step(6, n, `preprocess ${nReal} real images (src/data, caffe_squeezenet preset) → dataset .bin`);
  const realBin = join(dir, `val_${nReal}_${sqDims[sqDims.length - 1]}.bin`);
  const pre = new Preprocessor(presetFor('caffe_squeezenet', sqDims));
  const w = await writeDatasetFromImages(entries.slice(0, nReal), realBin, pre, { listFile: 'val_list.txt' });
  out(`      ${w.n} images, ${(w.bytes / 1048576).toFixed(1)} MiB in ${w.seconds.toFixed(1)} s → ${realBin}\n`);

  const nSqCal = Math.min(nRealCal, w.n);
  step(7, n, `quantize SqueezeNet on the first ${nSqCal} of those images (batch 1), convert`);
  out(`      ${quantNote(algo)}\n`);
  const cal = openCalibrationData(realBin, sqDims, 1, nSqCal);
  let sqr;
  try {
    sqr = await timedAsync('calibrated', () => postTrainingQuantize(sq, choice.backends, cal.source, { algo, batches: cal.batches }));
  } finally {
    cal.close();
  }
  const sqQuant = sqr.graph;
  out(`      ${ptqLine(sqr)}\n`);
  const sqQuantDir = join(dir, 'squeezenet_v1.1_quant');
  saveGraph(sqQuant, sqQuantDir, { overwrite: true });
  const { int8: sqInt8, summary: sqSummary } = timed('converted', () => convert(sqQuant));
  out(sqSummary.split('\n').filter(Boolean).slice(0, 3).map((l) => `      ${l}`).join('\n') + '\n');
  const sqInt8Dir = join(dir, 'squeezenet_v1.1_int8');
  saveGraph(sqInt8, sqInt8Dir, { overwrite: true });

  step(8, n, `SqueezeNet FP32 vs INT8 accuracy on all ${w.n} real images (batch 1, as the goldens; the first ${nSqCal} were the calibration set)`);
  const sr = await runCompare(squeeze!, sqInt8Dir, realBin, choice, { batchSize: 1, iterations: 0, warmup: 1, layerImages: 1, useAnalysis: false, log: (l) => out(`      ${l}\n`) });
  out(formatComparison(sr.fp32, sr.int8, 0.01, sr.agreement, sr.speedup).split('\n').map((l) => (l ? `      ${l}` : l)).join('\n'));
  const sqHtml = join(dir, 'compare_squeezenet_v1.1.html');
  writeFileAtomic(sqHtml, renderCompareHtml(sr.data));
  out(`      HTML report: ${sqHtml}\n`);
  if (process.env.QDEPLOY_DEMO_LAYERS) out(formatLayers(sr.layers.rows, sr.layers.images));
  out(`\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
