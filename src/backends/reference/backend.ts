// The reference backend: plain TypeScript kernels over typed-array views of the arena's bytes (arena.u8()), so
// they run on any backend's arena (wasm linear memory included): placement puts here every op the backends before
// it in the list decline. Every input and output is plain NCHW (no KernelDesc.layouts).
import type { Arena, Backend, BackendInfo, BufferRef, Kernel, KernelDesc, KernelIO, OpNode, Unsupported, WeightTensors } from '../../runtime/backend';
import { viewAs, type TypedArray, numel, dtypeSize } from '../../util/dtype';
import { QdeployError } from '../../util/errors';
import { refKernels, type RefCtx, type RefKernel } from './registry';
import './kernels/all';

interface RefPrepared extends Kernel {
  impl: RefKernel;
  state: unknown;
  ctx?: RefCtx;
  ctxBuffer?: ArrayBufferLike;
}

function makeCtx(node: OpNode, io: KernelIO, state: unknown): RefCtx {
  const buf = io.arena.u8();
  const view = (r: BufferRef | undefined, what: string): TypedArray => {
    if (!r) throw new QdeployError('internal', `op ${node.op.label}: no tensor for ${what}`);
    const bytes = numel(r.spec.dims) * dtypeSize(r.spec.dtype);
    return viewAs(r.spec.dtype, buf.subarray(r.offset, r.offset + bytes));
  };
  const inViews = new Map<string, TypedArray[]>();
  const outViews = new Map<string, TypedArray[]>();
  for (const [slot, refs] of Object.entries(io.inputs)) inViews.set(slot, refs.map((r, i) => view(r, `${slot}[${i}]`)));
  for (const [slot, refs] of Object.entries(io.outputs)) outViews.set(slot, refs.map((r, i) => view(r, `${slot}[${i}]`)));
  const pick = (m: Map<string, TypedArray[]>, slot: string, i: number, kind: string) => {
    const v = m.get(slot)?.[i];
    if (!v) throw new QdeployError('internal', `op ${node.op.label}: missing ${kind} ${slot}[${i}]`);
    return v;
  };
  return {
    node, state,
    in: (slot, i = 0) => pick(inViews, slot, i, 'input'),
    out: (slot, i = 0) => pick(outViews, slot, i, 'output'),
    inSpec: (slot, i = 0) => node.inputs[slot][i],
    outSpec: (slot, i = 0) => node.outputs[slot][i],
    hasIn: (slot) => (inViews.get(slot)?.length ?? 0) > 0,
    hasOut: (slot) => (outViews.get(slot)?.length ?? 0) > 0,
    ins: (slot) => inViews.get(slot) ?? [],
  };
}

export class ReferenceBackend implements Backend {
  readonly name = 'reference' as const;
  readonly alignment = 64;
  /** it reads and writes only through arena.u8() views */
  readonly runsOnAnyArena = true;

  info(): BackendInfo {
    return { name: 'reference', available: true, isa: 'scalar-js', threads: 1, features: ['plain TypeScript'] };
  }

  describe(node: OpNode): KernelDesc | Unsupported {
    const impl = refKernels.get(node.op.type);
    if (!impl) return { unsupported: 'no reference kernel' };
    const why = impl.check?.(node);
    if (why) return { unsupported: why };
    const n = impl.name;
    return { node, kernel: typeof n === 'function' ? n(node) : n ?? `${node.op.type}_ref` };
  }

  prepare(desc: KernelDesc, weights: WeightTensors, _arena: Arena): Kernel {
    const impl = refKernels.get(desc.node.op.type)!;
    const k: RefPrepared = { desc, impl, state: impl.prepare?.(desc.node, weights) };
    return k;
  }

  execute(k: Kernel, io: KernelIO): void {
    const p = k as RefPrepared;
    const buf = io.arena.u8().buffer;
    if (!p.ctx || p.ctxBuffer !== buf) { p.ctx = makeCtx(p.desc.node, io, p.state); p.ctxBuffer = buf; }
    p.impl.run(p.ctx);
  }

  allocArena(bytes: number): Arena {
    const u8 = new Uint8Array(bytes);
    return { bytes, u8: () => u8 };
  }
}

export const referenceBackend = (): ReferenceBackend => new ReferenceBackend();
