// _gather_output_scales_from_attr (spec 3.2 step 4, 2.2; quant2_int8_mkldnn_pass.py): an op with attr
// out_threshold T ≠ 0 gives s = 1/T to every output var, signed, not overwriting fake-op scales.
import type { Pass } from './pass';
import { QdeployError } from '../util/errors';

export const gatherOutputScales: Pass = {
  name: 'gather_output_scales_from_attr',
  requires: ['gather_input_scales_from_fake'],
  doc: 'output scales from the out_threshold attribute',
  run(g, ctx) {
    for (const op of g.ops) {
      if (!op.hasAttr('out_threshold')) continue;
      const t = op.num('out_threshold', 0);
      if (Number.isNaN(t) || !Number.isFinite(t)) throw new QdeployError('quant', `op ${op.label}: out_threshold is ${t}`);
      if (t === 0) continue;
      if (t < 0) throw new QdeployError('quant', `op ${op.label}: out_threshold ${t} is negative`);
      for (const name of op.allOutputs()) ctx.addScale(name, { unsigned: false, scale: Float64Array.of(1 / t) });
    }
  },
};
