// Preprocessing in worker threads (src/data/worker_pool.ts, preprocess_worker.ts): the same floats as the main-thread
// path bit for bit (synthetic JPEGs of many sizes, a PNG, and the asset photos against their golden), list order kept,
// workers reused by the next stream (a short list starts none) and terminated when a stream stops early, a worker
// that dies (throws, exits, cannot start) ending the stream with one clear line instead of a hang, idle workers never
// keeping the process alive, and the CLI bundle's worker entry. The bad-input cases (--on_error) run on both paths in
// pipeline.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDataset } from '../../src/format/paddle/dataset_bin';
import { MIN_IMAGES_FOR_NEW_WORKERS, defaultWorkers, preprocessEntries, writeDatasetFromImages, type StreamOptions } from '../../src/data/pipeline';
import { Preprocessor, preprocessOptions, type PreprocessOptions } from '../../src/data/preprocess';
import { readValList, type ImageEntry } from '../../src/data/val_list';
import { closeIdleWorkers, liveWorkerThreads, prewarmWorkers, workerEntry, workerJobsAnswered } from '../../src/data/worker_pool';
import { assetsDir } from '../../src/util/assets';
import { QdeployError } from '../../src/util/errors';
import { mad, makeJpeg, makeSolidPng, tempDir, tempLeftovers } from './helpers';
import { skipTest } from '../skip';

const root = resolve(__dirname, '..', '..');
const dir = tempDir('workers');
const small = preprocessOptions('imagenet', { dataDim: 32, resizeShort: 40 });

const setup = (async () => {
  // sizes that enlarge, shrink, and keep each side, so every resize branch runs in the workers
  const sizes: [number, number][] = [[60, 50], [40, 40], [33, 90], [200, 41], [41, 200], [128, 96], [37, 37], [300, 225], [45, 80], [90, 45], [64, 40], [40, 64]];
  const lines = [];
  for (let i = 0; i < sizes.length; i++) {
    await makeJpeg(join(dir, 'val', `img${i}.jpg`), sizes[i][0], sizes[i][1], 80 + i);
    lines.push(`val/img${i}.jpg ${100 + i}`);
  }
  await makeSolidPng(join(dir, 'val', 'solid.png'), 50, 70, [10, 200, 90]);
  lines.push('val/solid.png 7');
  writeFileSync(join(dir, 'good.txt'), lines.join('\n') + '\n');
})();

