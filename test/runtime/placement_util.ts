// Test backends and a small INT8 model for the placement and layout tests:
// - int8Chain(): quantize → conv3x3 → conv3x3 → max pool → conv1x1 (f32 out), seeded weights;
// - declining(b, types): a backend that delegates to b but declines some op types (as wasm declines the ops it has
//   no kernel for);
// - nhwcBackend(types): stands in for the oneDNN backend: runs the reference kernels, but takes and leaves every
//   4-D activation in NHWC (it reorders to a private NCHW scratch arena and back around each op), so the
//   runtime has to insert reorders wherever it meets an NCHW backend.
import type { Graph } from '../../src/graph/graph';
import { ReferenceBackend } from '../../src/backends/reference/backend';
import type { Arena, Backend, BufferRef, Kernel, KernelDesc, KernelIO, OpNode, TensorSpec, Unsupported, WeightTensors } from '../../src/runtime/backend';
import { isUnsupported } from '../../src/runtime/backend';
import { layoutOf, reorder, type Layout } from '../../src/runtime/layout';
import { dtypeSize, numel } from '../../src/util/dtype';
import { build } from '../passes/util';
import { rng } from '../kernels/harness';

const seeded = (n: number, seed: number, lo: number, hi: number) => { const r = rng(seed); return Array.from({ length: n }, () => lo + (hi - lo) * r()); };
const int8 = (scaleIn: number, scaleOut: number, act: string, oc: number) => ({
  mkldnn_data_type: 'int8', Scale_in: scaleIn, Scale_out: scaleOut, Scale_weights: seeded(oc, oc, 100, 300), fuse_activation: act,
});

/** the op ids of int8Chain's ops, in program order */
export interface Chain { g: Graph; ids: { quantize: number; conv1: number; conv2: number; pool: number; conv3: number } }

export function int8Chain(): Chain {
  const conv = (i: string, o: string, w: string, k: number, extra: Record<string, number | string | boolean | number[]>) => ({
    type: 'conv2d', inputs: { Input: [i], Filter: [w], Bias: [`${w}_b`] }, outputs: { Output: [o] },
    attrs: { strides: [1, 1], paddings: [k >> 1, k >> 1], dilations: [1, 1], groups: 1, ...extra },
  });
  const param = (oc: number, ic: number, k: number, seed: number) => ({ dims: [oc, ic, k, k], data: seeded(oc * ic * k * k, seed, -0.8, 0.8) });
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: 'quantize', inputs: { Input: ['x'] }, outputs: { Output: ['q'] }, attrs: { Scale: 63.5, Shift: 0, is_negative_input: true } },
    conv('q', 'a1', 'w1', 3, int8(63.5, 30.25, 'relu', 8)),
    conv('a1', 'a2', 'w2', 3, int8(30.25, 25.5, 'relu', 8)),
    { type: 'pool2d', inputs: { X: ['a2'] }, outputs: { Out: ['a3'] }, attrs: { pooling_type: 'max', ksize: [2, 2], strides: [2, 2], paddings: [0, 0] } },
    conv('a3', 'y', 'w3', 1, { ...int8(25.5, 1, '', 10), force_fp32_output: true }),
    { type: 'fetch', inputs: { X: ['y'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], {
    w1: param(8, 3, 3, 11), w1_b: { dims: [8], data: seeded(8, 12, -3, 3) },
    w2: param(8, 8, 3, 13), w2_b: { dims: [8], data: seeded(8, 14, -3, 3) },
    w3: param(10, 8, 1, 15), w3_b: { dims: [10], data: seeded(10, 16, -3, 3) },
  }, { x: [-1, 3, 10, 10] });
  const id = (t: string, n = 0) => g.ops.filter((o) => o.type === t)[n].id;
  return { g, ids: { quantize: id('quantize'), conv1: id('conv2d'), conv2: id('conv2d', 1), pool: id('pool2d'), conv3: id('conv2d', 2) } };
}

export const chainInput = (batch = 2): Float32Array => Float32Array.from(seeded(batch * 3 * 10 * 10, 99, -2, 2));

/** delegates everything to `inner`, but declines the op types given */
export function declining(inner: Backend, types: string[]): Backend {
  return {
    name: inner.name, alignment: inner.alignment, runsOnAnyArena: inner.runsOnAnyArena,
    info: () => inner.info(),
    describe: (node: OpNode) => (types.includes(node.op.type) ? { unsupported: `declines ${node.op.type} (test)` } : inner.describe(node)),
    prepare: (d: KernelDesc, w: WeightTensors, a: Arena) => inner.prepare(d, w, a),
    execute: (k: Kernel, io: KernelIO) => inner.execute(k, io),
    allocArena: (bytes: number) => inner.allocArena(bytes),
  };
}

