// One image → one CHW float32 tensor, as Paddle's ImageNet preprocessing does it (spec §5.2;
// PaddlePaddle/Paddle: paddle/fluid/inference/tests/api/full_ILSVRC2012_val_preprocess.py, `process_image`):
//   1. resize the short side to `resizeShort` (new size round(side·resizeShort/short), Python's round = half to
//      even), Lanczos;  2. centre crop (offset (W-crop)//2, (H-crop)//2);  3. RGB;  4. per channel
//   ((p / scale) - mean) / std, each step rounded to float32 as NumPy does on a float32 array;  5. CHW.
// Optional BGR order for the Caffe-converted models (mean/std are then given in B,G,R order).
//
// Two resamplers:
// - `pil` (the default): PIL's Lanczos, pixel-identical to Paddle's script. The WebAssembly SIMD128 kernels of
//   wasm/assembly/resize.ts through src/data/simd_resize.ts, or the JS port in pil_resample.ts where wasm SIMD is
//   unavailable. JPEGs are decoded by the native addon on the system libjpeg-turbo with PIL's settings
//   (native/src/jpeg_decode.cc, half the CPU of sharp's decode call); sharp decodes other formats, and JPEGs where
//   the addon is not built, is turned off (QDEPLOY_NO_NATIVE=1) or refuses the file (CMYK).
// - `sharp`: libvips Lanczos-3 when shrinking, in sharp's thread pool; mean abs difference to PIL about 0.004 in
//   normalised units, and slower per image than `pil` since the wasm kernels.
// Enlargements always use the PIL-compatible path: libvips enlarges with a half-pixel-shifted interpolator.
//
// `ppocr_cls` follows PaddleOCR's text-direction classifier (PaddlePaddle/PaddleOCR: tools/infer/predict_cls.py,
// `resize_norm_img`, `--cls_image_shape 3,48,192`): OpenCV BGR image, resize to height 48 keeping the ratio
// (width ceil(48·w/h), at most 192), bilinear, (x/255 − 0.5)/0.5, zero padding (after normalisation) on the right
// to width 192. OpenCV's INTER_LINEAR does not antialias; we use libvips' linear kernel, which does — close for
// enlargement and mild shrinking, not bit-identical.
import type Sharp from 'sharp';
import { QdeployError } from '../util/errors';
import { JPEG_ERR, loadJpegAddon } from '../util/native_build';
import { roundHalfEven } from '../util/round';
import { imageSize } from './image_size';
import { resizeCropLanczosPil } from './pil_resample';
import { SimdResizer } from './simd_resize';

export type PresetName = 'imagenet' | 'caffe_squeezenet' | 'caffe_mobilenet' | 'ppocr_cls';
export const PRESET_NAMES: PresetName[] = ['imagenet', 'caffe_squeezenet', 'caffe_mobilenet', 'ppocr_cls'];
export type ChannelOrder = 'rgb' | 'bgr';
export type ResampleImpl = 'sharp' | 'pil';

export interface PreprocessOptions {
  /** resize_crop: ImageNet short-side resize + centre crop; ocr_pad: PaddleOCR height resize + right padding */
  layout: 'resize_crop' | 'ocr_pad';
  /** target of the short side (resize_crop) */
  resizeShort: number;
  /** output height and width (crop size, or OCR image height/width) */
  height: number;
  width: number;
  /** per output channel (in `channelOrder`) */
  mean: [number, number, number];
  std: [number, number, number];
  /** pixels (0..255) are divided by this before mean/std: 255 for Paddle's 0..1 means, 1 for Caffe's 0..255 */
  scale: number;
  channelOrder: ChannelOrder;
  resample: ResampleImpl;
}

const CAFFE_MOBILENET_SCALE = 0.017; // Caffe `scale: 0.017` multiplier = division by 1/0.017

export const PRESETS: Record<PresetName, PreprocessOptions> = {
  imagenet: {
    layout: 'resize_crop', resizeShort: 256, height: 224, width: 224,
    mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], scale: 255, channelOrder: 'rgb', resample: 'pil',
  },
  caffe_squeezenet: {
    layout: 'resize_crop', resizeShort: 256, height: 227, width: 227,
    mean: [104, 117, 124], std: [1, 1, 1], scale: 1, channelOrder: 'bgr', resample: 'pil',
  },
  caffe_mobilenet: {
    layout: 'resize_crop', resizeShort: 256, height: 224, width: 224,
    mean: [103.94, 116.78, 123.68],
    std: [1 / CAFFE_MOBILENET_SCALE, 1 / CAFFE_MOBILENET_SCALE, 1 / CAFFE_MOBILENET_SCALE],
    scale: 1, channelOrder: 'bgr', resample: 'pil',
  },
  ppocr_cls: {
    layout: 'ocr_pad', resizeShort: 48, height: 48, width: 192,
    mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], scale: 255, channelOrder: 'bgr', resample: 'sharp',
  },
};

