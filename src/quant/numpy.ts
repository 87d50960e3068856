// The few NumPy behaviours PaddlePaddle's PTQ code depends on, reproduced exactly where it matters:
//   - np.round: round half to even (src/util/round.ts, shared with the INT8 contract);
//   - float32 array arithmetic (each op rounded to float32: Math.fround) and np.mean / np.sum of float32 arrays,
//     which NumPy computes by pairwise summation in float32 (numpy/_core/src/umath/loops_utils.h.src,
//     pairwise_sum: blocks of 8 accumulators up to 128 elements, halves above that);
//   - np.linspace / np.histogram edges and bin membership (np.histogram with an array of edges: bin i holds
//     edges[i] <= x < edges[i+1], the last bin also holds x == edges[-1], values outside are dropped).

const f32 = Math.fround;
const id = (x: number) => x;

/** NumPy's pairwise summation of a[off..off+n), every add rounded by `rnd` (Math.fround for float32 arrays) */
export function pairwiseSum(a: ArrayLike<number>, off: number, n: number, rnd: (x: number) => number = id): number {
  if (n < 8) {
    let res = -0; // NumPy starts from -0.0 so that a sum of -0.0 stays -0.0
    for (let i = 0; i < n; i++) res = rnd(res + a[off + i]);
    return res;
  }
  if (n <= 128) {
    const r = [a[off], a[off + 1], a[off + 2], a[off + 3], a[off + 4], a[off + 5], a[off + 6], a[off + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k] = rnd(r[k] + a[off + i + k]);
    let res = rnd(rnd(rnd(r[0] + r[1]) + rnd(r[2] + r[3])) + rnd(rnd(r[4] + r[5]) + rnd(r[6] + r[7])));
    for (; i < n; i++) res = rnd(res + a[off + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return rnd(pairwiseSum(a, off, n2, rnd) + pairwiseSum(a, off + n2, n - n2, rnd));
}

/** pairwiseSum(a, off, n, Math.fround) for a Float32Array, without the callback (hot in the mse search) */
export function pairwiseSumF32(a: Float32Array, off: number, n: number): number {
  if (n < 8) {
    let res = -0;
    for (let i = 0; i < n; i++) res = f32(res + a[off + i]);
    return res;
  }
  if (n <= 128) {
    let r0 = a[off], r1 = a[off + 1], r2 = a[off + 2], r3 = a[off + 3], r4 = a[off + 4], r5 = a[off + 5], r6 = a[off + 6], r7 = a[off + 7];
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const b = off + i;
      r0 = f32(r0 + a[b]); r1 = f32(r1 + a[b + 1]); r2 = f32(r2 + a[b + 2]); r3 = f32(r3 + a[b + 3]);
      r4 = f32(r4 + a[b + 4]); r5 = f32(r5 + a[b + 5]); r6 = f32(r6 + a[b + 6]); r7 = f32(r7 + a[b + 7]);
    }
    let res = f32(f32(f32(r0 + r1) + f32(r2 + r3)) + f32(f32(r4 + r5) + f32(r6 + r7)));
    for (; i < n; i++) res = f32(res + a[off + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f32(pairwiseSumF32(a, off, n2) + pairwiseSumF32(a, off + n2, n - n2));
}

/** np.mean of a float32 array (float32 result) */
export function meanF32(a: Float32Array): number {
  return f32(pairwiseSumF32(a, 0, a.length) / a.length);
}

/** np.mean of a float64 array / Python list of floats */
export function meanF64(a: ArrayLike<number>): number {
  return pairwiseSum(a, 0, a.length) / a.length;
}

/**
 * np.histogram([], bins=n, range=(lo, hi))[1]: n+1 float64 edges from np.linspace (edge i = i·step + lo, the
 * last edge = hi exactly); an empty range is widened by 0.5 on both sides, as NumPy does.
 */
export function histogramEdges(lo: number, hi: number, bins: number): Float64Array {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`histogram range [${lo}, ${hi}] is not finite`);
  if (lo > hi) throw new RangeError(`histogram range [${lo}, ${hi}] has max < min`);
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const e = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i < bins; i++) e[i] = i * step + lo;
  e[bins] = hi;
  return e;
}

/** add |x| of every element to `hist` with the given edges (np.histogram(np.abs(x), bins=edges)) */
export function accumulateAbsHistogram(x: Float32Array, edges: Float64Array, hist: Float64Array): void {
  const bins = edges.length - 1;
  const lo = edges[0], hi = edges[bins];
  const scale = bins / (hi - lo);
  for (let j = 0; j < x.length; j++) {
    const v = Math.abs(x[j]);
    if (!(v >= lo && v <= hi)) continue; // outside the edges (or NaN): np.histogram drops it
    let i = Math.floor((v - lo) * scale);
    if (i >= bins) i = bins - 1;
    while (i > 0 && v < edges[i]) i--;
    while (i < bins - 1 && v >= edges[i + 1]) i++;
    hist[i]++;
  }
}
