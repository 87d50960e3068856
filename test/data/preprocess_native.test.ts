// The default pipeline (--resample pil) with its JPEG decoder: the native libjpeg-turbo addon where it is built, sharp
// where it is not. Against golden/preprocess_imagenet/input_16.bin (Paddle's PIL pipeline): with the addon the
// output is PIL's pixels, so only float rounding remains (MAD ≤ 1e-6); with the addon forced off
// (QDEPLOY_NO_NATIVE=1, through the CLI bundle) the output stays within the bound (MAD ≤ 0.02) and
// `qdeploy preprocess` says which decoder ran. Files the addon refuses (CMYK) or does not read (PNG) go to sharp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { openDataset } from '../../src/format/paddle/dataset_bin';
import { imageBatches } from '../../src/data/pipeline';
import { Preprocessor, jpegDecoderImpl, preprocessOptions } from '../../src/data/preprocess';
import { readValList } from '../../src/data/val_list';
import { assetsDir } from '../../src/util/assets';
import { loadJpegAddon } from '../../src/util/native_build';
import { mad, tempDir } from './helpers';
import { skipTest } from '../skip';

const root = resolve(__dirname, '..', '..');
const assets = assetsDir();
const dataDir = assets ? join(assets, 'data') : undefined;
const haveAssets = !!dataDir && existsSync(join(dataDir, 'val_list.txt'));
const native = loadJpegAddon();

function golden() {
  const r = openDataset(join(assets!, 'golden', 'preprocess_imagenet', 'input_16.bin'));
  const out = { images: r.readImages(0, r.n), labels: r.readLabels(0, r.n) };
  r.close();
  return out;
}

test('default pipeline with the native decoder vs golden/preprocess_imagenet: MAD ≤ 1e-6', async () => {
  if (!native.addon) { skipTest(`native decoder: ${native.reason}`); return; }
  if (!haveAssets) { skipTest('golden comparison: no assets'); return; }
  assert.match(jpegDecoderImpl(), /^libjpeg-turbo .*native/);
  const entries = readValList(dataDir!, 'val_list.txt', { limit: 16 });
  const pre = new Preprocessor(preprocessOptions('imagenet'));
  let images: Float32Array | undefined;
  for await (const b of imageBatches(entries, pre, { batchSize: 16 })) images = b.images;
  const g = golden();
  const { mad: m, max } = mad(images!, g.images);
  console.log(`  default (native decode): MAD ${m.toExponential(3)}, max |diff| ${max.toExponential(3)} (normalised units)`);
  assert.ok(m <= 1e-6, `MAD ${m} > 1e-6`);
});

function preprocessCli(env: NodeJS.ProcessEnv, out: string) {
  return spawnSync(process.execPath, [join(root, 'dist', 'qdeploy.mjs'), 'preprocess', '--local', '--data_dir', dataDir!,
    '--limit', '16', '--output_file', out], { encoding: 'utf8', env: { ...process.env, ...env } });
}

test('fallback: QDEPLOY_NO_NATIVE=1 decodes with sharp, says so, stays within MAD 0.02 of the goldens', async () => {
  if (!haveAssets) { skipTest('fallback vs goldens: no assets'); return; }
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'pipe' });
  const dir = tempDir('nonative');
  const runs: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['off', { QDEPLOY_NO_NATIVE: '1' }, /preprocess: JPEG decode: sharp \(turned off by QDEPLOY_NO_NATIVE=1\)/],
  ];
  if (native.addon) runs.push(['on', {}, /preprocess: JPEG decode: libjpeg-turbo [^\n]*native/]);
  const g = golden();
  for (const [name, env, says] of runs) {
    const out = join(dir, `${name}.bin`);
    const r = preprocessCli(env, out);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, says);
    assert.is(r.stderr.match(/JPEG decode:/g)!.length, 1, 'said once');
    const d = openDataset(out);
    const { mad: m } = mad(d.readImages(0, d.n), g.images);
    assert.equal(d.readLabels(0, d.n), g.labels);
    d.close();
    console.log(`  addon ${name}: MAD ${m.toExponential(3)} vs golden`);
    assert.ok(m <= 0.02, `addon ${name}: MAD ${m} > 0.02`);
  }
});

test('files the addon does not take: CMYK JPEG and PNG go to sharp; greyscale JPEG = its RGB as PNG', async () => {
  const dir = tempDir('dec');
  const w = 300, h = 270, px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = ((i * 2654435761) >>> 24) ^ ((i / 3) % w);
  const raw = { raw: { width: w, height: h, channels: 3 as const } };
  const pre = new Preprocessor(preprocessOptions('imagenet'));
  for (const [name, jpeg] of [
    ['cmyk', await sharp(px, raw).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer()],
    ['grey', await sharp(px, raw).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer()],
    ['rgb', await sharp(px, raw).jpeg({ quality: 90 }).toBuffer()],
  ] as const) {
    // the same pixels losslessly as PNG (sharp decodes PNGs): the JPEG path must give the same output
    const rgb = await sharp(jpeg).removeAlpha().toColourspace('srgb').raw().toBuffer();
    const png = await sharp(rgb, raw).png().toBuffer();
    writeFileSync(join(dir, `${name}.jpg`), jpeg);
    const a = await pre.process(readFileSync(join(dir, `${name}.jpg`)), name);
    const b = await pre.process(png, `${name}.png`);
    assert.equal(mad(a, b), { mad: 0, max: 0 }, name);
  }
});

test.run();
