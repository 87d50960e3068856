// The qdeploy wasm kernels: one module, built twice (SIMD128; SIMD128 + relaxed SIMD) by scripts/build-wasm.mjs.
// Memory is imported (shared, so worker threads run the same kernels on the same arena).
export { wpack_bytes_s8, pack_weights_s8, gemm_u8s8s32_4x8_simd128, relaxed_dot_probe, relaxed_dot_add_probe } from './gemm_u8s8';
export { wpack_bytes_f32, pack_weights_f32 } from './gemm_f32';
export { gemm_op_u8s8, gemm_op_f32 } from './conv';
export { conv_winograd_u8s8, winograd_scratch_bytes } from './conv_winograd';
export { conv_winograd_f32, winograd_f32_scratch_bytes } from './conv_winograd_f32';
export { conv_dw_u8s8_simd128, conv_dw_f32_simd128 } from './conv_depthwise';
export { pool2d } from './pool';
export { quantize_f32_i8, dequantize_i8_f32, requantize_i8, quantize_abs_max_f32, dequantize_max_abs_f32 } from './quant';
export { binary_f32, unary_f32, relu_s8, batch_norm_f32, softmax_f32 } from './eltwise';
export { copy_bytes, copy_chunks, transpose } from './movement';

export function heap_base(): usize { return __heap_base; }
export function k_align_i8(): i32 { return ASC_FEATURE_RELAXED_SIMD ? 4 : 2; }
export function is_relaxed(): i32 { return ASC_FEATURE_RELAXED_SIMD ? 1 : 0; }
export { peak_i8, peak_f32, peak_gemm_u8s8_4x8, peak_gemm_u8s8_4x8c4_relaxed } from './peak';
export { gemv_wpack_bytes_s8, gemv_wpack_s8, gemv_wpack_f32, gemv_scratch_s8, gemv_u8s8s32, gemv_f32_4x4_simd128 } from './gemv';
export { resize_h_lanczos_u8x3_simd128, resize_v_lanczos_u8_simd128, normalize_u8x3_chw_f32 } from './resize';
