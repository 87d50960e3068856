// Throughput probes for the bench: the SIMD128 ceiling of this engine and CPU, measured, not assumed.
import { gemm_u8s8s32_4x8_simd128, gemm_u8s8s32_4x8c4_relaxed } from './gemm_u8s8';
// peak_i8: 8 independent i32x4.dot_i16x8_s + i32x4.add chains (16 int8 MACs per dot+add pair → counted as
// the int8 ceiling of the plain-SIMD instruction mix); peak_f32: 8 independent f32x4 accumulations of products (mul + add, the GEMM mix).

/** iters × 8 × 8 MACs; returns a lane so nothing is optimized away */
export function peak_i8(iters: i32): i32 {
  let a0 = i32x4.splat(1), a1 = i32x4.splat(2), a2 = i32x4.splat(3), a3 = i32x4.splat(4);
  let a4 = i32x4.splat(5), a5 = i32x4.splat(6), a6 = i32x4.splat(7), a7 = i32x4.splat(8);
  let x = i16x8.splat(<i16>iters);
  const y = i16x8.splat(3), one = i16x8.splat(1);
  for (let i = 0; i < iters; i++) {
    x = i16x8.add(x, one); // keeps the dots inside the loop
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, y)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(y, x));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x, x)); a3 = i32x4.add(a3, i32x4.dot_i16x8_s(y, y));
    a4 = i32x4.add(a4, i32x4.dot_i16x8_s(x, y)); a5 = i32x4.add(a5, i32x4.dot_i16x8_s(y, x));
    a6 = i32x4.add(a6, i32x4.dot_i16x8_s(x, x)); a7 = i32x4.add(a7, i32x4.dot_i16x8_s(y, y));
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(s, 0);
}

/** iters × 8 × 4 f32 multiply-adds */
export function peak_f32(iters: i32): f32 {
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  let x = f32x4.splat(<f32>0.999);
  const y = f32x4.splat(<f32>1e-7), z = f32x4.splat(<f32>2e-7), d = f32x4.splat(<f32>1e-9);
  for (let i = 0; i < iters; i++) {
    x = f32x4.add(x, d); // keeps the products inside the loop; the accumulations are the only chains (like a GEMM)
    a0 = f32x4.add(a0, f32x4.mul(x, y)); a1 = f32x4.add(a1, f32x4.mul(x, z));
    a2 = f32x4.add(a2, f32x4.mul(x, y)); a3 = f32x4.add(a3, f32x4.mul(x, z));
    a4 = f32x4.add(a4, f32x4.mul(x, y)); a5 = f32x4.add(a5, f32x4.mul(x, z));
    a6 = f32x4.add(a6, f32x4.mul(x, y)); a7 = f32x4.add(a7, f32x4.mul(x, z));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0);
}

/** reps calls of the fused-free 4×8 INT8 microkernel on operands the caller keeps L1-resident: its own ceiling */
export function peak_gemm_u8s8_4x8(a: usize, b: usize, kp2: i32, tile: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) gemm_u8s8s32_4x8_simd128(a, b, kp2, tile);
}

/** the same for the 7-bit relaxed kernel (relaxed build; kq k-quads) */
export function peak_gemm_u8s8_4x8c4_relaxed(a: usize, b: usize, kq: i32, tile: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) gemm_u8s8s32_4x8c4_relaxed(a, b, kq, tile);
}

