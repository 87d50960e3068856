// The kernel ABI on the host side: slots, codes and flag bits come from wasm/assembly/abi.ts, the one declaration
// the kernels compile against too; this file adds what only the host needs (the thread pool's function table).
export { ACT, BIN, CF, D, G, PARAM_SLOTS, PF, PL, T, UN } from '../../../wasm/assembly/abi';

/** kernels the thread pool runs, by their wasm export name: (parameter block, item range, thread id) */
export const POOL_FNS = ['gemm_op_u8s8', 'gemm_op_f32', 'conv_dw_u8s8_simd128', 'conv_dw_f32_simd128', 'pool2d', 'gemv_u8s8s32', 'gemv_f32_4x4_simd128', 'conv_winograd_u8s8', 'conv_winograd_f32'] as const;
export type PoolFn = (typeof POOL_FNS)[number];

/** a pool function's index in POOL_FNS (what the workers call it by) */
export function poolFn(name: PoolFn): number { return POOL_FNS.indexOf(name); }
