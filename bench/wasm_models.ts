// Whole FP32 models on the wasm backend against the reference backend, batch 1, in one process:
//   node -r esbuild-register bench/wasm_models.ts [--rounds 3] [--threads 1]
// Issue #5's whole-model line: SqueezeNet and ShuffleNetV2 FP32 on wasm at least 10x faster than the reference.
// The assets have no ShuffleNetV2; their README names MobileNetV2 and MobileNetV1 as what stands in. Each round
// times the reference once and wasm SIMD128 several times (median of each over all rounds), alternating, so load
// from other processes falls on both. Outputs are checked to agree (relative L2 < 1e-4) before timing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { referenceBackend } from '../src/backends/reference/backend';
import { wasmBackend } from '../src/backends/wasm/backend';
import { loadGraph } from '../src/app/model_io';
import { compile } from '../src/runtime/compile';
import { assetsDir } from '../src/util/assets';

const arg = (k: string, d: string) => { const i = process.argv.indexOf(`--${k}`); return i >= 0 ? process.argv[i + 1] : d; };
const rounds = Math.max(1, Number(arg('rounds', '3')));
const threads = Number(arg('threads', '1'));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const time = (fn: () => void) => { const t0 = performance.now(); fn(); return performance.now() - t0; };
function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number { let n = 0, d = 0; for (let i = 0; i < b.length; i++) { n += (a[i] - b[i]) ** 2; d += b[i] ** 2; } return Math.sqrt(n / d); }

const assets = assetsDir();
if (!assets) { console.log('SKIP: shared assets not found (set QDEPLOY_ASSETS)'); process.exit(0); }
console.log(`qdeploy whole-model bench: node ${process.version}, wasm SIMD128 ${threads} thread(s) vs reference, batch 1, ${rounds} rounds`);
for (const name of ['squeezenet_v1.1', 'mobilenet_v2', 'mobilenet_v1']) {
  const dir = join(assets, 'models', name);
  if (!existsSync(dir)) { console.log(`  ${name}: not in the assets, skipped`); continue; }
  const g = loadGraph(dir);
  const [, c, h, w] = g.mustVar(g.feeds()[0].name, g.feeds()[0].op).dims;
  const input = new Float32Array(c * h * w).map((_, i) => Math.sin(i) * 50);
  const be = wasmBackend({ isa: 'simd128', threads });
  const pw = compile(g, be, { batch: 1 });
  const pr = compile(loadGraph(dir), referenceBackend(), { batch: 1 });
  const r = relL2(pw.run([input])[0].data as Float32Array, pr.run([input])[0].data as Float32Array);
  const tw: number[] = [], tr: number[] = [];
  for (let k = 0; k < rounds; k++) {
    tr.push(time(() => pr.run([input])));
    for (let i = 0; i < 7; i++) tw.push(time(() => pw.run([input])));
  }
  const ratio = median(tr) / median(tw);
  console.log(`  ${name.padEnd(16)} reference ${median(tr).toFixed(0).padStart(5)} ms, wasm ${median(tw).toFixed(1).padStart(6)} ms: ${ratio.toFixed(1)}x  ${ratio >= 10 ? 'MET ' : 'MISS'} (>= 10x); outputs agree: relative L2 ${r.toExponential(1)}${r < 1e-4 ? '' : ' (TOO FAR)'}`);
  pw.dispose(); pr.dispose(); be.dispose();
}
