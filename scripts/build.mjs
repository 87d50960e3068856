// Build everything the tool runs: the CLI bundle (esbuild) and, where their scripts exist, the wasm
// kernels and the native addon. Each step is skipped when its outputs are newer than its sources.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// Optional sub-builds owned by their own scripts (wasm kernels, native addon).
for (const s of ['build-wasm.mjs', 'build-native.mjs']) {
  const p = join(root, 'scripts', s);
  if (existsSync(p)) execSync(`node ${JSON.stringify(p)}`, { cwd: root, stdio: 'inherit' });
}

// The CLI bundle, and the preprocessing worker's entry beside it: worker threads load it as a file
// (src/data/worker_pool.ts finds it next to the bundle through import.meta.url).
const entries = [
  [join(root, 'src', 'cli', 'main.ts'), join(root, 'dist', 'qdeploy.mjs')],
  [join(root, 'src', 'data', 'preprocess_worker.ts'), join(root, 'dist', 'preprocess_worker.mjs')],
];
const srcTime = Math.max(newest(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs);
for (const [entry, out] of entries) {
  if (existsSync(out) && statSync(out).mtimeMs >= srcTime && !process.argv.includes('--force')) continue;
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // Native and large packages stay external: sharp loads its own binary, protobufjs is plain JS.
    external: ['sharp', 'onnxruntime-web', 'onnxruntime-node'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  console.log(`[build] dist/${basename(out)}`);
}
