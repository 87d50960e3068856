// The op types Paddle itself has, so that an op qdeploy has no schema for is named truthfully: a real Paddle op
// (prior_box, multiclass_nms, fusion_gru…) is "not supported by qdeploy yet", and only a type Paddle does not have
// is "unknown" (a misspelt, custom or corrupted program).
//
// Sources (names only; a program may carry either spelling of an op):
// - PaddlePaddle/Paddle:paddle/phi/ops/yaml/op_compat.yaml — every `- op : <phi name> (<fluid name>)` entry, both
//   names: the fluid names are the op types inference programs (ProgramDesc) carry;
// - PaddlePaddle/Paddle:paddle/fluid/operators/detection/*_op.cc — the detection ops registered there;
// - PaddlePaddle/Paddle:paddle/fluid/operators/sequence_ops/ and fused/ — sequence and fused inference ops, and the
//   oneDNN INT8 ops the Quant2Int8 passes write (quantize, dequantize, requantize).
// Gradient ops (`<type>_grad`, `_grad_grad`) of these are Paddle's too.
const NAMES = `
abs accuracy acos acosh adadelta adadelta_ adagrad adagrad_ adam adam_ adamax adamax_ adamw adamw_ add
add_n add_position_encoding addmm affine_channel affine_grid all allclose amax amin anchor_generator angle
any arange arg_max arg_min argmax argmin argsort array_to_tensor as_complex as_real asin asinh assert assign
assign_pos assign_value atan atan2 atanh attention_lstm auc baddbmm barrier batch_fc batch_norm bce_loss
beam_search beam_search_decode bernoulli bicubic_interp bicubic_interp_v2 bilinear bilinear_interp
bilinear_interp_v2 bilinear_tensor_product bincount bipartite_match bitwise_and bitwise_not bitwise_or
bitwise_xor bmm bn_act_xpu box_clip box_coder box_decoder_and_assign box_restore brelu broadcast_tensors
c_allreduce_sum c_concat c_embedding c_identity c_scatter c_softmax_with_cross_entropy c_split
c_sync_calc_stream c_sync_comm_stream cast ceil celu channel_shuffle check_finite_and_unscale
check_finite_and_unscale_ cholesky cholesky_solve chunk_eval class_center_sample clip clip_by_norm
coalesce_tensor collect_fpn_proposals comm_init_all complex concat conditional_block conj conv2d
conv2d_fusion conv2d_inception_fusion conv2d_transpose conv2d_transpose_bias conv3d conv3d_transpose
correlation cos cosh crf_decoding crop crop_tensor cross cross_entropy cross_entropy2
cross_entropy_with_softmax ctc_align cudnn_lstm cumprod cumsum cvm data_norm decayed_adagrad decode_jpeg
deformable_conv deformable_conv_v1 deformable_psroi_pooling density_prior_box depend depthwise_conv2d
depthwise_conv2d_transpose dequantize dequantize_abs_max dequantize_linear dequantize_log det determinant
dgc dgc_clip_by_norm dgc_momentum diag diag_embed diag_v2 diagonal digamma dirichlet dist
distribute_fpn_proposals distributed_fused_lamb_init divide dot dpsgd dropout dropout_nd edit_distance eig
eigh eigvals eigvalsh einsum elementwise_add elementwise_div elementwise_floordiv elementwise_fmax
elementwise_fmin elementwise_heaviside elementwise_max elementwise_min elementwise_mod elementwise_mul
elementwise_pow elementwise_sub elu embedding empty equal equal_all erf erfinv exp expand expand_as
expand_as_v2 expand_v2 expm1 exponential exponential_ eye fake_channel_wise_dequantize_max_abs
fake_channel_wise_quantize_abs_max fake_channel_wise_quantize_dequantize_abs_max fake_dequantize_max_abs
fake_quantize_abs_max fake_quantize_dequantize_abs_max fake_quantize_dequantize_moving_average_abs_max
fake_quantize_moving_average_abs_max fake_quantize_range_abs_max faster_tokenizer fc feed fetch
fetch_barrier fetch_v2 fft_c2c fft_c2r fft_r2c fill fill_any fill_any_like fill_constant
fill_constant_batch_size_like fill_diagonal fill_diagonal_tensor fill_zeros_like flash_attn_unpadded
flash_attn_varlen_qkvpacked flatten flatten2 flatten_contiguous_range flip floor floor_divide fmax fmin fold
frame frobenius_norm ftrl full full_batch_size_like full_like full_with_tensor fused_adam fused_adam_
fused_attention fused_batch_norm_act fused_bias_dropout_residual_layer_norm fused_bn_add_activation
fused_bn_add_activation_ fused_conv2d fused_conv2d_add_act fused_conv3d fused_elemwise_activation
fused_elemwise_add_activation fused_elementwise_add fused_elementwise_div fused_elementwise_mul
fused_elementwise_sub fused_embedding_eltwise_layernorm fused_embedding_fc_lstm
fused_fc_elementwise_layernorm fused_feedforward fused_gate_attention fused_gemm_epilogue fused_matmul
fused_multi_transformer fused_multi_transformer_int8 fused_seqpool_cvm fused_softmax_mask fused_softplus
fused_token_prune fused_transpose fusion_group fusion_gru fusion_lstm fusion_repeated_fc_relu
fusion_seqconv_eltadd_relu fusion_seqpool_concat fusion_seqpool_cvm_concat fusion_squared_mat_sub
fusion_transpose_flatten_concat gather gather_nd gather_tree gaussian gaussian_random gelu
generate_mask_labels generate_proposal_labels generate_proposals generate_proposals_v2
get_tensor_from_selected_rows global_gather global_scatter grad_add graph_khop_sampler graph_reindex
graph_sample_neighbors graph_send_recv graph_send_ue_recv graph_send_uv greater_equal greater_than
grid_sample grid_sampler group_norm gru gru_unit gumbel_softmax hard_shrink hard_sigmoid hard_swish
hardshrink hardsigmoid hardswish hardtanh hash heaviside hierarchical_sigmoid hinge_loss histogram
hsigmoid_loss huber_loss identity_loss im2sequence imag increment index_add index_sample index_select
instance_norm inverse iou_similarity is_empty isclose isfinite isfinite_v2 isinf isinf_v2 isnan isnan_v2
kldiv_loss kron kthvalue l1_norm label_smooth lamb lamb_ lars_momentum lars_momentum_ layer_norm leaky_relu
legacy_bilinear_interp legacy_crop legacy_expand legacy_generate_proposals legacy_matmul
legacy_nearest_interp legacy_reshape lerp less_equal less_than lgamma limit_by_capacity linear_interp
linear_interp_v2 linspace locality_aware_nms lod_array_length lod_reset log log10 log1p log2 log_loss
log_softmax logcumsumexp logical_and logical_not logical_or logical_xor logit logsigmoid logspace
logsumexp lookup_table lookup_table_dequant lookup_table_v2 lrn lstm lstmp lstsq lu lu_unpack
margin_cross_entropy masked_select match_matrix_tensor matmul matmul_v2 matmul_with_flatten matrix_nms
matrix_power matrix_rank max max_pool2d_with_index max_pool3d_with_index maximum maxout mean mean_all
memcpy memcpy_d2h memory_efficient_attention merge_selected_rows merged_adam_ merged_momentum
merged_momentum_ meshgrid min mine_hard_examples minimum mish mode momentum momentum_
moving_average_abs_max_scale mp_allreduce_sum mul multi_dot multi_gru multiclass_nms multiclass_nms2
multiclass_nms3 multihead_matmul multinomial multiplex multiply mv nanmedian nce nearest_interp
nearest_interp_v2 nll_loss nms nonzero nop norm not_equal number_count numel one_hot one_hot_v2
overlap_add p_norm pad pad2d pad3d partial_allgather partial_concat partial_recv partial_send partial_sum
pixel_shuffle pixel_unshuffle poisson polygon_box_transform polygon_restore pool2d pool3d pow prelu print
prior_box prod prune_gate_by_capacity psroi_pool put_along_axis pylayer pyramid_hash qr quantize
quantize_linear randint random_routing randperm range rank_attention read_from_array real reciprocal
recv_v2 reduce_all reduce_amax reduce_amin reduce_any reduce_max reduce_mean reduce_min reduce_prod
reduce_sum reindex_graph relu relu6 remainder renorm repeat_interleave repeat_interleave_with_tensor_index
requantize reshape reshape2 resnet_basic_block resnet_unit retinanet_detection_output
retinanet_target_assign reverse rmsprop rmsprop_ rnn roi_align roi_perspective_transform roi_pool roll
round row_conv rpn_target_assign rrelu rsqrt save_combine scale scatter scatter_nd_add searchsorted seed
segment_pool select_input select_output self_dp_attention selu send_and_recv send_u_recv send_ue_recv
send_uv send_v2 sequence_concat sequence_conv sequence_enumerate sequence_erase sequence_expand
sequence_expand_as sequence_mask sequence_pad sequence_pool sequence_reshape sequence_reverse
sequence_scatter sequence_slice sequence_softmax sequence_unpad set_value set_value_with_tensor sgd sgd_
shape shard_index share_buffer share_data share_data_ shuffle_batch shuffle_channel sigmoid
sigmoid_cross_entropy_with_logits sigmoid_focal_loss sign silu sin sinh size skip_layernorm slice slogdet
slogdeterminant soft_relu softmax softmax_with_cross_entropy softplus softshrink softsign solve
sparse_attention sparse_batch_norm sparse_momentum sparse_reshape sparse_slice sparse_sum
sparse_sync_batch_norm spectral_norm split split_with_num sqrt square squared_l2_norm squeeze squeeze2
stack stanh stft straight_through_estimator_grad strided_slice subtract sum svd swish sync_batch_norm
sync_calc_stream sync_comm_stream take_along_axis tan tanh tanh_shrink target_assign tdm_child tdm_sampler
temporal_shift tensor_array_to_tensor thresholded_relu tile top_k top_k_v2 topk topk_v1 trace transfer_layout
transpose transpose2 triangular_solve tril_triu trilinear_interp trilinear_interp_v2 trunc
truncated_gaussian_random unbind unfold uniform uniform_inplace uniform_random uniform_random_batch_size_like
uniform_random_inplace unique unique_consecutive unpool unpool3d unsqueeze unsqueeze2 unstack
update_loss_scaling update_loss_scaling_ viterbi_decode warpctc where where_index while write_to_array
yolo_box yolo_box_head yolo_box_post yolo_loss yolov3_loss
`;

export const PADDLE_OP_TYPES: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter((n) => n.length > 0));

/** Is `type` an op type Paddle has (or the gradient op of one)? */
export function isPaddleOpType(type: string): boolean {
  return PADDLE_OP_TYPES.has(type.replace(/(_grad)+$/, '')) || PADDLE_OP_TYPES.has(type);
}

/**
 * Why an op without a schema cannot run, in one phrase naming its type and id: a real Paddle op is one qdeploy
 * does not support yet; any other type is unknown to Paddle too.
 */
export function unsupportedOpType(type: string, id: number): string {
  return isPaddleOpType(type)
    ? `op type '${type}' (id ${id}) is a Paddle op qdeploy does not support yet`
    : `op type '${type}' (id ${id}) is unknown: Paddle has no such op (misspelt, custom or a corrupted program?)`;
}
