// Runs every test/**/*.test.ts in its own node process (isolation: one crash cannot hide the rest),
// two at a time, and ends with the line CI reads: `N passed, N failed, N skipped`.
// Usage: node scripts/test.mjs [substring filter ...]
import { readdirSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { cpus } from 'node:os';

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

const files = walk(join(root, 'test')).sort()
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)));
const jobs = Math.max(1, Math.min(cpus().length, Number(process.env.QDEPLOY_TEST_JOBS || 2)));
let passed = 0, failed = 0, skipped = 0;
const failedFiles = [];

function runOne(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--max-old-space-size=6144', '-r', 'esbuild-register', file], {
      cwd: root, env: { ...process.env, FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const num = (k) => { const m = out.match(new RegExp(`${k}:\\s+(\\d+)`)); return m ? Number(m[1]) : 0; };
      const total = num('Total'), s0 = num('Skipped');
      // tests that returned early through test/skip.ts skipTest() print a marker: uvu counted them as passed
      const early = out.split('\n').filter((l) => l.trim() === '[qdeploy:test-skipped]').length;
      const f = Math.max(total - num('Passed') - s0, 0) + (code !== 0 && total - num('Passed') - s0 <= 0 ? 1 : 0);
      const p = Math.max(num('Passed') - early, 0), s = s0 + Math.min(early, num('Passed'));
      passed += p; skipped += s; failed += f;
      const rel = relative(root, file);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      // Show the test's own lines that explain skips and failures; keep passing output short.
      const notes = out.split('\n').filter((l) => /SKIP|skip:|FAIL|✘|Error|error|assert/i.test(l)).slice(0, 60);
      console.log(`${f ? 'FAIL' : 'ok  '} ${rel} (${p} passed${s ? `, ${s} skipped` : ''}${f ? `, ${f} failed` : ''}, ${secs}s)`);
      if (f) { failedFiles.push(rel); console.log(out.split('\n').map((l) => '     ' + l).join('\n')); }
      else for (const n of notes) if (/SKIP|skip:/.test(n)) console.log('     ' + n.trim());
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(Array.from({ length: jobs }, async () => { while (queue.length) await runOne(queue.shift()); }));
if (failedFiles.length) console.log('failed files: ' + failedFiles.join(', '));
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
