// softmax, scale, dropout.
//   softmax (PaddlePaddle/Paddle:paddle/fluid/operators/softmax_op.cc): axis (−1), max-subtracted exp / sum.
//   scale (scale_op.cc): Out = scale·X + bias if bias_after_scale (default) else scale·(X + bias); fp32 only.
//   dropout at inference (dropout_op.cc, is_test): 'downgrade_in_infer' (default) Out = X·(1 − dropout_prob);
//   'upscale_in_train' Out = X. Mask (uint8, X's shape) is not meaningful at inference and is filled with 1.
import { attrNum, attrStr } from './attr';
import { normAxis } from './attrs';
import { registerSchema } from './schema';

registerSchema({
  type: 'softmax',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: { axis: -1, data_format: 'AnyLayout' },
  infer: (c) => {
    const x = c.req('X');
    if (x.dtype !== 'fp32') c.fail(`X dtype ${x.dtype} is not supported`);
    normAxis(c.op, attrNum(c.op, 'axis'), x.dims.length);
    return { Out: [{ dtype: 'fp32', dims: [...x.dims] }] };
  },
});

registerSchema({
  type: 'scale',
  inputs: ['X', 'ScaleTensor'],
  outputs: ['Out'],
  attrs: { scale: 1, bias: 0, bias_after_scale: true },
  infer: (c) => {
    const x = c.req('X');
    if (c.in('ScaleTensor')) c.fail('ScaleTensor input is not supported');
    // on u8/s8 the shape is still known; the reference refuses it in check()
    return { Out: [{ dtype: x.dtype, dims: [...x.dims] }] };
  },
});

registerSchema({
  type: 'dropout',
  inputs: ['X', 'Seed'],
  outputs: ['Out', 'Mask'],
  attrs: { dropout_prob: 0.5, is_test: false, dropout_implementation: 'downgrade_in_infer', fix_seed: false, seed: 0 },
  infer: (c) => {
    const x = c.req('X');
    if (x.dtype !== 'fp32') c.fail(`X dtype ${x.dtype} is not supported`);
    const impl = attrStr(c.op, 'dropout_implementation');
    if (impl !== 'downgrade_in_infer' && impl !== 'upscale_in_train') c.fail(`dropout_implementation ${impl} unknown`);
    return { Out: [{ dtype: 'fp32', dims: [...x.dims] }], Mask: [{ dtype: 'uint8', dims: [...x.dims] }] };
  },
});
