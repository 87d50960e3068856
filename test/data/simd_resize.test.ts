// The wasm SIMD128 Lanczos (src/data/simd_resize.ts over wasm/assembly/resize.ts) against the JS port of PIL's
// fixed-point rules (src/data/pil_resample.ts): bit for bit on generated geometries (shrink, enlarge, identity,
// odd tap counts, crops at every edge) and on the asset photos, and its normalisation against the JS table path.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { resizeCropLanczosPil } from '../../src/data/pil_resample';
import { pilResampleImpl, Preprocessor, preprocessOptions, resizeCropGeometry } from '../../src/data/preprocess';
import { SimdResizer } from '../../src/data/simd_resize';
import { readValList } from '../../src/data/val_list';
import { assetsDir } from '../../src/util/assets';

const { resizer, reason } = SimdResizer.create();
const assets = assetsDir();
const dataDir = assets ? join(assets, 'data') : undefined;
const haveAssets = !!dataDir && existsSync(join(dataDir, 'val_list.txt'));

function firstDiff(a: Uint8Array, b: Uint8Array): string {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} vs ${b[i]}`;
  return '';
}

test('the wasm SIMD128 kernels load here (Node ≥ 20 has SIMD128) and --resample pil uses them', () => {
  assert.ok(resizer, `SimdResizer unavailable: ${reason}`);
  assert.is(pilResampleImpl(), 'wasm simd128');
});

test('bit-exact with the JS PIL port on 400 generated geometries (shrink, enlarge, identity, edge crops)', () => {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const int = (n: number) => Math.floor(rnd() * n);
  for (let it = 0; it < 400; it++) {
    const w = 1 + int(it < 40 ? 8 : 160), h = 1 + int(it < 40 ? 8 : 160);
    // a third each: shrink, enlarge, one axis unchanged
    const mode = it % 3;
    const W = mode === 2 ? w : mode === 0 ? 1 + int(w) : w + 1 + int(100);
    const H = mode === 2 ? 1 + int(2 * h) : mode === 0 ? 1 + int(h) : h + 1 + int(100);
    const cw = 1 + int(W), ch = 1 + int(H);
    const left = int(W - cw + 1), top = int(H - ch + 1);
    // extremes (0/255 next to each other) drive the sums past 255 and below 0: the clamps are exercised
    const px = new Uint8Array(w * h * 3);
    for (let i = 0; i < px.length; i++) px[i] = rnd() < 0.4 ? (rnd() < 0.5 ? 0 : 255) : int(256);
    const want = resizeCropLanczosPil(px, w, h, 3, W, H, left, top, cw, ch);
    const got = resizer!.resizeCrop(px, w, h, W, H, left, top, cw, ch);
    const d = firstDiff(got, want);
    assert.is(d, '', `${w}x${h} → ${W}x${H} box ${left},${top} ${cw}x${ch}: ${d}`);
  }
});

test('bit-exact with the JS PIL port on the asset photos (Paddle geometry 256/224 and 227, and a 3x enlargement)', async () => {
  if (!haveAssets) { console.log('SKIP: asset photos: no assets (set QDEPLOY_ASSETS)'); return; }
  const entries = readValList(dataDir!);
  for (const e of entries) {
    const { data, info } = await sharp(readFileSync(e.path), { ignoreIcc: true }).removeAlpha().toColourspace('srgb')
      .raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    for (const [short, crop] of [[256, 224], [256, 227], [3 * Math.min(info.width, info.height), 300]]) {
      const g = resizeCropGeometry(info.width, info.height, short, crop, crop);
      const want = resizeCropLanczosPil(data, info.width, info.height, 3, g.W, g.H, g.left, g.top, crop, crop);
      const got = resizer!.resizeCrop(data, info.width, info.height, g.W, g.H, g.left, g.top, crop, crop);
      assert.is(firstDiff(got, want), '', `${e.rel} ${short}/${crop}`);
    }
  }
});

test('normalisation in wasm = the JS table path, RGB and BGR (whole preprocess, wasm vs QDEPLOY_PIL_RESAMPLE=js)', async () => {
  if (!haveAssets) { console.log('SKIP: normalisation on assets: no assets'); return; }
  const entries = readValList(dataDir!, 'val_list.txt', { limit: 4 });
  for (const preset of ['imagenet', 'caffe_squeezenet'] as const) {
    const pre = new Preprocessor(preprocessOptions(preset, { resample: 'pil' }));
    for (const e of entries) {
      const buf = readFileSync(e.path);
      const fast = await pre.process(buf, e.rel);
      // the JS path of the same Preprocessor: decode, JS resample, JS normalise
      const { data, info } = await sharp(buf, { ignoreIcc: true }).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      const o = pre.options, g = resizeCropGeometry(info.width, info.height, o.resizeShort, o.height, o.width);
      const px = resizeCropLanczosPil(data, info.width, info.height, 3, g.W, g.H, g.left, g.top, o.width, o.height);
      const plane = o.height * o.width, src = o.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < plane; p++) {
          const v = px[p * 3 + src[c]];
          const want = Math.fround(Math.fround(Math.fround(v / o.scale) - o.mean[c]) / o.std[c]);
          if (fast[c * plane + p] !== want) assert.unreachable(`${preset} ${e.rel} c${c} p${p}: ${fast[c * plane + p]} vs ${want}`);
        }
      }
    }
  }
});

test('one resizer serves many sizes in turn (weights cache, memory growth) without stale state', () => {
  const sizes = [[40, 30], [2000, 1500], [41, 31], [40, 30]];
  for (const [w, h] of sizes) {
    const px = new Uint8Array(w * h * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 2654435761) >>> 24;
    const g = resizeCropGeometry(w, h, 24, 20, 20);
    const want = resizeCropLanczosPil(px, w, h, 3, g.W, g.H, g.left, g.top, 20, 20);
    assert.is(firstDiff(resizer!.resizeCrop(px, w, h, g.W, g.H, g.left, g.top, 20, 20), want), '', `${w}x${h}`);
  }
});

test.run();
