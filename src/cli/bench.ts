// qdeploy bench: Paddle's sample_tester (Slim demo/mkldnn_quant/sample_tester.cc, spec 6.1) on our runtime:
// same flags and defaults, the same printed lines (batch latency, fps, Top1/Top5 to 4 decimals), plus
// latency statistics in benchmark_app's shape, the backend/ISA/threads, and --report JSON with per-op times.
// Batches are streamed from the dataset file (or a JPEG folder with val_list.txt); only Plan.run is timed.
// The helpers here (backend choice, data sources, the timed loop) are shared by run, compare and demo.
import { existsSync, statSync } from 'node:fs';
import type { Graph } from '../graph/graph';
import { PassContext, runPipeline } from '../passes/pass';
import { FP32_ANALYSIS } from '../passes/pipelines';
import { selectBackend, type BackendChoiceName } from '../backends/select';
import type { Backend, BackendInfo } from '../runtime/backend';
import { compile } from '../runtime/compile';
import type { Plan } from '../runtime/plan';
import { AccuracyMeter, latencyStats, type LatencyStats } from '../report/stats';
import { fixed } from '../report/table';
import { numel } from '../util/dtype';
import { fail } from '../util/errors';
import { writeFileAtomic } from '../util/fs_atomic';
import type { CommandSpec } from './args';
import { loadGraph } from './model_io';
import { openDataset } from '../format/paddle/dataset_bin';
import {
  PRESETS, PRESET_NAMES, Preprocessor, describePreprocess, preprocessEntries, preprocessOptions, readValList,
  type PreprocessOptions, type PresetName,
} from '../data';
import { createProgress } from '../util/progress';

// ---------------------------------------------------------------- backends

export const BACKEND_CHOICES = ['auto', 'reference', 'wasm', 'native'];

export interface BackendChoice {
  backend: Backend;
  info: BackendInfo;
  /** why this backend (auto's reason) */
  note: string;
}

export function chooseBackend(name: string, threads: number): BackendChoice {
  if (!Number.isInteger(threads) || threads < 1) fail('usage', `--num_threads must be a positive integer, got ${threads}`);
  if (!BACKEND_CHOICES.includes(name)) fail('usage', `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${name}`);
  const { backend, reason } = selectBackend(name as BackendChoiceName, { threads });
  return { backend, info: backend.info(), note: reason };
}

export const backendLine = (c: BackendChoice): string =>
  `backend: ${c.info.name}, ISA: ${c.info.isa}, threads: ${c.info.threads}${c.note && c.note !== c.info.name ? ` (${c.note})` : ''}`;

// ---------------------------------------------------------------- models

/** the first input's per-sample shape [C,H,W] and the first output's per-sample element count */
export function modelIo(g: Graph): { input: string; sampleDims: number[]; output: string } {
  const feeds = g.feeds(), fetches = g.fetches();
  if (!feeds.length) fail('format', `${g.source || 'model'}: has no feed op (no input)`);
  if (!fetches.length) fail('format', `${g.source || 'model'}: has no fetch op (no output)`);
  const v = g.mustVar(feeds[0].name, feeds[0].op);
  const sampleDims = v.dims.slice(1);
  if (sampleDims.some((d) => d < 1)) fail('shape', `${g.source || 'model'}: input '${v.name}' has unknown dims [${v.dims.join(',')}]`);
  return { input: v.name, sampleDims, output: fetches[0].name };
}

export function loadForBench(path: string, useAnalysis: boolean): Graph {
  const g = loadGraph(path);
  if (useAnalysis) applyAnalysis(g);
  return g;
}

/** --use_analysis: the FP32 optimisation passes AnalysisConfig would run (spec 3.5 / 6.3) */
export function applyAnalysis(g: Graph): void {
  const fake = g.ops.find((o) => o.type.startsWith('fake_') || o.type === 'quantize_linear' || o.type === 'dequantize_linear');
  if (fake) fail('usage', `${g.source}: --use_analysis cannot optimise a fake-quant model (op ${fake.label}); convert it first`);
  runPipeline(g, FP32_ANALYSIS, new PassContext());
}

// ---------------------------------------------------------------- data

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
  const r = openDataset(path, { shape: [-1, ...imageDims] });
  if (r.chw !== numel(imageDims)) {
    r.close();
    fail('data', `dataset ${path}: images of ${r.chw} floats, the model takes [${imageDims.join(',')}] (${numel(imageDims)})`);
  }
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

