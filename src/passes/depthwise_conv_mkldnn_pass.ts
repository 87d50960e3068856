// depthwise_conv_mkldnn_pass (spec 3.5; PaddlePaddle/Paddle:paddle/fluid/framework/ir/mkldnn/
// depthwise_conv_mkldnn_pass.cc): depthwise_conv2d becomes conv2d (oneDNN runs both as a grouped conv).
import type { Pass } from './pass';

export const depthwiseConvMkldnnPass: Pass = {
  name: 'depthwise_conv_mkldnn_pass',
  doc: 'depthwise_conv2d → conv2d (grouped)',
  run(g, ctx) {
    for (const op of g.ops) {
      if (op.type !== 'depthwise_conv2d') continue;
      const before = op.label;
      op.type = 'conv2d';
      ctx.note('info', before, `now ${op.label}`);
    }
  },
};
