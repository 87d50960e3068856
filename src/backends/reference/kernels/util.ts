// Small helpers shared by the reference kernels.
import type { OpNode, TensorSpec } from '../../../runtime/backend';
import type { DType } from '../../../util/dtype';
import { QdeployError } from '../../../util/errors';

export const f32 = Math.fround;

/** 'u8' | 's8' | 'f32' for an int8-contract epilogue output */
export function epiType(d: DType): 'u8' | 's8' | 'f32' {
  return d === 'uint8' ? 'u8' : d === 'int8' ? 's8' : 'f32';
}
export const intShort = (d: DType): 'u8' | 's8' => (d === 'uint8' ? 'u8' : 's8');
export const short = (d: DType): string => (d === 'uint8' ? 'u8' : d === 'int8' ? 's8' : d === 'fp32' ? 'f32' : d);

export function spec(node: OpNode, slot: string, i = 0): TensorSpec | undefined {
  return node.inputs[slot]?.[i];
}

/** undefined when every named input that is present is fp32 */
export function needF32(node: OpNode, ...slots: string[]): string | undefined {
  for (const s of slots) for (const t of node.inputs[s] ?? []) if (t.dtype !== 'fp32') return `${s} dtype ${t.dtype} (fp32 only)`;
  return undefined;
}

export function kernelError(node: OpNode, m: string): never {
  throw new QdeployError('unsupported', `op ${node.op.label}: ${m}`);
}

/** one scale per channel: a single value is repeated */
export function perChannel(node: OpNode, sw: readonly number[], n: number): Float64Array {
  if (sw.length !== 1 && sw.length !== n) kernelError(node, `Scale_weights has ${sw.length} values, expected 1 or ${n}`);
  const out = new Float64Array(n);
  for (let c = 0; c < n; c++) out[c] = sw.length === 1 ? sw[0] : sw[c];
  return out;
}

/** numeric values of an arbitrary typed view (int64 excluded) */
export type Num = { readonly length: number; readonly [i: number]: number };
