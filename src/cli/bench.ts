// qdeploy bench: Paddle's sample_tester (Slim demo/mkldnn_quant/sample_tester.cc, spec 6.1) on our runtime:
// same flags and defaults, the same printed lines (batch latency, fps, Top1/Top5 to 4 decimals), plus
// latency statistics in benchmark_app's shape, the backend/ISA/threads, and --report JSON with per-op times.
// Batches are streamed from the dataset file (or a JPEG folder with val_list.txt); only Plan.run is timed.
// The helpers here (backend choice, data sources, the timed loop) are shared by run, compare and demo.
import { existsSync, statSync } from 'node:fs';
import type { Graph } from '../graph/graph';
import { describeKind, modelKind } from '../graph/model_kind';
import { PassContext, runPipeline } from '../passes/pass';
import { FP32_ANALYSIS } from '../passes/pipelines';
import { selectBackend, type BackendChoiceName } from '../backends/select';
import type { Backend, BackendInfo } from '../runtime/backend';
import { compile } from '../runtime/compile';
import type { Plan } from '../runtime/plan';
import { AccuracyMeter, latencyStats, ratioStats, type LatencyStats, type RatioStats } from '../report/stats';
import { fixed } from '../report/table';
import { numel } from '../util/dtype';
import { fail } from '../util/errors';
import { checkOutputFile, writeFileAtomic } from '../util/fs_atomic';
import type { CommandSpec } from './args';
import { BACKEND_CHOICES, backendFlag, batchSizeFlag, iterationsFlag, numThreadsFlag, presetFlag, useAnalysisFlag, warmupFlags, withAccuracyLayerFlag } from './shared_flags';
import { loadGraph } from '../app/model_io';
import {
  Preprocessor, choosePreset, describePreprocess, openModelDataset, preprocessEntries, readValList, type PreprocessOptions,
} from '../data';
import { createProgress } from '../util/progress';

// ---------------------------------------------------------------- backends

export { BACKEND_CHOICES };

export interface BackendChoice {
  backend: Backend;
  info: BackendInfo;
  /** why this backend (auto's reason) */
  note: string;
}

