// compile(): a graph + an ordered list of backends + a batch size → a Plan. Shapes and dtypes are inferred once
// for the batch, every op is placed on the first backend that accepts it (one error lists all ops none accepts),
// reorders go where layouts disagree, buffers are placed in one arena by liveness, and every kernel is prepared.
// Running a plan allocates nothing but the returned outputs.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { getSchema, type InferCtx, type ShapeInfo } from '../ops/schema';
import '../ops/all';
import { isPaddleOpType, unsupportedOpType } from '../ops/paddle_op_types';
import { dtypeSize, numel, type Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';
import type { Backend, BufferRef, Kernel, KernelIO, OpNode, TensorSpec } from './backend';
import { planArena, type Lifetime } from './arena_plan';
import { arenaOwner, placeOps, type ForcePlacement } from './placement';
import { insertReorders, reorderDesc, runtimeExecutor } from './reorders';
import { Plan, type PlanStep } from './plan';

export interface CompileOptions {
  batch?: number;
  /** override input dims (whole shape) by feed var name */
  inputDims?: Record<string, number[]>;
  /** keep these vars (or every var) readable after run(), e.g. for per-layer comparison */
  keep?: string[] | 'all';
  /** pin ops (by id) to a backend of the list, e.g. to split a conv chain in tests */
  force?: ForcePlacement;
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

/** one backend, or an ordered list: each op runs on the first that accepts it */
export type Backends = Backend | readonly Backend[];

export function compile(g: Graph, backends: Backends, opts: CompileOptions = {}): Plan {
  const list: readonly Backend[] = Array.isArray(backends) ? backends : [backends as Backend];
  if (!list.length) throw new QdeployError('usage', 'compile: no backend given');
  const unsupported: string[] = [];
  for (const op of g.ops) {
    if (op.type !== 'feed' && op.type !== 'fetch' && !getSchema(op.type)) unsupported.push(unsupportedOpType(op.type, op.id));
  }
  if (unsupported.length) {
    throw new QdeployError('unsupported', `${g.source || 'model'}: cannot run ${unsupported.length} op(s): ${unsupported.join('; ')}`);
  }
  const { specs, folded } = inferSpecs(g, opts);

  // every op that has to run, placed on a backend; then the reorders their layouts need
  const nodes: OpNode[] = [];
  for (const op of g.ops) {
    if (op.type === 'feed' || op.type === 'fetch' || folded.has(op)) continue;
    const slots = (slotList: typeof op.inputs, skipParamsOut: boolean) => {
      const r: Record<string, TensorSpec[]> = {};
      for (const s of slotList) {
        r[s.parameter] = s.arguments
          .filter((n) => !(skipParamsOut && g.isParam(n)))
          .map((n) => specs.get(n))
          .filter((x): x is TensorSpec => x !== undefined);
      }
      return r;
    };
    nodes.push({ op, inputs: slots(op.inputs, false), outputs: slots(op.outputs, true) });
  }
  const placed = placeOps(nodes, list, opts.force, g.source || 'model');
  const fetchNames = g.fetches().map((f) => f.name);
  const { steps: proto, outputs: outSpecs } = insertReorders(placed, specs, fetchNames);

  // lifetimes: constants first (never reused), then activations by liveness
  const keepAll = opts.keep === 'all';
  const keep = new Set(Array.isArray(opts.keep) ? opts.keep : []);
  const constants = new Map<string, TensorSpec>();
  const life = new Map<string, Lifetime>();
  const touch = (s: TensorSpec, step: number, write: boolean) => {
    const { name } = s;
    if (s.value) { constants.set(name, s); return; }
    let l = life.get(name);
    if (!l) { l = { key: name, bytes: specBytes(s), first: write ? step : -1, last: step }; life.set(name, l); }
    if (write) l.first = Math.min(l.first, step); // a read never moves the start back (it made every read var live from -1)
    l.last = Math.max(l.last, step);
  };
  for (const f of g.feeds()) { const s = specs.get(f.name); if (s) touch(s, -1, true); }
  proto.forEach((st, i) => {
    for (const sl of Object.values(st.inputs)) for (const s of sl) touch(s, i, false);
    for (const sl of Object.values(st.outputs)) for (const s of sl) touch(s, i, true);
  });
  const outNames = new Set(outSpecs.map((s) => s.name));
  for (const s of outSpecs) if (s.value) constants.set(s.name, s);
  for (const l of life.values()) if (outNames.has(l.key) || keepAll || keep.has(l.key)) l.last = Infinity;

  // one arena every used backend sees, allocated by the one that needs its own memory (placement.ts)
  const used = list.filter((b) => placed.some((p) => p.backend === b));
  const owner = arenaOwner(used.length ? used : [list[0]]);
  const align = Math.max(...list.map((b) => b.alignment));
  const offsets = new Map<string, number>();
  let constBytes = 0;
  for (const [name, s] of constants) {
    offsets.set(name, constBytes);
    constBytes += Math.max(Math.ceil((s.value!.data.byteLength) / align) * align, align);
  }
  const arenaPlan = planArena([...life.values()], align, constBytes);
  for (const [k, off] of arenaPlan.offsets) offsets.set(k, off);
  const arena = owner.allocArena(arenaPlan.total);
  const mem = arena.u8();
  for (const [name, s] of constants) {
    const d = s.value!.data;
    mem.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), offsets.get(name)!);
  }

  // prepare every kernel once, with the arena it will run on (allocated above: the order is the contract)
  const ref = (s: TensorSpec): BufferRef => ({ offset: offsets.get(s.name)!, spec: s });
  const steps: PlanStep[] = proto.map((st) => {
    const io: KernelIO = { arena, inputs: {}, outputs: {} };
    for (const [slot, sl] of Object.entries(st.inputs)) io.inputs[slot] = sl.map(ref);
    for (const [slot, sl] of Object.entries(st.outputs)) io.outputs[slot] = sl.map(ref);
    const p = st.placed;
    if (!p) return { op: st.node.op, executor: runtimeExecutor, kernel: { desc: reorderDesc(st.node) }, io };
    const weights = new Map<string, Tensor>();
    for (const sl of Object.values(p.node.inputs)) for (const s of sl) if (s.value) weights.set(s.name, s.value);
    let kernel: Kernel;
    try {
      kernel = p.backend.prepare(p.desc, weights, arena);
    } catch (e) {
      if (e instanceof QdeployError) throw e;
      throw new QdeployError('backend', `op ${p.node.op.label}: ${p.backend.name} prepare failed: ${(e as Error).message}`);
    }
    return { op: p.node.op, executor: p.backend, kernel, io, ...(p.declined.length ? { declined: p.declined } : {}) };
  });

  const inputs = g.feeds().map((f) => ref(specs.get(f.name)!));
  const outputs = outSpecs.map(ref);
  return new Plan({ backends: used, arena, steps, inputs, outputs, outputNames: fetchNames, specs, offsets, batch: opts.batch ?? 1 });
}
