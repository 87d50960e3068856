// The JPEG decoder addon (native/build/qdeploy_jpeg.node, native/src/jpeg_decode.cc) through its loader: same pixels
// as sharp's decode on the 50 asset photos and on generated baseline / progressive / 4:4:4 / greyscale JPEGs (PIL's
// own decode cannot run here — no Python guaranteed; bench/preprocess.ts compares with it byte for byte), its error
// codes (unsupported → the caller's fallback, corrupt, truncated, buffer too small, bad arguments), and many
// decodes in flight at once on libuv's pool giving the same bytes as one at a time. Skips where the addon was not
// built (no g++ or jpeglib.h when `npm run build` ran).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readValList } from '../../src/data/val_list';
import { assetsDir } from '../../src/util/assets';
import { JPEG_ERR, loadJpegAddon, type JpegAddon } from '../../src/util/native_build';
import { skipTest } from '../skip';

const { addon, reason } = loadJpegAddon();
if (!addon) console.log(`SKIP: native JPEG decoder: ${reason}`);
const assets = assetsDir();
const dataDir = assets ? join(assets, 'data') : undefined;
const haveAssets = !!dataDir && existsSync(join(dataDir, 'val_list.txt'));

/**
 * How far the addon may be from sharp's decode (levels 0..255). Both run libjpeg-turbo's ISLOW IDCT with fancy
 * upsampling (sharp's libvips bundles mozjpeg, whose decoder is libjpeg-turbo's), and on every image here they are
 * identical (measured: 0 bytes differ); the bound leaves room for a sharp build on another libjpeg-turbo version,
 * far below what the fast IFAST IDCT gives (about 1 level mean, up to 24 levels).
 */
const MAX_LEVEL_DIFF = 1;
const MAX_MEAN_DIFF = 0.01;

async function sharpRgb(buf: Uint8Array) {
  const { data, info } = await sharp(buf, { ignoreIcc: true }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function compare(a: Uint8Array, b: Uint8Array) {
  assert.is(a.length, b.length, 'byte count');
  let sum = 0, max = 0, differ = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d; if (d > max) max = d; if (d) differ++;
  }
  return { mean: sum / a.length, max, differ };
}

function errorCode(f: () => unknown): { code?: string; message: string } {
  try { f(); } catch (e) { return { code: (e as { code?: string }).code, message: (e as Error).message }; }
  throw new Error('expected an error');
}

/** A w×h RGB test pattern with edges and noise, so that IDCT and upsampling differences would show. */
function pattern(w: number, h: number): Buffer {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      px[o] = (x * 255 / w) ^ ((x * y) & 31);
      px[o + 1] = (y * 255 / h) ^ (((x + 3 * y) * 2654435761) >>> 27);
      px[o + 2] = (x >> 4) % 2 === (y >> 4) % 2 ? 220 : 30;
    }
  }
  return px;
}

const t = (name: string, fn: (a: JpegAddon) => Promise<void> | void) =>
  test(name, async () => { if (!addon) { skipTest(`${name}: ${reason}`); return; } await fn(addon); });

t('asset photos: same RGB as sharp\'s decode, sync and async', async (a) => {
  if (!haveAssets) { skipTest('asset photos: no assets'); return; }
  const entries = readValList(dataDir!);
  let identical = 0, worst = 0, meanSum = 0;
  for (const e of entries) {
    const buf = readFileSync(e.path);
    const ref = await sharpRgb(buf);
    const r = a.decodeSync(buf);
    assert.equal([r.width, r.height], [ref.width, ref.height], e.rel);
    const c = compare(r.data, ref.data);
    assert.ok(c.max <= MAX_LEVEL_DIFF && c.mean <= MAX_MEAN_DIFF, `${e.rel}: max ${c.max}, mean ${c.mean}`);
    if (c.differ === 0) identical++;
    worst = Math.max(worst, c.max); meanSum += c.mean;
    const out = new Uint8Array(r.data.length + 100);
    const ra = await a.decode(buf, out);
    assert.ok(ra.data.buffer === out.buffer && ra.data.length === r.data.length, 'async result is a view of `out`');
    assert.ok(Buffer.from(ra.data).equals(Buffer.from(r.data)), `${e.rel}: async differs from sync`);
  }
  console.log(`  ${identical}/${entries.length} photos byte-identical to sharp's decode; max |diff| ${worst}, mean ${(meanSum / entries.length).toExponential(2)} levels`);
});

