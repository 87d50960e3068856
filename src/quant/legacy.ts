// Legacy 8-bit programs (QuantizeTranspiler output renamed by convert_to_quantize.py; ../shared/assets README
// "The legacy quantize / dequantize ops") back to FP32 before PTQ: every `quantize` and `dequantize` op (slot X)
// is removed with its readers rewired to its input, and every int8 weight `<w>.int8` becomes the float32 weight
// `<w>` = W_int8 · 127 / max_range, max_range being the attr of the dequantize op after the weight's op
// (README "Derived FP32 MobileNetV1 / V2": max_range = 127·127/max|W|).
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { Var } from '../graph/var';
import { isLegacyQuant } from '../runtime/op_rules';
import { QdeployError } from '../util/errors';


export function isLegacyInt8(g: Graph): boolean {
  return g.ops.some(isLegacyQuant);
}

export interface LegacyResult { graph: Graph; removedOps: number; weights: number }

export function legacyToFp32(src: Graph): LegacyResult {
  const g = src.clone();
  const maxRange = new Map<string, number>(); // int8 weight → max_range
  let removed = 0;
  for (const op of [...g.ops]) {
    if (!isLegacyQuant(op)) continue;
    const x = op.input('X')!, out = op.output('Out');
    if (op.type === 'dequantize') {
      const producer = g.producer(x);
      const mr = op.num('max_range', NaN);
      if (!(mr > 0) || !Number.isFinite(mr)) throw new QdeployError('quant', `op ${op.label}: max_range ${op.attr('max_range')} is not a positive number`);
      for (const n of producer?.allInputs() ?? []) {
        const t = g.param(n);
        if (t?.dtype === 'int8') {
          const prev = maxRange.get(n);
          if (prev !== undefined && prev !== mr) throw new QdeployError('quant', `int8 weight '${n}' is dequantized with two max_range values (${prev}, ${mr})`);
          maxRange.set(n, mr);
        }
      }
    }
    if (out) g.rewireConsumers(out, x, op);
    g.removeOp(op);
    removed++;
  }
  for (const [name, mr] of maxRange) {
    const t = g.param(name)!;
    const q = t.data as Int8Array;
    const w = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) w[i] = (q[i] * 127) / mr;
    let fp = name.endsWith('.int8') ? name.slice(0, -'.int8'.length) : `${name}.fp32`;
    if (g.var(fp)) fp = g.uniqueName(fp);
    g.addVar(Var.create(fp, 'fp32', [...t.dims], true));
    g.params.set(fp, { dtype: 'fp32', dims: [...t.dims], data: w });
    for (const op of g.ops) op.renameInput(name, fp);
  }
  g.removeUnusedVars();
  const left = [...g.params].filter(([, t]) => t.dtype === 'int8').map(([n]) => n);
  if (left.length) throw new QdeployError('quant', `${src.source || 'model'}: int8 weight(s) ${left.slice(0, 3).join(', ')} have no dequantize op giving max_range`);
  return { graph: g, removedOps: removed, weights: maxRange.size };
}
