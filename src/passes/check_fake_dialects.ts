// Before anything else: every fake-quant op must be in a dialect we know, the model must be a quant model (an FP32
// model has nothing to convert: Paddle's pass would write it back unchanged and call it INT8), it must not be INT8
// already (oneDNN quantize/dequantize/requantize ops are Paddle's conversion output, not its input), and onnx_format
// zero points must be 0: Paddle's oneDNN passes read only Scale (quant_dequant_onednn_pass.cc), i.e. they quantize
// symmetrically, so a model that needs an offset cannot be expressed and is refused instead of converted wrongly.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { toNumbers } from '../util/dtype';
import { fakeDialect, isOneDnnQuantOp, looksLikeUnknownFake } from '../ops/fake_dialects';
import { unknownFakeError } from './fake_ops';
import type { Pass } from './pass';
import { QdeployError } from '../util/errors';

function checkZeroPoint(g: Graph, op: Op): void {
  const zp = op.input('ZeroPoint');
  if (!zp) return; // absent: zero
  const t = g.param(zp);
  if (!t) throw new QdeployError('quant', `op ${op.label}: zero point var '${zp}' is missing from the model`);
  const v = toNumbers(t);
  const k = v.findIndex((x) => x !== 0);
  if (k < 0) return;
  const at = v.length > 1 ? ` (channel ${k})` : '';
  throw new QdeployError('quant', `op ${op.label}: zero point var '${zp}' holds ${v[k]}${at}; only zero points of 0 (symmetric quantization) can be converted to INT8`);
}

export const checkFakeDialects: Pass = {
  name: 'check_fake_dialects',
  doc: 'refuse unknown fake-quant dialects, FP32 and already-converted INT8 programs, and non-zero zero points',
  run(g, ctx) {
    let n = 0;
    for (const op of g.ops) {
      if (isOneDnnQuantOp(op)) {
        throw new QdeployError('quant', `op ${op.label}: the model already holds oneDNN ${op.type} ops (it is an INT8 model, not a quant model)`);
      }
      if (looksLikeUnknownFake(op)) throw unknownFakeError(op);
      if (!fakeDialect(op)) continue;
      n++;
      if (op.type === 'quantize_linear' || op.type === 'dequantize_linear') checkZeroPoint(g, op);
    }
    if (n > 0) return;
    // Quant2 can also take scales from out_threshold attributes alone (_gather_output_scales_from_attr)
    if (g.ops.some((o) => o.num('out_threshold', 0) !== 0)) {
      ctx.note('info', g.source || 'model', 'no fake-quant ops: scales come from out_threshold only');
      return;
    }
    throw new QdeployError('quant', `${g.source || 'model'}: has no fake-quant ops (it is an FP32 model, not a quant model): quantize it first (qdeploy quantize), or give the quant model`);
  },
};
