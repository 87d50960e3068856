// `qdeploy preprocess` through the built bundle (node scripts/build.mjs; node dist/qdeploy.mjs preprocess ...):
// Paddle's default output path (joined with --data_dir), exit codes 0/1/2, one-line stderr errors without a
// stack trace, and no output file after a failure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { datasetFileSize, openDataset } from '../../src/format/paddle/dataset_bin';
import { makeJpeg, tempDir, tempLeftovers, truncate } from './helpers';

const root = resolve(__dirname, '..', '..');
const bundle = join(root, 'dist', 'qdeploy.mjs');
const dir = tempDir('cli');

const ready = (async () => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'pipe' });
  for (let i = 0; i < 5; i++) await makeJpeg(join(dir, 'val', `p${i}.JPEG`), 300 + 10 * i, 260);
  truncate(join(dir, 'val', 'p1.JPEG'), join(dir, 'val', 'cut.JPEG'));
  writeFileSync(join(dir, 'val_list.txt'), [0, 1, 2, 3, 4].map((i) => `val/p${i}.JPEG ${100 + i}`).join('\n') + '\n');
  writeFileSync(join(dir, 'badlabel.txt'), 'val/p0.JPEG 1\nval/p1.JPEG 1000\n');
  writeFileSync(join(dir, 'cut.txt'), 'val/p0.JPEG 1\nval/cut.JPEG 2\nval/p2.JPEG 3\n');
})();

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bundle, 'preprocess', ...args], { cwd: dir, encoding: 'utf8' });
  const errLines = r.stderr.split('\n').filter((l) => l.startsWith('qdeploy: error:'));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, errLines };
}

function expectFailure(r: ReturnType<typeof cli>, code: number, re: RegExp): void {
  assert.is(r.code, code, r.stderr);
  assert.is(r.errLines.length, 1, r.stderr);
  assert.match(r.errLines[0], re);
  assert.not.match(r.stderr, /^\s+at /m, 'no stack trace');
}

test('defaults: writes imagenet_small.bin inside --data_dir, Paddle layout', async () => {
  await ready;
  const r = cli('--local', '--data_dir', dir, '--quiet');
  assert.is(r.code, 0, r.stderr);
  const out = join(dir, 'imagenet_small.bin');
  assert.match(r.stdout, /wrote .*imagenet_small\.bin: 5 images 3x224x224 float32/);
  assert.is(statSync(out).size, datasetFileSize(5, 3 * 224 * 224));
  const d = openDataset(out, { shape: [-1, 3, 224, 224] });
  assert.equal(d.readLabels(0, 5), [100, 101, 102, 103, 104]);
  d.close();
});

test('kebab-case flags, preset, --limit, absolute --output_file', async () => {
  await ready;
  const out = join(dir, 'sub', 'sq.bin');
  const r = cli('--local', '--data-dir', dir, '--preset', 'caffe_squeezenet', '--limit', '2', '--output-file', out, '--on-error', 'skip');
  assert.is(r.code, 0, r.stderr);
  assert.is(statSync(out).size, datasetFileSize(2, 3 * 227 * 227));
  assert.match(r.stderr, /preprocess: 2\/2 done/); // plain progress lines when stderr is not a TTY
});

test('usage errors exit 2 with one line', async () => {
  await ready;
  expectFailure(cli('--data_dir', dir), 2, /pass --local with --data_dir/);
  expectFailure(cli('--local'), 2, /--data_dir is required/);
  expectFailure(cli('--local', '--data_dir', dir, '--channel_order', 'rgba'), 2, /--channel_order must be one of rgb\|bgr, got 'rgba'/);
  expectFailure(cli('--local', '--data_dir', dir, '--mean', '1,2'), 2, /--mean expects 3 numbers/);
  expectFailure(cli('--local', '--data_dir', dir, '--data_dim', '300'), 2, /--data_dim 300 is larger than --resize_short 256/);
});

test('data errors exit 1 with one line naming the file; no output left', async () => {
  await ready;
  const out1 = join(dir, 'o1.bin');
  expectFailure(cli('--local', '--data_dir', dir, '--label_list', 'badlabel.txt', '--output_file', out1), 1,
    /badlabel\.txt:2: label 1000 of val\/p1\.JPEG is outside 0\.\.999/);
  assert.not.ok(existsSync(out1));
  const out2 = join(dir, 'o2.bin');
  expectFailure(cli('--local', '--data_dir', dir, '--label_list', 'cut.txt', '--output_file', out2), 1,
    /^qdeploy: error: image .*cut\.JPEG \(.*cut\.txt:2\): cannot decode image/);
  assert.not.ok(existsSync(out2));
  assert.equal(tempLeftovers(dir), []);
  const skip = cli('--local', '--data_dir', dir, '--label_list', 'cut.txt', '--output_file', out2, '--on_error', 'skip');
  assert.is(skip.code, 0, skip.stderr);
  assert.match(skip.stderr, /qdeploy: warning: skipping image .*cut\.JPEG/);
  assert.match(skip.stdout, /2 images .*1 skipped/);
});

test('--help', async () => {
  await ready;
  const r = cli('--help');
  assert.is(r.code, 0);
  assert.match(r.stdout, /--output_file .*imagenet_small\.bin/);
  assert.match(r.stdout, /caffe_squeezenet/);
});

test.run();
