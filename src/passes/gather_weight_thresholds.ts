// _gather_weight_thresholds_from_fake (spec 3.2 step 2; quant2_int8_mkldnn_pass.py): every fake dequantize op
// gives the thresholds of the weight of the op that produced its X, keyed by X's name:
//   attr max_range → T = 127·127 / max_range (scalar);   else → the contents of Scales[0] (per channel).
// dequantize_linear on a weight (onnx_format models) gives its Scale, keyed by the weight's own name: Paddle 3.x's
// oneDNN pass reads them so (PaddlePaddle/Paddle:paddle/fluid/framework/ir/onednn/quant_dequant_onednn_pass.cc
// CollectWeightScalesInfoFromONNXFormatDequantize; Scale holds max|W[c]|, the value PTQ writes to <w>@scale).
import { attrNum } from '../ops/attr';
import { fakeDialect } from '../ops/fake_dialects';
import { checkBits } from './fake_ops';
import type { Pass } from './pass';
import { readScaleVar } from './scale_io';
import { QdeployError } from '../util/errors';

export const gatherWeightThresholds: Pass = {
  name: 'gather_weight_thresholds_from_fake',
  doc: 'weight thresholds from fake dequantize ops (max_range or Scales[0])',
  run(g, ctx) {
    for (const op of g.ops) {
      const d = fakeDialect(op);
      if (!d || d.kind !== 'dequantize') continue;
      checkBits(op);
      const x = op.input(d.x);
      if (!x) throw new QdeployError('quant', `op ${op.label}: has no ${d.x} input`);
      let t: Float64Array;
      if (d.weightThreshold === 'Scale') {
        if (!g.isParam(x)) continue; // dequantize_linear on an activation: an activation scale, gathered later
        t = readScaleVar(g, op, 'Scale');
        ctx.weightAxis.set(x, attrNum(op, 'quant_axis'));
      } else if (op.hasAttr('max_range')) {
        const mr = op.num('max_range', NaN);
        if (!(mr > 0) || !Number.isFinite(mr)) throw new QdeployError('quant', `op ${op.label}: max_range ${mr} must be a finite number > 0`);
        t = Float64Array.of((127 * 127) / mr);
      } else if (d.weightThreshold === 'Scales') {
        t = readScaleVar(g, op, 'Scales');
      } else {
        throw new QdeployError('quant', `op ${op.label}: has no max_range attribute to give its weight threshold`);
      }
      ctx.weightThresholds.set(x, t);
    }
  },
};