interface NhwcKernel extends Kernel { inner: Kernel; scratch: Arena; io: KernelIO }

const is4d = (s: TensorSpec) => !s.value && s.dims.length === 4;

/** the reference kernels, with every 4-D activation taken and left in NHWC (named 'native': what it stands in for) */
export function nhwcBackend(types: string[]): Backend {
  const ref = new ReferenceBackend();
  const slotsNhwc = (m: Record<string, TensorSpec[]>) => {
    const r: Record<string, Layout> = {};
    for (const [slot, list] of Object.entries(m)) if (list.length && list.every(is4d)) r[slot] = 'NHWC';
    return r;
  };
  return {
    name: 'native', alignment: 64, runsOnAnyArena: true,
    info: () => ({ name: 'native', available: true, isa: 'test', threads: 1, features: ['NHWC test backend'] }),
    describe(node: OpNode): KernelDesc | Unsupported {
      if (!types.includes(node.op.type)) return { unsupported: 'not in this test backend' };
      const d = ref.describe(node);
      if (isUnsupported(d)) return d;
      return { ...d, kernel: `${d.kernel}_nhwc_test`, layouts: { inputs: slotsNhwc(node.inputs), outputs: slotsNhwc(node.outputs) } };
    },
    prepare(desc: KernelDesc, weights: WeightTensors): Kernel {
      // a private NCHW arena for the reference kernel: every tensor of the op, at its own offset
      let bytes = 0;
      const place = (s: TensorSpec): BufferRef => { const r = { offset: bytes, spec: { ...s, layout: undefined } }; bytes += Math.ceil(numel(s.dims) * dtypeSize(s.dtype) / 64) * 64 + 64; return r; };
      const io: KernelIO = { arena: undefined as unknown as Arena, inputs: {}, outputs: {} };
      for (const [slot, list] of Object.entries(desc.node.inputs)) io.inputs[slot] = list.map(place);
      for (const [slot, list] of Object.entries(desc.node.outputs)) io.outputs[slot] = list.map(place);
      const scratch = ref.allocArena(bytes);
      io.arena = scratch;
      const mem = scratch.u8();
      for (const list of Object.values(io.inputs)) for (const r of list) if (r.spec.value) mem.set(new Uint8Array(r.spec.value.data.buffer, r.spec.value.data.byteOffset, r.spec.value.data.byteLength), r.offset);
      const k: NhwcKernel = { desc, inner: ref.prepare(desc, weights, scratch), scratch, io };
      return k;
    },
    execute(k: Kernel, io: KernelIO): void {
      // as a real backend would: the bytes are taken to be in the layouts describe() declared (a missing reorder
      // gives wrong numbers), and the io specs must say the same
      const p = k as NhwcKernel;
      const shared = io.arena.u8(), mine = p.scratch.u8();
      const bytesOf = (r: BufferRef) => numel(r.spec.dims) * dtypeSize(r.spec.dtype);
      const declared = (m: Record<string, Layout> | undefined, slot: string, r: BufferRef): Layout => {
        const l = m?.[slot] ?? 'NCHW';
        if (layoutOf(r.spec) !== l) throw new Error(`${p.desc.node.op.label} ${slot}: io says ${layoutOf(r.spec)}, declared ${l}`);
        return l;
      };
      for (const [slot, list] of Object.entries(io.inputs)) list.forEach((r, i) => {
        if (r.spec.value) return;
        const l = declared(p.desc.layouts?.inputs, slot, r);
        reorder(shared.subarray(r.offset, r.offset + bytesOf(r)), mine.subarray(p.io.inputs[slot][i].offset), r.spec.dims, r.spec.dtype, l, 'NCHW');
      });
      ref.execute(p.inner, p.io);
      for (const [slot, list] of Object.entries(io.outputs)) list.forEach((r, i) => {
        const l = declared(p.desc.layouts?.outputs, slot, r);
        const from = p.io.outputs[slot][i];
        reorder(mine.subarray(from.offset, from.offset + bytesOf(r)), shared.subarray(r.offset), r.spec.dims, r.spec.dtype, 'NCHW', l);
      });
    },
    allocArena: (bytes: number) => ref.allocArena(bytes),
  };
}