/** preprocessing for a JPEG folder: the preset (default imagenet) with its crop set to the model's input size */
export function presetFor(preset: string | undefined, imageDims: number[]): PreprocessOptions {
  const name = (preset ?? 'imagenet') as PresetName;
  if (!PRESET_NAMES.includes(name)) fail('usage', `unknown --preset '${preset}' (one of ${PRESET_NAMES.join('|')})`);
  const base = PRESETS[name];
  const [, h, w] = imageDims;
  if (base.layout === 'resize_crop' && h === w && h !== base.height) return preprocessOptions(name, { dataDim: h, resizeShort: Math.max(base.resizeShort, h) });
  const o = preprocessOptions(name);
  if (o.height !== h || o.width !== w) fail('shape', `preset ${name} gives ${o.height}x${o.width} images, the model takes [${imageDims.join(',')}]`);
  return o;
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

// ---------------------------------------------------------------- the timed loop

export interface BenchOptions {
  batchSize: number;
  /** 0 = count / batchSize */
  iterations: number;
  warmup: number;
  /** per-op wall times (Plan.profiling) */
  profile: boolean;
  withAccuracyLayer?: boolean;
  /** called after each timed batch */
  onBatch?: (i: number, n: number) => void;
  /** called once per batch with the raw first output (row-major, batch rows) */
  onOutput?: (out: Float32Array, batchIndex: number, labels: BigInt64Array) => void;
}

export interface OpTotal { id: number; type: string; kernel: string; ms: number; calls: number }

export interface BenchResult {
  batchSize: number;
  iterations: number;
  samples: number;
  warmup: number;
  /** per timed batch, ms (Plan.run: inputs in, kernels, outputs out) */
  batchMs: number[];
  latency: LatencyStats;
  /** total timed ms / iterations (sample_tester's "batch latency") */
  batchLatency: number;
  sampleLatency: number;
  fps: number;
  top1: number;
  top5: number;
  classes: number;
  opTimes: OpTotal[];
  arenaBytes: number;
  compileMs: number;
}

export function resolveIterations(count: number, batchSize: number, iterations: number, what: string): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) fail('usage', `--batch_size must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(iterations) || iterations < 0) fail('usage', `--iterations must be >= 0, got ${iterations}`);
  if (batchSize > count) fail('data', `--batch_size ${batchSize} is larger than the data (${what} has ${count} images)`);
  const max = Math.floor(count / batchSize);
  if (iterations > max) fail('data', `--iterations ${iterations} × --batch_size ${batchSize} needs ${iterations * batchSize} images, ${what} has ${count}`);
  return iterations === 0 ? max : iterations;
}

export function benchPlan(plan: Plan, data: DataSource, opts: BenchOptions): BenchResult {
  const B = opts.batchSize;
  const iters = resolveIterations(data.count, B, opts.iterations, data.what);
  const per = data.imageSize;
  const want = numel(plan.inputs[0].spec.dims);
  if (want !== B * per) fail('shape', `model input '${plan.inputs[0].spec.name}' [${plan.inputs[0].spec.dims.join(',')}] does not match the data (${per} floats per image)`);
  const images = new Float32Array(B * per);
  const labels = new BigInt64Array(B);
  const outSpec = plan.outputs[0].spec;
  const classes = numel(outSpec.dims) / B;
  const acc = new AccuracyMeter();
  const acc2 = { top1: 0, top5: 0, n: 0 };
  const labelInput = opts.withAccuracyLayer ? checkAccuracyLayer(plan) : -1;

  // warm-up on the first batches (outputs discarded), as sample_tester does
  for (let w = 0; w < opts.warmup; w++) {
    data.read((w % iters) * B, B, images, labels);
    plan.setInput(0, images);
    if (labelInput >= 0) plan.setInput(labelInput, labels);
    plan.execute();
  }
  plan.resetProfile();
  plan.profiling = opts.profile;
  const batchMs: number[] = [];
  let total = 0;
  for (let i = 0; i < iters; i++) {
    data.read(i * B, B, images, labels);
    const t0 = performance.now();
    plan.setInput(0, images);
    if (labelInput >= 0) plan.setInput(labelInput, labels);
    plan.execute();
    const out = plan.read(outSpec.name);
    const ms = performance.now() - t0;
    batchMs.push(ms);
    total += ms;
    if (labelInput >= 0) {
      acc2.top1 += Number(plan.read(plan.outputs[1].spec.name).data[0]);
      acc2.top5 += Number(plan.read(plan.outputs[2].spec.name).data[0]);
      acc2.n++;
    } else if (out.dtype === 'fp32') {
      acc.addBatch(out.data as Float32Array, classes, labels);
    }
    opts.onOutput?.(out.data as Float32Array, i, labels);
    opts.onBatch?.(i, iters);
  }
  plan.profiling = false;
  const batchLatency = total / iters;
  const sampleLatency = batchLatency / B;
  return {
    batchSize: B, iterations: iters, samples: B * iters, warmup: opts.warmup, batchMs, latency: latencyStats(batchMs),
    batchLatency, sampleLatency, fps: 1000 / sampleLatency,
    top1: labelInput >= 0 ? acc2.top1 / acc2.n : acc.top1, top5: labelInput >= 0 ? acc2.top5 / acc2.n : acc.top5,
    classes, opTimes: plan.opTimes.map((t) => ({ ...t })), arenaBytes: plan.arenaBytes, compileMs: 0,
  };
}

function checkAccuracyLayer(plan: Plan): number {
  if (plan.inputs.length < 2 || plan.outputs.length < 3) {
    fail('usage', `--with_accuracy_layer: the model needs a label input and accuracy outputs (it has ${plan.inputs.length} input(s), ${plan.outputs.length} output(s))`);
  }
  return 1;
}

export function compileFor(g: Graph, choice: BackendChoice, batch: number, keep?: 'all'): { plan: Plan; ms: number } {
  const t0 = performance.now();
  const plan = compile(g, choice.backend, { batch, ...(keep ? { keep } : {}) });
  return { plan, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- printing

/** sample_tester's lines (spec 6.1), then benchmark_app-style latency statistics */
export function formatBench(model: string, choice: BackendChoice, r: BenchResult): string {
  const l = r.latency;
  return [
    `Model: ${model}`,
    `====== num of threads: ${choice.info.threads} ======`,
    `====== batch size: ${r.batchSize}, iterations: ${r.iterations}`,
    `====== batch latency: ${fixed(r.batchLatency, 4)}ms, number of samples: ${r.samples}, sample latency: ${fixed(r.sampleLatency, 4)}ms, fps: ${fixed(r.fps, 4)} ======`,
    `Top1 accuracy: ${fixed(r.top1, 4).padStart(6)}`,
    `Top5 accuracy: ${fixed(r.top5, 4).padStart(6)}`,
    `[ INFO ] ${backendLine(choice)}`,
    `[ INFO ] Count:      ${r.iterations} iterations (batch ${r.batchSize}, ${r.warmup} warm-up)`,
    `[ INFO ] Latency (per batch):`,
    `[ INFO ]    Median:  ${fixed(l.median, 2)} ms`,
    `[ INFO ]    Average: ${fixed(l.avg, 2)} ms`,
    `[ INFO ]    Min:     ${fixed(l.min, 2)} ms`,
    `[ INFO ]    Max:     ${fixed(l.max, 2)} ms`,
    `[ INFO ]    P90:     ${fixed(l.p90, 2)} ms`,
    `[ INFO ]    P99:     ${fixed(l.p99, 2)} ms`,
    `[ INFO ] Throughput: ${fixed(r.fps, 2)} FPS`,
    '',
  ].join('\n');
}

/** per op type: total ms per batch, sorted by time */
export function opTypeTotals(r: BenchResult): { type: string; ms: number; count: number }[] {
  const m = new Map<string, { type: string; ms: number; count: number }>();
  for (const t of r.opTimes) {
    const e = m.get(t.type) ?? { type: t.type, ms: 0, count: 0 };
    e.ms += t.calls ? t.ms / r.iterations : 0;
    e.count++;
    m.set(t.type, e);
  }
  return [...m.values()].sort((a, b) => b.ms - a.ms);
}

export function benchReport(model: string, choice: BackendChoice, r: BenchResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tool: 'qdeploy bench', model, ...extra,
    backend: { name: choice.info.name, isa: choice.info.isa, threads: choice.info.threads, features: choice.info.features, note: choice.note },
    batch_size: r.batchSize, iterations: r.iterations, warmup: r.warmup, samples: r.samples,
    batch_latency_ms: r.batchLatency, sample_latency_ms: r.sampleLatency, fps: r.fps,
    top1: r.top1, top5: r.top5,
    latency_ms: r.latency, batch_ms: r.batchMs,
    compile_ms: r.compileMs, arena_bytes: r.arenaBytes,
    op_type_ms_per_batch: opTypeTotals(r),
    ops: r.opTimes.map((t) => ({ id: t.id, type: t.type, kernel: t.kernel, total_ms: t.ms, calls: t.calls, ms_per_batch: t.calls ? t.ms / t.calls : 0 })),
  };
}

/** progress over timed batches (src/util/progress: a bar on a TTY, periodic plain lines otherwise; stderr) */
export function batchProgress(label: string, total: number, quiet = false): { tick(i: number, n: number): void; done(): void } {
  const p = createProgress(label, total, { unit: 'batch', quiet });
  return { tick: () => p.tick(), done: () => p.stop() };
}

// ---------------------------------------------------------------- the command

export const benchCommand: CommandSpec = {
  name: 'bench',
  summary: 'latency, throughput and accuracy of a model on a dataset (Paddle\'s sample_tester)',
  usage: 'qdeploy bench --infer_model M --infer_data F [--batch_size 50] [--iterations 0] [--num_threads 1] [--warmup 1] [--use_analysis] [--backend auto] [--report out.json]',
  flags: {
    infer_model: { type: 'string', help: 'model dir (or program file)' },
    infer_data: { type: 'string', help: 'dataset .bin (Paddle layout: int64 N, images, int64 labels) or a folder with val_list.txt' },
    batch_size: { type: 'int', help: 'images per batch', default: 50 },
    iterations: { type: 'int', help: 'timed batches; 0 = the whole dataset (N / batch_size)', default: 0 },
    num_threads: { type: 'int', help: 'backend threads', default: 1 },
    warmup: { type: 'int', help: 'warm-up batches before timing (sample_tester: --warmup_iter)', default: 1 },
    warmup_iter: { type: 'int', help: 'alias of --warmup (sample_tester\'s name)' },
    with_accuracy_layer: { type: 'boolean', help: 'the model computes accuracy itself (label input, top-1/top-5 outputs)' },
    use_analysis: { type: 'boolean', help: 'apply the FP32 fuses first, as Paddle\'s AnalysisConfig does (FP32 models)' },
    backend: { type: 'string', help: 'backend', choices: BACKEND_CHOICES, default: 'auto' },
    preset: { type: 'string', help: 'preprocessing preset when --infer_data is a JPEG folder' },
    report: { type: 'string', help: 'write every number (and per-op times) as JSON here' },
  },
  details: `
Prints what sample_tester prints (batch latency, sample latency, fps, Top1/Top5 accuracy as %6.4f) and then
latency median/average/min/max/p90/p99 per batch, the backend, its ISA and threads. Only the model run is timed;
batches are read from the file between runs.
Example: qdeploy bench --infer_model mobilenet_v1 --infer_data val.bin --batch_size 1 --iterations 100`,
  async run(args) {
    const modelPath = args.reqStr('infer_model');
    const dataPath = args.reqStr('infer_data');
    const B = args.num('batch_size')!;
    const warmup = args.num('warmup_iter') ?? args.num('warmup')!;
    if (warmup < 0) fail('usage', `bench: --warmup must be >= 0, got ${warmup}`);
    const choice = chooseBackend(args.str('backend')!, args.num('num_threads')!);
    const g = loadForBench(modelPath, args.bool('use_analysis'));
    const io = modelIo(g);
    const it = args.num('iterations')!;
    const data = await openData(dataPath, io.sampleDims, args.str('preset'), it > 0 ? it * B : 0);
    try {
      resolveIterations(data.count, B, args.num('iterations')!, data.what);
      const { plan, ms } = compileFor(g, choice, B);
      const bar = batchProgress('bench', resolveIterations(data.count, B, it, data.what));
      const r = benchPlan(plan, data, { batchSize: B, iterations: args.num('iterations')!, warmup, profile: true, withAccuracyLayer: args.bool('with_accuracy_layer'), onBatch: bar.tick });
      bar.done();
      r.compileMs = ms;
      process.stdout.write(formatBench(modelPath, choice, r));
      const reportPath = args.str('report');
      if (reportPath) {
        writeFileAtomic(reportPath, JSON.stringify(benchReport(modelPath, choice, r, { infer_data: dataPath, use_analysis: args.bool('use_analysis') }), null, 2) + '\n');
        process.stdout.write(`report written to ${reportPath}\n`);
      }
      plan.dispose();
    } finally {
      data.close();
    }
  },
};

