// Activation calibration, one observer per algorithm, each fed one batch of one tensor at a time (bounded memory:
// nothing but running statistics and, for hist/KL, one 2048-bin histogram per tensor is kept). The rules are
// PaddlePaddle's PostTrainingQuantization sampling code
// (PaddlePaddle/Paddle:python/paddle/static/quantization/post_training_quantization.py: `_sample_abs_max`,
// `_sample_avg`, `_sample_mse`, `_collect_activation_abs_min_max`, `_init_sampling_act_histogram`,
// `_sample_histogram`, `_calculate_kl_hist_threshold`, `_get_hist_scaling_factor`), which PaddleSlim's
// quant_post_static calls (PaddlePaddle/PaddleSlim:paddleslim/quant/quanter.py).
import { QdeployError } from '../util/errors';
import { calKlThreshold, histPercentThreshold } from './kl';
import { accumulateAbsHistogram, histogramEdges, meanF32, meanF64, pairwiseSumF32 } from './numpy';

export const ALGOS = ['abs_max', 'avg', 'hist', 'KL', 'mse'] as const;
export type Algo = (typeof ALGOS)[number];
/** PaddleSlim's other algorithms, refused with a clear message */
export const UNSUPPORTED_ALGOS = ['emd', 'min_max', 'ptf'];

export const HISTOGRAM_BINS = 2048;

export interface ObserverOptions {
  /** hist: the percentile (PaddleSlim quant_post_static default 0.9999) */
  histPercent?: number;
  /** activation bits (8) */
  bits?: number;
  /** mse: onnx_format changes the quant-dequant used in the search */
  onnxFormat?: boolean;
}

/** One tensor's statistics. `observe` gets the tensor of one batch (dims[0] = batch). */
export interface Observer {
  /** passes over the data this algorithm needs (hist/KL: 2, first min/max then histogram) */
  readonly passes: number;
  observe(pass: number, data: Float32Array, dims: readonly number[]): void;
  /** between passes */
  endPass?(pass: number): void;
  /** the threshold, or undefined when the tensor was always empty */
  threshold(): number | undefined;
}

const f32 = Math.fround;

/** float(np.max(np.abs(x))) */
export function absMax(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) { const a = Math.abs(x[i]); if (a > m || a !== a) m = a; }
  return m;
}

/** `abs_max`: the running max over batches of max|A| */
export class AbsMaxObserver implements Observer {
  readonly passes = 1;
  private t: number | undefined;
  observe(_p: number, x: Float32Array, _dims?: readonly number[]): void {
    if (x.length === 0) return;
    const m = absMax(x);
    if (this.t === undefined || m > this.t) this.t = m;
  }
  threshold() { return this.t; }
}

/** `avg`: per batch the mean over samples of per-sample max|A| (float32, as NumPy); final = mean over batches */
export class AvgObserver implements Observer {
  readonly passes = 1;
  private perBatch: number[] = [];
  observe(_p: number, x: Float32Array, dims: readonly number[]): void {
    if (x.length === 0) return;
    const n = Math.max(1, dims[0] ?? 1);
    const per = x.length / n;
    const maxes = new Float32Array(n);
    for (let s = 0; s < n; s++) maxes[s] = absMax(x.subarray(s * per, (s + 1) * per));
    this.perBatch.push(meanF32(maxes));
  }
  threshold() { return this.perBatch.length ? meanF64(this.perBatch) : undefined; }
}

/**
 * `mse`: per batch, scale = s·max|A| for s = 0.3, 0.32, … ≤ 1.0 (s accumulated by += 0.02 as Python does); the
 * candidate minimising mean((A − qd(A))²) wins, compared with `<=` against the best loss of all batches so far.
 * qd is computed in float32 as NumPy does: non-onnx `round(clip(A, 0, scale)/scale·127)/127·scale` (negative
 * values clip to 0, as Paddle's code does), onnx `clip(round(A/scale·127), −128, 127)/127·scale`.
 */
