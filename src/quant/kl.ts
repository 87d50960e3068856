// The KL-divergence threshold of a |x| histogram, as PaddlePaddle computes it
// (PaddlePaddle/Paddle:python/paddle/static/quantization/cal_kl_threshold.py, `cal_kl_threshold`,
// `expand_quantized_bins`, `safe_entropy`; the same function is in PaddlePaddle/PaddleSlim:paddleslim/quant/
// observers/kl.py). Counts are integers held in doubles (exact below 2^53); sums run in the same order as the
// Python loops so the divergences match Python's floats.

function expandQuantizedBins(quantized: number[], reference: number[]): number[] {
  const out = new Array<number>(reference.length).fill(0);
  let numMerged = Math.trunc(reference.length / quantized.length);
  let jStart = 0, jEnd = numMerged;
  for (let idx = 0; idx < quantized.length; idx++) {
    let zeros = 0;
    for (let j = jStart; j < jEnd; j++) if (reference[j] === 0) zeros++;
    numMerged = jEnd - jStart;
    const avg = zeros === numMerged ? 0 : quantized[idx] / (numMerged - zeros);
    for (let j = jStart; j < jEnd; j++) out[j] = reference[j] === 0 ? 0 : avg;
    jStart += numMerged;
    jEnd += numMerged;
    if (idx + 1 === quantized.length - 1) jEnd = reference.length;
  }
  return out;
}

function safeEntropy(p: number[], pSum: number, q: number[], qSum: number): number {
  let s1 = 0, s2 = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    if (pi === 0) continue;
    s1 += pi * Math.log(qSum * pi);
    s2 += pi * Math.log(pSum * q[i]);
  }
  return (s1 - s2) / pSum;
}

/** threshold = (argmin_i KL(P_i‖Q_i) + 0.5) · binWidth over i = (bins−1)/2 … bins−1 (first minimum wins) */
export function calKlThreshold(hist: ArrayLike<number>, binWidth: number, bits = 8): number {
  const bins = hist.length;
  let startingIter = Math.trunc((bins - 1) * 0.5);
  const quantRange = 2 ** (bits - 1) - 1;
  let pSum = 0;
  for (let i = 0; i < bins; i++) pSum += hist[i];
  let minKl = 0, minKlIndex = 0, inited = false;
  // suffix sums give sum(hist[i:]) without an O(n) loop per i (integers: exact)
  const suffix = new Float64Array(bins + 1);
  for (let i = bins - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + hist[i];
  for (let i = startingIter; i < bins; i++) {
    if (hist[i - 1] === 0) continue;
    const p: number[] = new Array(i);
    for (let k = 0; k < i; k++) p[k] = hist[k];
    p[i - 1] += suffix[i];
    const numMerged = Math.trunc(i / quantRange);
    const qQuant = new Array<number>(quantRange).fill(0);
    let jStart = 0, jEnd = numMerged;
    for (let idx = 0; idx < quantRange; idx++) {
      let s = 0;
      for (let j = jStart; j < jEnd && j < i; j++) s += hist[j];
      qQuant[idx] = s;
      jStart += numMerged;
      jEnd += numMerged;
      if (idx + 1 === quantRange - 1) jEnd = i;
    }
    const q = expandQuantizedBins(qQuant, p);
    let qSum = 0;
    for (const v of q) qSum += v;
    const kl = safeEntropy(p, pSum, q, qSum);
    if (!inited) { minKl = kl; minKlIndex = i; inited = true; }
    else if (kl < minKl) { minKl = kl; minKlIndex = i; }
  }
  if (minKlIndex === 0) {
    while (startingIter > 0) {
      if (hist[startingIter] === 0) { startingIter--; continue; }
      break;
    }
    minKlIndex = startingIter;
  }
  return (minKlIndex + 0.5) * binWidth;
}

/**
 * The 'hist' threshold (Paddle post_training_quantization.py `_get_hist_scaling_factor`): the first bin where the
 * normalised cumulative count reaches `percent`; threshold = (index + 1 − 0.5) · binWidth. (Paddle measures from 0,
 * not from the histogram's lower edge; kept as is.)
 */
export function histPercentThreshold(hist: ArrayLike<number>, binWidth: number, percent: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i];
  let sum = 0, index = 0;
  for (let i = 0; i < hist.length; i++) {
    sum += hist[i] / total;
    if (sum >= percent) { index = i + 1; break; }
  }
  return (index - 0.5) * binWidth;
}
