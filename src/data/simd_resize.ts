// PIL-exact Lanczos resize + centre crop + normalisation to CHW float32 in WebAssembly SIMD128
// (wasm/assembly/resize.ts), the fast form of `--resample pil`: the same bytes as src/data/pil_resample.ts (test/data
// checks it bit for bit), at a fraction of its cost. Weights are PIL's (lanczosCoeffs, computed in double and rounded
// to 22-bit fixed point in JS), cached per (source size, resized size, crop) — a folder of photos has few sizes.
//
// One instance per thread: its own (shared, as the module declares) memory holding the weights, the decoded rows
// that the crop needs, the horizontal pass, and the output. Memory grows to the largest image seen and stays.
import { QdeployError } from '../util/errors';
import { loadWasmBuild, WASM_SIMD128_FILE } from '../util/wasm_build';
import { lanczosCoeffs, PRECISION_BITS } from './pil_resample';

interface Exports {
  heap_base(): number;
  resize_h_lanczos_u8x3_simd128(src: number, srcStride: number, rows: number, start: number, coef: number, pairs: number, outW: number, dst: number, dstStride: number): void;
  resize_v_lanczos_u8_simd128(src: number, stride: number, start: number, coef: number, pairs: number, outH: number, dst: number): void;
  normalize_u8x3_chw_f32(px: number, stride: number, w: number, h: number, lut: number, order: number, out: number, outW: number, plane: number): void;
}

/** One pass's weights in the kernel's layout. */
interface Pass {
  /** per output index: first source index (×3 bytes for the horizontal pass, rows relative to `first` for the vertical) */
  start: Int32Array;
  /** per output index, `pairs` × (u32 kh pair, u32 kl pair) */
  packed: Uint32Array;
  pairs: number;
  /** source range the pass reads (taps with weight; padded taps read up to 2·pairs − count beyond) */
  first: number;
  end: number;
}

const PAGE = 65536;
const SPLIT = 11; // k = kh·2^11 + kl
const MAX_CACHE = 64;

function buildPass(inSize: number, outSize: number, offset: number, n: number, bytesPerIndex: number): Pass {
  let count: Int32Array, start: Int32Array, k: Int32Array, ksize: number;
  if (inSize === outSize) {
    // PIL skips the pass; one tap of weight 1.0 gives the same bytes ((p·2^22 + 2^21) >> 22 = p)
    ksize = 1; count = new Int32Array(n).fill(1); k = new Int32Array(n).fill(1 << PRECISION_BITS);
    start = Int32Array.from({ length: n }, (_, i) => offset + i);
  } else {
    ({ count, start, k, ksize } = lanczosCoeffs(inSize, outSize, offset, n));
  }
  let maxCount = 1, first = Infinity, end = 0;
  for (let i = 0; i < n; i++) {
    maxCount = Math.max(maxCount, count[i]);
    first = Math.min(first, start[i]); end = Math.max(end, start[i] + count[i]);
  }
  const pairs = (maxCount + 1) >> 1;
  const packed = new Uint32Array(n * pairs * 2);
  const rel = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    rel[i] = bytesPerIndex > 0 ? start[i] * bytesPerIndex : start[i] - first;
    for (let t = 0; t < 2 * pairs; t++) {
      const v = t < count[i] ? k[i * ksize + t] : 0;
      const hi = v >> SPLIT, lo = v & ((1 << SPLIT) - 1);
      const q = (i * pairs + (t >> 1)) * 2, sh = (t & 1) * 16;
      packed[q] |= (hi & 0xffff) << sh;
      packed[q + 1] |= (lo & 0xffff) << sh;
    }
  }
  return { start: rel, packed, pairs, first, end };
}

export class SimdResizer {
  private readonly memory: WebAssembly.Memory;
  private readonly x: Exports;
  private readonly base: number;
  private readonly passes = new Map<string, { h: Pass; v: Pass }>();
  /** the table now at the start of the heap */
  private lutKey?: Float32Array;
  /** the geometry whose weights are now in memory (its offsets follow from it, so they are the same too) */
  private placed?: { h: Pass; v: Pass };