export interface PreprocessOverrides {
  /** crop size (resize_crop presets) */
  dataDim?: number;
  resizeShort?: number;
  mean?: number[];
  std?: number[];
  scale?: number;
  channelOrder?: ChannelOrder;
  resample?: ResampleImpl;
}

function triple(v: number[], what: string): [number, number, number] {
  if (v.length === 1) return [v[0], v[0], v[0]];
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) {
    throw new QdeployError('usage', `--${what} expects 3 numbers (or one for all channels), got ${v.join(',')}`);
  }
  return [v[0], v[1], v[2]];
}

/** A preset with flag overrides applied and checked. */
export function preprocessOptions(preset: PresetName = 'imagenet', o: PreprocessOverrides = {}): PreprocessOptions {
  const base = PRESETS[preset];
  if (!base) throw new QdeployError('usage', `unknown preset '${preset}' (one of ${PRESET_NAMES.join('|')})`);
  const r: PreprocessOptions = { ...base, mean: [...base.mean], std: [...base.std] };
  if (base.layout === 'ocr_pad' && (o.dataDim !== undefined || o.resizeShort !== undefined)) {
    throw new QdeployError('usage', `preset ${preset} has a fixed 3x${base.height}x${base.width} input; --data_dim/--resize_short do not apply`);
  }
  if (base.layout === 'ocr_pad' && o.resample === 'pil') {
    throw new QdeployError('usage', `preset ${preset} resizes as OpenCV does; --resample pil does not apply`);
  }
  if (o.dataDim !== undefined) { r.height = o.dataDim; r.width = o.dataDim; }
  if (o.resizeShort !== undefined) r.resizeShort = o.resizeShort;
  if (o.mean) r.mean = triple(o.mean, 'mean');
  if (o.std) r.std = triple(o.std, 'std');
  if (o.scale !== undefined) r.scale = o.scale;
  if (o.channelOrder) r.channelOrder = o.channelOrder;
  if (o.resample) r.resample = o.resample;
  const posInt = (v: number, n: string) => {
    if (!Number.isInteger(v) || v <= 0 || v > 16384) throw new QdeployError('usage', `--${n} must be an integer in 1..16384, got ${v}`);
  };
  posInt(r.height, 'data_dim');
  posInt(r.resizeShort, 'resize_short');
  if (r.layout === 'resize_crop' && r.height > r.resizeShort) {
    throw new QdeployError('usage', `--data_dim ${r.height} is larger than --resize_short ${r.resizeShort}: the centre crop would not fit`);
  }
  if (!(r.scale > 0) || !Number.isFinite(r.scale)) throw new QdeployError('usage', `--scale must be a positive number, got ${r.scale}`);
  if (r.std.some((s) => s === 0)) throw new QdeployError('usage', `--std must not contain 0 (got ${r.std.join(',')})`);
  return r;
}

/** [C, H, W] of the output. */
export const imageShape = (o: PreprocessOptions): [number, number, number] => [3, o.height, o.width];

export function describePreprocess(o: PreprocessOptions): string {
  const fmt = (a: number[]) => a.map((v) => +v.toPrecision(6)).join(',');
  const geo = o.layout === 'resize_crop'
    ? `resize short side to ${o.resizeShort} (Lanczos, ${o.resample}), centre crop ${o.height}x${o.width}`
    : `resize to height ${o.height} keeping the ratio (linear), pad right to ${o.width}`;
  return `${geo}, ${o.channelOrder.toUpperCase()}, (x/${o.scale} - [${fmt(o.mean)}]) / [${fmt(o.std)}], CHW float32`;
}

/** Resized size and crop box of Paddle's resize_short + crop_image(center=True). */
export function resizeCropGeometry(w: number, h: number, resizeShort: number, cropH: number, cropW: number) {
  const percent = resizeShort / Math.min(w, h);
  const W = roundHalfEven(w * percent), H = roundHalfEven(h * percent);
  return { W, H, left: Math.floor((W - cropW) / 2), top: Math.floor((H - cropH) / 2) };
}

/** PaddleOCR's resized width: ceil(imgH·w/h), at most imgW. */
export function ocrResizedWidth(w: number, h: number, imgH: number, imgW: number): number {
  const ratio = w / h;
  return Math.ceil(imgH * ratio) > imgW ? imgW : Math.ceil(imgH * ratio);
}

