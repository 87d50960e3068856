// Runs one op on the reference backend with explicit input values (via the kernel-suite harness).
import { referenceBackend } from '../../../src/backends/reference/backend';
import type { Tensor } from '../../../src/util/dtype';
import type { CaseInput, KernelCase } from '../../kernels/cases';
import { runCase } from '../../kernels/harness';

export interface In extends Omit<CaseInput, 'values'> { values: number[] }

export function run1(op: string, attrs: KernelCase['attrs'], inputs: In[], outputs: KernelCase['outputs'] = [{ slot: 'Out' }]): Tensor[] {
  return runCase(referenceBackend(), { name: op, op, attrs, inputs, outputs, seed: 1 }).outputs;
}

/** output 0 as a plain number array */
export function run1v(op: string, attrs: KernelCase['attrs'], inputs: In[], outputs?: KernelCase['outputs']): number[] {
  return Array.from(run1(op, attrs, inputs, outputs)[0].data as unknown as ArrayLike<number>);
}

export const iota = (n: number, from = 0, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);
export const f = Math.fround;
export const close = (a: number[], b: number[], tol = 1e-6) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol * Math.max(1, Math.abs(b[i])));
