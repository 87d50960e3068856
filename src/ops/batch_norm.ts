// batch_norm, inference form (PaddlePaddle/Paddle:paddle/fluid/operators/batch_norm_op.cc): Y = (X − Mean) /
// sqrt(Variance + epsilon) · Scale + Bias per channel (axis 1, NCHW). MeanOut/VarianceOut alias the persistable
// Mean/Variance (the runtime keeps the params); SavedMean/SavedVariance are [C] and not written at inference.
import { attrStr } from './attr';
import { prod } from './attrs';
import { registerSchema } from './schema';

registerSchema({
  type: 'batch_norm',
  inputs: ['X', 'Scale', 'Bias', 'Mean', 'Variance'],
  outputs: ['Y', 'MeanOut', 'VarianceOut', 'SavedMean', 'SavedVariance', 'ReserveSpace'],
  attrs: { epsilon: 1e-5, momentum: 0.9, is_test: false, data_layout: 'NCHW', use_global_stats: false, trainable_statistics: false },
  infer: (c) => {
    const x = c.req('X');
    if (x.dims.length < 2) c.fail(`X must have rank >= 2, got [${x.dims.join(',')}]`);
    const layout = attrStr(c.op, 'data_layout');
    if (layout !== 'NCHW' && layout !== 'AnyLayout') c.fail(`data_layout ${layout} is not supported`);
    if (x.dtype !== 'fp32') c.fail(`X dtype ${x.dtype} is not supported`);
    const C = x.dims[1];
    for (const s of ['Scale', 'Bias', 'Mean', 'Variance']) {
      const t = c.req(s);
      if (prod(t.dims) !== C) c.fail(`${s} has ${prod(t.dims)} values, expected ${C}`);
    }
    const stat = { dtype: 'fp32' as const, dims: [C] };
    return { Y: [{ dtype: 'fp32', dims: [...x.dims] }], MeanOut: [stat], VarianceOut: [stat], SavedMean: [stat], SavedVariance: [stat], ReserveSpace: [{ dtype: 'fp32', dims: [0] }] };
  },
});
