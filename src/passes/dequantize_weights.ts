// _dequantize_weights (spec 3.4; quant2_int8_mkldnn_pass.py / quant2_int8_onednn_pass.py): an integer-valued
// weight of conv2d/depthwise_conv2d (Filter) or mul/matmul/matmul_v2 (Y) becomes W/127·T, with T the
// thresholds gathered for the op's output var (or, for dequantize_linear models, for the weight itself):
//   |T| = 1 or W.shape[0] → along axis 0;   |T| = W.shape[1] (rank > 1) → along axis 1;   else an error.
// Legacy int8 weights (`<w>.int8`, data_type INT8) become float32 under the name without `.int8`.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { Var } from '../graph/var';
import { type Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';
import type { Pass, PassContext } from './pass';

const WEIGHT_SLOT: Record<string, { w: string; out: string }> = {
  conv2d: { w: 'Filter', out: 'Output' },
  depthwise_conv2d: { w: 'Filter', out: 'Output' },
  mul: { w: 'Y', out: 'Out' },
  matmul: { w: 'Y', out: 'Out' },
  matmul_v2: { w: 'Y', out: 'Out' },
};

function isIntegerValued(t: Tensor): boolean {
  if (t.dtype === 'int8' || t.dtype === 'uint8' || t.dtype === 'int16' || t.dtype === 'int32') return true;
  if (t.dtype !== 'fp32' && t.dtype !== 'fp64') return false;
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) if (d[i] % 1 !== 0) return false;
  return true;
}

/** W/127·T along `axis` (float64 math, one float32 rounding at the end, as numpy's astype(float32)) */
export function dequantizeWeight(t: Tensor, thr: Float64Array, axis: number, who: string): Float32Array {
  const dims = t.dims;
  const n = t.data.length;
  const out = new Float32Array(n);
  const src = t.data as Float32Array;
  if (thr.length === 1) {
    for (let i = 0; i < n; i++) out[i] = (src[i] / 127) * thr[0];
    return out;
  }
  if (axis === 0) {
    const inner = n / dims[0];
    for (let c = 0; c < dims[0]; c++) for (let j = 0; j < inner; j++) out[c * inner + j] = (src[c * inner + j] / 127) * thr[c];
  } else {
    const inner = n / (dims[0] * dims[1]);
    for (let a = 0; a < dims[0]; a++) {
      for (let c = 0; c < dims[1]; c++) {
        const base = (a * dims[1] + c) * inner;
        for (let j = 0; j < inner; j++) out[base + j] = (src[base + j] / 127) * thr[c];
      }
    }
  }
  if (!out.every(Number.isFinite)) throw new QdeployError('quant', `${who}: dequantized weight is not finite`);
  return out;
}

function pickAxis(op: Op, wName: string, t: Tensor, thr: Float64Array, ctx: PassContext): number {
  const dims = t.dims;
  const stated = ctx.weightAxis.get(wName);
  if (thr.length === 1) return 0;
  if (stated !== undefined && dims[stated] === thr.length) return stated;
  if (thr.length === dims[0]) return 0;
  if (dims.length > 1 && thr.length === dims[1]) return 1;
  throw new QdeployError('quant', `op ${op.label}: ${thr.length} weight thresholds do not fit weight '${wName}' [${dims.join(',')}]`);
}

function dequantizeOne(g: Graph, op: Op, ctx: PassContext): void {
  const slots = WEIGHT_SLOT[op.type];
  const wName = op.input(slots.w);
  if (!wName || !g.isParam(wName)) return;
  const t = g.param(wName);
  if (!t) throw new QdeployError('format', `op ${op.label}: weight '${wName}' has no value`);
  if (!isIntegerValued(t)) return;
  const outName = op.output(slots.out) ?? '';
  const thr = ctx.weightThresholds.get(outName) ?? ctx.weightThresholds.get(wName);
  if (!thr) {
    if (t.dtype === 'fp32' || t.dtype === 'fp64') {
      ctx.note('info', op, `weight '${wName}' is integer-valued but no fake dequantize gives its threshold: kept as is`);
      return;
    }
    throw new QdeployError('quant', `op ${op.label}: weight '${wName}' is ${t.dtype} but no dequantize op gives its threshold`);
  }
  const axis = pickAxis(op, wName, t, thr, ctx);
  const data = dequantizeWeight(t, thr, axis, `op ${op.label}`);
  let name = wName;
  if (t.dtype !== 'fp32') {
    // legacy `<w>.int8`: a float32 tensor under the original name
    const base = wName.endsWith('.int8') ? wName.slice(0, -5) : `${wName}.fp32`;
    name = g.var(base) && g.producer(base) === undefined && g.consumers(base).length === 0 ? base : g.uniqueName(base);
    if (!g.var(name)) g.addVar(Var.create(name, 'fp32', t.dims, true));
    else { g.var(name)!.dtype = 'fp32'; g.var(name)!.dims = t.dims; }
    op.renameInput(wName, name);
  }
  g.params.set(name, { dtype: 'fp32', dims: [...t.dims], data });
  ctx.note('info', op, `weight '${name}' dequantized (${thr.length === 1 ? 'per tensor' : `${thr.length} channels, axis ${axis}`})`);
}

export const dequantizeWeights: Pass = {
  name: 'dequantize_weights',
  requires: ['remove_fake_ops'],
  doc: 'integer-valued conv/mul/matmul weights → float32 (W/127·threshold)',
  run(g, ctx) {
    for (const op of g.ops) if (WEIGHT_SLOT[op.type]) dequantizeOne(g, op, ctx);
    g.removeUnusedVars();
  },
};
