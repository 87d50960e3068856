// The IR: block 0 of a Paddle program as ops in program order plus vars and parameter values.
// Other blocks, the version and op_version_map are carried untouched for the writer.
//
// Op ids follow Paddle's ir::Graph numbering (PaddlePaddle/Paddle:paddle/fluid/framework/ir/graph.cc
// InitFromBlock; graph.h CreateOpNode/CreateVarNode), which is what `--op_ids_to_skip` refers to:
//   one counter from 0; per op in program order: the op node takes the next id; then each input var
//   name (slots sorted by slot name, arguments in order) takes the next id at its first use only; then
//   each output argument always takes a new id (SSA version). Vars never used by an op come last,
//   sorted by name. Control-dependency vars (ResolveHazard) are not modelled. Ops created later by passes
//   take ids from the same counter, so ids of original ops stay stable through the pipeline.
import type { Tensor } from '../util/dtype';
import type { ProgramDesc } from '../util/program_desc';
import { QdeployError } from '../util/errors';
import { Op, type AttrValue } from './op';
import { Var } from './var';

export interface NewOpSpec {
  type: string;
  inputs?: Record<string, string[]>;
  outputs?: Record<string, string[]>;
  attrs?: Record<string, AttrValue>;
}

export class Graph {
  ops: Op[] = [];
  vars = new Map<string, Var>();
  params = new Map<string, Tensor>();
  /** the program this graph came from (blocks other than 0, version, op_version_map) */
  program: ProgramDesc;
  private nextId = 0;
  /** where the model was read from, for error messages */
  source = '';

  constructor(program?: ProgramDesc) {
    this.program = program ?? { blocks: [{ idx: 0, parent_idx: -1, vars: [], ops: [] }] };
  }

  static fromProgram(program: ProgramDesc, params?: Map<string, Tensor>, source = ''): Graph {
    const g = new Graph(program);
    g.source = source;
    const block = program.blocks[0];
    if (!block) throw new QdeployError('format', `${source || 'program'}: has no block 0`);
    for (const vd of block.vars) g.vars.set(vd.name, new Var(vd));
    const seen = new Set<string>();
    for (const d of block.ops) {
      const op = Op.fromDesc(g.nextId++, d);
      const bySlot = (list: typeof op.inputs) => [...list].sort((a, b) => (a.parameter < b.parameter ? -1 : a.parameter > b.parameter ? 1 : 0));
      for (const s of bySlot(op.inputs)) for (const a of s.arguments) if (!seen.has(a)) { seen.add(a); g.nextId++; }
      for (const s of bySlot(op.outputs)) for (const a of s.arguments) { seen.add(a); g.nextId++; }
      g.ops.push(op);
    }
    g.nextId += [...g.vars.keys()].filter((n) => !seen.has(n)).length;
    if (params) g.params = params;
    return g;
  }

  /** the program with block 0 rebuilt from the IR (var order kept, new vars appended) */
  toProgram(): ProgramDesc {
    const blocks = this.program.blocks.map((b, i) =>
      i === 0 ? { ...b, vars: [...this.vars.values()].map((v) => v.desc), ops: this.ops.map((o) => o.toDesc()) } : b);
    return { ...this.program, blocks };
  }

  // ---- lookup ----
  var(name: string): Var | undefined { return this.vars.get(name); }
  mustVar(name: string, who?: Op): Var {
    const v = this.vars.get(name);
    if (!v) throw new QdeployError('format', `${who ? `op ${who.label}: ` : ''}var '${name}' is not declared in the program`);
    return v;
  }
  opById(id: number): Op | undefined { return this.ops.find((o) => o.id === id); }
  /** the last op (in program order) writing `name` */
  producer(name: string): Op | undefined {
    for (let i = this.ops.length - 1; i >= 0; i--) if (this.ops[i].allOutputs().includes(name)) return this.ops[i];
    return undefined;
  }
  consumers(name: string): Op[] { return this.ops.filter((o) => o.allInputs().includes(name)); }
  isParam(name: string): boolean { return this.vars.get(name)?.persistable === true; }
  param(name: string): Tensor | undefined { return this.params.get(name); }

