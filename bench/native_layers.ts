// Layer benchmark of the native (oneDNN) backend against the wasm backend, INT8 and FP32, in one run:
//   node -r esbuild-register bench/native_layers.ts [--threads 1] [--batch 1] [--budget_ms 600] [--rounds 5] [--only 3x3]
//        [--max_isa avx512_core_vnni]
// Median ms per layer (bench/wasm_layers_lib.ts's layers: the spec file's 3×3, 1×1, depthwise and FC) through the
// same compiled one-op plans the runtime uses, so the native figures include the JS call and the layout reorders:
// the runtime's at the plan's edges (INT8: NCHW→NHWC in, back out; steps named reorder_*) and oneDNN's inside an
// op (FP32; counted per run below). 'native INT8 op' runs the INT8 plan's native step alone, on the NHWC tensors
// the reorders left, as it runs between other INT8 ops (bench/onednn_layers.cc is the plain C++ peer). The four configurations of a layer run in interleaved rounds, so load from other processes
// falls on all alike. INT8 ops the native backend declines on the ISA in use (no VNNI: saturation) are reported
// as declined, not timed. Last, the per-op overhead: a 1→1 fc, whose oneDNN work is nil. Not a test.
import { compile } from '../src/runtime/compile';
import { NativeBackend } from '../src/backends/native/backend';
import { wasmBackend } from '../src/backends/wasm/backend';
import type { Backend } from '../src/runtime/backend';
import { LAYERS as ALL, layerGraph, macs } from './wasm_layers_lib';

const arg = (k: string, d: string) => { const i = process.argv.indexOf(`--${k}`); return i >= 0 ? process.argv[i + 1] : d; };
const threads = Number(arg('threads', '1'));
const batch = Number(arg('batch', '1'));
const budget = Number(arg('budget_ms', '600'));
const rounds = Math.max(1, Number(arg('rounds', '5')));
const only = arg('only', '');
const maxIsa = arg('max_isa', '') || undefined;

const native = new NativeBackend({ threads, maxIsa });
const wasm = wasmBackend({ threads });
const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };

interface Cfg { name: string; run?: () => void; t: number[]; kernel: string; dispose?: () => void; declined?: string; reorders?: number; op?: () => void }

function cfg(be: Backend, name: string, l: (typeof ALL)[number], int8: boolean): Cfg {
  const { g, input } = layerGraph(l, int8, batch);
  try {
    const plan = compile(g, be, { batch });
    plan.setInput(0, input.data);
    return {
      name, run: () => plan.execute(), t: [], kernel: plan.steps.map((s) => s.kernel.desc.kernel).join('+'), dispose: () => plan.dispose(),
      op: () => { for (const s of plan.steps) if (s.executor.name !== 'runtime') s.executor.execute(s.kernel, s.io); },
    };
  } catch (e) {
    return { name, t: [], kernel: '', declined: (e as Error).message.replace(/^.*?: /, '').slice(0, 160) };
  }
}

console.log(`native: oneDNN ${native.lib.version}, ISA ${native.lib.effectiveIsa} (CPU best ${native.lib.cpuBest}); wasm: ${wasm.isa}; ${threads} thread(s), batch ${batch}`);
for (const l of ALL.filter((x) => !only || x.name.includes(only))) {
  const ni8 = cfg(native, 'native INT8', l, true);
  const opOnly: Cfg = { name: 'native INT8 op', t: [], kernel: ni8.kernel.replace(/^reorder_\w+\+|\+reorder_\w+$/g, ''), run: ni8.op, declined: ni8.declined };
  ni8.run?.(); // the op alone reads what the input reorder wrote
  const cs = [ni8, opOnly, cfg(native, 'native FP32', l, false), cfg(wasm, 'wasm INT8', l, true), cfg(wasm, 'wasm FP32', l, false)];
  for (let r = 0; r < rounds; r++) {
    for (const c of cs) {
      if (!c.run) continue;
      const r0 = native.reorders(), start = performance.now();
      let n = 0;
      while (n < 2 || (performance.now() - start < budget / rounds && n < 500)) {
        const t0 = performance.now();
        c.run();
        c.t.push(performance.now() - t0);
        n++;
      }
      if (c.name.startsWith('native')) c.reorders = (native.reorders() - r0) / n;
    }
  }
  const ms = (c: Cfg) => (c.t.length ? median(c.t) : NaN);
  console.log(`\n${l.name}  (${((2 * macs(l) * batch) / 1e9).toFixed(3)} GOP per run)`);
  for (const c of cs) {
    if (c.declined) { console.log(`  ${c.name.padEnd(14)} declined: ${c.declined}`); continue; }
    const m = ms(c);
    console.log(`  ${c.name.padEnd(14)} ${m.toFixed(3).padStart(8)} ms  ${((2 * macs(l) * batch) / m / 1e6).toFixed(1).padStart(7)} GOPS  ${c.kernel}${c.reorders !== undefined ? `  (${c.reorders} layout reorders/run)` : ''}`);
  }
  const [ni, , nf, wi, wf] = cs.map(ms);
  console.log(`  native INT8/FP32 speed-up ${(nf / ni).toFixed(2)}x; native vs wasm: INT8 ${(wi / ni).toFixed(2)}x, FP32 ${(wf / nf).toFixed(2)}x`);
  for (const c of cs) c.dispose?.();
}
// the per-op cost of going through JS and the addon: an fc of one input and one output (no layout reorders)
{
  const tiny = { name: 'FC 1→1', kind: 'fc' as const, ic: 1, oc: 1, h: 1, w: 1, k: 1, s: 1, pad: 0, groups: 1 };
  for (const int8 of [true, false]) {
    const c = cfg(native, `native ${int8 ? 'INT8' : 'FP32'}`, tiny, int8);
    if (!c.run) continue;
    for (let i = 0; i < 2000; i++) c.run();
    const t: number[] = [];
    for (let r = 0; r < 20; r++) { const t0 = performance.now(); for (let i = 0; i < 1000; i++) c.run(); t.push((performance.now() - t0)); }
    console.log(`\nper-op overhead (${c.name} fc 1→1, plan.execute through the addon): ${median(t).toFixed(2)} µs per op`);
    c.dispose?.();
  }
}
wasm.dispose();
