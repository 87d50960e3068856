// Builds the AssemblyScript kernels (wasm/assembly/*.ts) into wasm/build/qdeploy_simd128.wasm and
// wasm/build/qdeploy_relaxed.wasm (SIMD128 + relaxed SIMD), only when a source or this script is newer than
// the outputs (or with --force). Called by scripts/build.mjs; tests and the backend load the outputs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = join(root, 'wasm');
const targets = { simd128: 'build/qdeploy_simd128.wasm', relaxed: 'build/qdeploy_relaxed.wasm' };

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const srcTime = Math.max(newest(join(wasmDir, 'assembly')), statSync(join(wasmDir, 'asconfig.json')).mtimeMs,
  statSync(fileURLToPath(import.meta.url)).mtimeMs);
const force = process.argv.includes('--force');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
if (!existsSync(asc)) {
  console.error('[build-wasm] assemblyscript is not installed (npm install); wasm kernels not built');
  process.exit(existsSync(join(wasmDir, targets.simd128)) ? 0 : 1);
}
for (const [target, out] of Object.entries(targets)) {
  const file = join(wasmDir, out);
  if (!force && existsSync(file) && statSync(file).mtimeMs >= srcTime) continue;
  execFileSync(process.execPath, [asc, 'assembly/index.ts', '--config', 'asconfig.json', '--target', target], { cwd: wasmDir, stdio: 'inherit' });
  console.log(`[build-wasm] wasm/${out}`);
}
