// val_list.txt parsing (spec §5.4): `<path> <label>` per line, joined with the data dir as os.path.join does;
// labels outside 0..999, non-integer labels, short lines and a missing list give errors naming file and line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseValList, readValList } from '../../src/data/val_list';
import { QdeployError } from '../../src/util/errors';
import { tempDir } from './helpers';

const dir = tempDir('vallist');

function expectError(fn: () => unknown, re: RegExp): void {
  try { fn(); } catch (e) {
    if (!(e instanceof QdeployError)) throw e;
    assert.match(e.message, re);
    assert.not.match(e.message, /\n/);
    return;
  }
  assert.unreachable(`no error (expected ${re})`);
}

test('lines, whitespace, blank lines, CRLF, absolute paths, limit', () => {
  const text = 'val/a.JPEG 0\r\n\n  val/b.JPEG\t999  \n/abs/c.jpg 17 extra\n';
  const e = parseValList(text, '/data', 'list.txt');
  assert.equal(e.map((x) => [x.rel, x.path, x.label, x.line]), [
    ['val/a.JPEG', '/data/val/a.JPEG', 0, 1],
    ['val/b.JPEG', '/data/val/b.JPEG', 999, 3],
    ['/abs/c.jpg', '/abs/c.jpg', 17, 4],
  ]);
  assert.is(parseValList(text, '/data', 'list.txt', { limit: 2 }).length, 2);
});

test('bad lines name the file and the line', () => {
  expectError(() => parseValList('a.jpg 1\nb.jpg 1000\n', '/d', 'val_list.txt'), /^val_list\.txt:2: label 1000 of b\.jpg is outside 0\.\.999$/);
  expectError(() => parseValList('a.jpg -1\n', '/d', 'L'), /^L:1: label -1 of a\.jpg is outside 0\.\.999$/);
  expectError(() => parseValList('a.jpg 1\nb.jpg x3\n', '/d', 'L'), /^L:2: label 'x3' of b\.jpg is not an integer$/);
  expectError(() => parseValList('\n\nonly_a_path.jpg\n', '/d', 'L'), /^L:3: expected '<path> <label>', got 'only_a_path\.jpg'$/);
  expectError(() => parseValList('a.jpg 1.5\n', '/d', 'L'), /not an integer/);
  assert.is(parseValList('a.jpg 7\n', '/d', 'L', { numClasses: 8 })[0].label, 7);
});

test('readValList: relative to data_dir, missing or empty list', () => {
  writeFileSync(join(dir, 'val_list.txt'), 'val/x.JPEG 3\n');
  const e = readValList(dir);
  assert.equal(e[0].path, join(dir, 'val/x.JPEG'));
  expectError(() => readValList(dir, 'nope.txt'), /cannot read label list .*nope\.txt: no such file/);
  writeFileSync(join(dir, 'empty.txt'), '\n\n');
  expectError(() => readValList(dir, 'empty.txt'), /label list .*empty\.txt has no entries/);
});

test.run();