export class MseObserver implements Observer {
  readonly passes = 1;
  private best = Infinity;
  private t: number | undefined;
  constructor(private bits = 8, private onnxFormat = false) {}
  observe(_p: number, x: Float32Array, _dims?: readonly number[]): void {
    if (x.length === 0) return;
    let m = absMax(x);
    if (m === 0) m = 1e-8;
    const bins = 2 ** (this.bits - 1) - 1;
    const sq = new Float32Array(x.length);
    const n = x.length;
    const lo = -bins - 1;
    let s = 0.3;
    while (s <= 1.0) {
      const scale = s * m;
      s += 0.02;
      const sc = f32(scale);
      if (this.onnxFormat) {
        for (let i = 0; i < n; i++) {
          const v = x[i];
          const t = f32(f32(v / sc) * bins);
          let q = Math.floor(t + 0.5); // = Math.round (t + 0.5 is exact for float32 t), cheaper
          if (q - t === 0.5 && (q & 1) !== 0) q -= 1; // half to even
          q = q < lo ? lo : q > bins ? bins : q;
          const d = f32(v - f32(f32(q / bins) * sc));
          sq[i] = d * d;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = x[i];
          const c = v < 0 ? 0 : v > sc ? sc : v;
          const t = f32(f32(c / sc) * bins);
          let q = Math.floor(t + 0.5); // = Math.round (t + 0.5 is exact for float32 t), cheaper
          if (q - t === 0.5 && (q & 1) !== 0) q -= 1;
          const d = f32(v - f32(f32(q / bins) * sc));
          sq[i] = d * d; // the Float32Array store rounds to float32
        }
      }
      const loss = f32(pairwiseSumF32(sq, 0, n) / n);
      if (loss <= this.best) { this.best = loss; this.t = scale; }
    }
  }
  threshold() { return this.t; }
}

/**
 * `hist` and `KL`: pass 1 records the min and max of |A| over all batches; pass 2 accumulates a 2048-bin histogram
 * of |A| over [min, max] (np.histogram edges); then `hist` takes the `histPercent` percentile and `KL` the
 * KL-divergence threshold (cal_kl_threshold).
 */
export class HistogramObserver implements Observer {
  readonly passes = 2;
  private lo = Infinity;
  private hi = -Infinity;
  private edges: Float64Array | undefined;
  private hist: Float64Array | undefined;
  constructor(private kind: 'hist' | 'KL', private percent = 0.9999, private bits = 8) {}
  observe(pass: number, x: Float32Array, _dims?: readonly number[]): void {
    if (x.length === 0) return;
    if (pass === 0) {
      for (let i = 0; i < x.length; i++) {
        const a = Math.abs(x[i]);
        if (a < this.lo) this.lo = a;
        if (a > this.hi) this.hi = a;
      }
      return;
    }
    if (!this.edges || !this.hist) return; // empty in pass 1: Paddle skips the tensor
    accumulateAbsHistogram(x, this.edges, this.hist);
  }
  endPass(pass: number): void {
    if (pass !== 0 || this.lo > this.hi) return;
    this.edges = histogramEdges(this.lo, this.hi, HISTOGRAM_BINS);
    this.hist = new Float64Array(HISTOGRAM_BINS);
  }
  /** the histogram and its edges (for tests and reports) */
  histogram(): { hist: Float64Array; edges: Float64Array } | undefined {
    return this.hist && this.edges ? { hist: this.hist, edges: this.edges } : undefined;
  }
  threshold(): number | undefined {
    if (!this.hist || !this.edges) return undefined;
    const width = this.edges[1] - this.edges[0];
    return this.kind === 'KL' ? calKlThreshold(this.hist, width, this.bits) : histPercentThreshold(this.hist, width, this.percent);
  }
}

export function checkAlgo(algo: string): Algo {
  if ((ALGOS as readonly string[]).includes(algo)) return algo as Algo;
  const hint = UNSUPPORTED_ALGOS.includes(algo) ? ` (PaddleSlim's '${algo}' is not implemented in qdeploy)` : '';
  throw new QdeployError('usage', `unsupported --algo '${algo}'${hint}; one of ${ALGOS.join('|')}`);
}

export function makeObserver(algo: Algo, opts: ObserverOptions = {}): Observer {
  const bits = opts.bits ?? 8;
  switch (algo) {
    case 'abs_max': return new AbsMaxObserver();
    case 'avg': return new AvgObserver();
    case 'mse': return new MseObserver(bits, opts.onnxFormat ?? false);
    case 'hist': return new HistogramObserver('hist', opts.histPercent ?? 0.9999, bits);
    case 'KL': return new HistogramObserver('KL', 0, bits);
  }
}

/** passes over the calibration data an algorithm needs */
export const passesFor = (algo: Algo): number => (algo === 'hist' || algo === 'KL' ? 2 : 1);

/** 'post_kl', 'post_hist', 'post_abs_max', ... (the quantization_type attr PTQ writes) */
export const quantizationType = (algo: Algo): string => `post_${algo === 'KL' || algo === 'hist' ? algo.toLowerCase() : algo}`;