t('generated JPEGs: baseline 4:2:0, progressive, 4:4:4, greyscale (→ R=G=B) match sharp', async (a) => {
  const w = 333, h = 287, raw = { raw: { width: w, height: h, channels: 3 as const } };
  const cases: [string, Buffer][] = [
    ['baseline 4:2:0', await sharp(pattern(w, h), raw).jpeg({ quality: 85 }).toBuffer()],
    ['progressive', await sharp(pattern(w, h), raw).jpeg({ quality: 80, progressive: true }).toBuffer()],
    ['4:4:4', await sharp(pattern(w, h), raw).jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer()],
    ['greyscale', await sharp(pattern(w, h), raw).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer()],
  ];
  for (const [name, buf] of cases) {
    const r = a.decodeSync(buf);
    assert.equal([r.width, r.height], [w, h], name);
    const c = compare(r.data, (await sharpRgb(buf)).data);
    assert.ok(c.max <= MAX_LEVEL_DIFF && c.mean <= MAX_MEAN_DIFF, `${name}: max ${c.max}, mean ${c.mean}`);
    if (name === 'greyscale') {
      for (let i = 0; i < r.data.length; i += 3) assert.ok(r.data[i] === r.data[i + 1] && r.data[i] === r.data[i + 2], `grey pixel ${i / 3}`);
    }
  }
});

t('errors: CMYK is unsupported (fallback), truncated and garbage are corrupt, small buffer, bad arguments', async (a) => {
  const w = 120, h = 90, raw = { raw: { width: w, height: h, channels: 3 as const } };
  const cmyk = await sharp(pattern(w, h), raw).toColourspace('cmyk').jpeg().toBuffer();
  assert.is(errorCode(() => a.decodeSync(cmyk)).code, JPEG_ERR.unsupported);
  const good = await sharp(pattern(w, h), raw).jpeg({ quality: 90 }).toBuffer();
  for (const frac of [0.05, 0.4, 0.9]) {
    const e = errorCode(() => a.decodeSync(good.subarray(0, Math.floor(good.length * frac))));
    assert.is(e.code, JPEG_ERR.corrupt, `cut at ${frac}`);
  }
  // cut inside the entropy-coded data: libjpeg only warns there; it must still be an error, as in PIL
  assert.match(errorCode(() => a.decodeSync(good.subarray(0, Math.floor(good.length * 0.6)))).message, /truncated/);
  assert.is(errorCode(() => a.decodeSync(Buffer.from('not a jpeg at all'))).code, JPEG_ERR.corrupt);
  const junk = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(500, 0x5a)]);
  assert.is(errorCode(() => a.decodeSync(junk)).code, JPEG_ERR.corrupt);
  const small = errorCode(() => a.decodeSync(good, new Uint8Array(w * h * 3 - 1)));
  assert.is(small.code, JPEG_ERR.buffer);
  assert.match(small.message, new RegExp(`${w * h * 3} needed`));
  assert.is(a.decodeSync(good, new Uint8Array(w * h * 3)).data.length, w * h * 3);
  assert.match(errorCode(() => a.decodeSync('x' as unknown as Uint8Array)).message, /expects \(input: Uint8Array/);
  assert.match(errorCode(() => a.decodeSync(good, new Float32Array(10) as unknown as Uint8Array)).message, /expects/);
  // the async form rejects with the same codes
  await a.decode(good.subarray(0, 300)).then(() => assert.unreachable('resolved'), (e) => assert.is(e.code, JPEG_ERR.corrupt));
  await a.decode(cmyk).then(() => assert.unreachable('resolved'), (e) => assert.is(e.code, JPEG_ERR.unsupported));
});

t('many decodes in flight (libuv pool): each gives the bytes of a lone decode', async (a) => {
  const bufs: Buffer[] = [];
  for (let i = 0; i < 24; i++) {
    const w = 64 + 13 * i, h = 48 + 7 * i;
    bufs.push(await sharp(pattern(w, h), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 70 + i }).toBuffer());
  }
  const want = bufs.map((b) => Buffer.from(a.decodeSync(b).data));
  const got = await Promise.all(bufs.map((b, i) => (i % 2 ? a.decode(b) : a.decode(b, new Uint8Array(1 << 20)))));
  got.forEach((r, i) => assert.ok(Buffer.from(r.data).equals(want[i]), `image ${i}`));
});

test('loader: QDEPLOY_NO_NATIVE=1 turns the addon off with that reason', async () => {
  const { spawnSync } = await import('node:child_process');
  const code = "const n = require('./src/util/native_build.ts'); const r = n.loadJpegAddon(); console.log(JSON.stringify({ has: !!r.addon, reason: r.reason }));";
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-e', code], {
    cwd: join(__dirname, '..', '..'), env: { ...process.env, QDEPLOY_NO_NATIVE: '1' }, encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()), { has: false, reason: 'turned off by QDEPLOY_NO_NATIVE=1' });
});

test.run();
