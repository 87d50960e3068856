// Runs bench/onednn_layers.cc (direct oneDNN, the native backend's peer) once per ISA cap, pinned to the first
// --threads cores with OMP_NUM_THREADS set, after building it with the system g++ against Debian's libdnnl-dev
// (apt-get install -y libdnnl-dev) when the source is newer than the binary. Not a test.
//   node bench/onednn_layers.mjs [--max_isa all,avx512_core_vnni,avx512_core,avx2] [--threads 1] [--batches 1,50]
//        [--budget_ms 400]
// Caps above what the CPU has run at the CPU's own level (oneDNN reports the effective ISA in each header line).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'onednn_layers.cc');
const bin = join(here, 'build', 'onednn_layers');
const argv = process.argv.slice(2);
const flag = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] ? argv[i + 1] : dflt; };
const die = (msg) => { process.stderr.write(`onednn_layers: error: ${msg}\n`); process.exit(1); };

if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
  mkdirSync(dirname(bin), { recursive: true });
  const cxx = process.env.CXX || 'g++';
  const r = spawnSync(cxx, ['-O2', '-std=c++17', src, '-ldnnl', '-o', bin], { encoding: 'utf8' });
  if (r.error) die(`cannot run ${cxx}: ${r.error.message}`);
  if (r.status !== 0) {
    const first = (r.stderr || '').split('\n').find((l) => /error/.test(l)) ?? 'compile failed';
    die(`${first.trim()}${/dnnl\.hpp/.test(r.stderr) ? ' (apt-get install -y libdnnl-dev)' : ''}`);
  }
}

const threads = Number(flag('--threads', '1'));
if (!Number.isInteger(threads) || threads < 1) die(`--threads must be a positive integer, got ${flag('--threads', '')}`);
const pin = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0
  ? ['taskset', '-c', Array.from({ length: threads }, (_, i) => i).join(',')] : [];
for (const isa of flag('--max_isa', 'all,avx512_core_vnni,avx512_core,avx2').split(',')) {
  const cmd = [...pin, bin, '--max_isa', isa, '--batches', flag('--batches', '1,50'), '--budget_ms', flag('--budget_ms', '400')];
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log('');
}
