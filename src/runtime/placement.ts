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

/** op id → the backend it must run on */
export type ForcePlacement = Record<number, BackendName>;

/** every op on the first backend that accepts it; one error lists every op that none accepts, with each reason */
export function placeOps(nodes: readonly OpNode[], backends: readonly Backend[], force: ForcePlacement = {}, source = 'model'): Placed[] {
  for (const [id, name] of Object.entries(force)) {
    if (!backends.some((b) => b.name === name)) throw new QdeployError('usage', `force: op ${id} on ${name}, which is not among the backends (${backends.map((b) => b.name).join(', ')})`);
  }
  const placed: Placed[] = [];
  const unsupported: string[] = [];
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
      unsupported.push(`${node.op.label} [${dt}]: ${reasons.join(', ')}`);
    }
  }
  if (unsupported.length) {
    const who = backends.length === 1 ? `backend ${backends[0].name}` : `backends ${backends.map((b) => b.name).join(', ')}`;
    throw new QdeployError('unsupported', `${source}: ${who} cannot run ${unsupported.length} op(s): ${unsupported.join('; ')}`);
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
