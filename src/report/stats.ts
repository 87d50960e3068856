// Numbers the bench/compare/run reports print: latency statistics in benchmark_app's shape, top-k, accuracy,
// and per-tensor error measures. Pure functions on plain arrays.

export interface LatencyStats {
  count: number;
  median: number;
  avg: number;
  min: number;
  max: number;
  p90: number;
  p99: number;
}

/** nearest-rank percentile of sorted values (p in [0, 100]) */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function latencyStats(ms: ArrayLike<number>): LatencyStats {
  const s = Float64Array.from(ms).sort();
  const n = s.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  const median = n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { count: n, median, avg: n ? sum / n : NaN, min: n ? s[0] : NaN, max: n ? s[n - 1] : NaN, p90: percentile(s, 90), p99: percentile(s, 99) };
}

/**
 * Per-pair ratios num[i] / den[i] and their spread: median (mean of the middle two), nearest-rank p10/p90, min,
 * max. compare times FP32 and INT8 batch by batch, so each pair's ratio is measured under the same load.
 */
export interface RatioStats { count: number; ratios: number[]; median: number; p10: number; p90: number; min: number; max: number }

export function ratioStats(num: ArrayLike<number>, den: ArrayLike<number>): RatioStats {
  const ratios = Array.from({ length: Math.min(num.length, den.length) }, (_, i) => num[i] / den[i]);
  const s = Float64Array.from(ratios).sort();
  const l = latencyStats(s);
  return { count: s.length, ratios, median: l.median, p10: percentile(s, 10), p90: percentile(s, 90), min: l.min, max: l.max };
}

/** indices of the k largest values, largest first (ties: lower index first) */
export function topK(row: ArrayLike<number>, k: number): number[] {
  const kk = Math.min(k, row.length);
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (Number.isNaN(v)) continue;
    if (best.length === kk && v <= row[best[kk - 1]]) continue;
    let j = best.length < kk ? best.length : kk - 1;
    if (best.length < kk) best.push(i);
    while (j > 0 && row[best[j - 1]] < v) { best[j] = best[j - 1]; j--; }
    best[j] = i;
  }
  return best;
}

/** running top-1/top-5 as sample_tester computes them: per-batch fractions averaged over batches */
export class AccuracyMeter {
  private top1Sum = 0;
  private top5Sum = 0;
  batches = 0;
  samples = 0;
  correct1 = 0;
  correct5 = 0;

  /** `out` holds rows of `classes` values, one per label */
  addBatch(out: Float32Array, classes: number, labels: ArrayLike<number | bigint>): void {
    const b = labels.length;
    let c1 = 0, c5 = 0;
    for (let i = 0; i < b; i++) {
      const row = out.subarray(i * classes, (i + 1) * classes);
      const top = topK(row, 5);
      const label = Number(labels[i]);
      if (top[0] === label) c1++;
      if (top.includes(label)) c5++;
    }
    this.top1Sum += c1 / b;
    this.top5Sum += c5 / b;
    this.batches++;
    this.samples += b;
    this.correct1 += c1;
    this.correct5 += c5;
  }

  get top1(): number { return this.batches ? this.top1Sum / this.batches : NaN; }
  get top5(): number { return this.batches ? this.top5Sum / this.batches : NaN; }
}

export interface ErrorStats {
  /** max |a − b| */
  maxAbs: number;
  /** ||a − b|| / ||b|| (b = reference) */
  relL2: number;
  /** cosine similarity */
  cosine: number;
  count: number;
}

export function errorStats(got: ArrayLike<number>, ref: ArrayLike<number>): ErrorStats {
  const n = Math.min(got.length, ref.length);
  let maxAbs = 0, d2 = 0, r2 = 0, g2 = 0, dot = 0;
  for (let i = 0; i < n; i++) {
    const a = got[i], b = ref[i], d = a - b;
    const ad = Math.abs(d);
    if (ad > maxAbs || Number.isNaN(ad)) maxAbs = ad;
    d2 += d * d; r2 += b * b; g2 += a * a; dot += a * b;
  }
  const relL2 = r2 > 0 ? Math.sqrt(d2 / r2) : d2 > 0 ? Infinity : 0;
  const cosine = g2 > 0 && r2 > 0 ? dot / Math.sqrt(g2 * r2) : g2 === r2 ? 1 : 0;
  return { maxAbs, relL2, cosine, count: n };
}
