// The wasm op families, in the order describe() asks them: the first that takes an op runs it. Depthwise and
// Winograd come before the GEMM family, which takes every other conv with a constant filter.
import type { OpNode } from '../../runtime/backend';
import type { Decision, WasmCtx, WasmFamily } from './family';
import { depthwiseFamily } from './families/depthwise';
import { eltwiseFamily } from './families/eltwise';
import { gemmFamily } from './families/gemm';
import { movementFamily } from './families/movement';
import { poolFamily } from './families/pool';
import { quantFamily } from './families/quant';
import { winogradFamily } from './families/winograd';

export const FAMILIES: readonly WasmFamily[] = [depthwiseFamily, winogradFamily, gemmFamily, poolFamily, eltwiseFamily, quantFamily, movementFamily];

const byType = new Map<string, WasmFamily[]>();
for (const f of FAMILIES) for (const t of f.ops) byType.set(t, [...(byType.get(t) ?? []), f]);

/** the family that takes the op and what it decided, or undefined when none does */
export function pickFamily(node: OpNode, ctx: WasmCtx): { family: WasmFamily; decision: Decision<unknown> } | undefined {
  for (const family of byType.get(node.op.type) ?? []) {
    const decision = family.describe(node, ctx);
    if (decision) return { family, decision };
  }
  return undefined;
}
