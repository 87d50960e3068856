// What a wasm op family is: one registry entry that describes, prepares and executes its ops. describe() decides
// everything (algorithm, tiles, scratch, the wasm function that will run) into a plan; prepare() carries the plan
// out (packs weights, writes the parameter block) and decides nothing; the executor it returns writes the io
// addresses and calls the function the plan named. The kernel name in reports is `<wasm export>/<variant>`.
import type { BufferRef, KernelIO, OpNode, TensorSpec, WeightTensors } from '../../runtime/backend';
import type { DType, TypedArray } from '../../util/dtype';
import { QdeployError } from '../../util/errors';
import type { Exports } from './exports';
import type { WasmIsa } from './loader';
import type { WasmMemory } from './memory';
import { T } from './params';

/** what families see of the backend */
export interface WasmCtx {
  readonly x: Exports;
  readonly mem: WasmMemory;
  readonly threads: number;
  readonly isa: WasmIsa;
  readonly winograd: boolean;
  /** run a thread-pool function (by its POOL_FNS index) over items [0, n) */
  par(fn: number, param: number, items: number): void;
}

/** a prepared kernel's run: io buffers to byte addresses through `a` */
export type Run = (io: KernelIO, a: (r: BufferRef) => number) => void;

/** describe()'s decision: the function that runs (a wasm export), the variant it runs, and the family's plan */
export interface Decision<P> { fn: string; variant: string; plan: P }

export interface WasmFamily<P = unknown> {
  readonly name: string;
  /** op types it may take (describe() may still decline one: another family or the next backend takes it) */
  readonly ops: readonly string[];
  describe(node: OpNode, ctx: WasmCtx): Decision<P> | undefined;
  prepare(node: OpNode, plan: P, w: WeightTensors, ctx: WasmCtx): Run;
}

/** a family with its plan type checked at the definition and erased in the registry */
export function family<P>(f: WasmFamily<P>): WasmFamily { return f as unknown as WasmFamily; }

export const tcode = (d: DType): number => (d === 'uint8' ? T.u8 : d === 'int8' ? T.s8 : T.f32);

/** the variant's element-type part: u8, s8 or f32 */
export const tname = (d: DType | undefined): string => (d === 'uint8' ? 'u8' : d === 'int8' ? 's8' : 'f32');

export function fail(node: OpNode, m: string): never { throw new QdeployError('unsupported', `op ${node.op.label}: ${m}`); }

export function weightOf(node: OpNode, w: WeightTensors, spec: TensorSpec | undefined): TypedArray {
  if (!spec) return fail(node, 'missing weight');
  const t = w.get(spec.name) ?? spec.value;
  if (!t) return fail(node, `weight '${spec.name}' has no value`);
  return t.data;
}
