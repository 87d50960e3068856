// Which ops PaddlePaddle's PTQ quantizes and observes, with the slots it reads
// (PaddlePaddle/Paddle:python/paddle/static/quantization/quant_config.py SUPPORT_WEIGHT_QUANTIZATION_OP_DICT,
// SUPPORT_ACT_QUANTIZATION_OP_DICT, BaseQuantizer; utils.py `_channelwise_quant_axis1_ops`,
// `_get_op_input_var_names`, `_get_op_output_var_names`).
import type { Op } from '../graph/op';

/** op type → [input slots, output slots] */
export type SlotTable = Readonly<Record<string, readonly [readonly string[], readonly string[]]>>;

export const WEIGHT_QUANT_OPS: SlotTable = {
  conv2d: [['Input', 'Filter'], ['Output']],
  depthwise_conv2d: [['Input', 'Filter'], ['Output']],
  conv2d_transpose: [['Input', 'Filter'], ['Output']],
  mul: [['X', 'Y'], ['Out']],
  matmul: [['X', 'Y'], ['Out']],
  matmul_v2: [['X', 'Y'], ['Out']],
};

export const ACT_QUANT_OPS: SlotTable = {
  mul: [['X', 'Y'], ['Out']], matmul: [['X', 'Y'], ['Out']], matmul_v2: [['X', 'Y'], ['Out']],
  pool2d: [['X'], ['Out']], elementwise_add: [['X', 'Y'], ['Out']], concat: [['X'], ['Out']],
  softmax: [['X'], ['Out']], argmax: [['X'], ['Out']], transpose: [['X'], ['Out']], equal: [['X', 'Y'], ['Out']],
  gather: [['X'], ['Out']], greater_equal: [['X', 'Y'], ['Out']], greater_than: [['X', 'Y'], ['Out']],
  less_equal: [['X', 'Y'], ['Out']], less_than: [['X', 'Y'], ['Out']], mean: [['X'], ['Out']],
  not_equal: [['X', 'Y'], ['Out']], reshape: [['X'], ['Out']], reshape2: [['X'], ['Out']],
  transpose2: [['X'], ['Out']], nearest_interp: [['X'], ['Out']], trilinear_interp: [['X'], ['Out']],
  slice: [['Input'], ['Out']], squeeze: [['X'], ['Out']], elementwise_sub: [['X', 'Y'], ['Out']],
  relu: [['X'], ['Out']], relu6: [['X'], ['Out']], leaky_relu: [['X'], ['Out']], prelu: [['X', 'Alpha'], ['Out']],
  tanh: [['X'], ['Out']], swish: [['X'], ['Out']], dropout: [['X'], ['Out']], batch_norm: [['X'], ['Y']],
  layer_norm: [['X'], ['Y']], sigmoid: [['X'], ['Out']], elementwise_mul: [['X', 'Y'], ['Out']],
  elementwise_pow: [['X', 'Y'], ['Out']], hard_swish: [['X'], ['Out']], hard_sigmoid: [['X'], ['Out']],
  gru: [['Input', 'Weight'], ['Hidden']], lstm: [['Input', 'Weight'], ['Hidden']], pad2d: [['X'], ['Out']],
  pad3d: [['X'], ['Out']], flatten: [['X'], ['Out']], flatten2: [['X'], ['Out']], unsqueeze2: [['X'], ['Out']],
  flatten_contiguous_range: [['X'], ['Out']], split: [['X'], ['Out']], squeeze2: [['X'], ['Out']],
  nearest_interp_v2: [['X'], ['Out']], bilinear_interp: [['X'], ['Out']], bilinear_interp_v2: [['X'], ['Out']],
  fill_constant_batch_size_like: [['Input'], ['Out']], arg_max: [['X'], ['Out']], abs: [['X'], ['Out']],
  assign: [['X'], ['Out']], cast: [['X'], ['Out']], clip: [['X'], ['Out']], box_coder: [['PriorBox'], ['OutputBox']],
  crop: [['X'], ['Out']], cumsum: [['X'], ['Out']], expand_v2: [['X'], ['Out']], fill_any_like: [['X'], ['Out']],
  fill_constant: [[], ['Out']], gelu: [['X'], ['Out']], instance_norm: [['X'], ['Y']],
  lookup_table: [['W', 'Ids'], ['Out']], lookup_table_v2: [['W', 'Ids'], ['Out']], norm: [['X'], ['Norm']],
  p_norm: [['X'], ['Out']], pow: [['X'], ['Out']], reduce_mean: [['X'], ['Out']], stack: [['X'], ['Y']],
  top_k_v2: [['X'], ['Out', 'Indices']], logical_and: [['X', 'Y'], ['Out']], logical_not: [['X'], ['Out']],
  meshgrid: [['X'], ['Out']], roi_align: [['X', 'ROIs'], ['Out']], strided_slice: [['Input'], ['Out']],
  where: [['Condition', 'X', 'Y'], ['Out']], grid_sampler: [['X', 'Grid'], ['Output']], tile: [['X'], ['Out']],
  group_norm: [['X'], ['Y', 'Mean', 'Variance']], reduce_sum: [['X'], ['Out']], square: [['X'], ['Out']],
  softplus: [['X'], ['Out']], shuffle_channel: [['X'], ['Out']], reduce_max: [['X'], ['Out']], scale: [['X'], ['Out']],
};

