// compare's graph analysis: which var of the INT8 graph holds the same layer output as which var of the FP32 graph
// (Quant2Int8 renames and fuses, so matching is by weight parameter and by following the fused chain), the scale
// that turns an INT8 var back into real numbers, and which ops' time belongs to each matched var.
import type { Graph } from '../graph/graph';
import { attrNum } from '../ops/attr';
import type { Plan } from '../runtime/plan';
import { dequantizeValue } from '../int8/contract';
import { int8ScaleSource } from '../ops/int8_scale';
import { numel, type Tensor } from '../util/dtype';

/** the (scale, shift) of an int8/uint8 var: int = real·Scale + Shift, from the op that produced it */
export function int8ScaleOf(g: Graph, name: string, depth = 0): { scale: number; shift: number } | undefined {
  const p = g.producer(name);
  if (!p || depth > 64) return undefined;
  if (p.type === 'quantize') return { scale: attrNum(p, 'Scale'), shift: attrNum(p, 'Shift') };
  if (p.type === 'requantize') return { scale: attrNum(p, 'Scale_out'), shift: attrNum(p, 'Shift_out') };
  const slot = int8ScaleSource(p.type); // the op passes its input's scale through (src/ops/int8_scale.ts)
  if (slot) {
    const x = p.input(slot);
    return x ? int8ScaleOf(g, x, depth + 1) : undefined;
  }
  if (p.hasAttr('Scale_out')) return { scale: p.num('Scale_out', 1), shift: p.num('Shift_out', 0) };
  return undefined;
}

/** a var's value as real numbers: fp32 as is, u8/s8 dequantized with the producing op's scale */
export function realValues(g: Graph, t: Tensor, name: string): Float32Array | undefined {
  if (t.dtype === 'fp32') return t.data as Float32Array;
  if (t.dtype !== 'int8' && t.dtype !== 'uint8') return undefined;
  const s = int8ScaleOf(g, name);
  if (!s || !(s.scale > 0)) return undefined;
  const d = t.data as Int8Array | Uint8Array;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = dequantizeValue(d[i], s.scale, s.shift);
  return out;
}

export interface Segment { var: string; ops: { id: number; type: string }[] }

/** ops in program order grouped by the next matched var they lead to */
export function segments(g: Graph, matched: string[]): Segment[] {
  const want = new Set(matched);
  const segs: Segment[] = [];
  let cur: { id: number; type: string }[] = [];
  for (const op of g.ops) {
    if (op.type === 'feed' || op.type === 'fetch') continue;
    cur.push({ id: op.id, type: op.type });
    const out = op.allOutputs().find((o) => want.has(o));
    if (out) { segs.push({ var: out, ops: cur }); cur = []; want.delete(out); }
  }
  if (cur.length && segs.length) segs[segs.length - 1].ops.push(...cur);
  return segs;
}

const WEIGHT_SLOTS = ['Filter', 'W', 'Y'];
const QUANT_OPS = new Set(['quantize', 'dequantize', 'requantize']);

/** the op a row stands for: the producer of its INT8 var, looking through quantize/dequantize/requantize */
export function layerOp(g: Graph, v: string): { type: string; id: number } | undefined {
  let p = g.producer(v);
  for (let guard = 0; p && QUANT_OPS.has(p.type) && guard < 8; guard++) {
    const x = p.input('Input') ?? p.input('X');
    const q = x ? g.producer(x) : undefined;
    if (!q) break;
    p = q;
  }
  return p;
}

/**
 * The FP32 var an INT8 op's output stands for. Quant2Int8 renames outputs (cpu_quantize_pass inserts
 * `dequantize/in_<k>` vars, squash keeps them), so ops are matched by their weight parameter instead, and the FP32
 * chain is followed through what the INT8 op fused: batch_norm, bias add, the residual add, the activation.
 */
function fp32Counterpart(g32: Graph, g8: Graph, op8: Graph['ops'][number]): string | undefined {
  const w = WEIGHT_SLOTS.map((s) => op8.input(s)).find((n) => n !== undefined && g8.isParam(n));
  if (!w) return undefined;
  const op32 = g32.ops.find((o) => o.type !== 'feed' && WEIGHT_SLOTS.some((s) => o.input(s) === w));
  if (!op32) return undefined;
  let v = op32.output('Output') ?? op32.output('Out');
  if (!v) return undefined;
  const act = op8.str('fuse_activation', op8.str('activation_type', ''));
  let residual = op8.bool('fuse_residual_connection', false);
  for (let guard = 0; guard < 8; guard++) {
    const cs = g32.consumers(v);
    if (cs.length !== 1) break;
    const c = cs[0];
    if (c.type === 'batch_norm') { v = c.output('Y')!; continue; }
    if (c.type === 'elementwise_add' && g32.isParam(c.input('Y') ?? '')) { v = c.output('Out')!; continue; }
    if (c.type === 'elementwise_add' && residual) { residual = false; v = c.output('Out')!; continue; }
    if (act && c.type === act) v = c.output('Out')!;
    break;
  }
  return v;
}

export interface VarPair { int8: string; fp32: string }

/**
 * Pairs of vars that hold the same layer output in both models, in the INT8 graph's order: ops with weights
 * matched through their weight parameter, other vars by name; same element count; FP32 order must agree.
 */
export function matchedVars(fp32: Graph, int8: Graph, specs32: Plan['specs'], specs8: Plan['specs']): VarPair[] {
  const produced32 = new Set(fp32.ops.filter((o) => o.type !== 'feed').flatMap((o) => o.allOutputs()));
  const out: VarPair[] = [];
  const seen8 = new Set<string>(), seen32 = new Set<string>();
  const push = (a8: string, a32: string) => {
    if (seen8.has(a8) || seen32.has(a32) || fp32.isParam(a32) || int8.isParam(a8)) return;
    const a = specs32.get(a32), b = specs8.get(a8);
    if (!a || !b || a.value || b.value || numel(a.dims) !== numel(b.dims)) return;
    seen8.add(a8); seen32.add(a32);
    out.push({ int8: a8, fp32: a32 });
  };
  for (const op of int8.ops) {
    if (op.type === 'feed' || op.type === 'fetch') continue;
    const main = op.output('Output') ?? op.output('Out');
    const cp = fp32Counterpart(fp32, int8, op);
    if (main && cp) push(main, cp);
    for (const n of op.allOutputs()) if (produced32.has(n)) push(n, n);
  }
  const pos32 = new Map<string, number>();
  fp32.ops.forEach((o, i) => o.allOutputs().forEach((n) => { if (!pos32.has(n)) pos32.set(n, i); }));
  let last = -1;
  return out.filter((p) => { const q = pos32.get(p.fp32)!; if (q < last) return false; last = q; return true; });
}
