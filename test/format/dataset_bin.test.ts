// Paddle's dataset .bin (spec §5.3): byte layout of the writer, the reader's checks of header N against the file
// size, shape inference from a model input shape, on-demand batches, and no file left behind on failure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import {
  DatasetWriter, datasetFileSize, openDataset, writeDataset,
} from '../../src/format/paddle/dataset_bin';
import { QdeployError } from '../../src/util/errors';

const tmp = tempDir('dataset');
let k = 0;
const file = (name = 'd') => join(tmp, `${name}${k++}.bin`);

function images(n: number, chw: number): Float32Array {
  const a = new Float32Array(n * chw);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i * 0.37) * 3 + i / 1000;
  return a;
}

function rawDataset(path: string, nHeader: bigint, payloadBytes: number): void {
  const b = Buffer.alloc(8 + payloadBytes);
  b.writeBigInt64LE(nHeader, 0);
  writeFileSync(path, b);
}

function expectError(fn: () => unknown, re: RegExp): QdeployError {
  try { fn(); } catch (e) {
    if (!(e instanceof QdeployError)) throw e;
    assert.match(e.message, re);
    assert.not.match(e.message, /\n/);
    return e;
  }
  assert.unreachable(`no error (expected ${re})`);
  throw new Error('unreachable');
}

test('writer byte layout: int64 N, N float32 CHW images, N int64 labels (little endian)', () => {
  const chw = 2 * 3 * 4, n = 3, f = file();
  const imgs = images(n, chw);
  writeDataset(f, imgs, [7, 0, 999], chw);
  const b = readFileSync(f);
  assert.is(b.length, 8 + n * chw * 4 + n * 8);
  assert.is(b.length, datasetFileSize(n, chw));
  assert.is(b.readBigInt64LE(0), 3n);
  for (let i = 0; i < n * chw; i++) assert.is(b.readFloatLE(8 + 4 * i), imgs[i]);
  const lab = 8 + n * chw * 4;
  assert.equal([0, 1, 2].map((i) => b.readBigInt64LE(lab + 8 * i)), [7n, 0n, 999n]);
  assert.equal(readdirSync(tmp).filter((x) => x.includes('.tmp-')), []);
});

test('streaming writer: N patched at commit when fewer images than announced; nothing visible before commit', () => {
  const chw = 12, f = file();
  const w = new DatasetWriter(f, { chw, n: 10 });
  const imgs = images(4, chw);
  for (let i = 0; i < 4; i++) w.append(imgs.subarray(i * chw, (i + 1) * chw), i * 10);
  assert.not.ok(existsSync(f), 'target must not exist before commit');
  assert.is(readdirSync(tmp).filter((x) => x.includes('.tmp-')).length, 1);
  assert.equal(w.commit(), { n: 4, bytes: datasetFileSize(4, chw) });
  const b = readFileSync(f);
  assert.is(b.readBigInt64LE(0), 4n);
  assert.is(b.length, 8 + 4 * chw * 4 + 32);
  assert.is(b.readBigInt64LE(8 + 4 * chw * 4 + 24), 30n);
});

test('writer abort and a wrong image size leave no file', () => {
  const f = file();
  const w = new DatasetWriter(f, { chw: 6 });
  w.append(new Float32Array(6), 1);
  w.abort();
  assert.not.ok(existsSync(f));
  const f2 = file();
  const w2 = new DatasetWriter(f2, { chw: 6 });
  expectError(() => w2.append(new Float32Array(5), 1), /has 5 floats, expected 6/);
  assert.not.ok(existsSync(f2));
  assert.equal(readdirSync(tmp).filter((x) => x.includes('.tmp-')), []);
});

