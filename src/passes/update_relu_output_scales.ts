// _update_relu_output_scales (spec 3.7, Paddle 2.0; quant2_int8_mkldnn_pass.py): outputs that cannot be
// negative are marked unsigned (u8), when they already have a scale: conv Output with fuse_activation relu/relu6,
// fc Out with activation_type relu/relu6, and the Out of relu/relu6 ops. The scale value is kept. Paddle 3.x
// disables this step; qdeploy runs it only with --update_relu_output_scales (pipelines.ts convertPipeline).
import type { Op } from '../graph/op';
import { attrStr } from '../ops/attr';
import { CONV_TYPES, type Pass } from './pass';

const RELU = new Set(['relu', 'relu6']);

function unsignedOutput(op: Op): string | undefined {
  if (CONV_TYPES.has(op.type) && RELU.has(attrStr(op, 'fuse_activation'))) return op.output('Output');
  if (op.type === 'fc' && RELU.has(attrStr(op, 'activation_type'))) return op.output('Out');
  if (RELU.has(op.type)) return op.output('Out');
  return undefined;
}

export const updateReluOutputScales: Pass = {
  name: 'update_relu_output_scales',
  requires: ['compute_weight_scales'],
  doc: 'outputs of relu/relu6 (fused or not) become unsigned (u8)',
  run(g, ctx) {
    for (const op of g.ops) {
      const out = unsignedOutput(op);
      const e = out ? ctx.scales.get(out) : undefined;
      if (out && e && !e.unsigned) { ctx.scales.set(out, { unsigned: true, scale: e.scale }); ctx.note('info', op, `'${out}' is unsigned (u8)`); }
    }
  },
};
