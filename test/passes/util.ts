// Hand-built graphs for the pass tests, and a one-line-per-op rendering to write expected graphs out.
import { Graph } from '../../src/graph/graph';
import { Var } from '../../src/graph/var';
import type { AttrValue } from '../../src/graph/op';
import type { DType, Tensor } from '../../src/util/dtype';

export interface OpSpec {
  type: string;
  inputs?: Record<string, string[]>;
  outputs?: Record<string, string[]>;
  attrs?: Record<string, AttrValue>;
}

export interface ParamSpec { dims: number[]; data: number[]; dtype?: DType }

/** ops in program order; every var they name is declared (params persistable, with values) */
export function build(ops: OpSpec[], params: Record<string, ParamSpec> = {}, dims: Record<string, number[]> = {}): Graph {
  const g = new Graph();
  const declare = (n: string) => {
    if (g.var(n)) return;
    const p = params[n];
    g.addVar(Var.create(n, p?.dtype ?? 'fp32', p?.dims ?? dims[n] ?? [], p !== undefined));
  };
  for (const [n, p] of Object.entries(params)) {
    declare(n);
    const dtype = p.dtype ?? 'fp32';
    const data = dtype === 'int8' ? Int8Array.from(p.data) : Float32Array.from(p.data);
    g.params.set(n, { dtype, dims: p.dims, data } as Tensor);
  }
  for (const s of ops) {
    for (const list of [...Object.values(s.inputs ?? {}), ...Object.values(s.outputs ?? {})]) list.forEach(declare);
    g.append(g.makeOp(s));
  }
  return g;
}

function fmt(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(fmt).join(',')}]`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}

/** `type(Slot=a,b; Slot2=c) -> (Out=d) attr=v ...` for every op; only the attrs named are shown */
export function show(g: Graph, attrs: string[] = []): string[] {
  return g.ops.map((o) => {
    const ins = o.inputs.filter((s) => s.arguments.length).map((s) => `${s.parameter}=${s.arguments.join(',')}`).join('; ');
    const outs = o.outputs.filter((s) => s.arguments.length).map((s) => `${s.parameter}=${s.arguments.join(',')}`).join('; ');
    const as = attrs.filter((a) => o.hasAttr(a)).map((a) => `${a}=${fmt(o.attr(a))}`);
    return [`${o.type}(${ins}) -> (${outs})`, ...as].join(' ');
  });
}

export const f32 = (g: Graph, name: string): number[] => Array.from(g.param(name)!.data as Float32Array);

/** float32 rounding of a list of doubles, for expected values the passes compute in float32 */
export const fr = (xs: number[]): number[] => xs.map(Math.fround);
