// relu: Out = max(X, 0). Same shape and dtype as X (u8/s8 too: relu on int8 is a clamp at 0).
import { registerSchema } from './schema';

export default registerSchema({
  type: 'relu',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: {},
  infer: (c) => {
    const x = c.req('X');
    return { Out: [{ dtype: x.dtype, dims: [...x.dims] }] };
  },
});
