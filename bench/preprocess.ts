// Preprocessing throughput: qdeploy (sharp resampler and the PIL-identical JS resampler) on 1 and 2 cores beside
// Paddle's own PIL pipeline (spec §5.2, re-implemented inline below) on the same 50 images of assets/data.
// Not a test.   node -r esbuild-register bench/preprocess.ts [--rounds 3] [--reps 3]
// Each configuration runs in its own process pinned with taskset (when present) to the given cores, with
// UV_THREADPOOL_SIZE = cores; each rep preprocesses all 50 images from disk into memory (file read + decode +
// resize + crop + normalise), after one warm-up pass. PIL needs Debian's python3-pil and python3-numpy:
//   apt-get update && apt-get install -y python3-pil python3-numpy
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureThreads, defaultConcurrency, preprocessEntries } from '../src/data/pipeline';
import { Preprocessor, preprocessOptions, type ResampleImpl } from '../src/data/preprocess';
import { readValList } from '../src/data/val_list';
import { assetsDir } from '../src/util/assets';

const argv = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const PIL_SCRIPT = `
import sys, time, json
import numpy as np
from PIL import Image
reps = int(sys.argv[1]); dump = sys.argv[2]; files = sys.argv[3:]
mean = np.array([0.485, 0.456, 0.406]).reshape((3, 1, 1))
std = np.array([0.229, 0.224, 0.225]).reshape((3, 1, 1))
def prep(path):
    im = Image.open(path)
    k = 256.0 / min(im.size)
    w, h = int(round(im.size[0] * k)), int(round(im.size[1] * k))
    im = im.resize((w, h), Image.LANCZOS)
    x0, y0 = (w - 224) // 2, (h - 224) // 2
    im = im.crop((x0, y0, x0 + 224, y0 + 224))
    if im.mode != 'RGB':
        im = im.convert('RGB')
    a = np.array(im).astype('float32').transpose((2, 0, 1)) / 255
    a -= mean
    a /= std
    return a
out = [prep(f) for f in files]
if dump != '-':
    np.concatenate([a.reshape(-1) for a in out]).astype('float32').tofile(dump)
rates = []
for r in range(reps):
    t0 = time.perf_counter()
    for f in files:
        prep(f)
    rates.append(len(files) / (time.perf_counter() - t0))
print(json.dumps({"rates": rates}))
`;

async function worker(): Promise<void> {
  const resample = flag('--worker', 'sharp') as ResampleImpl;
  const reps = Number(flag('--reps', '7'));
  const threads = Number(flag('--threads', '1'));
  configureThreads(threads);
  const entries = readValList(join(assetsDir()!, 'data'));
  const pre = new Preprocessor(preprocessOptions('imagenet', { resample }));
  const dump = flag('--dump', '-');
  const all = new Float32Array(entries.length * pre.chw);
  for await (const r of preprocessEntries(entries, pre, { concurrency: defaultConcurrency() })) all.set(r.image, r.index * pre.chw);
  if (dump !== '-') (await import('node:fs')).writeFileSync(dump, new Uint8Array(all.buffer));
  const rates: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    let n = 0;
    for await (const _ of preprocessEntries(entries, pre, { concurrency: defaultConcurrency() })) n++;
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  process.stdout.write(JSON.stringify({ rates }) + '\n');
}

function pinned(cores: number): string[] {
  try { execFileSync('taskset', ['-V'], { stdio: 'ignore' }); } catch { return []; }
  return ['taskset', '-c', Array.from({ length: cores }, (_, i) => i).join(',')];
}

