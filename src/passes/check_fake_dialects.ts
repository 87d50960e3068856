// Before anything else: every fake-quant op must be in a dialect we know, and the model must not be INT8
// already (oneDNN quantize/dequantize/requantize ops are Paddle's conversion output, not its input).
import { fakeDialect, isOneDnnQuantOp, looksLikeUnknownFake, unknownFakeError } from './fake_ops';
import type { Pass } from './pass';
import { QdeployError } from '../util/errors';

export const checkFakeDialects: Pass = {
  name: 'check_fake_dialects',
  doc: 'refuse unknown fake-quant dialects and already-converted INT8 programs',
  run(g, ctx) {
    let n = 0;
    for (const op of g.ops) {
      if (isOneDnnQuantOp(op)) {
        throw new QdeployError('quant', `op ${op.label}: the model already holds oneDNN ${op.type} ops (it is an INT8 model, not a quant model)`);
      }
      if (looksLikeUnknownFake(op)) throw unknownFakeError(op);
      if (fakeDialect(op)) n++;
    }
    if (n === 0) ctx.note('info', g.source || 'model', 'no fake-quant ops: scales can only come from out_threshold');
  },
};
