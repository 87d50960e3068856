// lrn across channels (PaddlePaddle/Paddle:paddle/fluid/operators/lrn_op.cc LRNFunctor):
//   Out[n,c,h,w] = X[n,c,h,w] / (k + alpha · Σ_{j=c−(n−1)/2}^{c−(n−1)/2+n−1} X[n,j,h,w]²)^beta, j clipped to [0, C)
// (alpha is not divided by n, unlike Caffe). MidOut holds the denominator base (k + alpha·Σ).
import { attrNum } from './attr';
import { registerSchema } from './schema';

registerSchema({
  type: 'lrn',
  inputs: ['X'],
  outputs: ['Out', 'MidOut'],
  attrs: { n: 5, k: 2, alpha: 1e-4, beta: 0.75, data_format: 'AnyLayout' },
  infer: (c) => {
    const x = c.req('X');
    if (x.dims.length !== 4) c.fail(`X must be 4-D NCHW, got [${x.dims.join(',')}]`);
    if (x.dtype !== 'fp32') c.fail(`X dtype ${x.dtype} is not supported`);
    if (!(attrNum(c.op, 'n') > 0)) c.fail('n must be positive');
    return { Out: [{ dtype: 'fp32', dims: [...x.dims] }], MidOut: [{ dtype: 'fp32', dims: [...x.dims] }] };
  },
});
