// The reference kernels' check (attributes, dtypes) for the wasm backend: the wasm families trust that the ops they
// take pass it, so describe() refuses what the reference refuses. Only the check: no reference kernel runs here.
import type { OpNode } from '../../runtime/backend';
import { refKernels } from '../reference/registry';
import '../reference/kernels/all';

/** why the reference would refuse this op (its check's reason); undefined when it would take it */
export function refCheck(node: OpNode): string | undefined {
  return refKernels.get(node.op.type)?.check?.(node);
}
