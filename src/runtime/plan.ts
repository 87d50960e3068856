// A compiled plan: kernels in order, each on the backend placement chose (or the runtime's own reorders), with
// their arena offsets fixed. run() copies inputs in, executes, and copies the fetch targets out; with profiling on
// it sums wall time per op.
import type { Op } from '../graph/op';
import { allocTyped, dtypeSize, numel, type Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';
import type { Arena, Backend, BufferRef, Kernel, KernelIO, TensorSpec } from './backend';
import { layoutOf, PLAIN, reorder } from './layout';
import type { Executor } from './reorders';

export interface PlanStep {
  op: Op;
  /** the backend it runs on, or the runtime (reorders) */
  executor: Executor;
  kernel: Kernel;
  io: KernelIO;
  /** why backends earlier in the list declined it */
  declined?: string[];
}

export interface OpTime {
  id: number;
  type: string;
  /** where it ran: a backend's name, or 'runtime' for a reorder */
  backend: string;
  kernel: string;
  ms: number;
  calls: number;
}

/** where each op runs: counts per backend and the reorders between them */
export interface PlacementSummary {
  /** steps per backend, in the order of the backend list; reorders are not in it */
  counts: Record<string, number>;
  reorders: number;
  /** ops not on the first backend of the list, with why it declined each */
  fallbacks: { op: string; backend: string; declined: string[] }[];
}

/** one line: `placement: wasm 60 ops, reference 2 ops, 0 reorders; fell back: pool2d(12) on reference (wasm: …)` */
export function placementLine(p: PlacementSummary): string {
  const parts = Object.entries(p.counts).map(([b, n]) => `${b} ${n} op${n === 1 ? '' : 's'}`);
  // grouped by where they went and why, ops of a type listed once: `relu(14, 29, 42 and 23 more) on reference (…)`
  const groups = new Map<string, Map<string, string[]>>();
  for (const f of p.fallbacks) {
    const key = `${f.backend} (${f.declined.join(', ')})`;
    const byType = groups.get(key) ?? new Map<string, string[]>();
    groups.set(key, byType);
    const m = /^(.*)\((-?\d+)\)$/.exec(f.op);
    const [type, id] = m ? [m[1], m[2]] : [f.op, ''];
    byType.set(type, [...(byType.get(type) ?? []), id]);
  }
  const fb = [...groups].map(([where, byType]) => {
    const ops = [...byType].map(([type, ids]) => `${type}(${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''})`);
    return `${ops.join(', ')} on ${where}`;
  });
  return `placement: ${parts.join(', ')}, ${p.reorders} reorder${p.reorders === 1 ? '' : 's'}${fb.length ? `; fell back: ${fb.join('; ')}` : ''}`;
}

export interface PlanParts {
  /** the backends that run at least one op, in list order */
  backends: Backend[];
  arena: Arena;
  steps: PlanStep[];
  inputs: BufferRef[];
  /** the fetch targets, plain NCHW (a reordered copy where the producer left another layout) */
  outputs: BufferRef[];
  /** the fetch targets' var names, outputs' order */
  outputNames: string[];
  specs: Map<string, TensorSpec>;
  offsets: Map<string, number>;
  batch: number;
}

export class Plan {
  profiling = false;
  readonly opTimes: OpTime[];
  readonly backends: Backend[];
  readonly arena: Arena;
  readonly steps: PlanStep[];
  readonly inputs: BufferRef[];
  readonly outputs: BufferRef[];
  readonly specs: Map<string, TensorSpec>;
  readonly batch: number;
  private readonly outputNames: string[];
  private readonly offsets: Map<string, number>;

  constructor(p: PlanParts) {
    ({ backends: this.backends, arena: this.arena, steps: this.steps, inputs: this.inputs, outputs: this.outputs, specs: this.specs, batch: this.batch } = p);
    this.outputNames = p.outputNames;
    this.offsets = p.offsets;
    this.opTimes = this.steps.map((s) => ({ id: s.op.id, type: s.op.type, backend: s.executor.name, kernel: s.kernel.desc.kernel, ms: 0, calls: 0 }));
  }

  /** counts per backend, reorders, and every op that fell back from the first backend */
  placement(): PlacementSummary {
    const counts: Record<string, number> = {};
    for (const b of this.backends) counts[b.name] = 0;
    let reorders = 0;
    const fallbacks: PlacementSummary['fallbacks'] = [];
    for (const s of this.steps) {
      if (s.executor.name === 'runtime') { reorders++; continue; }
      counts[s.executor.name] = (counts[s.executor.name] ?? 0) + 1;
      if (s.declined?.length) fallbacks.push({ op: s.op.label, backend: s.executor.name, declined: s.declined });
    }
    return { counts, reorders, fallbacks };
  }

  placementLine(): string { return placementLine(this.placement()); }

  get arenaBytes(): number { return this.arena.bytes; }

  /** copy one input in: `data` must hold exactly the input's elements in its dtype */
  setInput(index: number, data: ArrayBufferView): void {
    const r = this.inputs[index];
    if (!r) throw new QdeployError('usage', `model has ${this.inputs.length} input(s), no input #${index}`);
    const want = numel(r.spec.dims) * dtypeSize(r.spec.dtype);
    if (data.byteLength !== want) {
      throw new QdeployError('shape', `input '${r.spec.name}' expects ${want} bytes [${r.spec.dims.join(',')}] ${r.spec.dtype}, got ${data.byteLength}`);
    }
    this.arena.u8().set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), r.offset);
  }

  /** execute every kernel once on what the inputs hold now */
  execute(): void {
    const { steps } = this;
    if (!this.profiling) {
      for (let i = 0; i < steps.length; i++) { const s = steps[i]; s.executor.execute(s.kernel, s.io); }
      return;
    }
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      const t0 = performance.now();
      s.executor.execute(s.kernel, s.io);
      const t = this.opTimes[i];
      t.ms += performance.now() - t0;
      t.calls++;
    }
  }

  /**
   * a copy of a var's current value in plain NCHW (fetch targets, or vars kept with CompileOptions.keep); a kept
   * var a backend left in another layout is reordered on the way out
   */
  read(name: string): Tensor {
    const o = this.outputNames.indexOf(name);
    if (o >= 0) return this.readRef(this.outputs[o]);
    const spec = this.specs.get(name), offset = this.offsets.get(name);
    if (!spec || offset === undefined) throw new QdeployError('usage', `var '${name}' is not in the plan`);
    return this.readRef({ offset, spec });
  }

  private readRef(r: BufferRef): Tensor {
    const s = r.spec;
    const n = numel(s.dims);
    const out = allocTyped(s.dtype, n);
    const bytes = this.arena.u8().subarray(r.offset, r.offset + n * dtypeSize(s.dtype));
    reorder(bytes, new Uint8Array(out.buffer), s.dims, s.dtype, layoutOf(s), PLAIN);
    return { dtype: s.dtype, dims: [...s.dims], data: out };
  }

  has(name: string): boolean { return this.offsets.has(name); }

  /** convenience: set inputs in feed order, execute, return the fetch targets */
  run(inputs: ArrayBufferView[]): Tensor[] {
    inputs.forEach((d, i) => this.setInput(i, d));
    this.execute();
    return this.outputs.map((o) => this.readRef(o));
  }

  resetProfile(): void { for (const t of this.opTimes) { t.ms = 0; t.calls = 0; } }

  dispose(): void { this.arena.release?.(); }
}