/** rejects instead of hanging: a stream that never ends fails the test after `ms` */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  const timeout = new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: no answer in ${ms} ms (hang)`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

async function collect(entries: readonly ImageEntry[], o: PreprocessOptions | Preprocessor, opts: StreamOptions & { listFile?: string }) {
  const out: { index: number; label: number; image: Float32Array; worker: boolean }[] = [];
  for await (const r of preprocessEntries(entries, o, opts)) out.push({ index: r.index, label: r.entry.label, image: r.image, worker: r.worker });
  return out;
}

const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

test('worker threads give the main thread\'s floats bit for bit, in list order, whatever the window', async () => {
  await setup;
  const entries = readValList(dir, 'good.txt');
  const main = await collect(entries, small, { workers: 0 });
  assert.ok(main.every((r) => !r.worker));
  await prewarmWorkers(2);
  for (const concurrency of [1, 3, 16]) {
    const before = workerJobsAnswered();
    const w = await collect(entries, small, { workers: 2, concurrency });
    assert.is(workerJobsAnswered() - before, entries.length, `window ${concurrency}: every image went to a worker`);
    assert.ok(w.every((r) => r.worker));
    assert.equal(w.map((r) => r.label), entries.map((e) => e.label), `window ${concurrency}: list order`);
    assert.equal(w.map((r) => r.index), entries.map((_, i) => i));
    for (let i = 0; i < entries.length; i++) assert.ok(same(w[i].image, main[i].image), `window ${concurrency}, image ${i} differs`);
  }
  // the PNG went through sharp inside a worker: its constant colour gives exactly the normalised constant
  const png = main[main.length - 1].image;
  assert.is(png[0], Math.fround(Math.fround(Math.fround(10 / 255) - 0.485) / 0.229));
  assert.is(png[png.length - 1], Math.fround(Math.fround(Math.fround(90 / 255) - 0.406) / 0.225));
  assert.is(liveWorkerThreads(), 2, 'the finished stream left its pool for the next one');
});

test('another option set (BGR, 0..255 means) on the same kept pool: bit-identical too', async () => {
  await setup;
  const entries = readValList(dir, 'good.txt');
  const bgr = preprocessOptions('caffe_squeezenet', { dataDim: 24, resizeShort: 30 });
  const main = await collect(entries, bgr, { workers: 0 });
  await prewarmWorkers(2);
  const w = await collect(entries, bgr, { workers: 2 });
  assert.ok(w.every((r) => r.worker));
  for (let i = 0; i < entries.length; i++) assert.ok(same(w[i].image, main[i].image), `image ${i} differs`);
  assert.is(w[0].image.length, 3 * 24 * 24);
});

test('asset photos: workers = main thread bit for bit, and MAD ≤ 1e-6 vs golden/preprocess_imagenet', async () => {
  const assets = assetsDir();
  const dataDir = assets ? join(assets, 'data') : undefined;
  if (!dataDir || !existsSync(join(dataDir, 'val_list.txt'))) { skipTest('asset photos: no assets (set QDEPLOY_ASSETS)'); return; }
  const entries = readValList(dataDir);
  const o = preprocessOptions('imagenet');
  const main = await collect(entries, o, { workers: 0 });
  await prewarmWorkers(2);
  const w = await collect(entries, o, { workers: 2 });
  assert.ok(w.every((r) => r.worker));
  assert.equal(w.map((r) => r.label), entries.map((e) => e.label));
  for (let i = 0; i < entries.length; i++) assert.ok(same(w[i].image, main[i].image), `${entries[i].rel} differs`);
  const g = openDataset(join(assets!, 'golden', 'preprocess_imagenet', 'input_16.bin'));
  const golden = g.readImages(0, 16);
  g.close();
  const got = new Float32Array(16 * 3 * 224 * 224);
  for (let i = 0; i < 16; i++) got.set(w[i].image, i * 3 * 224 * 224);
  const { mad: m } = mad(got, golden);
  console.log(`  workers vs golden: MAD ${m.toExponential(3)} on 16 photos; ${entries.length} photos identical to the main thread`);
  assert.ok(m <= 1e-6, `MAD ${m}`);
});

test('stopping early terminates the workers; nothing rejects unhandled', async () => {
  await setup;
  const entries = readValList(dir, 'good.txt');
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    await prewarmWorkers(2);
    assert.is(liveWorkerThreads(), 2);
    let n = 0;
    for await (const r of preprocessEntries(entries, small, { workers: 2 })) { assert.ok(r.worker); if (++n === 2) break; }
    assert.is(n, 2);
    assert.is(liveWorkerThreads(), 0, 'workers terminated by the early stop');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

// stand-ins for the worker script: each dies its own way
const crashers: [string, string, RegExp][] = [
  ['throws', `const { parentPort } = require('node:worker_threads');
parentPort.on('message', () => { throw new Error('simulated crash'); });
parentPort.postMessage({ ready: true });`, /^preprocess worker [12] of 2 stopped \(simulated crash\) while on \S*img[01]\.jpg \(\S*good\.txt:[12]\); QDEPLOY_PREPROCESS_WORKERS=0/],
  ['exits', `const { parentPort } = require('node:worker_threads');
