// Parameter-block slots shared with the AssemblyScript kernels (wasm/assembly/conv.ts, conv_depthwise.ts,
// pool.ts). Each block is an i32 array in linear memory; f32 values are stored by bit pattern.
export const G = {
  MODE: 0, IC: 1, IH: 2, IW: 3, OH: 4, OW: 5, KH: 6, KW: 7, SH: 8, SW: 9, DH: 10, DW: 11, PT: 12, PL: 13,
  GROUPS: 14, M: 15, K: 16, P: 17, NIMG: 18, X: 19, Y: 20, R: 21, W: 22, BIAS: 23, OS: 24, FLAGS: 25, ACT: 26,
  ALPHA: 27, BETA: 28, SUMSCALE: 29, NC: 30, NCHUNK: 31, KP: 32, MT: 33, XSK: 34, XSP: 35, XIMG: 36, YSR: 37,
  YSP: 38, YIMG: 39, SCR: 40, SCRSTRIDE: 41, ICG: 42, MSPLIT: 43, DS: 44, OW8: 45, PW: 46, PH: 47,
  // Winograd 3×3 (conv_winograd.ts, with PW/PH): tiles per row and column, 8-tile blocks per row, tile rows per
  // item, items per image, channel pairs
  TW: 48, TH: 49, NB: 50, TR: 52, ITEMS_IMG: 53, KP2: 54,
} as const;

export const D = {
  C: 1, IH: 2, IW: 3, OH: 4, OW: 5, KH: 6, KW: 7, SH: 8, SW: 9, DH: 10, DW: 11, PT: 12, PL: 13, NIMG: 14,
  X: 15, Y: 16, R: 17, W: 18, BIAS: 19, OS: 20, FLAGS: 21, ACT: 22, ALPHA: 23, BETA: 24, SUMSCALE: 25, HP: 26,
  WQ: 27, SCR: 28, SCRSTRIDE: 29, DS: 30,
} as const;

export const PL = { IH: 1, IW: 2, OH: 3, OW: 4, KHW: 5, FLAGS: 6, X: 7, Y: 8, HW: 9, WW: 10, KW: 11, SW: 12, PLEFT: 13, T0: 14, TWD: 15, SCR: 16, SCRSTRIDE: 17 } as const;

/** element type codes (common.ts T_*) */
export const T = { f32: 0, u8: 1, s8: 2 } as const;
/** activation codes (common.ts ACT_*) */
export const ACT = { none: 0, relu: 1, relu6: 2, leaky_relu: 3, hard_swish: 4, swish: 5 } as const;

/** thread-pool function table: index = position */
export const POOL_FNS = ['gemm_op_u8s8', 'gemm_op_f32', 'conv_dw_u8s8_simd128', 'conv_dw_f32_simd128', 'pool2d', 'gemv_u8s8s32', 'gemv_f32_4x4_simd128', 'conv_winograd_u8s8', 'conv_winograd_f32'] as const;
export const FN = { gemm_u8s8: 0, gemm_f32: 1, dw_u8s8: 2, dw_f32: 3, pool2d: 4, gemv_u8s8: 5, gemv_f32: 6, winograd_u8s8: 7, winograd_f32: 8 } as const;

export const PARAM_SLOTS = 64;
