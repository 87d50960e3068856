// _gather_input_scales_from_fake (spec 3.2 step 3; quant2_int8_mkldnn_pass.py): fake quantize ops with a
// stored scale give s = 1/threshold for both X and Out, signed, never overwriting an entry already there.
// Quant2 reads fake_quantize_moving_average_abs_max, fake_quantize_range_abs_max and
// fake_quantize_dequantize_moving_average_abs_max; qdeploy also reads quantize_linear / dequantize_linear
// (on activations) and moving_average_abs_max_scale, whose scale vars hold the threshold the same way; Paddle 3.x's
// oneDNN pass takes 1/Scale[0] from quantize_linear and from dequantize_linear on activations for X and Y alike
// (PaddlePaddle/Paddle:paddle/fluid/framework/ir/onednn/quant_dequant_onednn_pass.cc CollectInputScalesFromQuantize,
// CollectWeightScalesInfoFromONNXFormatDequantize).
// Dialects without a stored scale (abs_max: dynamic) give nothing; the ops they feed stay FP32 unless
// another source (out_threshold, propagation) provides a scale.
import { fakeDialect } from '../ops/fake_dialects';
import { checkBits } from './fake_ops';
import type { Pass } from './pass';
import { activationThreshold } from './scale_io';

export const gatherInputScales: Pass = {
  name: 'gather_input_scales_from_fake',
  requires: ['gather_weight_thresholds_from_fake'],
  doc: 'activation scales (1/InScale) from fake quantize ops, for X and Out',
  run(g, ctx) {
    for (const op of g.ops) {
      const d = fakeDialect(op);
      if (!d) continue;
      checkBits(op);
      const x = op.input(d.x);
      if (!d.storedScale) {
        if (d.kind !== 'dequantize' && x && !g.isParam(x)) ctx.note('info', op, `dynamic abs_max: no stored scale for '${x}'`);
        continue;
      }
      if (x === undefined || g.isParam(x)) continue; // weights: thresholds, not activation scales
      const t = activationThreshold(g, op, d.storedScale);
      const s = 1 / t;
      for (const name of [x, op.output(d.out)]) if (name) ctx.addScale(name, { unsigned: false, scale: Float64Array.of(s) });
    }
  },
};
