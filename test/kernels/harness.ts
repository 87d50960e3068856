// The one kernel suite every backend runs (ggml test-backend-ops style): each data-only case of cases.ts becomes
// a one-op Graph (feed → op → fetch, persistable inputs as params), is compiled with compile() on the backend
// under test (or an ordered backend list, e.g. [wasm, reference], placing each op on the first that takes it) and on
// the reference backend, and the outputs are compared: u8/s8/s32 bit for bit, fp32 with
// max|a − b| <= 1e-5 · max(1, max|ref|).
//
// Another backend adds `test/kernels/<backend>.test.ts`:
//   import { test } from 'uvu';
//   import { kernelSuite } from './harness';
//   kernelSuite(test, myBackend());   // one uvu test per case
//   test.run();
import type { Test } from 'uvu';
import { Graph } from '../../src/graph/graph';
import { Var } from '../../src/graph/var';
import type { AttrValue } from '../../src/graph/op';
import { compile, type Backends } from '../../src/runtime/compile';
import type { Backend } from '../../src/runtime/backend';
import { referenceBackend } from '../../src/backends/reference/backend';
import { allocTyped, numel, type DType, type Tensor } from '../../src/util/dtype';
import { kernelCases, type KernelCase } from './cases';

export type { KernelCase, CaseInput } from './cases';

/** mulberry32: a tiny deterministic PRNG (uniform in [0, 1)) */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** the input tensors of a case, generated from its seed (same values on every backend) */
export function caseInputs(c: KernelCase): Tensor[] {
  const r = rng(c.seed);
  return c.inputs.map((inp) => {
    const n = numel(inp.dims);
    const data = allocTyped(inp.dtype, n);
    const d = data as unknown as { [i: number]: number };
    if (inp.values) for (let i = 0; i < n; i++) d[i] = inp.values[i % inp.values.length];
    else if ((inp.dtype === 'uint8' || inp.dtype === 'int8') && inp.range) {
      const [lo, hi] = inp.range;
      for (let i = 0; i < n; i++) d[i] = lo + Math.floor(r() * (hi - lo + 1));
    } else if (inp.dtype === 'uint8') for (let i = 0; i < n; i++) d[i] = Math.floor(r() * 256);
    else if (inp.dtype === 'int8') for (let i = 0; i < n; i++) d[i] = Math.floor(r() * 256) - 128;
    else if (inp.dtype === 'int32') for (let i = 0; i < n; i++) d[i] = Math.floor(r() * 201) - 100;
    else {
      const [lo, hi] = inp.range ?? [-1, 1];
      for (let i = 0; i < n; i++) d[i] = lo + (hi - lo) * r();
    }
    return { dtype: inp.dtype, dims: [...inp.dims], data };
  });
}

export interface BuiltCase {
  graph: Graph;
  /** feed order: the non-persistable inputs' data */
  feeds: Tensor[];
  outputs: string[];
}

/** a one-op graph for the case: persistable inputs are params, the others are fed in order */
export function buildCase(c: KernelCase, values = caseInputs(c)): BuiltCase {
  const g = new Graph();
  g.addVar(Var.create('feed', 'fp32', []));
  g.addVar(Var.create('fetch', 'fp32', []));
  const slots: Record<string, string[]> = {};
  const feeds: Tensor[] = [];
  c.inputs.forEach((inp, i) => {
    const name = `${inp.slot.toLowerCase()}_${i}`;
    g.addVar(Var.create(name, inp.dtype, inp.dims, inp.param === true));
    (slots[inp.slot] ??= []).push(name);
    if (inp.param) g.params.set(name, values[i]);
    else {
      g.append(g.makeOp({ type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: [name] }, attrs: { col: feeds.length } }));
      feeds.push(values[i]);
    }
  });
  const outSlots: Record<string, string[]> = {};
  const fetched: string[] = [];
  for (const o of c.outputs) {
    const names = Array.from({ length: o.count ?? 1 }, (_, i) => `${o.slot.toLowerCase()}_out_${i}`);
    for (const n of names) g.addVar(Var.create(n, 'fp32', []));
    outSlots[o.slot] = names;
    if (!o.aux) fetched.push(...names);
  }
  g.append(g.makeOp({ type: c.op, inputs: slots, outputs: outSlots, attrs: c.attrs as Record<string, AttrValue> }));
  fetched.forEach((n, col) => g.append(g.makeOp({ type: 'fetch', inputs: { X: [n] }, outputs: { Out: ['fetch'] }, attrs: { col } })));
  g.source = `case ${c.name}`;
  return { graph: g, feeds, outputs: fetched };
}

