// Preprocessing against the goldens (first 16 images of assets/data/val_list.txt): the default preset vs
// golden/preprocess_imagenet (Paddle's PIL pipeline), the Caffe presets vs the SqueezeNet/MobileNet model inputs,
// for both resamplers (PIL's also in worker threads: the same floats bit for bit); plus the geometry rules, the PIL-compatible resampler and the PaddleOCR preset on images
// with known values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { openDataset } from '../../src/format/paddle/dataset_bin';
import { imageSize } from '../../src/data/image_size';
import { imageBatches } from '../../src/data/pipeline';
import { resizeCropLanczosPil } from '../../src/data/pil_resample';
import {
  Preprocessor, ocrResizedWidth, preprocessOptions, resizeCropGeometry, type PresetName, type ResampleImpl,
} from '../../src/data/preprocess';
import { readValList } from '../../src/data/val_list';
import { prewarmWorkers, workerJobsAnswered } from '../../src/data/worker_pool';
import { assetsDir } from '../../src/util/assets';
import { QdeployError } from '../../src/util/errors';
import { mad, makeSolidPng, tempDir } from './helpers';
import { skipTest } from '../skip';

const assets = assetsDir();
const dataDir = assets ? join(assets, 'data') : undefined;
const haveAssets = !!dataDir && existsSync(join(dataDir, 'val_list.txt'));
if (!haveAssets) console.log('SKIP: golden comparisons: assets not found (set QDEPLOY_ASSETS)');

/** One normalised unit in pixel levels: 255 × ImageNet's std (0.229+0.224+0.225)/3 = 57.63. */
const LEVELS_PER_UNIT = 255 * ((0.229 + 0.224 + 0.225) / 3);

async function preprocessFirst16(preset: PresetName, resample: ResampleImpl, workers = 0) {
  const entries = readValList(dataDir!, 'val_list.txt', { limit: 16 });
  const pre = new Preprocessor(preprocessOptions(preset, { resample }));
  const batches = [];
  await prewarmWorkers(workers); // started beforehand, so that every image goes to them
  for await (const b of imageBatches(entries, pre, { batchSize: 16, workers })) batches.push(b);
  assert.is(batches.length, 1);
  return { pre, ...batches[0] };
}

function golden(name: string) {
  const r = openDataset(join(assets!, 'golden', name, 'input_16.bin'));
  const out = { images: r.readImages(0, r.n), labels: r.readLabels(0, r.n), shape: r.shape, n: r.n };
  r.close();
  return out;
}

const cases: { preset: PresetName; golden: string; toUnits: number; how: string }[] = [
  { preset: 'imagenet', golden: 'preprocess_imagenet', toUnits: 1, how: 'already normalised' },
  { preset: 'caffe_squeezenet', golden: 'squeezenet_v1.1', toUnits: 1 / LEVELS_PER_UNIT, how: '0..255 levels / 57.63' },
  { preset: 'caffe_mobilenet', golden: 'mobilenet_v1', toUnits: 1 / 0.017 / LEVELS_PER_UNIT, how: '(/0.017 → levels) / 57.63' },
];

for (const c of cases) {
  for (const resample of ['sharp', 'pil'] as ResampleImpl[]) {
    test(`${c.preset} (${resample}) vs golden/${c.golden}/input_16.bin`, async () => {
      if (!haveAssets) { skipTest(`${c.preset} golden: no assets`); return; }
      const g = golden(c.golden);
      const got = await preprocessFirst16(c.preset, resample);
      assert.equal(g.shape, got.pre.shape, 'image shape');
      assert.equal(got.labels, g.labels, 'labels');
      const { mad: m, max } = mad(got.images, g.images);
      const units = m * c.toUnits;
      console.log(`  ${c.preset} ${resample}: MAD ${m.toExponential(3)} raw, ${units.toExponential(3)} normalised units (${c.how}); max |diff| ${max.toExponential(3)} raw`);
      assert.ok(units <= 0.02, `MAD ${units} > 0.02`);
      if (resample === 'pil') {
        const before = workerJobsAnswered();
        const w = (await preprocessFirst16(c.preset, resample, 2)).images, m = got.images;
        assert.is(workerJobsAnswered() - before, 16, 'all 16 in worker threads');
        assert.ok(Buffer.from(w.buffer, w.byteOffset, w.byteLength).equals(Buffer.from(m.buffer, m.byteOffset, m.byteLength)),
          'worker threads differ from the main thread');
        // Same pixels as PIL: only the float rounding of the normalisation may differ (a few ulp; the golden used
        // float32 constants where Paddle's NumPy code subtracts float64 ones) — far below one pixel level.
        assert.ok(max * c.toUnits * LEVELS_PER_UNIT < 1e-3, `pil path differs by ${max} (more than float rounding)`);
      } else {
        assert.ok(units <= 0.006, `sharp path MAD ${units} larger than measured (0.0038)`);
      }
    });
  }
}

test('Paddle geometry: Python round half-even, (W-crop)//2 offsets', () => {
  assert.equal(resizeCropGeometry(250, 100, 5, 5, 5), { W: 12, H: 5, left: 3, top: 0 }); // 12.5 → 12 (even), not 13
  assert.equal(resizeCropGeometry(350, 100, 5, 5, 5), { W: 18, H: 5, left: 6, top: 0 }); // 17.5 → 18 (even)
  assert.equal(resizeCropGeometry(500, 375, 256, 224, 224), { W: 341, H: 256, left: 58, top: 16 });
  assert.equal(resizeCropGeometry(375, 500, 256, 224, 224), { W: 256, H: 341, left: 16, top: 58 });
  // 230x160 → 368x256 (enlargement), 227 crop → odd margins round down
  assert.equal(resizeCropGeometry(230, 160, 256, 227, 227), { W: 368, H: 256, left: 70, top: 14 });
  // exact tie: 1000x640 → percent 0.4, 1000·0.4 = 400 exactly; 333x500 → 256x384.38 → 384
  assert.equal(resizeCropGeometry(1000, 640, 256, 224, 224).W, 400);
  assert.equal(resizeCropGeometry(333, 500, 256, 224, 224).H, 384);
});