  /** feed targets in `col` order */
  feeds(): { name: string; col: number; op: Op }[] {
    return this.ops.filter((o) => o.type === 'feed')
      .map((op) => ({ name: op.output('Out') ?? '', col: op.num('col', 0), op }))
      .sort((a, b) => a.col - b.col);
  }
  fetches(): { name: string; col: number; op: Op }[] {
    return this.ops.filter((o) => o.type === 'fetch')
      .map((op) => ({ name: op.input('X') ?? '', col: op.num('col', 0), op }))
      .sort((a, b) => a.col - b.col);
  }

  // ---- edits ----
  takeId(): number { return this.nextId++; }
  get idCounter(): number { return this.nextId; }

  /** create an op (not yet placed): it takes the next id, as Paddle's CreateOpNode would */
  makeOp(spec: NewOpSpec): Op {
    const op = new Op(this.nextId++, spec.type);
    for (const [slot, args] of Object.entries(spec.inputs ?? {})) op.setInput(slot, args);
    for (const [slot, args] of Object.entries(spec.outputs ?? {})) { op.setOutput(slot, args); this.nextId += args.length; }
    for (const [k, v] of Object.entries(spec.attrs ?? {})) op.setAttr(k, v);
    return op;
  }
  insertBefore(ref: Op, op: Op): Op { this.ops.splice(this.indexOf(ref), 0, op); return op; }
  insertAfter(ref: Op, op: Op): Op { this.ops.splice(this.indexOf(ref) + 1, 0, op); return op; }
  append(op: Op): Op { this.ops.push(op); return op; }
  removeOp(op: Op): void { this.ops.splice(this.indexOf(op), 1); }
  replaceOp(old: Op, op: Op): void { this.ops[this.indexOf(old)] = op; }
  indexOf(op: Op): number {
    const i = this.ops.indexOf(op);
    if (i < 0) throw new QdeployError('internal', `op ${op.label} is not in the graph`);
    return i;
  }

  addVar(v: Var): Var {
    if (this.vars.has(v.name)) throw new QdeployError('internal', `var '${v.name}' already exists`);
    this.vars.set(v.name, v);
    return v;
  }
  /** a fresh var name with the given stem: `stem`, `stem_1`, ... */
  uniqueName(stem: string): string {
    if (!this.vars.has(stem)) return stem;
    for (let i = 1; ; i++) if (!this.vars.has(`${stem}_${i}`)) return `${stem}_${i}`;
  }
  /** every op reading `from` reads `to` instead (ops after `after`, when given) */
  rewireConsumers(from: string, to: string, after?: Op): void {
    const start = after ? this.indexOf(after) + 1 : 0;
    for (let i = start; i < this.ops.length; i++) this.ops[i].renameInput(from, to);
  }
  /** drop vars that no op reads or writes (params included, with their values) */
  removeUnusedVars(keep: (name: string) => boolean = () => false): string[] {
    const used = new Set<string>();
    for (const o of this.ops) { for (const n of o.allInputs()) used.add(n); for (const n of o.allOutputs()) used.add(n); }
    const removed: string[] = [];
    for (const name of [...this.vars.keys()]) {
      if (used.has(name) || name === 'feed' || name === 'fetch' || keep(name)) continue;
      this.vars.delete(name); this.params.delete(name); removed.push(name);
    }
    return removed;
  }

  clone(): Graph {
    const program = structuredClone(this.program);
    const g = new Graph(program);
    g.source = this.source;
    g.nextId = this.nextId;
    g.ops = this.ops.map((o) => Op.fromDesc(o.id, structuredClone(o.toDesc())));
    for (const [k, v] of this.vars) g.vars.set(k, new Var(structuredClone(v.desc)));
    for (const [k, t] of this.params) g.params.set(k, { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() });
    return g;
  }

  opHistogram(): Map<string, number> {
    const h = new Map<string, number>();
    for (const o of this.ops) h.set(o.type, (h.get(o.type) ?? 0) + 1);
    return h;
  }
}