/** the outputs, the kernel names joined by '+', and the backend each step ran on */
export interface CaseRun { outputs: Tensor[]; kernel: string; on: string[] }

export function runCase(backend: Backends, c: KernelCase, values?: Tensor[]): CaseRun {
  const b = buildCase(c, values);
  const plan = compile(b.graph, backend, { batch: c.inputs.find((i) => !i.param)?.dims[0] ?? 1 });
  const outputs = plan.run(b.feeds.map((t) => t.data));
  const kernel = plan.steps.map((s) => s.kernel.desc.kernel).join('+');
  const on = plan.steps.map((s) => s.executor.name);
  plan.dispose();
  return { outputs, kernel, on };
}

const isIntOut = (d: DType) => d === 'int8' || d === 'uint8' || d === 'int32';

/** undefined when equal under the suite's rule, else a one-line description of the first difference */
export function compareOutputs(got: Tensor[], want: Tensor[]): string | undefined {
  if (got.length !== want.length) return `${got.length} outputs, expected ${want.length}`;
  for (let k = 0; k < want.length; k++) {
    const a = got[k], b = want[k];
    if (a.dtype !== b.dtype) return `output ${k}: dtype ${a.dtype}, expected ${b.dtype}`;
    if (a.dims.join(',') !== b.dims.join(',')) return `output ${k}: dims [${a.dims}], expected [${b.dims}]`;
    const x = a.data as unknown as ArrayLike<number>, y = b.data as unknown as ArrayLike<number>;
    if (isIntOut(b.dtype)) {
      let bad = 0, first = -1;
      for (let i = 0; i < y.length; i++) if (x[i] !== y[i]) { bad++; if (first < 0) first = i; }
      if (bad) return `output ${k}: ${bad}/${y.length} ints differ, first at ${first}: ${x[first]} vs ${y[first]}`;
    } else {
      let mx = 0, ref = 0, at = 0;
      for (let i = 0; i < y.length; i++) {
        ref = Math.max(ref, Math.abs(y[i]));
        const d = Math.abs(x[i] - y[i]);
        if (!(d <= mx)) { mx = d; at = i; } // NaN counts as a difference
      }
      if (!(mx <= 1e-5 * Math.max(1, ref))) return `output ${k}: max|diff| ${mx} at ${at} (${x[at]} vs ${y[at]}), limit ${1e-5 * Math.max(1, ref)}`;
    }
  }
  return undefined;
}

/** run one case on `backend` and on the reference; throws with the case name and the difference */
export function checkCase(backend: Backends, c: KernelCase, reference: Backend = referenceBackend()): CaseRun {
  const want = runCase(reference, c);
  const got = runCase(backend, c);
  const why = compareOutputs(got.outputs, want.outputs);
  if (why) throw new Error(`case ${c.name} [${got.kernel}]: ${why}`);
  return got;
}

/** register one uvu test per case */
export function kernelSuite(test: Test, backend: Backends, cases?: KernelCase[]): void {
  const list = cases ?? kernelCases();
  const reference = referenceBackend();
  const name = (Array.isArray(backend) ? backend : [backend as Backend]).map((b) => b.name).join('+');
  for (const c of list) test(`${name}: ${c.name}`, () => { checkCase(backend, c, reference); });
}
