// mkldnn_placement_pass (spec 3.5, mkldnn_enabled_op_types = {} i.e. all; PaddlePaddle/Paddle:paddle/fluid/
// framework/ir/mkldnn/mkldnn_placement_pass.cc): use_mkldnn = true on every op with a oneDNN kernel, which is
// what Paddle Inference reads to pick them in the saved INT8 program.
import { setBool, type Pass } from './pass';

/** op types with a oneDNN kernel in Paddle that appear in image classifiers and the quantized graph */
export const ONEDNN_OP_TYPES = new Set([
  'conv2d', 'depthwise_conv2d', 'conv2d_transpose', 'pool2d', 'batch_norm', 'relu', 'relu6', 'leaky_relu', 'hard_swish',
  'swish', 'sigmoid', 'tanh', 'gelu', 'elementwise_add', 'elementwise_mul', 'elementwise_sub', 'concat', 'softmax',
  'reshape2', 'transpose2', 'fc', 'mul', 'matmul', 'matmul_v2', 'scale', 'lrn', 'layer_norm', 'slice', 'split',
  'nearest_interp', 'nearest_interp_v2', 'prior_box', 'shape', 'clip', 'flatten2', 'squeeze2', 'unsqueeze2',
]);

export const mkldnnPlacementPass: Pass = {
  name: 'mkldnn_placement_pass',
  doc: 'use_mkldnn = true on ops with a oneDNN kernel',
  run(g) {
    for (const op of g.ops) if (ONEDNN_OP_TYPES.has(op.type) || op.hasAttr('use_mkldnn')) setBool(op, 'use_mkldnn', true);
  },
};
