// Runs every test/**/*.test.ts in its own node process (isolation: one crash cannot hide the rest),
// two at a time, and ends with the line CI reads: `N passed, N failed, N skipped`.
// Each file runs with TMPDIR set to a fresh private dir; whatever a file leaves there (it and the CLI
// processes it starts) is named and counted as one failure of that file, then removed.
// Usage: node scripts/test.mjs [substring filter ...]
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { cpus, tmpdir } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// QDEPLOY_TEST_DIR: another folder of *.test.ts (test/scripts/test_runner.test.ts runs fixtures that way)
const files = walk(process.env.QDEPLOY_TEST_DIR ?? join(root, 'test')).sort()
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)));
const jobs = Math.max(1, Math.min(cpus().length, Number(process.env.QDEPLOY_TEST_JOBS || 2)));
let passed = 0, failed = 0, skipped = 0;
const failedFiles = [];
const leaks = [];

// The run's own temp dir (in the real one), removed at the end, on Ctrl-C and on SIGTERM: the running test
// files get the signal, no new one starts, and the dir goes once they have ended (5 s at most).
const runTmp = mkdtempSync(join(tmpdir(), 'qdeploy-test-run-'));
const children = new Set();
let stopping = 0; // the exit code once a signal came
process.on('exit', () => rmSync(runTmp, { recursive: true, force: true }));
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(sig, () => {
    stopping = code;
    for (const c of children) c.kill(sig);
    const t0 = Date.now();
    setInterval(() => { if (children.size === 0 || Date.now() - t0 > 5000) process.exit(code); }, 50);
  });
}

const human = (n) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);
/** bytes under a path (links not followed) */
function sizeOf(p) {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(p)) n += sizeOf(join(p, e));
  return n;
}
/** what a test file left in its TMPDIR, one entry per top-level path: `name/ (1.2 MiB)` */
function leftovers(dir) {
  return readdirSync(dir).sort().map((e) => {
    const p = join(dir, e);
    return `${e}${lstatSync(p).isDirectory() ? '/' : ''} (${human(sizeOf(p))})`;
  });
}

function runOne(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const rel = relative(root, file);
    const fileTmp = join(runTmp, rel.replace(/[\\/.]+/g, '_'));
    mkdirSync(fileTmp);
    const child = spawn(process.execPath, ['--max-old-space-size=6144', '-r', 'esbuild-register', file], {
      cwd: root, env: { ...process.env, FORCE_COLOR: '0', TMPDIR: fileTmp, TMP: fileTmp, TEMP: fileTmp },
    });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      children.delete(child);
      const left = leftovers(fileTmp);
      rmSync(fileTmp, { recursive: true, force: true });
      const num = (k) => { const m = out.match(new RegExp(`${k}:\\s+(\\d+)`)); return m ? Number(m[1]) : 0; };
      const total = num('Total'), s0 = num('Skipped');
      // tests that returned early through test/skip.ts skipTest() print a marker: uvu counted them as passed
      const early = out.split('\n').filter((l) => l.trim() === '[qdeploy:test-skipped]').length;
      const fTests = Math.max(total - num('Passed') - s0, 0) + (code !== 0 && total - num('Passed') - s0 <= 0 ? 1 : 0);
      const f = fTests + (left.length ? 1 : 0);
      const p = Math.max(num('Passed') - early, 0), s = s0 + Math.min(early, num('Passed'));
      passed += p; skipped += s; failed += f;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      // Show the test's own lines that explain skips and failures; keep passing output short.
      const notes = out.split('\n').filter((l) => /SKIP|skip:|FAIL|✘|Error|error|assert/i.test(l)).slice(0, 60);
      console.log(`${f ? 'FAIL' : 'ok  '} ${rel} (${p} passed${s ? `, ${s} skipped` : ''}${f ? `, ${f} failed` : ''}, ${secs}s)`);
      if (f) failedFiles.push(rel);
      if (left.length) {
        const line = `${rel} left in its temp dir: ${left.join(', ')}`;
        leaks.push(line);
        console.log(`     ${line}`);
      }
      if (fTests) console.log(out.split('\n').map((l) => '     ' + l).join('\n'));
      else for (const n of notes) if (/SKIP|skip:/.test(n)) console.log('     ' + n.trim());
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(Array.from({ length: jobs }, async () => { while (queue.length && !stopping) await runOne(queue.shift()); }));
if (stopping) { console.log(`interrupted: ${queue.length} file(s) not run`); process.exit(stopping); }
if (leaks.length) console.log(`temp files left behind (each counted as a failure; create them with test/tmp.ts):\n${leaks.map((l) => '  ' + l).join('\n')}`);
if (failedFiles.length) console.log('failed files: ' + failedFiles.join(', '));
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
