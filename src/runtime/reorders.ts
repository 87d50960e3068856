// Layouts in the plan: walking the placed ops in order, each activation an op reads must be in the layout its
// KernelDesc asks for; where the producer left it in another, a reorder step (an op of the plan, `reorder(-n)`,
// timed and counted like any other) writes a copy `<var>@<layout>`, made once and shared by every later reader.
// Graph outputs are always plain NCHW. Constants stay NCHW in the arena (kernels get them as host tensors).
import { Op } from '../graph/op';
import { dtypeSize, numel } from '../util/dtype';
import { QdeployError } from '../util/errors';
import type { BackendName, Kernel, KernelDesc, KernelIO, OpNode, TensorSpec } from './backend';
import { elements, layoutOf, nchwToNhwc, nhwcToNchw, PLAIN, reorderUnsupported, type Layout } from './layout';
import type { Placed } from './placement';

/** what runs one step of a plan: a backend, or the runtime itself (reorders) */
export interface Executor {
  readonly name: BackendName | 'runtime';
  execute(k: Kernel, io: KernelIO): void;
}

/** a step before arena placement: what runs and which specs it reads and writes */
export interface ProtoStep {
  node: OpNode;
  /** the placed op; absent for a reorder */
  placed?: Placed;
  /** the specs as this step sees them (an input may be a reordered copy of the node's) */
  inputs: Record<string, TensorSpec[]>;
  outputs: Record<string, TensorSpec[]>;
}

const short = (d: string) => (d === 'fp32' ? 'f32' : d === 'uint8' ? 'u8' : d === 'int8' ? 's8' : d);

/**
 * The placed ops with the reorders their layouts need. Sets the layout of every spec an op produces (in `specs`,
 * which also gains the reordered copies) and returns the fetch targets' specs, each in plain NCHW.
 */
export function insertReorders(placed: readonly Placed[], specs: Map<string, TensorSpec>, fetchNames: readonly string[]): { steps: ProtoStep[]; outputs: TensorSpec[] } {
  const steps: ProtoStep[] = [];
  const copies = new Map<string, TensorSpec>(); // `${var}\0${layout}` → its reordered copy, while the var is unchanged
  let nextId = -1;
  const at = (s: TensorSpec, want: Layout, reader: string): TensorSpec => {
    const from = layoutOf(s);
    if (from === want) return s;
    const key = `${s.name}\0${want}`;
    const have = copies.get(key);
    if (have) return have;
    const why = reorderUnsupported(from, want, s.dims, s.dtype);
    if (why) throw new QdeployError('backend', `${reader} reads '${s.name}' as ${want}, produced as ${from}: ${why}`);
    const dst: TensorSpec = { name: `${s.name}@${want.toLowerCase()}`, dtype: s.dtype, dims: s.dims, ...(want === PLAIN ? {} : { layout: want }) };
    const op = new Op(nextId--, 'reorder', [{ parameter: 'X', arguments: [s.name] }], [{ parameter: 'Out', arguments: [dst.name] }]);
    const node: OpNode = { op, inputs: { X: [s] }, outputs: { Out: [dst] } };
    steps.push({ node, inputs: node.inputs, outputs: node.outputs });
    specs.set(dst.name, dst);
    copies.set(key, dst);
    return dst;
  };
  for (const p of placed) {
    const want = p.desc.layouts?.inputs ?? {};
    const made = p.desc.layouts?.outputs ?? {};
    const inputs: Record<string, TensorSpec[]> = {};
    for (const [slot, list] of Object.entries(p.node.inputs)) {
      inputs[slot] = list.map((s) => (s.value ? s : at(s, want[slot] ?? PLAIN, p.node.op.label)));
    }
    for (const [slot, list] of Object.entries(p.node.outputs)) {
      const l = made[slot] ?? PLAIN;
      for (const s of list) {
        if (l === PLAIN) delete s.layout; else s.layout = l;
        for (const k of copies.keys()) if (k.startsWith(`${s.name}\0`)) copies.delete(k); // rewritten: old copies are stale
      }
    }
    steps.push({ node: p.node, placed: p, inputs, outputs: p.node.outputs });
  }
  const outputs = fetchNames.map((name) => {
    const s = specs.get(name);
    if (!s) throw new QdeployError('shape', `fetch target '${name}' is never produced`);
    return s.value ? s : at(s, PLAIN, `fetch '${name}'`);
  });
  return { steps, outputs };
}

/** the reorder step's kernel description: named by what it does */
export function reorderDesc(node: OpNode): KernelDesc {
  const x = node.inputs.X[0], y = node.outputs.Out[0];
  return { node, kernel: `reorder_${layoutOf(x).toLowerCase()}_to_${layoutOf(y).toLowerCase()}_${short(x.dtype)}` };
}

interface ReorderKernel extends Kernel {
  buf?: ArrayBufferLike;
  run?: () => void;
}

/** the runtime's executor: runs reorder steps (views made once per arena buffer, as the reference backend does) */
export const runtimeExecutor: Executor = {
  name: 'runtime',
  execute(k: Kernel, io: KernelIO): void {
    const r = k as ReorderKernel;
    const mem = io.arena.u8();
    if (r.buf !== mem.buffer || !r.run) {
      const x = io.inputs.X[0], y = io.outputs.Out[0];
      const n = numel(x.spec.dims), bytes = n * dtypeSize(x.spec.dtype);
      const src = elements(mem.subarray(x.offset, x.offset + bytes), x.spec.dtype, n);
      const dst = elements(mem.subarray(y.offset, y.offset + bytes), y.spec.dtype, n);
      const f = layoutOf(x.spec) === 'NCHW' ? nchwToNhwc : nhwcToNchw;
      const dims = x.spec.dims;
      r.run = () => f(src, dst, dims);
      r.buf = mem.buffer;
    }
    r.run();
  },
};
