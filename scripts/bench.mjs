// `npm run bench -- NAME [flags]` runs bench/NAME (.ts through esbuild-register, .mjs as is); with no NAME it lists
// the benchmarks with the first line of each one's header comment. Benchmarks are never tests: they print figures
// (medians, ratios against a peer in the same run) for a person to read.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'bench');
const runnable = readdirSync(dir).filter((f) => (f.endsWith('.ts') && !f.endsWith('_lib.ts') && f !== 'wasm_onnx.ts') || f.endsWith('.mjs')).sort();
const [name, ...rest] = process.argv.slice(2);
if (!name) {
  console.log('usage: npm run bench -- NAME [flags]   (flags: see the header comment of bench/NAME)\n');
  for (const f of runnable) {
    const first = readFileSync(join(dir, f), 'utf8').split('\n').find((l) => l.startsWith('//'))?.replace(/^\/\/\s*/, '') ?? '';
    console.log(`  ${f.replace(/\.(ts|mjs)$/, '').padEnd(16)} ${first}`);
  }
  process.exit(0);
}
const file = runnable.find((f) => f.replace(/\.(ts|mjs)$/, '') === name.replace(/\.(ts|mjs)$/, ''));
if (!file) {
  process.stderr.write(`bench: error: no benchmark '${name}' (have: ${runnable.map((f) => f.replace(/\.(ts|mjs)$/, '')).join(', ')})\n`);
  process.exit(2);
}
const args = file.endsWith('.ts') ? ['-r', 'esbuild-register', join(dir, file), ...rest] : [join(dir, file), ...rest];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
