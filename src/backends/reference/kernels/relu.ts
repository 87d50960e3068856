import { registerRef } from '../registry';

registerRef('relu', {
  check: (n) => (n.inputs.X[0].dtype === 'fp32' || n.inputs.X[0].dtype === 'int8' || n.inputs.X[0].dtype === 'uint8' ? undefined : `dtype ${n.inputs.X[0].dtype}`),
  run: (c) => {
    const x = c.in('X'), y = c.out('Out');
    for (let i = 0; i < x.length; i++) { const v = x[i] as number; y[i] = v > 0 ? v : 0; }
  },
});
