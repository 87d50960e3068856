// The pipelines as data. QUANT2_INT8 is Paddle's Quant2Int8MkldnnPass.apply() order (spec 3.1; PaddlePaddle/
// Paddle:python/paddle/fluid/contrib/slim/quantization/quant2_int8_mkldnn_pass.py, 2.0, with the 3.x additions
// noted in each pass), restricted to the passes that apply to CPU image models:
//   gather scales → remove fake ops → dequantize weights → FP32 optimisation → weight scales → u8 outputs →
//   propagate scales → placement → quantize → squash → cleanup.
import { checkFakeDialects } from './check_fake_dialects';
import { cleanupPass } from './cleanup';
import { computeWeightScales } from './compute_weight_scales';
import { convActivationMkldnnFusePass } from './conv_activation_mkldnn_fuse_pass';
import { convBiasMkldnnFusePass } from './conv_bias_mkldnn_fuse_pass';
import { convBnFusePass } from './conv_bn_fuse_pass';
import { convEltwiseAddBnFusePass } from './conv_eltwiseadd_bn_fuse_pass';
import { convElementwiseAddMkldnnFusePass } from './conv_elementwise_add_mkldnn_fuse_pass';
import { cpuQuantizePass } from './cpu_quantize_pass';
import { cpuQuantizePlacementPass } from './cpu_quantize_placement_pass';
import { cpuQuantizeSquashPass } from './cpu_quantize_squash_pass';
import { depthwiseConvMkldnnPass } from './depthwise_conv_mkldnn_pass';
import { dequantizeWeights } from './dequantize_weights';
import { fcFusePass } from './fc_fuse_pass';
import { gatherInputScales } from './gather_input_scales';
import { gatherOutputScales } from './gather_output_scales';
import { gatherWeightThresholds } from './gather_weight_thresholds';
import { int8WeightsPass } from './int8_weights';
import { isTestPass } from './is_test_pass';
import { labelSkipQuantizedOp } from './label_skip_quantized_op';
import { mapMatmulToMulPass } from './map_matmul_to_mul_pass';
import { mkldnnPlacementPass } from './mkldnn_placement_pass';
import type { Pass, PassOptions } from './pass';
import { propagateScales } from './propagate_scales';
import { removeFakeOps } from './remove_fake_ops';
import { renameInplaceOutputs } from './rename_inplace_outputs';
import { updateActivations } from './update_activations';
import { updateReluOutputScales } from './update_relu_output_scales';

/** the FP32 optimisation passes (spec 3.5), in Paddle's order */
export const FP32_OPTIMIZATION: readonly Pass[] = [
  updateActivations,
  isTestPass,
  mkldnnPlacementPass,
  depthwiseConvMkldnnPass,
  convBnFusePass,
  convEltwiseAddBnFusePass,
  convBiasMkldnnFusePass,
  convElementwiseAddMkldnnFusePass,
  convActivationMkldnnFusePass,
  mapMatmulToMulPass,
  fcFusePass,
];

export const QUANT2_INT8: readonly Pass[] = [
  checkFakeDialects,
  renameInplaceOutputs,
  labelSkipQuantizedOp,
  gatherWeightThresholds,
  gatherInputScales,
  gatherOutputScales,
  removeFakeOps,
  dequantizeWeights,
  ...FP32_OPTIMIZATION,
  computeWeightScales,
  updateReluOutputScales,
  propagateScales,
  cpuQuantizePlacementPass,
  cpuQuantizePass,
  cpuQuantizeSquashPass,
  cleanupPass,
];

/** the convert pipeline for a set of options (--int8_weights appends the qdeploy-only weight pass) */
export function convertPipeline(opts: Partial<PassOptions> = {}): Pass[] {
  return opts.int8Weights ? [...QUANT2_INT8, int8WeightsPass] : [...QUANT2_INT8];
}