parentPort.on('message', () => process.exit(7));
parentPort.postMessage({ ready: true });`, /^preprocess worker [12] of 2 stopped \(exit code 7\) while on \S*img[01]\.jpg \(\S*good\.txt:[12]\)/],
  ['cannot start', `throw new Error('cannot load the kernels');`, /^preprocess worker [12] of 2 stopped \(cannot load the kernels\); /],
];

for (const [how, src, re] of crashers) {
  test(`a worker that ${how}: one clear error, with --on_error skip too; no hang, no output, no threads left`, async () => {
    await setup;
    const file = join(dir, `crash_${how.replace(' ', '_')}.cjs`);
    writeFileSync(file, src);
    const entries = readValList(dir, 'good.txt');
    for (const onError of ['fail', 'skip'] as const) {
      // (a script that could not start once is refused at once afterwards: the second prewarm throws that)
      await within(prewarmWorkers(2, file).catch(() => {}), 20000, 'prewarm');
      const warnings: string[] = [];
      const target = join(dir, `crash_${onError}.bin`);
      let err: unknown;
      try {
        await within(writeDatasetFromImages(entries, target, small, {
          workers: 2, workerFile: file, onError, listFile: join(dir, 'good.txt'), onWarning: (m) => warnings.push(m),
        }), 20000, `${how}, ${onError}`);
      } catch (e) { err = e; }
      assert.ok(err instanceof QdeployError, `${how}, ${onError}: ${String(err)}`);
      assert.is((err as QdeployError).code, 'internal');
      assert.match((err as QdeployError).message, re);
      assert.not.match((err as QdeployError).message, /\n/);
      assert.equal(warnings, [], 'a dead worker is not an image to skip');
      assert.not.ok(existsSync(target), 'no output');
      assert.equal(tempLeftovers(dir), []);
      assert.is(liveWorkerThreads(), 0);
    }
  });
}

test('a stream before the workers are ready starts on the main thread; same floats', async () => {
  await setup;
  await closeIdleWorkers();
  const entries = readValList(dir, 'good.txt');
  const main = await collect(entries, small, { workers: 0 });
  // a cold pool: the first images cannot wait 100-400 ms for a worker to start
  const w = await collect(entries, small, { workers: 2, concurrency: 1 });
  assert.ok(!w[0].worker, 'the first image was done on the main thread');
  for (let i = 0; i < entries.length; i++) assert.ok(same(w[i].image, main[i].image), `image ${i} differs`);
});

test('default worker count: a short list starts no threads, but uses started ones that are idle', async () => {
  await setup;
  const saved = process.env.QDEPLOY_PREPROCESS_WORKERS;
  delete process.env.QDEPLOY_PREPROCESS_WORKERS;
  try {
    const entries = readValList(dir, 'good.txt');
    assert.ok(entries.length < MIN_IMAGES_FOR_NEW_WORKERS);
    await closeIdleWorkers();
    const cold = await collect(entries, small, {});
    assert.ok(cold.every((r) => !r.worker));
    assert.is(liveWorkerThreads(), 0, 'none started');
    const n = defaultWorkers();
    if (n === 0) { console.log('  (1 core: the default is the main thread; warm-pool half not run)'); return; }
    await prewarmWorkers(n);
    const warm = await collect(entries, small, {});
    assert.ok(warm.every((r) => r.worker), 'the idle pool took them');
    for (let i = 0; i < entries.length; i++) assert.ok(same(warm[i].image, cold[i].image), `image ${i} differs`);
  } finally {
    if (saved !== undefined) process.env.QDEPLOY_PREPROCESS_WORKERS = saved;
  }
});

test('defaultWorkers: QDEPLOY_PREPROCESS_WORKERS wins, else one per thread from 2 threads on, at most 16', () => {
  const saved = process.env.QDEPLOY_PREPROCESS_WORKERS;
  try {
    delete process.env.QDEPLOY_PREPROCESS_WORKERS;
    assert.is(defaultWorkers(1), 0, 'one thread: the main-thread path (a worker only adds the hand-off there)');
    assert.is(defaultWorkers(2), 2);
    assert.is(defaultWorkers(4), 4);
    assert.is(defaultWorkers(64), 16, 'capped');
    process.env.QDEPLOY_PREPROCESS_WORKERS = '0';
    assert.is(defaultWorkers(4), 0);
    process.env.QDEPLOY_PREPROCESS_WORKERS = '3';
    assert.is(defaultWorkers(1), 3);
    process.env.QDEPLOY_PREPROCESS_WORKERS = 'many';
    assert.throws(() => defaultWorkers(2), (e: unknown) => e instanceof QdeployError && /QDEPLOY_PREPROCESS_WORKERS must be an integer in 0\.\.256, got 'many'/.test(e.message));
  } finally {
    if (saved === undefined) delete process.env.QDEPLOY_PREPROCESS_WORKERS; else process.env.QDEPLOY_PREPROCESS_WORKERS = saved;
  }
});

test('the workers\' entry is found beside the sources', () => {
  assert.is(workerEntry(), join(root, 'src', 'data', 'preprocess_worker.ts'));
});

test('finished streams leave idle workers that do not keep the process alive', async () => {
  await setup;
  const script = `
    const { preprocessEntries } = require('./src/data/pipeline');
    const { preprocessOptions } = require('./src/data/preprocess');
    const { readValList } = require('./src/data/val_list');
    const { prewarmWorkers, liveWorkerThreads } = require('./src/data/worker_pool');
    (async () => {
      await prewarmWorkers(2);
      let n = 0, w = 0;
      for await (const r of preprocessEntries(readValList(${JSON.stringify(dir)}, 'good.txt'), preprocessOptions('imagenet', { dataDim: 32, resizeShort: 40 }), { workers: 2 })) { n++; if (r.worker) w++; }
      const t = performance.now();
      process.on('exit', () => console.log(JSON.stringify({ n, w, live: liveWorkerThreads(), exitAfterMs: performance.now() - t })));
    })();`;
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.is(o.n, 13);
  assert.is(o.w, 13);
  assert.is(o.live, 2, 'the pool was still there, idle');
  assert.ok(o.exitAfterMs < 1000, `the process exited ${o.exitAfterMs} ms after the stream ended (idle workers kept it alive?)`);
});

test('CLI bundle: dist/preprocess_worker.mjs runs the workers; same file as without them', async () => {
  await setup;
  spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'pipe' });
  assert.ok(existsSync(join(root, 'dist', 'preprocess_worker.mjs')));
  // large photos, 121 lines, so that the workers start before the main thread is through the list
  const big = join(dir, 'big');
  const lines = [];
  for (let i = 0; i < 40; i++) { await makeJpeg(join(big, `b${i}.jpg`), 1200 + 8 * i, 900 - 4 * i); lines.push(`b${i}.jpg ${i}`); }
  // a PNG last, by when the workers have taken over: sharp, which they load only when needed, from the bundle
  await makeSolidPng(join(big, 'solid.png'), 300, 200, [10, 200, 90]);
  writeFileSync(join(big, 'val_list.txt'), [...lines, ...lines, ...lines, 'solid.png 99'].join('\n') + '\n');
  const run = (workers: string, out: string) => spawnSync(process.execPath, [join(root, 'dist', 'qdeploy.mjs'), 'preprocess', '--local', '--data_dir', big,
    '--output_file', out, '--num_threads', '2', '--quiet'], { encoding: 'utf8', env: { ...process.env, QDEPLOY_PREPROCESS_WORKERS: workers } });
  const a = run('2', join(dir, 'cli_w2.bin')), b = run('0', join(dir, 'cli_w0.bin'));
  assert.is(a.status, 0, a.stderr);
  assert.is(b.status, 0, b.stderr);
  const m = a.stdout.match(/(\d+) in 2 worker threads/);
  assert.ok(m && Number(m[1]) > 0, `no image went to a worker: ${a.stdout}`);
  assert.not.match(b.stdout, /worker threads/);
  const da = openDataset(join(dir, 'cli_w2.bin')), db = openDataset(join(dir, 'cli_w0.bin'));
  assert.is(da.n, 121);
  assert.ok(same(da.readImages(0, 121), db.readImages(0, 121)), 'bundle workers differ from the main thread');
  assert.equal(da.readLabels(0, 121), [...[0, 1, 2].flatMap(() => Array.from({ length: 40 }, (_, i) => i)), 99]);
  const png = da.readImages(120, 1);
  assert.is(png[0], Math.fround(Math.fround(Math.fround(10 / 255) - 0.485) / 0.229), 'the PNG\'s constant red, normalised');
  da.close(); db.close();
});

test.run();
