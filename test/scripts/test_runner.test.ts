// scripts/test.mjs gives each test file a private TMPDIR and fails the file that leaves anything there,
// naming the file and the path; the run's own temp dir is gone afterwards. Fixtures stand in for test files
// (plain scripts printing uvu's summary lines, so they need nothing installed next to them).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../tmp';

const root = resolve(__dirname, '..', '..');
const uvuSummary = "console.log('\\n  Total:     1\\n  Passed:    1\\n  Skipped:   0\\n');";

/** the runner on the fixtures in `dir`, in a TMPDIR of its own (empty afterwards if the runner cleaned up) */
function runnerEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, QDEPLOY_TEST_DIR: dir, QDEPLOY_TEST_JOBS: '1', TMPDIR: tempDir('runner-tmp') };
}

function runRunner(dir: string) {
  const env = runnerEnv(dir);
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'test.mjs')], { cwd: root, env, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, tmp: env.TMPDIR! };
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
  const r = runRunner(dir);
  assert.is(r.code, 1, r.out);
  assert.match(r.out, /^ok {3}\S*clean\.test\.ts \(1 passed/m);
  assert.match(r.out, /^FAIL \S*leaks\.test\.ts \(1 passed, 1 failed/m);
  assert.match(r.out, /\S*leaks\.test\.ts left in its temp dir: qdeploy-leak-\w{6}\/ \(5 B\)/);
  assert.match(r.out, /\n2 passed, 1 failed, 0 skipped\n$/);
  // the runner removed its private dirs, leftovers included
  assert.equal(readdirSync(r.tmp), []);
});

test('nothing left: the run passes', () => {
  const dir = tempDir('runner-fixtures-clean');
  writeFileSync(join(dir, 'a.test.ts'), uvuSummary);
  const r = runRunner(dir);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /\n1 passed, 0 failed, 0 skipped\n$/);
  assert.not.match(r.out, /left in its temp dir/);
  assert.equal(readdirSync(r.tmp), []);
});

test('Ctrl-C: the running file gets the signal, no other starts, the run\'s temp dir is removed, exit 130', async () => {
  const dir = tempDir('runner-fixtures-sigint');
  // a.test.ts fills its temp dir and waits; b.test.ts would start after it
  writeFileSync(join(dir, 'a.test.ts'), `
    import { mkdtempSync, writeFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    writeFileSync(join(mkdtempSync(join(tmpdir(), 'qdeploy-slow-')), 'x'), 'x');
    console.log('started');
    setTimeout(() => {}, 60000);`);
  writeFileSync(join(dir, 'b.test.ts'), uvuSummary);
  const env = runnerEnv(dir), tmp = env.TMPDIR!;
  const child = spawn(process.execPath, [join(root, 'scripts', 'test.mjs')], { cwd: root, env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  // the runner's temp dir holds a.test.ts's once it has started
  const started = () => readdirSync(tmp).some((r) => readdirSync(join(tmp, r)).some((f) => readdirSync(join(tmp, r, f)).length));
  for (let i = 0; i < 200 && !started(); i++) await new Promise((res) => setTimeout(res, 50));
  assert.ok(started(), out);
  const code = await new Promise<number | null>((res) => { child.on('close', (c) => res(c)); child.kill('SIGINT'); });
  assert.is(code, 130, out);
  assert.match(out, /interrupted: 1 file\(s\) not run/);
  assert.equal(readdirSync(tmp), []);
});

test.run();