/** Per output channel: value of source pixel p, computed as NumPy does on float32 (each step rounded). */
function buildLut(o: PreprocessOptions): Float32Array {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < 256; p++) {
      let v = Math.fround(p / o.scale);
      v = Math.fround(v - o.mean[c]);
      lut[c * 256 + p] = Math.fround(v / o.std[c]);
    }
  }
  return lut;
}

const SHARP_INPUT = { failOn: 'truncated', ignoreIcc: true } as const;

let sharpLib: typeof Sharp | undefined;
/**
 * sharp, loaded on first use: a preprocessing worker thread that only meets JPEGs never loads it (50-100 ms of its
 * start). The main thread has loaded it already (src/data/pipeline.ts), as sharp needs before workers use it.
 */
function sharp(...args: Parameters<typeof Sharp>): ReturnType<typeof Sharp> {
  if (!sharpLib) {
    sharpLib = require('sharp') as typeof Sharp;
    // libvips' operation cache keys results by input buffer; every image here is decoded once, so the cache only
    // costs (hashing, up to 50 MB of decoded images kept alive, allocator churn): about 8-10% of the per-image
    // CPU time in bench/preprocess.ts on 1 core. Process-wide, like sharp.concurrency().
    sharpLib.cache(false);
  }
  return sharpLib(...args);
}

let resizer: SimdResizer | undefined | null = null;
/** This thread's SIMD128 resizer (wasm/assembly/resize.ts), or undefined where wasm SIMD or the build is missing. */
export function simdResizer(): SimdResizer | undefined {
  if (resizer === null) resizer = process.env.QDEPLOY_PIL_RESAMPLE === 'js' ? undefined : SimdResizer.create().resizer;
  return resizer;
}

/** Which implementation `--resample pil` runs here: the wasm SIMD128 kernels, or the JS port where they cannot load. */
export function pilResampleImpl(): string {
  return simdResizer() ? 'wasm simd128' : `js (${process.env.QDEPLOY_PIL_RESAMPLE === 'js' ? 'QDEPLOY_PIL_RESAMPLE=js' : SimdResizer.create().reason})`;
}

/** Which decoder reads JPEGs for `--resample pil` here: the native libjpeg-turbo addon, or sharp and why. */
export function jpegDecoderImpl(): string {
  const { addon, reason } = loadJpegAddon();
  return addon ? `${addon.libjpegVersion}, native (PIL's settings)` : `sharp (${reason})`;
}

const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Decode buffers are handed out in steps of this size, so images of similar sizes share them. */
const SPARE_STEP = 1 << 18;
const MAX_SPARE = 32;

export interface PreprocessorRuntime {
  /**
   * Decode JPEGs with the addon on the calling thread (decodeSync) instead of libuv's pool: for a worker thread
   * that owns its whole image (src/data/preprocess_worker.ts), where the hop to the pool would only add latency.
   */
  syncDecode?: boolean;
}

/** Reusable preprocessing for one set of options; `process` may run many times concurrently. */
export class Preprocessor {
  readonly shape: [number, number, number];
  readonly chw: number;
  private lut: Float32Array;
  /** source channel for each output channel */
  private src: [number, number, number];
  /** the same, packed two bits per output channel for the wasm normaliser */
  private srcOrder: number;
  /**
   * RGB buffers for the native JPEG decoder, reused: every image in flight needs its own until it is resized, and
   * a fresh half-megabyte array per image costs page faults that measured up to the decode's own CPU time.
   */
  private spare: Uint8Array[] = [];
  private readonly syncDecode: boolean;

  constructor(readonly options: PreprocessOptions, runtime: PreprocessorRuntime = {}) {
    this.syncDecode = runtime.syncDecode ?? false;
    this.shape = imageShape(options);
    this.chw = this.shape[0] * this.shape[1] * this.shape[2];
    this.lut = buildLut(options);
    this.src = options.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
    this.srcOrder = this.src[0] | (this.src[1] << 2) | (this.src[2] << 4);
  }

  /** HWC uint8 RGB pixels (w×h) → CHW float32 into out[offset..], padding columns ≥ w (OCR) with 0. */
  private normalize(px: Uint8Array, w: number, h: number, out: Float32Array, W: number): void {
    // One pass over the pixels writing the three planes, one 256-entry table per output channel: reads stay
    // sequential and there is no per-value arithmetic (about 1.5× faster than a pass per channel).
    const HW = this.options.height * W, [s0, s1, s2] = this.src;
    const l0 = this.lut.subarray(0, 256), l1 = this.lut.subarray(256, 512), l2 = this.lut.subarray(512, 768);
    for (let y = 0; y < h; y++) {
      let o = y * W, p = y * w * 3;
      for (const end = o + w; o < end; o++, p += 3) {
        out[o] = l0[px[p + s0]]; out[o + HW] = l1[px[p + s1]]; out[o + 2 * HW] = l2[px[p + s2]];
      }
    }
  }

