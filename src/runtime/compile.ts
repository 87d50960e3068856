// compile(): a graph + a backend + a batch size → a Plan. Shapes and dtypes are inferred once for the
// batch, every op is described (one error lists all unsupported ops), buffers are placed in one arena by
// liveness, and every kernel is prepared. Running a plan allocates nothing but the returned outputs.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { getSchema, type InferCtx, type ShapeInfo } from '../ops/schema';
import '../ops/all';
import { isPaddleOpType, unsupportedOpType } from '../ops/paddle_op_types';
import { dtypeSize, numel, type Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';
import { isUnsupported, type Backend, type BufferRef, type Kernel, type KernelDesc, type KernelIO, type OpNode, type TensorSpec } from './backend';
import { planArena, type Lifetime } from './arena_plan';
import { Plan, type PlanStep } from './plan';

export interface CompileOptions {
  batch?: number;
  /** override input dims (whole shape) by feed var name */
  inputDims?: Record<string, number[]>;
  /** keep these vars (or every var) readable after run(), e.g. for per-layer comparison */
  keep?: string[] | 'all';
}

const specBytes = (s: TensorSpec) => numel(s.dims) * dtypeSize(s.dtype);

export function inferSpecs(g: Graph, opts: CompileOptions = {}): { specs: Map<string, TensorSpec>; folded: Set<Op> } {
  const batch = opts.batch ?? 1;
  const specs = new Map<string, TensorSpec>();
  for (const [name, t] of g.params) specs.set(name, { name, dtype: t.dtype, dims: [...t.dims], value: t });
  for (const f of g.feeds()) {
    const v = g.mustVar(f.name, f.op);
    let dims = opts.inputDims?.[f.name] ?? v.dims.map((d, i) => (d < 0 && i === 0 ? batch : d));
    if (dims.some((d) => d < 0)) {
      throw new QdeployError('shape', `input '${f.name}' has unknown dims [${v.dims.join(',')}]; give its shape`);
    }
    dims = [...dims];
    specs.set(f.name, { name: f.name, dtype: v.dtype ?? 'fp32', dims });
  }
  const folded = new Set<Op>();
  for (const op of g.ops) {
    if (op.type === 'feed' || op.type === 'fetch') continue;
    const schema = getSchema(op.type);
    // compile() lists every such op before inferring; here (info) inference stops at the first, naming it rather
    // than the op that would find its output missing
    if (!schema) throw new QdeployError(isPaddleOpType(op.type) ? 'unsupported' : 'format', unsupportedOpType(op.type, op.id));
    const get = (slot: string): ShapeInfo[] =>
      op.inputList(slot).map((n) => {
        const s = specs.get(n);
        if (!s) {
          const isParam = g.isParam(n);
          throw new QdeployError(isParam ? 'format' : 'shape', isParam
            ? `op ${op.label}: parameter '${n}' has no value (missing from the parameter files)`
            : `op ${op.label}: input '${n}' (slot ${slot}) is not produced by any earlier op`);
        }
        return s;
      });
    const ctx: InferCtx = {
      op,
      in: (slot) => get(slot)[0],
      req: (slot) => get(slot)[0] ?? ctx.fail(`missing required input ${slot}`),
      ins: get,
      fail: (m) => { throw new QdeployError('shape', `op ${op.label}: ${m}`); },
    };
    const outs = schema.infer(ctx);
    let allConst = true;
    let any = false;
    for (const s of op.outputs) {
      const infos = outs[s.parameter];
      s.arguments.forEach((name, i) => {
        const info = infos?.[i];
        if (!info) return;
        if (g.isParam(name) && specs.has(name)) return; // in-place stats (batch_norm MeanOut): keep the param
        for (const d of info.dims) {
          if (!Number.isFinite(d) || d < 0) ctx.fail(`output '${name}' has invalid dims [${info.dims.join(',')}]`);
        }
        specs.set(name, { name, dtype: info.dtype, dims: info.dims, value: info.value });
        any = true;
        if (!info.value) allConst = false;
      });
    }
    if (any && allConst) folded.add(op);
  }
  return { specs, folded };
}

interface Declined { op: Op; dt: string; reason: string }

/**
 * One line for the ops a backend declined: each reason once, with the ops it covers grouped by type and input
 * dtypes, e.g. `relu(14) [X:fp32]: why` or `relu(14, 20, 31 and 23 more) [X:fp32], pool2d(16) [X:fp32]: why`.
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

export function compile(g: Graph, backend: Backend, opts: CompileOptions = {}): Plan {
  const unsupported: string[] = [];
  for (const op of g.ops) {
    if (op.type !== 'feed' && op.type !== 'fetch' && !getSchema(op.type)) unsupported.push(unsupportedOpType(op.type, op.id));
  }
  if (unsupported.length) {
    throw new QdeployError('unsupported', `${g.source || 'model'}: cannot run ${unsupported.length} op(s): ${unsupported.join('; ')}`);
  }
  const { specs, folded } = inferSpecs(g, opts);

  // describe every op that has to run
  const declined: Declined[] = [];
  const nodes: OpNode[] = [];
  const descs: KernelDesc[] = [];
  for (const op of g.ops) {
    if (op.type === 'feed' || op.type === 'fetch' || folded.has(op)) continue;
    const slots = (list: typeof op.inputs, skipParamsOut: boolean) => {
      const r: Record<string, TensorSpec[]> = {};
      for (const s of list) {
        r[s.parameter] = s.arguments
          .filter((n) => !(skipParamsOut && g.isParam(n)))
          .map((n) => specs.get(n))
          .filter((x): x is TensorSpec => x !== undefined);
      }
      return r;
    };
    const node: OpNode = { op, inputs: slots(op.inputs, false), outputs: slots(op.outputs, true) };
    const d = backend.describe(node);
    if (isUnsupported(d)) {
      const dt = Object.entries(node.inputs).map(([k, v]) => `${k}:${v.map((s) => s.dtype).join('|')}`).join(' ');
      declined.push({ op, dt, reason: d.unsupported });
      continue;
    }
    nodes.push(node);
    descs.push(d);
  }
  if (declined.length) {
    throw new QdeployError('unsupported', `${g.source || 'model'}: backend ${backend.name} cannot run ${declined.length} op(s): ${groupDeclined(declined)}`);
  }

  // lifetimes: constants first (never reused), then activations by liveness
  const fetchNames = new Set(g.fetches().map((f) => f.name));
  const keepAll = opts.keep === 'all';
  const keep = new Set(Array.isArray(opts.keep) ? opts.keep : []);
  const constants = new Map<string, TensorSpec>();
  const life = new Map<string, Lifetime>();
  const touch = (name: string, step: number, write: boolean) => {
    const s = specs.get(name);
    if (!s) return;
    if (s.value) { constants.set(name, s); return; }
    let l = life.get(name);
    if (!l) { l = { key: name, bytes: specBytes(s), first: write ? step : -1, last: step }; life.set(name, l); }
    if (write) l.first = Math.min(l.first, step); // a read never moves the start back (it made every read var live from -1)
    l.last = Math.max(l.last, step);
  };
  for (const f of g.feeds()) touch(f.name, -1, true);
  nodes.forEach((n, i) => {
    for (const list of Object.values(n.inputs)) for (const s of list) touch(s.name, i, false);
    for (const list of Object.values(n.outputs)) for (const s of list) touch(s.name, i, true);
  });
  for (const name of fetchNames) {
    const s = specs.get(name);
    if (s?.value) constants.set(name, s);
  }
  for (const l of life.values()) if (fetchNames.has(l.key) || keepAll || keep.has(l.key)) l.last = Infinity;

  const align = backend.alignment;
  const offsets = new Map<string, number>();
  let constBytes = 0;
  for (const [name, s] of constants) {
    offsets.set(name, constBytes);
    constBytes += Math.max(Math.ceil((s.value!.data.byteLength) / align) * align, align);
  }
  const placement = planArena([...life.values()], align, constBytes);
  for (const [k, off] of placement.offsets) offsets.set(k, off);
  const arena = backend.allocArena(placement.total);
  const mem = arena.u8();
  for (const [name, s] of constants) {
    const d = s.value!.data;
    mem.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), offsets.get(name)!);
  }

  const ref = (s: TensorSpec): BufferRef => ({ offset: offsets.get(s.name)!, spec: s });
  const steps: PlanStep[] = nodes.map((node, i) => {
    const weights = new Map<string, Tensor>();
    for (const list of Object.values(node.inputs)) for (const s of list) if (s.value) weights.set(s.name, s.value);
    let kernel: Kernel;
    try {
      kernel = backend.prepare(descs[i], weights);
    } catch (e) {
      if (e instanceof QdeployError) throw e;
      throw new QdeployError('backend', `op ${node.op.label}: ${backend.name} prepare failed: ${(e as Error).message}`);
    }
    const io: KernelIO = { arena, inputs: {}, outputs: {} };
    for (const [slot, list] of Object.entries(node.inputs)) io.inputs[slot] = list.map(ref);
    for (const [slot, list] of Object.entries(node.outputs)) io.outputs[slot] = list.map(ref);
    return { op: node.op, kernel, io };
  });

  const inputs = g.feeds().map((f) => ref(specs.get(f.name)!));
  const outputs = g.fetches().map((f) => {
    const s = specs.get(f.name);
    if (!s) throw new QdeployError('shape', `fetch target '${f.name}' is never produced`);
    return ref(s);
  });
  return new Plan(backend, arena, steps, inputs, outputs, specs, offsets, opts.batch ?? 1);
}
