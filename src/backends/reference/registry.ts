// The reference backend's op table: one entry per op type (and dtype family), each written to be
// obviously right rather than fast. Kernel files register themselves here.
import type { OpNode, TensorSpec, WeightTensors } from '../../runtime/backend';
import type { TypedArray } from '../../util/dtype';

export interface RefCtx {
  node: OpNode;
  /** whatever prepare() returned */
  state: unknown;
  /** typed view of input/output tensor `i` of a slot, in its dtype */
  in(slot: string, i?: number): TypedArray;
  out(slot: string, i?: number): TypedArray;
  inSpec(slot: string, i?: number): TensorSpec;
  outSpec(slot: string, i?: number): TensorSpec;
  hasIn(slot: string): boolean;
  hasOut(slot: string): boolean;
  ins(slot: string): TypedArray[];
}

export interface RefKernel {
  /** reason the op cannot run with these dtypes/attrs, or undefined */
  check?(node: OpNode): string | undefined;
  /** once: derive constants from weights (e.g. int8 filters, requantization scales) */
  prepare?(node: OpNode, weights: WeightTensors): unknown;
  run(ctx: RefCtx): void;
  /** kernel name for reports; default `<type>_ref` */
  name?: string | ((node: OpNode) => string);
}

export const refKernels = new Map<string, RefKernel>();

export function registerRef(type: string | string[], k: RefKernel): void {
  for (const t of Array.isArray(type) ? type : [type]) refKernels.set(t, k);
}
