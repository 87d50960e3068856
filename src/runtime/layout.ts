// Tensor layouts and the runtime's own reorder kernels. A layout is the byte order of a tensor in the arena;
// its dims stay the logical NCHW dims. The runtime reorders NCHW↔NHWC itself (plain TS: reorders only run at
// backend boundaries and before graph outputs); a backend-private blocked layout ('blocked:<tag>', e.g. oneDNN's
// nChw16c) can only be read by the backend that produced it, so a boundary after one is refused at compile.
import { dtypeSize, numel, type DType } from '../util/dtype';

export type Layout = 'NCHW' | 'NHWC' | `blocked:${string}`;

/** NCHW is plain row-major order of the dims (any rank): what graph inputs, outputs and constants are */
export const PLAIN: Layout = 'NCHW';

export const layoutOf = (s: { layout?: Layout }): Layout => s.layout ?? PLAIN;

/** the two layouts the runtime converts between, and why not otherwise (undefined: it can) */
export function reorderUnsupported(from: Layout, to: Layout, dims: readonly number[], dtype: DType): string | undefined {
  const known = (l: Layout) => l === 'NCHW' || l === 'NHWC';
  if (!known(from) || !known(to)) return `no runtime reorder from ${from} to ${to} (a blocked layout is private to its backend)`;
  if (dims.length !== 4) return `${from}→${to} needs a 4-D tensor, got [${dims.join(',')}]`;
  if (![1, 2, 4, 8].includes(dtypeSize(dtype))) return `no reorder for ${dtype}`;
  return undefined;
}

type Elems = Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/** the bytes as elements of the dtype's width (bit patterns: a reorder moves values, never converts them) */
export function elements(bytes: Uint8Array, dtype: DType, n: number): Elems {
  const { buffer, byteOffset } = bytes;
  switch (dtypeSize(dtype)) {
    case 1: return new Uint8Array(buffer, byteOffset, n);
    case 2: return new Uint16Array(buffer, byteOffset, n);
    case 4: return new Uint32Array(buffer, byteOffset, n);
    default: return new BigUint64Array(buffer, byteOffset, n);
  }
}

/** per image of `n`, the rows×cols matrix at `src` transposed into `dst` (cols×rows) */
function transposeImages(src: Elems, dst: Elems, n: number, rows: number, cols: number): void {
  const size = rows * cols;
  for (let b = 0; b < n; b++) {
    const base = b * size;
    for (let r = 0; r < rows; r++) {
      const s = base + r * cols;
      for (let c = 0; c < cols; c++) dst[base + c * rows + r] = src[s + c];
    }
  }
}

/** [N,C,H,W] → [N,H,W,C]: each image's C×(H·W) matrix transposed */
export function nchwToNhwc(src: Elems, dst: Elems, dims: readonly number[]): void {
  const [n, c, h, w] = dims;
  transposeImages(src, dst, n, c, h * w);
}

/** [N,H,W,C] → [N,C,H,W]: each image's (H·W)×C matrix transposed */
export function nhwcToNchw(src: Elems, dst: Elems, dims: readonly number[]): void {
  const [n, c, h, w] = dims;
  transposeImages(src, dst, n, h * w, c);
}

/** reorder a tensor's bytes between NCHW and NHWC (from === to: a copy) */
export function reorder(src: Uint8Array, dst: Uint8Array, dims: readonly number[], dtype: DType, from: Layout, to: Layout): void {
  const n = numel(dims);
  if (from === to) { dst.set(src.subarray(0, n * dtypeSize(dtype))); return; }
  const why = reorderUnsupported(from, to, dims, dtype);
  if (why) throw new Error(why);
  const s = elements(src, dtype, n), d = elements(dst, dtype, n);
  if (from === 'NCHW') nchwToNhwc(s, d, dims);
  else nhwcToNchw(s, d, dims);
}
