// The kernel module's exports the host calls directly (wasm/assembly/index.ts); the thread-pool functions are
// called by name through POOL_FNS (params.ts).
export interface Exports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  k_align_i8(): number;
  is_relaxed(): number;
  wpack_bytes_s8(groups: number, M: number, K: number): number;
  pack_weights_s8(src: number, dst: number, groups: number, M: number, K: number, rs: number, ks: number): void;
  wpack_bytes_f32(groups: number, M: number, K: number): number;
  pack_weights_f32(src: number, dst: number, groups: number, M: number, K: number, rs: number, ks: number): void;
  quantize_f32_i8(x: number, y: number, n: number, scale: number, shift: number, t: number): void;
  dequantize_i8_f32(x: number, y: number, n: number, inv: number, shift: number, t: number): void;
  requantize_i8(x: number, y: number, n: number, factor: number, tin: number, tout: number): void;
  quantize_abs_max_f32(x: number, y: number, os: number, n: number): void;
  dequantize_max_abs_f32(x: number, sp: number, y: number, n: number, range: number): void;
  binary_f32(op: number, x: number, y: number, out: number, desc: number): void;
  unary_f32(op: number, x: number, y: number, n: number, a: number, b: number): void;
  relu_s8(x: number, y: number, n: number): void;
  batch_norm_f32(x: number, y: number, n: number, c: number, inner: number, mean: number, sd: number, scale: number, bias: number): void;
  softmax_f32(x: number, y: number, outer: number, d: number, inner: number): void;
  copy_bytes(dst: number, src: number, n: number): void;
  copy_chunks(dst: number, src: number, n: number, outer: number, dstStride: number, srcStride: number): void;
  transpose(x: number, y: number, desc: number, es: number): void;
  relaxed_dot_probe(a: number, b: number, out: number): void;
  relaxed_dot_add_probe(a: number, b: number, c: number, out: number): void;
  gemm_u8s8s32_4x8_simd128(a: number, b: number, kp2: number, tile: number): void;
  gemv_wpack_bytes_s8(N: number, K: number): number;
  gemv_wpack_s8(src: number, dst: number, N: number, K: number, rs: number, ks: number): void;
  gemv_scratch_s8(rows: number, K: number): number;
  gemv_wpack_f32(src: number, dst: number, N: number, K: number, rs: number, ks: number): void;
  winograd_scratch_bytes(ic: number, ph: number, pw: number, tr: number, nb: number, kp2: number): number;
  winograd_f32_scratch_bytes(ic: number, ph: number, pw: number, tr: number, nb: number): number;
}
