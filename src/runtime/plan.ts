// A compiled plan: kernels in order with their arena offsets fixed. run() copies inputs in, executes,
// and copies the fetch targets out; with profiling on it sums wall time per op.
import type { Op } from '../graph/op';
import { allocTyped, dtypeSize, numel, type Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';
import type { Arena, Backend, BufferRef, Kernel, KernelIO, TensorSpec } from './backend';

export interface PlanStep {
  op: Op;
  kernel: Kernel;
  io: KernelIO;
}

export interface OpTime {
  id: number;
  type: string;
  kernel: string;
  ms: number;
  calls: number;
}

export class Plan {
  profiling = false;
  readonly opTimes: OpTime[];

  constructor(
    readonly backend: Backend,
    readonly arena: Arena,
    readonly steps: PlanStep[],
    readonly inputs: BufferRef[],
    readonly outputs: BufferRef[],
    readonly specs: Map<string, TensorSpec>,
    private offsets: Map<string, number>,
    readonly batch: number,
  ) {
    this.opTimes = steps.map((s) => ({ id: s.op.id, type: s.op.type, kernel: s.kernel.desc.kernel, ms: 0, calls: 0 }));
  }

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
    const { backend, steps } = this;
    if (!this.profiling) {
      for (let i = 0; i < steps.length; i++) backend.execute(steps[i].kernel, steps[i].io);
      return;
    }
    for (let i = 0; i < steps.length; i++) {
      const t0 = performance.now();
      backend.execute(steps[i].kernel, steps[i].io);
      const t = this.opTimes[i];
      t.ms += performance.now() - t0;
      t.calls++;
    }
  }

  /** a copy of a var's current value (fetch targets, or vars kept with CompileOptions.keep) */
  read(name: string): Tensor {
    const s = this.specs.get(name);
    const off = this.offsets.get(name);
    if (!s || off === undefined) throw new QdeployError('usage', `var '${name}' is not in the plan`);
    const n = numel(s.dims);
    const out = allocTyped(s.dtype, n);
    new Uint8Array(out.buffer).set(this.arena.u8().subarray(off, off + n * dtypeSize(s.dtype)));
    return { dtype: s.dtype, dims: [...s.dims], data: out };
  }

  has(name: string): boolean { return this.offsets.has(name); }

  /** convenience: set inputs in feed order, execute, return the fetch targets */
  run(inputs: ArrayBufferView[]): Tensor[] {
    inputs.forEach((d, i) => this.setInput(i, d));
    this.execute();
    return this.outputs.map((o) => this.read(o.spec.name));
  }

  resetProfile(): void { for (const t of this.opTimes) { t.ms = 0; t.calls = 0; } }

  dispose(): void { this.arena.release?.(); }
}
