// The host ↔ kernel ABI, declared once: parameter-block slots, element type and activation codes, flag bits and op
// codes. Both sides import this file: the AssemblyScript kernels (wasm/assembly/*.ts) and the TypeScript host
// (src/backends/wasm/*.ts, through params.ts). It is written in the subset both compilers read alike: namespaces of
// `export const` integer literals, no types, no other imports. AssemblyScript folds them into the code as it did the
// per-file copies they replace, so the .wasm builds are byte-identical to the hand-copied ones.
// test/backends/wasm/abi.test.ts checks that every slot read or written on either side goes through these names.
//
// A parameter block is PARAM_SLOTS i32 words in linear memory; f32 values are stored by bit pattern.

export const PARAM_SLOTS = 64;

/** GEMM-driven blocks: conv.ts (gemm_op_*), gemv.ts (gemv_*), conv_winograd*.ts (conv_winograd_*) */
export namespace G {
  export const MODE = 0; export const IC = 1; export const IH = 2; export const IW = 3; export const OH = 4; export const OW = 5;
  export const KH = 6; export const KW = 7; export const SH = 8; export const SW = 9; export const DH = 10; export const DW = 11;
  export const PT = 12; export const PL = 13; export const GROUPS = 14; export const M = 15; export const K = 16; export const P = 17;
  export const NIMG = 18; export const X = 19; export const Y = 20; export const R = 21; export const W = 22; export const BIAS = 23;
  export const OS = 24; export const FLAGS = 25; export const ACT = 26; export const ALPHA = 27; export const BETA = 28;
  export const SUMSCALE = 29; export const NC = 30; export const NCHUNK = 31; export const KP = 32; export const MT = 33;
  export const XSK = 34; export const XSP = 35; export const XIMG = 36; export const YSR = 37; export const YSP = 38;
  export const YIMG = 39; export const SCR = 40; export const SCRSTRIDE = 41; export const ICG = 42; export const MSPLIT = 43;
  export const DS = 44; export const OW8 = 45; export const PW = 46; export const PH = 47;
  // Winograd 3×3 (with PW/PH): tiles per row and column, 8-tile blocks per row, tile rows per item, items per image,
  // channel pairs
  export const TW = 48; export const TH = 49; export const NB = 50; export const TR = 52; export const ITEMS_IMG = 53;
  export const KP2 = 54;
}

/** depthwise conv blocks: conv_depthwise.ts (conv_dw_*) */
export namespace D {
  export const C = 1; export const IH = 2; export const IW = 3; export const OH = 4; export const OW = 5; export const KH = 6;
  export const KW = 7; export const SH = 8; export const SW = 9; export const DH = 10; export const DW = 11; export const PT = 12;
  export const PL = 13; export const NIMG = 14; export const X = 15; export const Y = 16; export const R = 17; export const W = 18;
  export const BIAS = 19; export const OS = 20; export const FLAGS = 21; export const ACT = 22; export const ALPHA = 23;
  export const BETA = 24; export const SUMSCALE = 25; export const HP = 26; export const WQ = 27; export const SCR = 28;
  export const SCRSTRIDE = 29; export const DS = 30;
}

/** pool blocks: pool.ts (pool2d) */
export namespace PL {
  export const IH = 1; export const IW = 2; export const OH = 3; export const OW = 4; export const KHW = 5; export const FLAGS = 6;
  export const X = 7; export const Y = 8; export const HW = 9; export const WW = 10; export const KW = 11; export const SW = 12;
  export const PLEFT = 13; export const T0 = 14; export const TWD = 15; export const SCR = 16; export const SCRSTRIDE = 17;
}

/** element type codes */
export namespace T {
  export const f32 = 0; export const u8 = 1; export const s8 = 2;
}

/** activation codes (fused epilogues) */
export namespace ACT {
  export const none = 0; export const relu = 1; export const relu6 = 2; export const leaky_relu = 3; export const hard_swish = 4;
  export const swish = 5;
}

/** conv / GEMM FLAGS word (G.FLAGS, D.FLAGS): signed input, residual type, output type (T codes, 2 bits each) */
export namespace CF {
  export const SIGNED = 1; export const RES_SHIFT = 1; export const OUT_SHIFT = 4; export const TYPE_MASK = 3;
  /** the residual type's bits: non-zero when there is a residual */
  export const RES_BITS = 6;
}

/** pool FLAGS word (PL.FLAGS): element type (T code) in the low 2 bits, then these */
export namespace PF {
  export const TYPE_MASK = 3; export const AVG = 4; export const EXCLUSIVE = 8; export const ROWS = 16;
}

/** binary_f32 op codes */
export namespace BIN {
  export const add = 0; export const sub = 1; export const mul = 2; export const div = 3;
}

/** unary_f32 op codes: relu, clip(0, a), leaky(a), a·x + b, a·(x + b), hard_sigmoid(a slope, b offset) */
export namespace UN {
  export const relu = 0; export const relu6 = 1; export const leaky_relu = 2; export const scale = 3; export const scale_bias_first = 4;
  export const hard_sigmoid = 5;
}