  private constructor(module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: 17, maximum: 65536, shared: true });
    this.x = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.base = Math.ceil(this.x.heap_base() / 64) * 64;
  }

  private static failed?: string;
  /** A resizer, or undefined with the reason where this engine has no WebAssembly SIMD or the build is missing. */
  static create(): { resizer?: SimdResizer; reason?: string } {
    if (SimdResizer.failed) return { reason: SimdResizer.failed };
    try {
      return { resizer: new SimdResizer(loadWasmBuild(WASM_SIMD128_FILE)) };
    } catch (e) {
      SimdResizer.failed = e instanceof QdeployError ? e.message : `wasm SIMD128 unavailable: ${(e as Error).message}`;
      return { reason: SimdResizer.failed };
    }
  }

  private geometry(w: number, h: number, W: number, H: number, left: number, top: number, cw: number, ch: number) {
    const key = `${w},${h},${W},${H},${left},${top},${cw},${ch}`;
    let g = this.passes.get(key);
    if (!g) {
      if (this.passes.size >= MAX_CACHE) this.passes.clear();
      g = { h: buildPass(w, W, left, cw, 3), v: buildPass(h, H, top, ch, 0) };
      this.passes.set(key, g);
    }
    return g;
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /**
   * Resize interleaved RGB (w×h) to W×H with PIL's Lanczos and keep the box (left, top, cw×ch). Writes the box as
   * u8 HWC into `u8out` when given (and returns it), and/or as CHW float32 through `norm` (per-channel tables of
   * 256 values, output channel c reading source channel (order >> 2c) & 3) into `f32out` at rows of outW values.
   */
  run(
    px: Uint8Array, w: number, h: number, W: number, H: number, left: number, top: number, cw: number, ch: number,
    u8out?: Uint8Array, norm?: { lut: Float32Array; order: number; out: Float32Array; outW: number; outH: number },
  ): void {
    if (px.length < w * h * 3) throw new Error(`expected ${w}x${h}x3 pixels, got ${px.length} bytes`);
    const g = this.geometry(w, h, W, H, left, top, cw, ch);
    const { h: hp, v: vp } = g;
    const stride = Math.ceil((cw * 3 + 1) / 16) * 16;
    const rows = vp.end - vp.first; // source rows the vertical pass reads
    const align = (n: number) => Math.ceil(n / 64) * 64;
    let off = this.base;
    const at = (bytes: number) => { const o = off; off = align(off + bytes); return o; };
    const lut = at(3 * 256 * 4);
    const hStart = at(hp.start.byteLength), hCoef = at(hp.packed.byteLength);
    const vStart = at(vp.start.byteLength), vCoef = at(vp.packed.byteLength);
    const srcBytes = rows * w * 3;
    const src = at(srcBytes + 6 * hp.pairs + 16); // padded taps and the 8-byte loads read past the last pixel
    const mid = at((rows + 2 * vp.pairs + 1) * stride); // padded taps read rows past the last
    const o8 = at(ch * stride);
    const f32 = norm ? at(3 * norm.outH * norm.outW * 4) : 0;
    this.ensure(off);
    const buf = this.memory.buffer;
    const u8 = new Uint8Array(buf), i32 = new Int32Array(buf), u32 = new Uint32Array(buf);
    if (this.placed !== g) { // photos of one size in a row: the weights are already there
      i32.set(hp.start, hStart >> 2); u32.set(hp.packed, hCoef >> 2);
      i32.set(vp.start, vStart >> 2); u32.set(vp.packed, vCoef >> 2);
      this.placed = g;
    }
    u8.set(px.subarray(vp.first * w * 3, vp.end * w * 3), src);
    this.x.resize_h_lanczos_u8x3_simd128(src, w * 3, rows, hStart, hCoef, hp.pairs, cw, mid, stride);
    this.x.resize_v_lanczos_u8_simd128(mid, stride, vStart, vCoef, vp.pairs, ch, o8);
    if (u8out) {
      for (let y = 0; y < ch; y++) u8out.set(u8.subarray(o8 + y * stride, o8 + y * stride + cw * 3), y * cw * 3);
    }
    if (norm) {
      if (this.lutKey !== norm.lut) { new Float32Array(buf).set(norm.lut, lut >> 2); this.lutKey = norm.lut; }
      const plane = norm.outH * norm.outW;
      this.x.normalize_u8x3_chw_f32(o8, stride, cw, ch, lut, norm.order, f32, norm.outW, plane);
      norm.out.set(new Float32Array(buf, f32, 3 * plane));
    }
  }

  /** PIL's Lanczos resize of interleaved RGB, box only, as u8 HWC (what resizeCropLanczosPil returns). */
  resizeCrop(px: Uint8Array, w: number, h: number, W: number, H: number, left: number, top: number, cw: number, ch: number): Uint8Array {
    const out = new Uint8Array(cw * ch * 3);
    this.run(px, w, h, W, H, left, top, cw, ch, out);
    return out;
  }
}
