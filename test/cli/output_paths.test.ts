// Output paths the user gives that cannot be written (a file where a dir belongs, a dir where a file belongs, a
// path through a file): every command that writes says so in one line naming the path, exits 1, never calls the
// mistake "internal" or shows Node's errno text, and leaves nothing behind. The errno → words table is checked
// directly for the codes a test cannot provoke here (permissions as root, a full disk).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fsErrorReason, userFsError } from '../../src/util/fs_errors';
import { makeJpeg } from '../data/helpers';
import { oneLineError, qd, tmp, type CliResult } from './helpers';

const dir = tmp('output-paths');
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('exit', cleanup);
test.after(cleanup);

const fp32 = join(dir, 'mv1'), quant = join(dir, 'mv1q');
const file = join(dir, 'afile');
const aDir = join(dir, 'adir');
const data = join(dir, 'd.bin');
const S = 32, CHW = 3 * S * S;

/** exit 1, one line naming `path` with `why`, no "internal", no errno spelling (ENOTDIR: ...) */
function refused(r: CliResult, path: string, why: RegExp): void {
  assert.is(r.code, 1, r.stderr);
  const line = oneLineError(r);
  assert.ok(line.includes(path), line);
  assert.match(line, why);
  assert.not.match(line, /internal/);
  assert.not.match(line, /\bE[A-Z]{3,}\b/);
}

const notDir = /is a file, not a directory/;
const isDir = /is a directory/;

test('setup: a 32x32 MobileNetV1, its quant model, a dataset, a plain file and an empty dir', async () => {
  assert.is(qd(['zoo', '--model', 'mobilenet_v1', '--out', fp32, '--image_size', String(S), '--fc_calib_images', '0']).code, 0);
  assert.is(qd(['zoo', '--model', 'mobilenet_v1', '--out', quant, '--image_size', String(S), '--fc_calib_images', '0', '--quant', '--calib_images', '1']).code, 0);
  const b = Buffer.alloc(8 + 2 * CHW * 4 + 2 * 8);
  b.writeBigInt64LE(2n, 0);
  writeFileSync(data, b);
  writeFileSync(file, 'keep me\n');
  mkdirSync(aDir);
  await makeJpeg(join(dir, 'img', 'val', 'a.JPEG'), 64, 48);
  writeFileSync(join(dir, 'img', 'val_list.txt'), 'val/a.JPEG 3\n');
});

test('convert: --int8_model_save_path an existing file, or a path through one (also with --overwrite)', () => {
  refused(qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', file]), file, notDir);
  refused(qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', file, '--overwrite']), file, notDir);
  refused(qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', join(file, 'int8')]), file, notDir);
  refused(qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', join(dir, 'i8'), '--debug', '--debug_dir', file]), file, notDir);
  assert.is(readFileSync(file, 'utf8'), 'keep me\n');
});

test('quantize, save, zoo: the output dir is a file or lies under one', () => {
  refused(qd(['quantize', '--model_dir', fp32, '--data', data, '--save_dir', file]), file, notDir);
  refused(qd(['quantize', '--model_dir', fp32, '--data', data, '--save_dir', join(file, 'q')]), file, notDir);
  refused(qd(['save', fp32, '--out', file]), file, notDir);
  refused(qd(['save', fp32, '--out', join(file, 'x')]), file, notDir);
  refused(qd(['zoo', '--model', 'mobilenet_v1', '--image_size', '32', '--fc_calib_images', '0', '--out', join(file, 'z')]), file, notDir);
  refused(qd(['demo', '--out_dir', file, '--no_real']), file, notDir);
  assert.is(readFileSync(file, 'utf8'), 'keep me\n');
});

test('run --output, bench/compare --report, dot -o, preprocess --output_file: a dir, or a path through a file', () => {
  refused(qd(['run', fp32, '--input', data, '--output', aDir]), aDir, isDir);
  refused(qd(['run', fp32, '--input', data, '--output', join(file, 'o.f32')]), file, notDir);
  refused(qd(['bench', '--infer_model', fp32, '--infer_data', data, '--batch_size', '2', '--report', join(file, 'r.json')]), file, notDir);
  refused(qd(['bench', '--infer_model', fp32, '--infer_data', data, '--batch_size', '2', '--report', aDir]), aDir, isDir);
  refused(qd(['dot', fp32, '-o', aDir]), aDir, isDir);
  refused(qd(['preprocess', '--local', '--data_dir', join(dir, 'img'), '--output_file', join(file, 'x.bin'), '--quiet']), file, notDir);
  refused(qd(['preprocess', '--local', '--data_dir', join(dir, 'img'), '--output_file', aDir, '--quiet']), aDir, isDir);
  assert.equal(readdirSync(aDir), [], 'nothing left in the dir');
  assert.equal(readdirSync(dir).filter((n) => n.includes('.tmp-')), [], 'no temp files left');
});

test('compare --report through a file', () => {
  const int8 = join(dir, 'mv1i');
  assert.is(qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', int8]).code, 0);
  refused(qd(['compare', '--fp32_model', fp32, '--int8_model', int8, '--infer_data', data, '--batch_size', '2', '--report', join(file, 'r.html')]), file, notDir);
});

test('errno → words for codes not provoked here; a Node fs error becomes a one-line io error naming the path', () => {
  const err = (code: string) => Object.assign(new Error(`${code}: raw`), { code, syscall: 'open', path: '/x/y' });
  assert.is(fsErrorReason(err('EACCES')), 'permission denied');
  assert.is(fsErrorReason(err('EPERM')), 'permission denied');
  assert.is(fsErrorReason(err('ENOSPC')), 'no space left on the device');
  assert.is(fsErrorReason(err('EROFS')), 'the file system is read-only');
  assert.is(fsErrorReason(err('EEXIST')), 'it already exists');
  assert.is(fsErrorReason(err('ENOENT')), 'no such file or directory');
  assert.is(fsErrorReason(new Error('plain')), undefined);
  // a real one: mkdir of a path that is a file
  let real: unknown;
  try { mkdirSync(file, { recursive: true }); } catch (e) { real = e; }
  assert.is(fsErrorReason(real), `${file} is a file, not a directory`);
  const e = userFsError(err('ENOSPC'), 'cannot write /out/m');
  assert.is(e?.code, 'io');
  assert.is(e?.message, 'cannot write /out/m: no space left on the device');
  assert.is(userFsError(new TypeError('x'), 'w'), undefined);
});

test.run();
