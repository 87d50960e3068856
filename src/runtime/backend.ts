// The kernel interface every backend (reference, wasm, native) implements. compile() places each op on the
// first backend of an ordered list whose describe() accepts it, allocates one arena, then calls prepare() once
// per op with that arena, and execute() per run with offsets into it.
import type { DType, Tensor } from '../util/dtype';
import type { Op } from '../graph/op';
import type { Layout } from './layout';

export type { Layout } from './layout';

export type BackendName = 'reference' | 'wasm' | 'native';

export interface BackendInfo {
  name: BackendName;
  available: boolean;
  /** why not available (missing addon, no SIMD, ...) */
  reason?: string;
  /** e.g. 'simd128', 'relaxed-simd', 'avx512_core_vnni', 'avx2' */
  isa: string;
  threads: number;
  /** features that decided the ISA / kernel choice */
  features: string[];
}

/** A tensor as the runtime planned it: concrete dims for this batch size, dtype fixed by inference. */
export interface TensorSpec {
  name: string;
  dtype: DType;
  dims: number[];
  /** constant value known at compile time (persistable vars, shape arithmetic) */
  value?: Tensor;
  /**
   * the byte order in the arena, set by compile() from the producer's KernelDesc.layouts (absent: NCHW, i.e.
   * plain row-major `dims`); `dims` always stay the logical NCHW dims
   */
  layout?: Layout;
}

/** What compile() hands to describe(): one op with every slot resolved to specs. */
export interface OpNode {
  op: Op;
  inputs: Record<string, TensorSpec[]>;
  outputs: Record<string, TensorSpec[]>;
}

export interface KernelDesc {
  node: OpNode;
  /** the kernel the backend chose, named by what it computes, e.g. 'conv2d_u8s8_direct' */
  kernel: string;
  /** backend-private data decided in describe (tiling, layout) */
  data?: unknown;
  /**
   * the layout each activation input slot wants and each output slot produces (absent slot: NCHW); the runtime
   * inserts a reorder where a producer and its consumer disagree, and before graph outputs
   */
  layouts?: { inputs?: Record<string, Layout>; outputs?: Record<string, Layout> };
}

export interface Unsupported {
  unsupported: string; // reason, e.g. 'dtype int16 not supported'
}

export function isUnsupported(d: KernelDesc | Unsupported): d is Unsupported {
  return (d as Unsupported).unsupported !== undefined;
}

/** Host copies of every persistable input of the op, by var name (filters, biases, BN stats). */
export type WeightTensors = ReadonlyMap<string, Tensor>;

/** An opaque prepared kernel: packed weights, created primitives. */
export interface Kernel {
  desc: KernelDesc;
}

/** Where a tensor lives in the arena for one run: a byte offset plus its spec. */
export interface BufferRef {
  offset: number;
  spec: TensorSpec;
}

export interface KernelIO {
  arena: Arena;
  inputs: Record<string, BufferRef[]>;
  outputs: Record<string, BufferRef[]>;
}

/** One block of memory holding every activation and constant of a plan. */
export interface Arena {
  readonly bytes: number;
  /** a fresh view each call: wasm memory may have been replaced by growth */
  u8(): Uint8Array;
  release?(): void;
}

export interface Backend {
  readonly name: BackendName;
  info(): BackendInfo;
  /** pure and cheap: can it run this op with these dtypes/attrs, and with which kernel */
  describe(node: OpNode): KernelDesc | Unsupported;
  /**
   * once per op, after compile() allocated the plan's arena (given here: memory the kernel keeps, e.g. packed
   * weights in wasm memory, is released with it): pack/reorder weights, create primitives
   */
  prepare(desc: KernelDesc, weights: WeightTensors, arena: Arena): Kernel;
  /** per run: views into the arena; no allocation, no copies beyond the op's own output */
  execute(k: Kernel, io: KernelIO): void;
  /** alignment of every buffer the runtime places in the arena (bytes) */
  readonly alignment: number;
  /**
   * true: its kernels reach the arena only through `arena.u8()`, so they run on an arena another backend
   * allocated (reference). false: it needs an arena of its own making (wasm: an address in its linear memory);
   * of the backends a plan uses, at most one may say false, and that one allocates the plan's arena
   */
  readonly runsOnAnyArena: boolean;
  allocArena(bytes: number): Arena;
  dispose?(): void;
}
