// Reading thresholds out of the quant model's scale vars, with the checks a bad model needs: a missing
// var, NaN/inf, or a zero activation threshold give one-line errors naming the op and the var.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { toNumbers } from '../util/dtype';
import { QdeployError } from '../util/errors';

/** the values of the persistable var in `slot` (first argument) of a fake op */
export function readScaleVar(g: Graph, op: Op, slot: string): Float64Array {
  const name = op.input(slot);
  if (!name) throw new QdeployError('quant', `op ${op.label}: has no ${slot} input (its scale var)`);
  const t = g.param(name);
  if (!t) throw new QdeployError('quant', `op ${op.label}: scale var '${name}' (slot ${slot}) is missing from the model`);
  const v = toNumbers(t);
  if (v.length === 0) throw new QdeployError('quant', `op ${op.label}: scale var '${name}' is empty`);
  for (const x of v) {
    if (!Number.isFinite(x)) throw new QdeployError('quant', `op ${op.label}: scale var '${name}' holds ${x} (thresholds must be finite)`);
  }
  return v;
}

/** an activation threshold: one finite value > 0 */
export function activationThreshold(g: Graph, op: Op, slot: string): number {
  const v = readScaleVar(g, op, slot);
  const t = v[0];
  if (!(t > 0)) throw new QdeployError('quant', `op ${op.label}: scale var '${op.input(slot)}' holds ${t} (an activation threshold must be > 0)`);
  return t;
}
