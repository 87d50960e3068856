// Placement: each op goes to the first backend of an ordered list (e.g. [wasm, reference]) whose describe()
// accepts it; `force` pins ops to a named backend (tests: a split in the middle of a conv chain). Which backend
// owns the one arena all of them see is decided here too.
import { QdeployError } from '../util/errors';
import { isUnsupported, type Backend, type BackendName, type KernelDesc, type OpNode } from './backend';

export interface Placed {
  node: OpNode;
  backend: Backend;
  desc: KernelDesc;
  /** why each backend before it in the list declined the op ('wasm: no kernel'), for the placement report */
  declined: string[];
}

interface Declined { op: OpNode['op']; dt: string; reason: string }

/**
 * One line for the ops no backend accepts: each reason once, with the ops it covers grouped by type and input
 * dtypes, e.g. `relu(14) [X:fp32]: why` or `relu(14, 20, 31 and 23 more) [X:fp32], pool2d(16) [X:fp32]: why`
 * (a model with a hundred declined ops still gets a line a person can read).
 */
function groupDeclined(list: Declined[]): string {
  const byReason = new Map<string, Map<string, Declined[]>>();
  for (const d of list) {
    const groups = byReason.get(d.reason) ?? new Map<string, Declined[]>();
    byReason.set(d.reason, groups);
    const key = `${d.op.type} [${d.dt}]`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const parts: string[] = [];
  for (const [reason, groups] of byReason) {
    const ops = [...groups.values()].map((ds) => {
      if (ds.length === 1) return `${ds[0].op.label} [${ds[0].dt}]`;
      const ids = ds.slice(0, 3).map((d) => d.op.id).join(', ');
      return `${ds[0].op.type}(${ids}${ds.length > 3 ? ` and ${ds.length - 3} more` : ''}) [${ds[0].dt}]`;
    });
    parts.push(`${ops.join(', ')}: ${reason}`);
  }
  return parts.join('; ');
}

/** op id → the backend it must run on */
export type ForcePlacement = Record<number, BackendName>;

/** every op on the first backend that accepts it; one error lists every op that none accepts, with each reason */
export function placeOps(nodes: readonly OpNode[], backends: readonly Backend[], force: ForcePlacement = {}, source = 'model'): Placed[] {
  for (const [id, name] of Object.entries(force)) {
    if (!backends.some((b) => b.name === name)) throw new QdeployError('usage', `force: op ${id} on ${name}, which is not among the backends (${backends.map((b) => b.name).join(', ')})`);
  }
  const placed: Placed[] = [];
  const unsupported: Declined[] = [];
  for (const node of nodes) {
    const forced = force[node.op.id];
    const candidates = forced ? backends.filter((b) => b.name === forced) : backends;
    const reasons: string[] = [];
    for (const backend of candidates) {
      const d = backend.describe(node);
      if (!isUnsupported(d)) { placed.push({ node, backend, desc: d, declined: reasons }); break; }
      reasons.push(backends.length > 1 ? `${backend.name}: ${d.unsupported}` : d.unsupported); // one backend: the reason alone, as before
    }
    if (reasons.length === candidates.length) {
      const dt = Object.entries(node.inputs).map(([k, v]) => `${k}:${v.map((s) => s.dtype).join('|')}`).join(' ');
      unsupported.push({ op: node.op, dt, reason: reasons.join(', ') });
    }
  }
  if (unsupported.length) {
    const who = backends.length === 1 ? `backend ${backends[0].name}` : `backends ${backends.map((b) => b.name).join(', ')}`;
    throw new QdeployError('unsupported', `${source}: ${who} cannot run ${unsupported.length} op(s): ${groupDeclined(unsupported)}`);
  }
  return placed;
}

/**
 * The backend that allocates the plan's arena: the one used backend that needs its own (wasm: linear memory),
 * which every other used backend reaches through arena.u8() views; with none, the first used one. Two that each
 * need their own would need copies at every boundary between them, which the runtime does not do (yet).
 */
export function arenaOwner(used: readonly Backend[]): Backend {
  const own = used.filter((b) => !b.runsOnAnyArena);
  if (own.length > 1) {
    throw new QdeployError('backend', `backends ${own.map((b) => b.name).join(' and ')} each need an arena of their own; a plan can use at most one of them`);
  }
  return own[0] ?? used[0];
}
