// The bridge that runs a reference kernel inside the wasm backend (`ref:<type>`): for ops no wasm family takes, the
// reference kernel runs on typed views of the wasm memory, so every model the reference runs also compiles on wasm.
// Kept apart so that it can go once the runtime places such ops on the reference backend itself.
import type { BufferRef, KernelIO, OpNode, WeightTensors } from '../../runtime/backend';
import { dtypeSize, numel, viewAs, type TypedArray } from '../../util/dtype';
import { QdeployError } from '../../util/errors';
import { refKernels, type RefCtx } from '../reference/registry';
import '../reference/kernels/all';
import type { Run } from './family';

/** why the reference kernel cannot run this op (no kernel, or its check's reason); undefined when it can */
export function refCheck(node: OpNode): string | undefined {
  const ref = refKernels.get(node.op.type);
  return ref ? ref.check?.(node) : 'no kernel for this op type';
}

/** whether the reference has a kernel for the op type at all */
export function hasRefKernel(type: string): boolean { return refKernels.has(type); }

/** the reference kernel on views of the wasm memory (views re-made when the memory grows) */
export function prepareRef(memory: WebAssembly.Memory, node: OpNode, w: WeightTensors): Run {
  const impl = refKernels.get(node.op.type)!;
  const state = impl.prepare?.(node, w);
  let ctx: RefCtx | undefined;
  let len = -1;
  return (io, a) => {
    const buf = memory.buffer;
    if (!ctx || len !== buf.byteLength) { ctx = refCtx(node, io, a, new Uint8Array(buf), state); len = buf.byteLength; }
    impl.run(ctx);
  };
}

function refCtx(node: OpNode, io: KernelIO, a: (r: BufferRef) => number, mem: Uint8Array, state: unknown): RefCtx {
  const view = (r: BufferRef): TypedArray => {
    const off = a(r);
    return viewAs(r.spec.dtype, mem.subarray(off, off + numel(r.spec.dims) * dtypeSize(r.spec.dtype)));
  };
  const ins = new Map<string, TypedArray[]>(), outs = new Map<string, TypedArray[]>();
  for (const [s, refs] of Object.entries(io.inputs)) ins.set(s, refs.map(view));
  for (const [s, refs] of Object.entries(io.outputs)) outs.set(s, refs.map(view));
  const pick = (m: Map<string, TypedArray[]>, s: string, i: number) => {
    const v = m.get(s)?.[i];
    if (!v) throw new QdeployError('internal', `op ${node.op.label}: missing ${s}[${i}]`);
    return v;
  };
  return {
    node, state,
    in: (s, i = 0) => pick(ins, s, i), out: (s, i = 0) => pick(outs, s, i),
    inSpec: (s, i = 0) => node.inputs[s][i], outSpec: (s, i = 0) => node.outputs[s][i],
    hasIn: (s) => (ins.get(s)?.length ?? 0) > 0, hasOut: (s) => (outs.get(s)?.length ?? 0) > 0,
    ins: (s) => ins.get(s) ?? [],
  };
}
