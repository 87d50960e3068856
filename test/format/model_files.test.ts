// Model and dataset files are untrusted: a symlink must not lead a file the model dir holds (a parameter file,
// `__model__`, `.pdparams`) to a file outside the dir, and only regular files are read — a FIFO would block the
// reader for ever, a directory or device is not a file. Each case is checked on the library and, for the FIFOs,
// in a child process with a time limit so that a hang fails the test instead of stopping the suite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeProgram, loadModel, saveModel, writeTensor } from '../../src/format/paddle';
import { openDataset, writeDataset } from '../../src/format/paddle/dataset_bin';
import { expectError, tempDir, tinyProgram } from './helpers';
import { skipTest } from '../skip';
import { ensureBuilt, oneLineError, qd } from '../cli/helpers';

const root = resolve(__dirname, '..', '..');
const W = new Float32Array([1, 2, 3, 4, 5, 6]);

/** a separate-layout model dir (`__model__`, `w`, `w2`) in a fresh temp dir; returns the dir */
function separateModel(tag: string): string {
  const d = join(tempDir(tag), 'model');
  mkdirSync(d);
  writeFileSync(join(d, '__model__'), encodeProgram(tinyProgram(['w', 'w2'])));
  writeFileSync(join(d, 'w'), writeTensor({ dtype: 'fp32', dims: [2, 3], data: W }));
  writeFileSync(join(d, 'w2'), writeTensor({ dtype: 'fp32', dims: [2, 3], data: W.map((x) => -x) }));
  return d;
}

/** moves `dir/name` to `outDir/target` and leaves a symlink to it in its place; returns the link's target */
function linkOut(dir: string, name: string, outDir: string, target = name): string {
  const outside = join(outDir, target);
  copyFileSync(join(dir, name), outside); // a valid file: only the escape can make the load fail
  rmSync(join(dir, name));
  symlinkSync(outside, join(dir, name));
  return outside;
}

/** `qdeploy`'s loader on `model` (or openDataset on `dataset`) in a child process, killed after 20 s */
function loadInChild(kind: 'model' | 'dataset', path: string): { status: number | null; out: string; timedOut: boolean } {
  const code = kind === 'model'
    ? `const { loadModel } = require('./src/format/paddle'); loadModel(${JSON.stringify(path)});`
    : `const { openDataset } = require('./src/format/paddle/dataset_bin'); openDataset(${JSON.stringify(path)}).close();`;
  const script = `try { ${code} console.log('loaded'); } catch (e) { console.log((e.code ?? '') + ': ' + e.message); process.exitCode = 3; }`;
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? ''), timedOut: r.error !== undefined || r.signal !== null };
}

const canFifo = (): boolean => process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).status === 0;
function mkfifo(p: string): void {
  const r = spawnSync('mkfifo', [p]);
  if (r.status !== 0) throw new Error(`mkfifo ${p}: ${r.stderr}`);
}

test('a parameter file that is a symlink out of the model dir is refused (unsafe), naming the file and var', () => {
  const d = separateModel('sym-out');
  const outside = linkOut(d, 'w', tempDir('sym-target'), 'secret_w');
  const e = expectError(() => loadModel(d), 'unsafe', join(d, 'w'), 'var w', 'outside the model dir');
  assert.ok(e.message.includes(outside), e.message);
  // a relative link that climbs out is the same escape
  rmSync(join(d, 'w'));
  symlinkSync(join('..', '..', outside.split('/').slice(-2).join('/')), join(d, 'w'));
  expectError(() => loadModel(d), 'unsafe', join(d, 'w'), 'outside the model dir');
});

test('a symlink that stays inside the model dir is read (it escapes nothing)', () => {
  const d = separateModel('sym-in');
  mkdirSync(join(d, 'blobs'));
  copyFileSync(join(d, 'w2'), join(d, 'blobs', 'w2.bin'));
  rmSync(join(d, 'w2'));
  symlinkSync(join('blobs', 'w2.bin'), join(d, 'w2'));
  const m = loadModel(d);
  assert.equal(Array.from(m.params.get('w2')!.data as Float32Array), [-1, -2, -3, -4, -5, -6]);
  // the model dir itself may be reached through a symlink: containment is judged on the resolved dir
  const link = join(tempDir('dir-link'), 'm');
  symlinkSync(d, link);
  assert.equal(Array.from(loadModel(link).params.get('w')!.data as Float32Array), Array.from(W));
});

test('__model__, and the combined layout\'s .pdmodel/.pdiparams, linked out of the dir are refused', () => {
  const d = separateModel('prog-out');
  linkOut(d, '__model__', tempDir('prog-target'));
  expectError(() => loadModel(d), 'unsafe', join(d, '__model__'), 'program file', 'outside the model dir');

  const c = join(tempDir('comb'), 'c');
  saveModel(c, loadModel(separateModel('comb-src')), { layout: 'combined' });
  const far = tempDir('comb-target');
  for (const f of ['model.pdiparams', 'model.pdmodel']) {
    linkOut(c, f, far);
    expectError(() => loadModel(c), 'unsafe', join(c, f), 'outside the model dir');
    rmSync(join(c, f));
    copyFileSync(join(far, f), join(c, f));
  }
  assert.is(loadModel(c).params.size, 2);
  // files the user names by path are the user's choice: a [program, params] pair from two dirs still loads
  const m = loadModel([join(c, 'model.pdmodel'), join(far, 'model.pdiparams')]);
  assert.is(m.params.size, 2);
});

