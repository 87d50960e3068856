// The image stream: order kept with many images in flight, batches (short last batch / dropLast), and bad input —
// a truncated JPEG, a file that is not an image, a list line whose file is missing — skipped with a warning naming
// the file, or failing with one line naming it; a failed write leaves no output file and no temp file. The bad-input
// cases run on the main thread (workers: 0) and in worker threads (workers: 2, started beforehand so that every image
// goes to them), with the same messages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetFileSize, openDataset } from '../../src/format/paddle/dataset_bin';
import { imageBatches, imageFolderBatches, preprocessEntries, writeDatasetFromImages } from '../../src/data/pipeline';
import { Preprocessor, preprocessOptions } from '../../src/data/preprocess';
import { prewarmWorkers } from '../../src/data/worker_pool';
import { readValList } from '../../src/data/val_list';
import { QdeployError } from '../../src/util/errors';
import { makeJpeg, tempDir, tempLeftovers, truncate } from './helpers';

const dir = tempDir('pipeline');
const pre = new Preprocessor(preprocessOptions('imagenet', { dataDim: 32, resizeShort: 40 }));
const CHW = 3 * 32 * 32;

const setup = (async () => {
  for (let i = 0; i < 12; i++) await makeJpeg(join(dir, 'val', `img${i}.jpg`), 60 + 7 * i, 50 + 3 * i);
  truncate(join(dir, 'val', 'img3.jpg'), join(dir, 'val', 'truncated.jpg'));
  writeFileSync(join(dir, 'val', 'notimage.jpg'), 'this is a text file, not a JPEG\n');
  const good = Array.from({ length: 12 }, (_, i) => `val/img${i}.jpg ${i * 10}`);
  writeFileSync(join(dir, 'good.txt'), good.join('\n') + '\n');
  writeFileSync(join(dir, 'truncated.txt'), [good[0], 'val/truncated.jpg 5', good[1]].join('\n'));
  writeFileSync(join(dir, 'notimage.txt'), [good[0], good[1], 'val/notimage.jpg 6', good[2]].join('\n'));
  writeFileSync(join(dir, 'missing.txt'), [good[0], 'val/nope.jpg 7', good[2]].join('\n'));
})();

async function expectReject(p: Promise<unknown>, re: RegExp): Promise<QdeployError> {
  try { await p; } catch (e) {
    if (!(e instanceof QdeployError)) throw e;
    assert.match(e.message, re);
    assert.not.match(e.message, /\n/);
    return e;
  }
  assert.unreachable(`no error (expected ${re})`);
  throw new Error('unreachable');
}

test('order is kept and results do not depend on the number of images in flight', async () => {
  await setup;
  const entries = readValList(dir, 'good.txt');
  const run = async (concurrency: number) => {
    const out: { label: number; image: Float32Array }[] = [];
    for await (const r of preprocessEntries(entries, pre, { concurrency })) out.push({ label: r.entry.label, image: r.image });
    return out;
  };
  const one = await run(1), many = await run(12);
  assert.equal(one.map((r) => r.label), entries.map((e) => e.label));
  assert.equal(many.map((r) => r.label), entries.map((e) => e.label));
  for (let i = 0; i < one.length; i++) assert.equal(Array.from(many[i].image), Array.from(one[i].image), `image ${i}`);
  assert.ok(one.every((r) => r.image.length === CHW && r.image.some((v) => v !== 0)));
});

test('batches: full batches then a short one (or dropped); folder helper; early stop', async () => {
  await setup;
  const entries = readValList(dir, 'good.txt');
  const sizes: number[] = [];
  const labels: number[] = [];
  for await (const b of imageBatches(entries, pre, { batchSize: 5 })) { sizes.push(b.count); labels.push(...b.labels); assert.is(b.images.length, b.count * CHW); }
  assert.equal(sizes, [5, 5, 2]);
  assert.equal(labels, entries.map((e) => e.label));
  const dropped: number[] = [];
  for await (const b of imageFolderBatches(dir, pre, { labelList: 'good.txt', batchSize: 5, dropLast: true })) dropped.push(b.count);
  assert.equal(dropped, [5, 5]);
  let n = 0;
  for await (const b of imageBatches(entries, pre, { batchSize: 4 })) { n += b.count; break; }
  assert.is(n, 4);
});

for (const [list, name, re] of [
  ['truncated.txt', 'truncated JPEG', /truncated\.jpg \(.*truncated\.txt:2\): cannot decode image \(.+\)/],
  ['notimage.txt', 'non-image file', /notimage\.jpg \(.*notimage\.txt:3\): cannot decode image \(.*unsupported image format.*\)/],
  ['missing.txt', 'missing file', /nope\.jpg \(.*missing\.txt:2\): no such file/],
] as const) for (const workers of [0, 2]) {
  const path = workers ? `${workers} worker threads` : 'main thread';
  test(`${name} (${path}): --on_error fail names the file and line, leaves no output`, async () => {
    await setup;
    await prewarmWorkers(workers);
    const entries = readValList(dir, list);
    const target = join(dir, `${list}.fail.bin`);
    await expectReject(writeDatasetFromImages(entries, target, pre, { onError: 'fail', listFile: join(dir, list), workers }), re);
    assert.not.ok(existsSync(target), 'no output after a failure');
    assert.equal(tempLeftovers(dir), []);
  });

  test(`${name} (${path}): --on_error skip warns naming the file and writes the rest`, async () => {
    await setup;
    await prewarmWorkers(workers);
    const entries = readValList(dir, list);
    const target = join(dir, `${list}.skip.bin`);
    const warnings: string[] = [];
    const r = await writeDatasetFromImages(entries, target, pre, { onError: 'skip', listFile: join(dir, list), onWarning: (m) => warnings.push(m), workers });
    assert.is(r.inWorkers, workers ? r.n : 0, 'which path preprocessed the images');
    assert.is(warnings.length, 1);
    assert.match(warnings[0], /^skipping image /);
    assert.match(warnings[0], re);
    assert.is(r.n, entries.length - 1);
    assert.is(r.skipped, 1);
    assert.is(statSync(target).size, datasetFileSize(entries.length - 1, CHW));
    const d = openDataset(target, { shape: [-1, 3, 32, 32] });
    assert.is(d.n, entries.length - 1);
    assert.equal(d.readLabels(0, d.n), entries.filter((e) => !/truncated|notimage|nope/.test(e.rel)).map((e) => e.label));
    d.close();
  });
}

test('every image unreadable with skip: error, no output', async () => {
  await setup;
  writeFileSync(join(dir, 'allbad.txt'), 'val/notimage.jpg 1\nval/truncated.jpg 2\n');
  const target = join(dir, 'allbad.bin');
  await expectReject(writeDatasetFromImages(readValList(dir, 'allbad.txt'), target, pre, { onError: 'skip', onWarning: () => {} }),
    /no image could be read \(2 skipped\)/);
  assert.not.ok(existsSync(target));
  assert.equal(tempLeftovers(dir), []);
});

test.run();
