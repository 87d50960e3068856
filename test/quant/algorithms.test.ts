// The calibration algorithms on synthetic data, against thresholds worked out by hand from the rules of
// PaddlePaddle/Paddle:python/paddle/static/quantization/post_training_quantization.py and cal_kl_threshold.py.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calKlThreshold, histPercentThreshold } from '../../src/quant/kl';
import { AbsMaxObserver, AvgObserver, HistogramObserver, MseObserver, checkAlgo, makeObserver, quantizationType } from '../../src/quant/observers';
import { histogramEdges, meanF32, pairwiseSum } from '../../src/quant/numpy';
import { QdeployError } from '../../src/util/errors';

const F = (a: number[]) => Float32Array.from(a);

test('pairwise summation: float32 sum of 1e8 + 1 + … rounds like NumPy, float64 exact below 2^53', () => {
  // 10 elements: 8 accumulators then the remainder; in float32 1e8 + 1 == 1e8
  const a = F([1e8, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  // ((1e8+1)+(1+1)) + ((1+1)+(1+1)) then +1 +1, each rounded to float32 (spacing 8 at 1e8): every 1 is lost
  assert.is(pairwiseSum(a, 0, a.length, Math.fround), 1e8);
  assert.is(pairwiseSum(a, 0, a.length), 100000009);
  assert.is(pairwiseSum([1, 2, 3, 4], 0, 4), 10);
  assert.is(meanF32(F([0.1, 0.2, 0.3])), Math.fround(Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.2)) + Math.fround(0.3)) / 3));
});

test('abs_max: running max of max|A| over batches', () => {
  const o = new AbsMaxObserver();
  o.observe(0, F([1, -3, 2]), [1, 3]);
  o.observe(0, F([0.5, -2.5]), [1, 2]);
  assert.is(o.threshold(), 3);
  assert.is(new AbsMaxObserver().threshold(), undefined);
});

test('avg: mean over batches of the batch mean of per-sample max|A|', () => {
  const o = new AvgObserver();
  o.observe(0, F([1, -2, 0.5, 4, 0, -1]), [2, 3]); // samples: max 2, 4 → 3
  o.observe(0, F([0.5, -1, 0]), [1, 3]); // 1
  assert.is(o.threshold(), 2); // (3 + 1) / 2
});

test('hist: 2048 bins over [min|A|, max|A|] from pass 1, percentile in pass 2', () => {
  // |A| = 0, 2048 and i + 0.5 for i = 0..2047 (half of them negative): edges are the integers 0..2048, so every
  // bin holds one value, bin 0 also holds 0 and the last bin (closed) holds 2048: 2050 values.
  const vals = [0, -2048];
  for (let i = 0; i < 2048; i++) vals.push(i % 2 ? -(i + 0.5) : i + 0.5);
  const x = F(vals);
  const o = new HistogramObserver('hist', 0.5);
  o.observe(0, x, [1, x.length]);
  o.endPass(0);
  o.observe(1, x, [1, x.length]);
  const h = o.histogram()!;
  assert.is(h.edges[0], 0); assert.is(h.edges[2048], 2048); assert.is(h.edges[1], 1);
  assert.equal([h.hist[0], h.hist[1], h.hist[1023], h.hist[2046], h.hist[2047]], [2, 1, 1, 1, 2]);
  // cumulative (i + 2) / 2050 ≥ 0.5 first at i = 1023 → (1023 + 1 − 0.5) · 1
  assert.is(o.threshold(), 1023.5);
  // the percentile rule on a 4-bin histogram: cumsum .5 .8 .95 ≥ .9 at bin 2 → (3 − 0.5) · 0.25
  assert.is(histPercentThreshold([50, 30, 15, 5], 0.25, 0.9), 0.625);
});

test('np.histogram edges: linspace (i·step + lo, last = hi), empty range widened by 0.5', () => {
  const e = histogramEdges(0.1, 0.7, 3);
  const step = (0.7 - 0.1) / 3;
  assert.equal([...e], [0 * step + 0.1, 1 * step + 0.1, 2 * step + 0.1, 0.7]);
  assert.equal([...histogramEdges(2, 2, 2)], [1.5, 2, 2.5]);
});

test('KL: a uniform histogram over 1270 bins is matched exactly by 127 merged bins of 10 → threshold (1270 + 0.5)·width', () => {
  const hist = new Float64Array(2048);
  for (let i = 0; i < 1270; i++) hist[i] = 1;
  // i = 1270: P = Q (KL 0); i in 1023..1269 put the outliers into P's last bin (KL > 0); i > 1270: hist[i−1] = 0, skipped
  assert.is(calKlThreshold(hist, 0.5, 8), 1270.5 * 0.5);
});

