// Calls one op schema's infer() directly on given input shapes (and optional compile-time values).
import { Graph } from '../../src/graph/graph';
import type { AttrValue } from '../../src/graph/op';
import { getSchema, type InferCtx, type ShapeInfo } from '../../src/ops/schema';
import '../../src/ops/all';
import { QdeployError } from '../../src/util/errors';

export function infer(type: string, inputs: Record<string, ShapeInfo | ShapeInfo[]>, attrs: Record<string, AttrValue> = {}, outputs: Record<string, number> = {}): Record<string, ShapeInfo[]> {
  const schema = getSchema(type);
  if (!schema) throw new Error(`no schema for ${type}`);
  const g = new Graph();
  const ins: Record<string, string[]> = {};
  const vals = new Map<string, ShapeInfo[]>();
  for (const [slot, v] of Object.entries(inputs)) {
    const list = Array.isArray(v) ? v : [v];
    ins[slot] = list.map((_, i) => `${slot}_${i}`);
    vals.set(slot, list);
  }
  const outs: Record<string, string[]> = {};
  for (const s of schema.outputs) outs[s] = Array.from({ length: outputs[s] ?? 1 }, (_, i) => `${s}_out_${i}`);
  const op = g.makeOp({ type, inputs: ins, outputs: outs, attrs });
  const ctx: InferCtx = {
    op,
    in: (slot) => vals.get(slot)?.[0],
    req: (slot) => vals.get(slot)?.[0] ?? ctx.fail(`missing required input ${slot}`),
    ins: (slot) => vals.get(slot) ?? [],
    fail: (m) => { throw new QdeployError('shape', `op ${op.label}: ${m}`); },
  };
  return schema.infer(ctx);
}

export const f32 = (...dims: number[]): ShapeInfo => ({ dtype: 'fp32', dims });
export const u8 = (...dims: number[]): ShapeInfo => ({ dtype: 'uint8', dims });
export const s8 = (...dims: number[]): ShapeInfo => ({ dtype: 'int8', dims });
