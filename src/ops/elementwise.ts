// elementwise_add / sub / mul / div with Paddle's `axis` broadcasting (see broadcast() in attrs.ts;
// PaddlePaddle/Paddle:paddle/fluid/operators/elementwise/elementwise_op_function.h). fp32 only; an int8
// elementwise_add (Scale_x/Scale_y/Scale_out) is not run by the reference.
import { attrNum } from './attr';
import { broadcast } from './attrs';
import { registerSchema } from './schema';

for (const type of ['elementwise_add', 'elementwise_sub', 'elementwise_mul', 'elementwise_div']) {
  registerSchema({
    type, inputs: ['X', 'Y'], outputs: ['Out'], attrs: { axis: -1 },
    infer: (c) => {
      const x = c.req('X'), y = c.req('Y');
      if (x.dtype !== 'fp32' || y.dtype !== 'fp32') c.fail(`dtypes ${x.dtype}/${y.dtype} are not supported (fp32 only)`);
      const b = broadcast(c.op, x.dims, y.dims, attrNum(c.op, 'axis'));
      return { Out: [{ dtype: 'fp32', dims: b.out }] };
    },
  });
}