test('KL: only one candidate (mass in bins 0..1022) → 1023; no candidate → walk down to the last non-empty bin', () => {
  const a = new Float64Array(2048);
  for (let i = 0; i < 1023; i++) a[i] = 3;
  assert.is(calKlThreshold(a, 1, 8), 1023.5);
  const b = new Float64Array(2048);
  b[0] = 10; b[5] = 2;
  assert.is(calKlThreshold(b, 2, 8), (5 + 0.5) * 2);
});

test('KL observer end to end: thresholds within the observed range', () => {
  const o = makeObserver('KL');
  const x = new Float32Array(5000);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 12.9898) * 3; // |x| ≤ 3
  o.observe(0, x, [1, x.length]); o.endPass?.(0); o.observe(1, x, [1, x.length]);
  const t = o.threshold()!;
  assert.ok(t > 1.4 && t <= 3.0001, `KL threshold ${t}`);
});

test('mse: candidates s = 0.3, 0.32, … (35, the last 0.98 by float accumulation); two points [1, 0.3] pick the last', () => {
  const o = new MseObserver();
  o.observe(0, F([1, 0.3]), [1, 2]);
  // s·1 for s < 1 clips 1.0 to s (error (1−s)²/2), and 0.3/s·127 rounds; the largest s (0.9800000000000005) wins
  let s = 0.3, last = 0;
  while (s <= 1.0) { last = s; s += 0.02; }
  assert.is(last, 0.9800000000000005);
  assert.is(o.threshold(), last);
});

test('mse: non-onnx clips negatives to 0 (Paddle\'s rule); onnx keeps them', () => {
  // [-1, 0.5] with onnx_format: -1 is quantized too (clipped to -128), so the widest scale 0.98 wins
  const onnx = new MseObserver(8, true);
  onnx.observe(0, F([-1, 0.5]), [1, 2]);
  assert.is(onnx.threshold(), 0.9800000000000005);
  // without onnx the -1 becomes 0 and costs 1 at every scale; the float32 loss (1 + e)/2 rounds to 0.5 for every
  // e < 6e-8, so the last such candidate wins the <= comparison: 0.92 (0.5/0.92·127 = 69.02, e = 2.5e-8), not 0.98
  // (0.5/0.98·127 = 64.80 → 65, e = 2.5e-6)
  const q = new MseObserver(8, false);
  q.observe(0, F([-1, 0.5]), [1, 2]);
  assert.is(q.threshold(), 0.9200000000000005);
  // [-0.01, 0.5]: max 0.5, every candidate scale (≤ 0.49) clips 0.5; loss (1e-4 + (0.5 − scale)²)/2, least at 0.98·0.5
  const r = new MseObserver(8, false);
  r.observe(0, F([-0.01, 0.5]), [1, 2]);
  assert.is(r.threshold(), 0.9800000000000005 * 0.5);
});

test('mse: the best loss is kept across batches (a later batch only wins with a loss <= the best)', () => {
  const o = new MseObserver();
  o.observe(0, F([-0.01, 0.5]), [1, 2]); // best loss 1e-4 at 0.49
  o.observe(0, F([1, 0.3]), [1, 2]); // its best loss ((0.02² + ε)/2 = 2.0e-4 at 0.98) is worse: 0.49 stays
  assert.is(o.threshold(), 0.9800000000000005 * 0.5);
  const p = new MseObserver();
  p.observe(0, F([1, 0.3]), [1, 2]); // 2.0e-4 at 0.98
  p.observe(0, F([-0.01, 0.5]), [1, 2]); // 1e-4 < 2.0e-4: wins
  assert.is(p.threshold(), 0.9800000000000005 * 0.5);
});

test('algo names: PaddleSlim spellings; others refused with one line', () => {
  assert.is(checkAlgo('KL'), 'KL');
  assert.is(quantizationType('KL'), 'post_kl');
  assert.is(quantizationType('hist'), 'post_hist');
  assert.is(quantizationType('abs_max'), 'post_abs_max');
  for (const bad of ['kl', 'emd', 'percentile']) {
    try { checkAlgo(bad); assert.unreachable(); } catch (e) {
      assert.instance(e, QdeployError);
      assert.is((e as QdeployError).code, 'usage');
      assert.match((e as Error).message, /unsupported --algo/);
    }
  }
});

test.run();