/** SUPPORT_QUANTIZATION_OP_DICT: weight table updated by the activation table */
export const ALL_QUANT_OPS: SlotTable = { ...WEIGHT_QUANT_OPS, ...ACT_QUANT_OPS };

/** weights of these ops are quantized per column (axis 1) with channel_wise_abs_max */
export const CHANNELWISE_AXIS1_OPS = ['conv2d_transpose', 'mul', 'matmul', 'matmul_v2'];

/** PaddleSlim quant_post_static's default quantizable_op_type (PaddlePaddle/PaddleSlim:paddleslim/quant/quanter.py) */
export const DEFAULT_QUANTIZABLE_OP_TYPES = ['conv2d', 'depthwise_conv2d', 'conv2d_transpose', 'mul', 'matmul', 'matmul_v2'];

/** BaseQuantizer: which types get weight quant, activation quant-dequant, and output observation */
export interface QuantConfig {
  weightTypes: string[];
  activationTypes: string[];
  observerTypes: string[];
}

export function quantConfig(quantizableOpTypes: readonly string[]): QuantConfig {
  const weightTypes = quantizableOpTypes.length
    ? quantizableOpTypes.filter((t) => t in WEIGHT_QUANT_OPS) : Object.keys(WEIGHT_QUANT_OPS);
  const activationTypes = quantizableOpTypes.length
    ? quantizableOpTypes.filter((t) => t in ACT_QUANT_OPS) : ['mul', 'matmul', 'matmul_v2'];
  return { weightTypes, activationTypes, observerTypes: Object.keys(ACT_QUANT_OPS) };
}


/** utils._get_op_input_var_names: the args of the table's input slots ([] for ops not in the table) */
export function tableInputs(op: Op): string[] {
  const e = ALL_QUANT_OPS[op.type];
  return e ? e[0].flatMap((s) => op.inputList(s)) : [];
}
export function tableOutputs(op: Op): string[] {
  const e = ALL_QUANT_OPS[op.type];
  return e ? e[1].flatMap((s) => op.outputList(s)) : [];
}
/** utils._get_output_name_index: (slot, index) of an output var, the last match as Paddle's loop leaves it */
export function outputSlotIndex(op: Op, name: string): [string, number] | undefined {
  const e = ALL_QUANT_OPS[op.type];
  if (!e) return undefined;
  let res: [string, number] | undefined;
  for (const s of e[1]) op.outputList(s).forEach((v, i) => { if (v === name) res = [s, i]; });
  return res;
}
