// The pipelines as data. QUANT2_INT8 is Paddle's Quant2Int8MkldnnPass.apply() order (spec 3.1; PaddlePaddle/
// Paddle:python/paddle/fluid/contrib/slim/quantization/quant2_int8_mkldnn_pass.py, 2.0, with the 3.x additions
// noted in each pass), restricted to the passes that apply to CPU image models:
//   gather scales → remove fake ops → dequantize weights → FP32 optimisation → weight scales →
//   propagate scales → placement → quantize → squash → cleanup.
// `_update_relu_output_scales` (2.0: relu outputs quantized u8 at 255/T) is left out by default, as Paddle 3.x
// leaves it out (quant2_int8_onednn_pass.py: "causes nondeterministic quantization behavior"): relu outputs are
// still u8 tensors (a relu-fused conv writes u8), at the scale 127/T the quant model simulated, so the INT8 model
// reproduces the quant model's grid. --update_relu_output_scales puts it back (finer, but not what was trained).
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

/**
 * the FP32 analysis pipeline (bench/compare --use_analysis, AnalysisConfig's CPU passes): in-place outputs get fresh
 * names first (Paddle's ir::Graph is SSA), then the FP32 optimisation passes
 */
export const FP32_ANALYSIS: readonly Pass[] = [renameInplaceOutputs, ...FP32_OPTIMIZATION];

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
  propagateScales,
  cpuQuantizePlacementPass,
  cpuQuantizePass,
  cpuQuantizeSquashPass,
  cleanupPass,
];

/**
 * the convert pipeline for a set of options: unsignedReluScales puts Paddle 2.0's update_relu_output_scales
 * back after compute_weight_scales; int8Weights appends the qdeploy-only weight pass
 */
export function convertPipeline(opts: Partial<PassOptions> = {}): Pass[] {
  const passes = [...QUANT2_INT8];
  if (opts.unsignedReluScales) passes.splice(passes.indexOf(computeWeightScales) + 1, 0, updateReluOutputScales);
  if (opts.int8Weights) passes.push(int8WeightsPass);
  return passes;
}
