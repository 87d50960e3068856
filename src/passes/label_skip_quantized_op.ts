// _label_skip_quantized_op (spec 3.2 step 1; PaddlePaddle/Paddle:python/paddle/fluid/contrib/slim/quantization/
// quant2_int8_mkldnn_pass.py): a quantizable op without `quantization_type` (dygraph-exported models) whose
// input comes from an op that is not a fake quant op gets skip_quant = true, so it stays FP32.
import type { Pass } from './pass';
import { setBool } from './pass';

const QUANTIZABLE = new Set(['conv2d', 'depthwise_conv2d', 'mul', 'matmul', 'matmul_v2']);

export const labelSkipQuantizedOp: Pass = {
  name: 'label_skip_quantized_op',
  doc: 'mark conv/mul/matmul whose inputs are not fake-quantized as skip_quant',
  run(g, ctx) {
    for (const op of g.ops) {
      if (!QUANTIZABLE.has(op.type) || op.hasAttr('quantization_type')) continue;
      for (const name of op.allInputs()) {
        const p = g.producer(name);
        if (p && !p.type.includes('quantize')) {
          setBool(op, 'skip_quant', true);
          ctx.note('info', op, `skip_quant: input '${name}' comes from ${p.label}, not from a fake quant op`);
          break;
        }
      }
    }
  },
};
