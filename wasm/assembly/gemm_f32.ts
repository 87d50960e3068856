// FP32 GEMM microkernel and packing, the same tiling as the INT8 one so the FP32 baseline is a fair one:
// 4 output channels (weights splat) × 8 positions (two f32x4 of the packed panel), one k per step.
// Plain SIMD: f32x4.mul + f32x4.add; relaxed build: f32x4.relaxed_madd (fused where the CPU has FMA).
//   weights: [group][m-tile][k][4 channels] f32;  panel: [8-position block][k][8 positions] f32

export function wpack_bytes_f32(groups: i32, M: i32, K: i32): i32 {
  return groups * ((M + 3) >> 2) * K * 16;
}

/** pack f32 weights: element (row r of group g, k) is at src + ((g·M + r)·rs + k·ks)·4 */
export function pack_weights_f32(src: usize, dst: usize, groups: i32, M: i32, K: i32, rs: i32, ks: i32): void {
  const MT = (M + 3) >> 2;
  let o = dst;
  for (let g = 0; g < groups; g++) {
    for (let mt = 0; mt < MT; mt++) {
      for (let k = 0; k < K; k++) {
        for (let r = 0; r < 4; r++) {
          const row = mt * 4 + r;
          store<f32>(o, row < M ? load<f32>(src + (<usize>((g * M + row) * rs + k * ks) << 2)) : 0);
          o += 4;
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** 4 channels × 8 positions over K; f32 tile [4][8] to `tile` */
export function gemm_f32_4x8_simd128(a: usize, b: usize, K: i32, tile: usize): void { tile_f32_4x8(a, b, K, tile); }

/** gemm_f32_4x8_simd128's loop, inlined where a caller runs many tiles */
// @ts-ignore: decorator
@inline export function tile_f32_4x8(a: usize, b: usize, K: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const bend = b + (<usize>K << 5);
  while (b < bend) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = fma(b0, s, c00); c01 = fma(b1, s, c01);
    s = v128.load32_splat(a, 4);
    c10 = fma(b0, s, c10); c11 = fma(b1, s, c11);
    s = v128.load32_splat(a, 8);
    c20 = fma(b0, s, c20); c21 = fma(b1, s, c21);
    s = v128.load32_splat(a, 12);
    c30 = fma(b0, s, c30); c31 = fma(b1, s, c31);
    a += 16; b += 32;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
}