  private takeBuffer(bytes: number): Uint8Array {
    const i = this.spare.findIndex((b) => b.length >= bytes);
    return i >= 0 ? this.spare.splice(i, 1)[0] : new Uint8Array(Math.ceil(bytes / SPARE_STEP) * SPARE_STEP);
  }

  private giveBack(b: Uint8Array): void {
    if (this.spare.length < MAX_SPARE) this.spare.push(b);
  }

  /**
   * Full-size interleaved RGB of an image whose header says w×h: the native decoder for JPEGs (then `pooled` is
   * the buffer to give back once the pixels are used), sharp for other formats and where the addon is absent or
   * refuses the file. Broken data throws either way.
   */
  private async decodeRgb(buf: Uint8Array, w: number, h: number): Promise<{ data: Uint8Array; pooled?: Uint8Array }> {
    const jpeg = isJpeg(buf) ? loadJpegAddon().addon : undefined;
    if (jpeg) {
      const pooled = this.takeBuffer(w * h * 3);
      try {
        const r = this.syncDecode ? jpeg.decodeSync(buf, pooled) : await jpeg.decode(buf, pooled);
        if (r.width !== w || r.height !== h) throw new Error(`decoded to ${r.width}x${r.height}, header said ${w}x${h}`);
        return { data: r.data, pooled };
      } catch (e) {
        this.giveBack(pooled);
        const code = (e as { code?: string }).code;
        // CMYK and the like: sharp converts them; a size that disagrees with the header: let sharp judge the file
        if (code !== JPEG_ERR.unsupported && code !== JPEG_ERR.buffer) throw e;
      }
    }
    const { data, info } = await sharp(buf, SHARP_INPUT)
      .removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.width !== w || info.height !== h || info.channels !== 3) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, header said ${w}x${h}`);
    }
    return { data };
  }

  /** Preprocess one encoded image (JPEG, PNG, …). `name` is used in errors. Returns chw floats. */
  async process(buf: Uint8Array, name: string, out?: Float32Array): Promise<Float32Array> {
    const o = this.options;
    const dst = out ?? new Float32Array(this.chw);
    try {
      let size = imageSize(buf);
      if (!size) {
        const m = await sharp(buf, SHARP_INPUT).metadata();
        if (!m.width || !m.height) throw new Error('image has no dimensions');
        size = { width: m.width, height: m.height };
      }
      const { width: w, height: h } = size;
      if (o.layout === 'ocr_pad') {
        const rw = ocrResizedWidth(w, h, o.height, o.width);
        const { data } = await sharp(buf, SHARP_INPUT)
          .resize(rw, o.height, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
          .removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
        if (rw < o.width) dst.fill(0);
        this.normalize(data, rw, o.height, dst, o.width);
        return dst;
      }
      const g = resizeCropGeometry(w, h, o.resizeShort, o.height, o.width);
      let px: Uint8Array;
      if (o.resample === 'sharp' && g.W <= w && g.H <= h) {
        const { data, info } = await sharp(buf, SHARP_INPUT)
          .resize(g.W, g.H, { fit: 'fill', kernel: 'lanczos3', fastShrinkOnLoad: false })
          .extract({ left: g.left, top: g.top, width: o.width, height: o.height })
          .removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
        if (info.width !== o.width || info.height !== o.height || info.channels !== 3) {
          throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${o.width}x${o.height}x3`);
        }
        px = data;
      } else {
        const { data, pooled } = await this.decodeRgb(buf, w, h);
        try {
          const simd = simdResizer();
          if (simd) {
            simd.run(data, w, h, g.W, g.H, g.left, g.top, o.width, o.height, undefined,
              { lut: this.lut, order: this.srcOrder, out: dst, outW: o.width, outH: o.height });
            return dst;
          }
          px = resizeCropLanczosPil(data, w, h, 3, g.W, g.H, g.left, g.top, o.width, o.height);
        } finally {
          // both resizers copy what they need before returning
          if (pooled) this.giveBack(pooled);
        }
      }
      this.normalize(px, o.width, o.height, dst, o.width);
      return dst;
    } catch (e) {
      if (e instanceof QdeployError) throw e;
      const msg = String((e as Error)?.message ?? e).split('\n')[0].trim();
      throw new QdeployError('data', `${name}: cannot decode image (${msg})`);
    }
  }
}
