// The wasm backend of this checkout against another checkout's (a build before a refactor), in one process:
//   node -r esbuild-register bench/wasm_ab.ts --base /path/to/other/checkout [--ms 3000] [--threads 1] [--only ResNet]
// (the other checkout built: its wasm/build is found next to its sources). Per model / layer, the two plans run in
// ABBA order until --ms has passed; prints the median ms of each, new/old and whether the outputs are byte-identical.
// Run --base at this checkout too (A/A) to see the machine's noise: on a loaded machine it swamps a few percent.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { wasmBackend, type WasmOptions } from '../src/backends/wasm/backend';
import type { Backend } from '../src/runtime/backend';
import { compile } from '../src/runtime/compile';
import { loadGraph } from '../src/app/model_io';
import { assetsDir } from '../src/util/assets';
import { LAYERS, layerGraph } from './wasm_layers_lib';

const arg = (k: string, d: string) => { const i = process.argv.indexOf(`--${k}`); return i >= 0 ? process.argv[i + 1] : d; };
const base = arg('base', '');
if (!base || !existsSync(join(base, 'src', 'backends', 'wasm', 'backend.ts'))) { console.log('usage: --base <checkout with src/backends/wasm/backend.ts>'); process.exit(2); }
const ms = Number(arg('ms', '3000')), threads = Number(arg('threads', '1')), only = arg('only', '');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const oldBe = (require(resolve(base, 'src', 'backends', 'wasm', 'backend')) as { wasmBackend(o: WasmOptions): Backend }).wasmBackend;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const A = oldBe({ isa: 'simd128', threads }), B = wasmBackend({ isa: 'simd128', threads });

type Job = { name: string; mk: () => { g: ReturnType<typeof loadGraph>; input: Float32Array | Uint8Array } };
const jobs: Job[] = [];
const assets = assetsDir();
// the legacy 8-bit models time their dynamic quantize/dequantize ops (wasm kernels since the reference bridge went)
for (const m of assets && !only ? ['squeezenet_v1.1', 'mobilenet_v1', 'mobilenet_v2', 'squeezenet_v1.1_8bit', 'mobilenet_v1_8bit', 'mobilenet_v2_8bit'] : []) {
  jobs.push({ name: `${m} ${m.endsWith('_8bit') ? 'legacy int8' : 'fp32'}`, mk: () => {
    const g = loadGraph(join(assets!, 'models', m));
    const [, c, h, w] = g.mustVar(g.feeds()[0].name, g.feeds()[0].op).dims;
    return { g, input: new Float32Array(c * h * w).map((_, i) => Math.sin(i) * 50) };
  } });
}
for (const l of LAYERS.filter((x) => !only || x.name.includes(only))) {
  for (const int8 of [true, false]) jobs.push({ name: `${l.name} ${int8 ? 'int8' : 'fp32'}`, mk: () => { const { g, input } = layerGraph(l, int8, 1); return { g, input: input.data as Float32Array | Uint8Array }; } });
}
const ratios: number[] = [];
const bytes = (t: { data: ArrayBufferView }) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
for (const j of jobs) {
  const a = j.mk(), b = j.mk();
  const pa = compile(a.g, A, { batch: 1 }), pb = compile(b.g, B, { batch: 1 });
  const same = bytes(pa.run([a.input])[0]).equals(bytes(pb.run([b.input])[0]));
  const ta: number[] = [], tb: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < ms || ta.length < 5) {
    const order = ta.length % 2 === 0 ? [[pa, ta, a], [pb, tb, b]] as const : [[pb, tb, b], [pa, ta, a]] as const;
    for (const [p, t, x] of order) { const s = performance.now(); p.run([x.input]); t.push(performance.now() - s); }
  }
  const r = median(tb) / median(ta);
  ratios.push(r);
  console.log(`${j.name.padEnd(36)} base ${median(ta).toFixed(3).padStart(9)} ms  this ${median(tb).toFixed(3).padStart(9)} ms  this/base ${r.toFixed(3)}  runs ${ta.length}  outputs ${same ? 'identical' : 'DIFFER'}`);
  pa.dispose(); pb.dispose();
}
console.log(`geometric mean this/base over ${ratios.length}: ${Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length).toFixed(3)}`);
A.dispose?.(); B.dispose();
