// _compute_weight_scales (spec 3.6; quant2_int8_mkldnn_pass.py): after fusion, weight scales are recomputed
// from the FP32 weights, float64: conv Filter reshaped [OC, -1] → scale[c] = 1/max|W[c,:]|; fc W [IC, OC] →
// scale[o] = 1/max over rows; inf → 0 (an all-zero channel). Stored signed under the weight's name.
import type { Graph } from '../graph/graph';
import { CONV_TYPES, invOrZero, type Pass, type PassContext } from './pass';

function perChannel(g: Graph, ctx: PassContext, name: string, axis: 0 | 1): void {
  const t = g.param(name);
  if (!t || t.dtype !== 'fp32') return;
  const d = t.data as Float32Array;
  const rows = t.dims[0], cols = d.length / rows;
  const n = axis === 0 ? rows : cols;
  const max = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.abs(d[r * cols + c]);
      const k = axis === 0 ? r : c;
      if (v > max[k]) max[k] = v;
    }
  }
  ctx.scales.set(name, { unsigned: false, scale: max.map(invOrZero) });
}

export const computeWeightScales: Pass = {
  name: 'compute_weight_scales',
  doc: 'per-channel weight scales 1/max|W| from the fused FP32 weights',
  run(g, ctx) {
    for (const op of g.ops) {
      if (CONV_TYPES.has(op.type) && op.input('Filter')) perChannel(g, ctx, op.input('Filter')!, 0);
      else if (op.type === 'fc' && op.input('W')) perChannel(g, ctx, op.input('W')!, 1);
    }
  },
};
