// The timed loop of qdeploy bench (Paddle's sample_tester, Slim demo/mkldnn_quant/sample_tester.cc, spec 6.1) and of
// compare: batches streamed from a DataSource, only Plan.run timed, top-1/top-5 and per-op times collected; two
// models can be timed batch by batch in turn (benchInterleaved). Shared by bench, compare, run, demo and bench/.
import type { Graph } from '../graph/graph';
import { compile } from '../runtime/compile';
import type { Plan, PlacementSummary } from '../runtime/plan';
import { AccuracyMeter, latencyStats, ratioStats, type LatencyStats, type RatioStats } from '../report/stats';
import { numel } from '../util/dtype';
import { fail } from '../util/errors';
import { createProgress } from '../util/progress';
import type { BackendChoice } from './backend_choice';
import type { DataSource } from './data_source';

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

export interface OpTotal { id: number; type: string; backend: string; kernel: string; ms: number; calls: number }

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
  /** where the ops ran (counts per backend, reorders, fallbacks) */
  placement: PlacementSummary;
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
      classes: this.classes, opTimes: plan.opTimes.map((t) => ({ ...t })), placement: plan.placement(), arenaBytes: plan.arenaBytes, compileMs: 0,
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
  const plan = compile(g, choice.backends, { batch, ...(keep ? { keep } : {}) });
  return { plan, ms: performance.now() - t0 };
}

/** progress over timed batches (src/util/progress: a bar on a TTY, periodic plain lines otherwise; stderr) */
export function batchProgress(label: string, total: number, quiet = false): { tick(i: number, n: number): void; done(): void } {
  const p = createProgress(label, total, { unit: 'batch', quiet });
  return { tick: () => p.tick(), done: () => p.stop() };
}