test('PIL-compatible Lanczos: identity when sizes match, constant image stays constant, crop box = full resize box', () => {
  const w = 37, h = 23, src = new Uint8Array(w * h * 3);
  for (let i = 0; i < src.length; i++) src[i] = (i * 7919) % 256;
  assert.equal(Array.from(resizeCropLanczosPil(src, w, h, 3, w, h, 0, 0, w, h)), Array.from(src));
  const flat = new Uint8Array(w * h * 3).fill(93);
  assert.ok(resizeCropLanczosPil(flat, w, h, 3, 20, 11, 0, 0, 20, 11).every((v) => v === 93));
  const up = resizeCropLanczosPil(flat, w, h, 3, 80, 50, 0, 0, 80, 50);
  assert.ok(up.every((v) => v === 93));
  // a crop box is the same pixels as cropping the full resize
  const full = resizeCropLanczosPil(src, w, h, 3, 25, 17, 0, 0, 25, 17);
  const box = resizeCropLanczosPil(src, w, h, 3, 25, 17, 5, 3, 12, 9);
  for (let y = 0; y < 9; y++) {
    for (let x = 0; x < 12 * 3; x++) assert.is(box[y * 36 + x], full[(y + 3) * 75 + 15 + x]);
  }
});

test('imageSize reads JPEG/PNG headers as sharp does', async () => {
  if (!haveAssets) { skipTest('imageSize on assets: no assets'); return; }
  const entries = readValList(dataDir!);
  for (const e of entries) {
    const buf = readFileSync(e.path);
    const m = await sharp(buf).metadata();
    assert.equal(imageSize(buf), { width: m.width, height: m.height }, e.rel);
  }
  assert.is(imageSize(Buffer.from('not an image at all')), undefined);
});

test('ppocr_cls: 3x48x192, BGR, (x/255-0.5)/0.5, width ceil(48·w/h) then zero padding', async () => {
  const dir = tempDir('ppocr');
  const rgb: [number, number, number] = [200, 100, 50];
  const pre = new Preprocessor(preprocessOptions('ppocr_cls'));
  assert.equal(pre.shape, [3, 48, 192]);
  assert.is(ocrResizedWidth(100, 50, 48, 192), 96);
  assert.is(ocrResizedWidth(101, 50, 48, 192), 97); // ceil(96.96)
  assert.is(ocrResizedWidth(1000, 50, 48, 192), 192);
  const f = join(dir, 'a.png');
  await makeSolidPng(f, 100, 50, rgb);
  const out = await pre.process(readFileSync(f), f);
  const bgr = [rgb[2], rgb[1], rgb[0]];
  for (let c = 0; c < 3; c++) {
    const want = Math.fround(Math.fround(Math.fround(bgr[c] / 255) - 0.5) / 0.5);
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 192; x++) {
        const v = out[c * 48 * 192 + y * 192 + x];
        if (x < 96) assert.ok(Math.abs(v - want) < 1e-6, `c${c} y${y} x${x}: ${v} vs ${want}`);
        else assert.is(v, 0, `padding at c${c} y${y} x${x}`);
      }
    }
  }
  // wide: no padding at all
  const g = join(dir, 'wide.png');
  await makeSolidPng(g, 1000, 40, [0, 255, 0]);
  const wide = await pre.process(readFileSync(g), g);
  assert.ok(wide.every((v, i) => Math.abs(v - (Math.floor(i / (48 * 192)) === 1 ? 1 : -1)) < 1e-6));
  assert.throws(() => preprocessOptions('ppocr_cls', { dataDim: 224 }), (e: unknown) => e instanceof QdeployError && /fixed 3x48x192/.test(e.message));
});

test('options: overrides, BGR order of mean, validation', async () => {
  const o = preprocessOptions('imagenet', { dataDim: 192, resizeShort: 220, mean: [0.5], std: [0.25, 0.5, 1], channelOrder: 'bgr', scale: 1 });
  assert.equal([o.height, o.width, o.resizeShort, o.mean, o.std, o.channelOrder], [192, 192, 220, [0.5, 0.5, 0.5], [0.25, 0.5, 1], 'bgr']);
  const bad = (ov: Parameters<typeof preprocessOptions>[1], re: RegExp) =>
    assert.throws(() => preprocessOptions('imagenet', ov), (e: unknown) => e instanceof QdeployError && e.code === 'usage' && re.test(e.message));
  bad({ dataDim: 300 }, /--data_dim 300 is larger than --resize_short 256/);
  bad({ mean: [1, 2] }, /--mean expects 3 numbers/);
  bad({ std: [1, 0, 1] }, /--std must not contain 0/);
  bad({ scale: 0 }, /--scale must be a positive number/);
  // a solid image: every output value follows ((p/scale) - mean)/std in the output channel order
  const dir = tempDir('opts');
  const f = join(dir, 's.png');
  await makeSolidPng(f, 300, 260, [10, 20, 30]);
  const pre = new Preprocessor(preprocessOptions('caffe_squeezenet'));
  const out = await pre.process(readFileSync(f), f);
  assert.equal([out[0], out[227 * 227 + 5], out[2 * 227 * 227 + 227 * 100]], [30 - 104, 20 - 117, 10 - 124]);
});

test.run();