export function chooseBackend(name: string, threads: number): BackendChoice {
  if (!Number.isInteger(threads) || threads < 1) fail('usage', `--num_threads must be a positive integer, got ${threads}`);
  if (!(BACKEND_CHOICES as readonly string[]).includes(name)) fail('usage', `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${name}`);
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
  /** the clock (ms); performance.now unless a test gives its own */
  now?: () => number;
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

/** one model's timed loop, batch by batch, so that two models can be timed interleaved (benchInterleaved) */
class TimedRun {
  private readonly B: number;
  readonly iters: number;
  private readonly images: Float32Array;
  private readonly labels: BigInt64Array;
  private readonly outName: string;
  private readonly classes: number;
  private readonly acc = new AccuracyMeter();
  private readonly acc2 = { top1: 0, top5: 0, n: 0 };
  private readonly labelInput: number;
  private readonly now: () => number;
  readonly batchMs: number[] = [];
  private total = 0;

  constructor(private readonly plan: Plan, private readonly data: DataSource, private readonly opts: BenchOptions) {
    this.B = opts.batchSize;
    this.iters = resolveIterations(data.count, this.B, opts.iterations, data.what);
    const per = data.imageSize;
    const want = numel(plan.inputs[0].spec.dims);
    if (want !== this.B * per) fail('shape', `model input '${plan.inputs[0].spec.name}' [${plan.inputs[0].spec.dims.join(',')}] does not match the data (${per} floats per image)`);
    this.images = new Float32Array(this.B * per);
    this.labels = new BigInt64Array(this.B);
    this.outName = plan.outputs[0].spec.name;
    this.classes = numel(plan.outputs[0].spec.dims) / this.B;
    this.labelInput = opts.withAccuracyLayer ? checkAccuracyLayer(plan) : -1;
    this.now = opts.now ?? (() => performance.now());
  }

  /** warm-up batch w (outputs discarded), as sample_tester does */
  warm(w: number): void {
    this.data.read((w % this.iters) * this.B, this.B, this.images, this.labels);
    this.plan.setInput(0, this.images);
    if (this.labelInput >= 0) this.plan.setInput(this.labelInput, this.labels);
    this.plan.execute();
  }

  /** after warm-up: per-op times count from here */
  startTiming(): void {
    this.plan.resetProfile();
    this.plan.profiling = this.opts.profile;
  }

  /** timed batch i: only inputs in, the run and the output read are timed */
  batch(i: number): void {
    const { plan, B } = this;
    this.data.read(i * B, B, this.images, this.labels);
    const t0 = this.now();
    plan.setInput(0, this.images);
    if (this.labelInput >= 0) plan.setInput(this.labelInput, this.labels);
    plan.execute();
    const out = plan.read(this.outName);
    const ms = this.now() - t0;
    this.batchMs.push(ms);
    this.total += ms;
    if (this.labelInput >= 0) {
      this.acc2.top1 += Number(plan.read(plan.outputs[1].spec.name).data[0]);
      this.acc2.top5 += Number(plan.read(plan.outputs[2].spec.name).data[0]);
      this.acc2.n++;
    } else if (out.dtype === 'fp32') {
      this.acc.addBatch(out.data as Float32Array, this.classes, this.labels);
    }
    this.opts.onOutput?.(out.data as Float32Array, i, this.labels);
  }

  result(): BenchResult {
    const { plan, B, iters } = this;
    plan.profiling = false;
    const batchLatency = this.total / iters;
    const sampleLatency = batchLatency / B;
    const lab = this.labelInput >= 0;
    return {
      batchSize: B, iterations: iters, samples: B * iters, warmup: this.opts.warmup, batchMs: this.batchMs, latency: latencyStats(this.batchMs),
      batchLatency, sampleLatency, fps: 1000 / sampleLatency,
      top1: lab ? this.acc2.top1 / this.acc2.n : this.acc.top1, top5: lab ? this.acc2.top5 / this.acc2.n : this.acc.top5,
      classes: this.classes, opTimes: plan.opTimes.map((t) => ({ ...t })), arenaBytes: plan.arenaBytes, compileMs: 0,
    };
  }
}

export function benchPlan(plan: Plan, data: DataSource, opts: BenchOptions): BenchResult {
  const r = new TimedRun(plan, data, opts);
  for (let w = 0; w < opts.warmup; w++) r.warm(w);
  r.startTiming();
  for (let i = 0; i < r.iters; i++) {
    r.batch(i);
    opts.onBatch?.(i, r.iters);
  }
  return r.result();
}

export interface InterleavedResult { results: [BenchResult, BenchResult]; speedup: RatioStats }

/**
 * Two models on the same batches, timed batch by batch in turn (batch i of one, batch i of the other; which goes
 * first alternates), so that load on a shared machine falls on both alike; the speed-up is the median of the
 * per-batch ratios (first model's ms / second's) with its spread, not a ratio of two runs minutes apart.
 */
export function benchInterleaved(plans: [Plan, Plan], data: DataSource, opts: [BenchOptions, BenchOptions], onBatch?: (i: number, n: number) => void): InterleavedResult {
  const runs = [new TimedRun(plans[0], data, opts[0]), new TimedRun(plans[1], data, opts[1])];
  const order = (i: number) => (i % 2 === 0 ? runs : [runs[1], runs[0]]);
  for (let w = 0; w < opts[0].warmup; w++) for (const r of order(w)) r.warm(w);
  for (const r of runs) r.startTiming();
  const n = runs[0].iters;
  for (let i = 0; i < n; i++) {
    for (const r of order(i)) r.batch(i);
    onBatch?.(i, n);
  }
  const results: [BenchResult, BenchResult] = [runs[0].result(), runs[1].result()];
  return { results, speedup: ratioStats(results[0].batchMs, results[1].batchMs) };
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
export function formatBench(model: string, choice: BackendChoice, r: BenchResult, kind?: string): string {
  const l = r.latency;
  return [
    `Model: ${model}`,
    `====== num of threads: ${choice.info.threads} ======`,
    `====== batch size: ${r.batchSize}, iterations: ${r.iterations}`,
    `====== batch latency: ${fixed(r.batchLatency, 4)}ms, number of samples: ${r.samples}, sample latency: ${fixed(r.sampleLatency, 4)}ms, fps: ${fixed(r.fps, 4)} ======`,
    `Top1 accuracy: ${fixed(r.top1, 4).padStart(6)}`,
    `Top5 accuracy: ${fixed(r.top5, 4).padStart(6)}`,
    `[ INFO ] ${backendLine(choice)}`,
    ...(kind ? [`[ INFO ] model kind: ${kind}`] : []),
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

/**
 * bench runs any model: a quant model runs as its FP32 fake-quant simulation, as Paddle's tester runs one; it is
 * not INT8, so the kind is printed with every result and the quant case says how to get the INT8 model.
 */
function kindNote(g: Graph): string {
  const k = modelKind(g);
  return k.kind === 'quant' ? `${describeKind(k)}: runs as the FP32 simulation of INT8, not as INT8 (qdeploy convert makes the INT8 model)` : describeKind(k);
}

export const benchCommand: CommandSpec = {
  name: 'bench',
  summary: 'latency, throughput and accuracy of a model on a dataset (Paddle\'s sample_tester)',
  usage: 'qdeploy bench --infer_model M --infer_data F [--batch_size 50] [--iterations 0] [--num_threads 1] [--warmup 1] [--use_analysis] [--backend auto] [--report out.json]',
  flags: {
    infer_model: { type: 'string', help: 'model dir (or program file)' },
    infer_data: { type: 'string', help: 'dataset .bin (Paddle layout: int64 N, images, int64 labels) or a folder with val_list.txt' },
    batch_size: batchSizeFlag(50),
    iterations: iterationsFlag(),
    num_threads: numThreadsFlag(undefined, 1),
    ...warmupFlags(1),
    with_accuracy_layer: withAccuracyLayerFlag('the model computes accuracy itself (label input, top-1/top-5 outputs)'),
    use_analysis: useAnalysisFlag(),
    backend: backendFlag(),
    preset: presetFlag('preprocessing preset when --infer_data is a JPEG folder'),
    report: { type: 'string', help: 'write every number (and per-op times) as JSON here' },
  },
  details: `
Prints what sample_tester prints (batch latency, sample latency, fps, Top1/Top5 accuracy as %6.4f) and then
latency median/average/min/max/p90/p99 per batch, the backend, its ISA and threads, and the model's kind: FP32,
INT8 (qdeploy convert output) or quant. A quant model (fake-quant ops) is benchmarked as Paddle's tester runs it,
as FP32 arithmetic simulating INT8: its speed is not INT8 speed; convert it for that. Only the model run is timed;
batches are read from the file between runs.
Example: qdeploy bench --infer_model mobilenet_v1 --infer_data val.bin --batch_size 1 --iterations 100`,
  async run(args) {
    const modelPath = args.reqStr('infer_model');
    const dataPath = args.reqStr('infer_data');
    const B = args.num('batch_size')!;
    const warmup = args.num('warmup')!;
    if (args.str('report')) checkOutputFile(args.str('report')!);
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
      process.stdout.write(formatBench(modelPath, choice, r, kindNote(g)));
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