function runJson(cmd: string[], env: NodeJS.ProcessEnv): { rates: number[] } {
  const r = spawnSync(cmd[0], cmd.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function findPython(): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import PIL, numpy; print(PIL.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

function madOf(a: Float32Array, b: Float32Array): [number, number] {
  let s = 0, m = 0;
  for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); s += d; if (d > m) m = d; }
  return [s / a.length, m];
}
const readF32 = (p: string) => { const b = readFileSync(p); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };

async function main(): Promise<void> {
  if (argv.includes('--worker')) return worker();
  const assets = assetsDir();
  if (!assets || !existsSync(join(assets, 'data', 'val_list.txt'))) { console.log('SKIP: assets/data not found (set QDEPLOY_ASSETS)'); return; }
  const reps = flag('--reps', '3');
  const entries = readValList(join(assets, 'data'));
  const tmp = mkdtempSync(join(tmpdir(), 'qdeploy-bench-pre-'));
  const maxCores = Math.min(2, availableParallelism());
  console.log(`preprocess bench: ${entries.length} images (imagenet preset, 3x224x224), median of ${flag('--rounds', '3')} rounds × ${reps} reps, ` +
    `${availableParallelism()} cores available, pinning: ${pinned(1).length ? 'taskset' : 'none (taskset missing)'}`);

  // Configurations run one after another within each round, and the rounds repeat, so that a change of machine
  // load hits every configuration alike; each figure is the median over all reps of all rounds.
  const rounds = Number(flag('--rounds', '3'));
  const py = findPython();
  if (!py) console.log('SKIP: PIL baseline: no python3 with PIL and numpy (apt-get install -y python3-pil python3-numpy)');
  type Config = { name: string; cores: number; rates: number[]; cmd: (dump: string) => string[]; env: NodeJS.ProcessEnv; dump: string };
  const configs: Config[] = [];
  if (py) {
    configs.push({ name: 'PIL + NumPy (Paddle pipeline)', cores: 1, rates: [], env: {}, dump: join(tmp, 'python_pil.f32'),
      cmd: (dump) => [...pinned(1), py, '-c', PIL_SCRIPT, reps, dump, ...entries.map((e) => e.path)] });
  }
  for (const impl of ['sharp', 'pil'] as const) {
    for (let cores = 1; cores <= maxCores; cores++) {
      configs.push({ name: `qdeploy --resample ${impl}`, cores, rates: [], env: { UV_THREADPOOL_SIZE: String(cores) },
        dump: cores === 1 ? join(tmp, `qdeploy_${impl}.f32`) : '-',
        cmd: (dump) => [...pinned(cores), process.execPath, '-r', 'esbuild-register', __filename, '--worker', impl,
          '--threads', String(cores), '--reps', reps, '--dump', dump] });
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const c of configs) c.rates.push(...runJson(c.cmd(round === 0 ? c.dump : '-'), c.env).rates);
  }
  const rows = configs.map((c) => ({ name: c.name, cores: c.cores, rate: median(c.rates) }));
  const pil = py ? rows[0].rate : undefined;
  const dumps: Record<string, string> = { sharp: join(tmp, 'qdeploy_sharp.f32'), pil: join(tmp, 'qdeploy_pil.f32') };
  console.log(`${'pipeline'.padEnd(32)} cores   img/s   img/s/core   ×PIL/core`);
  for (const r of rows) {
    const ratio = pil ? (r.rate / r.cores / pil).toFixed(2) : '-';
    console.log(`${r.name.padEnd(32)} ${String(r.cores).padStart(5)} ${r.rate.toFixed(1).padStart(7)} ${(r.rate / r.cores).toFixed(1).padStart(12)} ${ratio.padStart(11)}`);
  }
  if (py) {
    const ref = readF32(join(tmp, 'python_pil.f32'));
    for (const impl of ['sharp', 'pil']) {
      const [m, x] = madOf(readF32(dumps[impl]), ref);
      console.log(`agreement with PIL on all ${entries.length} images, --resample ${impl}: MAD ${m.toExponential(3)}, max |diff| ${x.toExponential(3)} (normalised units)`);
    }
    const sharp1 = rows.find((r) => r.name.endsWith('sharp') && r.cores === 1)!;
    console.log(`target ≥ 2× PIL per core: --resample sharp on 1 core = ${(sharp1.rate / pil!).toFixed(2)}× → ${sharp1.rate / pil! >= 2 ? 'met' : 'NOT met'}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