test('reader: round trip, positional batches, labels, reuse of the output buffer', () => {
  const chw = 3 * 5 * 5, n = 7, f = file();
  const imgs = images(n, chw);
  const labels = [5, 4, 3, 2, 1, 0, 999];
  writeDataset(f, imgs, labels, chw);
  const r = openDataset(f, { shape: [-1, 3, 5, 5] });
  assert.is(r.n, 7); assert.is(r.chw, chw); assert.equal(r.shape, [3, 5, 5]);
  assert.is(r.numBatches(3), 2);
  const b1 = r.batch(1, 3);
  assert.equal(Array.from(b1.images), Array.from(imgs.subarray(3 * chw, 6 * chw)));
  assert.equal(b1.labels, [2, 1, 0]);
  assert.equal(r.readLabels(6, 1), [999]);
  const seen: number[][] = [];
  const bufs = new Set<Float32Array>();
  for (const b of r.batches(2, { reuse: true })) { bufs.add(b.images); seen.push(b.labels); }
  assert.equal(seen, [[5, 4], [3, 2], [1, 0]]);
  assert.is(bufs.size, 1, 'reuse: one buffer for every batch');
  const out = new Float32Array(chw);
  assert.is(r.readImages(6, 1, out), out);
  assert.equal(Array.from(out), Array.from(imgs.subarray(6 * chw)));
  r.close();
});

test('reader infers chw from the file size; checks it against dynamic and static model shapes', () => {
  const chw = 3 * 8 * 8, f = file();
  writeDataset(f, images(2, chw), [1, 2], chw);
  let r = openDataset(f);
  assert.is(r.chw, 192); assert.equal(r.shape, [3, 8, 8]); r.close();
  r = openDataset(f, { shape: [-1, 3, -1, -1] });
  assert.equal(r.shape, [3, 8, 8]); r.close();
  r = openDataset(f, { shape: [1, 3, 8, -1] });
  assert.equal(r.shape, [3, 8, 8]); r.close();
  expectError(() => openDataset(f, { shape: [-1, 3, 224, 224] }),
    /header N = 2 images of 150528 floats needs 1204248 bytes .* but the file has 1560/);
  expectError(() => openDataset(f, { shape: [-1, 5, -1, -1] }), /192 floats per image do not fit the model input \[5,-1,-1\]/);
});

test('bad header N: size mismatch, negative, absurd, short file → one-line errors naming file and numbers', () => {
  const chw = 12;
  const f1 = file('mismatch');
  rawDataset(f1, 5n, 4 * (chw * 4 + 8)); // header says 5, holds 4
  const e = expectError(() => openDataset(f1, { chw }), /header N = 5 images of 12 floats needs 288 bytes .* but the file has 232/);
  assert.ok(e.message.includes(f1));
  expectError(() => openDataset(f1), /file size 232 does not fit header N = 5/);
  const f2 = file('neg');
  rawDataset(f2, -3n, 100);
  expectError(() => openDataset(f2), /header N = -3 is negative \(file has 108 bytes\)/);
  const f3 = file('huge');
  rawDataset(f3, 1n << 60n, 100);
  expectError(() => openDataset(f3, { chw }), /header N = 1152921504606846976 images cannot fit in 108 bytes/);
  const f4 = file('short');
  writeFileSync(f4, Buffer.alloc(5));
  expectError(() => openDataset(f4), /5 bytes is shorter than the 8-byte header/);
  expectError(() => openDataset(join(tmp, 'absent.bin')), /cannot open dataset .*absent\.bin: no such file/);
});

test('asking for more images or batches than the file holds is an error', () => {
  const chw = 4, f = file();
  writeDataset(f, images(5, chw), [0, 1, 2, 3, 4], chw);
  const r = openDataset(f, { chw });
  expectError(() => r.batch(1, 3), /has 5 images: batch 1 of size 3 needs images 3\.\.5/);
  expectError(() => r.readImages(4, 2), /has 5 images: reading 2 images from 4 needs images 4\.\.5/);
  expectError(() => [...r.batches(2, { iterations: 3 })], /has 5 images: 3 batches of 2 need 6/);
  expectError(() => [...r.batches(6)], /has 5 images: not one batch of 6 fits/);
  assert.is([...r.batches(2)].length, 2);
  r.close();
  assert.ok(statSync(f).size === datasetFileSize(5, chw));
});

test.run();
