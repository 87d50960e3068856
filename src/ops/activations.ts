// Unary activations (PaddlePaddle/Paddle:paddle/fluid/operators/activation_op.cc / .h functors):
//   relu6(threshold=6):           min(max(x, 0), threshold)
//   leaky_relu(alpha=0.02):       x > 0 ? x : alpha·x
//   tanh, sigmoid:                tanh(x), 1/(1+exp(−x))
//   hard_swish(threshold=6, scale=6, offset=3):  x · min(max(x + offset, 0), threshold) / scale
//   hard_sigmoid(slope=0.2, offset=0.5):         min(max(slope·x + offset, 0), 1)
// (relu has its own file.) Same shape and dtype as X; only relu and relu6-free int8 use is allowed (fp32 here).
import { registerSchema } from './schema';

const DEFAULTS: Record<string, Record<string, unknown>> = {
  relu6: { threshold: 6 },
  leaky_relu: { alpha: 0.02 },
  tanh: {},
  sigmoid: {},
  hard_swish: { threshold: 6, scale: 6, offset: 3 },
  hard_sigmoid: { slope: 0.2, offset: 0.5 },
};

for (const [type, attrs] of Object.entries(DEFAULTS)) {
  registerSchema({
    type, inputs: ['X'], outputs: ['Out'], attrs,
    infer: (c) => {
      const x = c.req('X');
      if (x.dtype !== 'fp32') c.fail(`X dtype ${x.dtype} is not supported`);
      return { Out: [{ dtype: x.dtype, dims: [...x.dims] }] };
    },
  });
}
