// PIL-compatible Lanczos resampling of 8-bit images, so `--resample pil` gives the same bytes as Paddle's
// preprocessing script (PIL `Image.resize(size, LANCZOS)`). Written from the documented behaviour of Pillow's
// separable resampler (not copied): per output pixel, weights of the Lanczos-3 window stretched by the
// downscale factor (support 3·max(scale,1), centre (x+0.5)·scale), normalised to sum 1, turned into 22-bit
// fixed point (round half away from zero); horizontal pass first, each pass rounds to uint8
// (accumulator starts at 2^21, result = clamp(acc >> 22, 0, 255)).
// Only the pixels of the final crop box are computed (the crop follows the resize in Paddle's pipeline).

export const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

function sinc(x: number): number {
  if (x === 0) return 1;
  x *= Math.PI;
  return Math.sin(x) / x;
}
const lanczos3 = (x: number): number => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0);

export interface Coeffs {
  /** per output index: first input index, tap count */
  start: Int32Array;
  count: Int32Array;
  /** fixed-point weights, `ksize` per output index */
  k: Int32Array;
  ksize: number;
}

/** Weights for output indices first..first+n-1 of a resize from inSize to outSize (PIL's, in 22-bit fixed point). */
export function lanczosCoeffs(inSize: number, outSize: number, first: number, n: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 3 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const ss = 1 / filterscale;
  const start = new Int32Array(n), count = new Int32Array(n), k = new Int32Array(n * ksize);
  const w = new Float64Array(ksize);
  for (let i = 0; i < n; i++) {
    const center = (first + i + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) { const v = lanczos3((x + xmin - center + 0.5) * ss); w[x] = v; ww += v; }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[i * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    start[i] = xmin; count[i] = xmax;
  }
  return { start, count, k, ksize };
}

const clip8 = (acc: number): number => { const v = acc >> PRECISION_BITS; return v < 0 ? 0 : v > 255 ? 255 : v; };

/**
 * Resize an interleaved 8-bit image (w×h, `ch` channels) to W×H with PIL's Lanczos, and return only the box
 * (left, top, cw, ch) of the result, interleaved. Box must lie inside W×H.
 */
export function resizeCropLanczosPil(
  src: Uint8Array, w: number, h: number, channels: number,
  W: number, H: number, left: number, top: number, cropW: number, cropH: number,
): Uint8Array {
  const C = channels;
  // Horizontal pass: crop columns only, for the rows the vertical pass will read.
  let rows0 = top, rows1 = top + cropH; // source rows needed (when no vertical resize)
  let cy: Coeffs | undefined;
  if (H !== h) {
    cy = lanczosCoeffs(h, H, top, cropH);
    rows0 = cy.start[0]; rows1 = 0;
    for (let i = 0; i < cropH; i++) { rows0 = Math.min(rows0, cy.start[i]); rows1 = Math.max(rows1, cy.start[i] + cy.count[i]); }
  }
  const nRows = rows1 - rows0;
  let mid: Uint8Array;
  if (W !== w) {
    const cx = lanczosCoeffs(w, W, left, cropW);
    mid = new Uint8Array(nRows * cropW * C);
    const { start, count, k, ksize } = cx;
    for (let r = 0; r < nRows; r++) {
      const rowBase = (r + rows0) * w * C;
      const outBase = r * cropW * C;
      for (let xx = 0; xx < cropW; xx++) {
        const n = count[xx], ko = xx * ksize;
        let p = rowBase + start[xx] * C;
        const o = outBase + xx * C;
        if (C === 3) {
          let s0 = HALF, s1 = HALF, s2 = HALF;
          for (let x = 0; x < n; x++, p += 3) {
            const kk = k[ko + x];
            s0 = (s0 + src[p] * kk) | 0; s1 = (s1 + src[p + 1] * kk) | 0; s2 = (s2 + src[p + 2] * kk) | 0;
          }
          mid[o] = clip8(s0); mid[o + 1] = clip8(s1); mid[o + 2] = clip8(s2);
        } else {
          for (let c = 0; c < C; c++) {
            let s = HALF;
            for (let x = 0; x < n; x++) s = (s + src[p + x * C + c] * k[ko + x]) | 0;
            mid[o + c] = clip8(s);
          }
        }
      }
    }
  } else {
    mid = new Uint8Array(nRows * cropW * C);
    for (let r = 0; r < nRows; r++) {
      const s = ((r + rows0) * w + left) * C;
      mid.set(src.subarray(s, s + cropW * C), r * cropW * C);
    }
  }
  if (!cy) return mid; // rows0..rows1 are exactly the crop rows
  const out = new Uint8Array(cropW * cropH * C);
  const { start, count, k, ksize } = cy;
  const stride = cropW * C;
  for (let yy = 0; yy < cropH; yy++) {
    const n = count[yy], ko = yy * ksize, base = (start[yy] - rows0) * stride;
    const o = yy * stride;
    for (let xc = 0; xc < stride; xc++) {
      let s = HALF;
      let p = base + xc;
      for (let y = 0; y < n; y++, p += stride) s = (s + mid[p] * k[ko + y]) | 0;
      out[o + xc] = clip8(s);
    }
  }
  return out;
}
