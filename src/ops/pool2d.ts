// pool2d (NCHW; PaddlePaddle/Paddle:paddle/fluid/operators/pool_op.cc Pool2dOpMaker, math/pooling.cc): max/avg,
// global_pooling, exclusive, adaptive, ceil_mode, 2- or 4-value paddings, padding_algorithm. The geometry is
// resolved by poolGeom (attrs.ts). On u8/s8 input the output keeps the input's type and scale (spec 4.6).
import { poolGeom } from './attrs';
import { registerSchema } from './schema';

registerSchema({
  type: 'pool2d',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: {
    pooling_type: 'max', ksize: [], global_pooling: false, strides: [1, 1], paddings: [0, 0], exclusive: true,
    adaptive: false, ceil_mode: false, padding_algorithm: 'EXPLICIT', data_format: 'NCHW',
  },
  infer: (c) => {
    const x = c.req('X');
    if (x.dtype !== 'fp32' && x.dtype !== 'int8' && x.dtype !== 'uint8') c.fail(`X dtype ${x.dtype} is not supported`);
    const g = poolGeom(c.op, x.dims);
    return { Out: [{ dtype: x.dtype, dims: [g.n, g.c, g.oh, g.ow] }] };
  },
});
