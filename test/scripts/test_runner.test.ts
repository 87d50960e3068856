// scripts/test.mjs gives each test file a private TMPDIR and fails the file that leaves anything there,
// naming the file and the path; the run's own temp dir is gone afterwards. Fixtures stand in for test files
// (plain scripts printing uvu's summary lines, so they need nothing installed next to them).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tempDir } from '../tmp';

const root = resolve(__dirname, '..', '..');
const uvuSummary = "console.log('\\n  Total:     1\\n  Passed:    1\\n  Skipped:   0\\n');";

function runRunner(dir: string) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'test.mjs')], {
    cwd: root, env: { ...process.env, QDEPLOY_TEST_DIR: dir, QDEPLOY_TEST_JOBS: '1' }, encoding: 'utf8',
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('a file that leaves a temp dir fails as a counted failure naming file and path; a clean file passes', () => {
  const dir = tempDir('runner-fixtures');
  // leaks: a temp dir with 5 bytes in it, under the TMPDIR the runner gave it
  writeFileSync(join(dir, 'leaks.test.ts'), `
    import { mkdtempSync, writeFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const d = mkdtempSync(join(tmpdir(), 'qdeploy-leak-'));
    writeFileSync(join(d, 'x.bin'), 'abcde');
    ${uvuSummary}`);
  // clean: makes and removes its own temp file
  writeFileSync(join(dir, 'clean.test.ts'), `
    import { mkdtempSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    rmSync(mkdtempSync(join(tmpdir(), 'qdeploy-ok-')), { recursive: true });
    ${uvuSummary}`);
  const before = readdirSync(tmpdir()).sort();
  const r = runRunner(dir);
  assert.is(r.code, 1, r.out);
  assert.match(r.out, /^ok {3}\S*clean\.test\.ts \(1 passed/m);
  assert.match(r.out, /^FAIL \S*leaks\.test\.ts \(1 passed, 1 failed/m);
  assert.match(r.out, /\S*leaks\.test\.ts left in its temp dir: qdeploy-leak-\w{6}\/ \(5 B\)/);
  assert.match(r.out, /\n2 passed, 1 failed, 0 skipped\n$/);
  // the runner removed its private dirs, leftovers included
  assert.equal(readdirSync(tmpdir()).sort(), before);
});

test('nothing left: the run passes', () => {
  const dir = tempDir('runner-fixtures-clean');
  writeFileSync(join(dir, 'a.test.ts'), uvuSummary);
  const r = runRunner(dir);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /\n1 passed, 0 failed, 0 skipped\n$/);
  assert.not.match(r.out, /left in its temp dir/);
});

test.run();