test('a directory where a parameter file belongs is refused as not a regular file', () => {
  const d = separateModel('dir');
  rmSync(join(d, 'w2'));
  mkdirSync(join(d, 'w2'));
  expectError(() => loadModel(d), 'io', join(d, 'w2'), 'var w2', 'directory');
});

test('a FIFO as a parameter file, as __model__ and as a dataset is refused at once, without blocking', () => {
  if (!canFifo()) { skipTest('mkfifo is not available here'); return; }
  const d = separateModel('fifo');
  rmSync(join(d, 'w2'));
  mkfifo(join(d, 'w2'));
  const r1 = loadInChild('model', d);
  assert.not.ok(r1.timedOut, `loading a model with a FIFO parameter file hung (killed after 20 s): ${r1.out}`);
  assert.is(r1.status, 3, r1.out);
  assert.match(r1.out, /^io: .*\/w2: parameter file for var w2 is a FIFO/m);

  const p = separateModel('fifo-prog');
  rmSync(join(p, '__model__'));
  mkfifo(join(p, '__model__'));
  const r2 = loadInChild('model', p);
  assert.not.ok(r2.timedOut, `loading a FIFO __model__ hung: ${r2.out}`);
  assert.match(r2.out, /^io: .*__model__: program file is a FIFO/m);

  const ds = join(tempDir('fifo-ds'), 'val.bin');
  mkfifo(ds);
  const r3 = loadInChild('dataset', ds);
  assert.not.ok(r3.timedOut, `opening a FIFO dataset hung: ${r3.out}`);
  assert.match(r3.out, /^io: .*val\.bin: dataset is a FIFO/m);
});

test('a dataset reached through a symlink the user named still opens (the user chose that path)', () => {
  const t = tempDir('ds-link');
  writeDataset(join(t, 'real.bin'), new Float32Array(2 * 12).fill(0.5), [3, 4], 12);
  symlinkSync(join(t, 'real.bin'), join(t, 'link.bin'));
  const r = openDataset(join(t, 'link.bin'), { chw: 12 });
  assert.is(r.n, 2);
  assert.equal(r.readLabels(0, 2), [3, 4]);
  r.close();
  assert.is(readFileSync(join(t, 'link.bin')).length, 8 + 2 * 12 * 4 + 16);
});

test('qdeploy info and run exit 1 with one line on a parameter file linked out of the model dir', () => {
  const d = separateModel('cli-sym');
  const outside = linkOut(d, 'w', tempDir('cli-sym-target'));
  const input = join(tempDir('cli-sym-in'), 'x.f32');
  writeFileSync(input, new Uint8Array(new Float32Array([1, 2, 3]).buffer));
  for (const args of [['info', d], ['run', d, '--input', input]]) {
    const r = qd(args);
    assert.is(r.code, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
    assert.match(oneLineError(r), new RegExp(`^qdeploy: error: ${join(d, 'w')}: parameter file for var w is a symlink to .*, outside the model dir`));
  }
  // the same dir with the file copied in runs
  rmSync(join(d, 'w'));
  copyFileSync(outside, join(d, 'w'));
  assert.is(qd(['run', d, '--input', input, '--top_k', '1']).code, 0);
});

test('an image that is a FIFO (named on the command line or in val_list.txt) is refused without blocking', () => {
  if (!canFifo()) { skipTest('mkfifo is not available here'); return; }
  // an image model: feed [-1,3,8,8] → relu → fetch
  const d = join(tempDir('img-fifo'), 'model');
  const lt = (name: string) => ({ name, type: { type: 7, lod_tensor: { tensor: { data_type: 5, dims: [-1, 3, 8, 8] } } } });
  const slot = (parameter: string, name: string) => [{ parameter, arguments: [name] }];
  saveModel(d, { params: new Map(), program: { blocks: [{ idx: 0, parent_idx: -1,
    vars: [{ name: 'feed', type: { type: 9 }, persistable: true }, { name: 'fetch', type: { type: 10 }, persistable: true }, lt('x'), lt('y')],
    ops: [
      { type: 'feed', inputs: slot('X', 'feed'), outputs: slot('Out', 'x'), attrs: [{ name: 'col', type: 0, i: 0 }] },
      { type: 'relu', inputs: slot('X', 'x'), outputs: slot('Out', 'y'), attrs: [] },
      { type: 'fetch', inputs: slot('X', 'y'), outputs: slot('Out', 'fetch'), attrs: [{ name: 'col', type: 0, i: 0 }] },
    ] }] } });
  const t = tempDir('img-fifo-data');
  mkfifo(join(t, 'a.jpg'));
  writeFileSync(join(t, 'val_list.txt'), 'a.jpg 0\n');
  ensureBuilt();
  const cli = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'qdeploy.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  for (const args of [['run', d, '--input', join(t, 'a.jpg')], ['bench', '--infer_model', d, '--infer_data', t, '--batch_size', '1']]) {
    const r = cli(args);
    assert.is(r.signal, null, `${args[0]} hung on a FIFO image (killed after 30 s)`);
    assert.is(r.status, 1, `${args[0]}: ${r.stderr}`);
    assert.match(oneLineError({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }), /a\.jpg.*: image is a FIFO \(named pipe\), not a regular file$/);
  }
});

test.run();
