// Image preprocessing: PIL-exact separable Lanczos resampling of 8-bit RGB (the fixed-point rules of
// src/data/pil_resample.ts: 22-bit weights, accumulator starts at 2^21, each pass rounds to u8 with
// clamp(acc >> 22)), then the per-channel normalisation table into CHW float32. Only the crop box is computed.
//
// Both passes multiply with i32x4.dot_i16x8_s on two taps at once. A 22-bit weight k does not fit 16 bits, so
// the host splits it, k = kh·2^11 + kl (kh = k >> 11 signed, kl = k & 2047), and the kernel keeps two
// accumulators: acc = (Σ p·kh) << 11 + Σ p·kl. Both sums and the shift are exact modulo 2^32, and PIL's own
// int32 sum never overflows (|Σ| < 2^31), so the result equals PIL's bit for bit.
//
// Weight layout (written by src/data/simd_resize.ts): per output index, `pairs` tap pairs, each 8 bytes:
// u32 (kh[t] & 0xffff) | kh[t+1] << 16, then the same for kl. Tap counts are padded to 2·pairs with zero
// weights; the padded taps still read memory (one pixel or row beyond the window), so the host leaves slack
// after the source and the intermediate buffers.

const HALF: i32 = 1 << 21;

/**
 * Horizontal pass, 3 interleaved channels. For `rows` rows: dst[r·dstStride + 3x + c] =
 * clamp((HALF + Σ_t src[r·srcStride + start[x] + 3t + c]·k[x][t]) >> 22). `start` holds byte offsets (3·xmin).
 * Writes 4 bytes per pixel (the 4th is overwritten by the next pixel, or lands in the row's padding).
 */
export function resize_h_lanczos_u8x3_simd128(
  src: usize, srcStride: i32, rows: i32, start: usize, coef: usize, pairs: i32, outW: i32, dst: usize, dstStride: i32,
): void {
  const zero = i32x4.splat(0);
  const half = i32x4.splat(HALF);
  const colBytes = <usize>pairs << 3;
  for (let r = 0; r < rows; r++) {
    const row = src + <usize>(r * srcStride);
    let o = dst + <usize>(r * dstStride);
    let c = coef;
    for (let x = 0; x < outW; x++) {
      let p = row + <usize>load<i32>(start + (<usize>x << 2));
      let hi = zero, lo = zero;
      for (let t = 0; t < pairs; t++) {
        // [R0 G0 B0 R1 G1 B1 . .] → i16 lanes [R0 R1 G0 G1 B0 B1 0 0]
        const v = i8x16.shuffle(v128.load64_zero(p), zero, 0, 16, 3, 16, 1, 16, 4, 16, 2, 16, 5, 16, 16, 16, 16, 16);
        const q = c + (<usize>t << 3);
        hi = i32x4.add(hi, i32x4.dot_i16x8_s(v, v128.load32_splat(q)));
        lo = i32x4.add(lo, i32x4.dot_i16x8_s(v, v128.load32_splat(q + 4)));
        p += 6;
      }
      const acc = i32x4.shr_s(i32x4.add(i32x4.add(i32x4.shl(hi, 11), lo), half), 22);
      const n = i16x8.narrow_i32x4_s(acc, acc);
      store<i32>(o, i32x4.extract_lane(i8x16.narrow_i16x8_u(n, n), 0));
      o += 3;
      c += colBytes;
    }
  }
}

/**
 * Vertical pass on rows of `stride` bytes (a multiple of 16): for each output row y,
 * dst[y·stride + i] = clamp((HALF + Σ_t src[(start[y] + t)·stride + i]·k[y][t]) >> 22). `start` holds row indices.
 */
export function resize_v_lanczos_u8_simd128(
  src: usize, stride: i32, start: usize, coef: usize, pairs: i32, outH: i32, dst: usize,
): void {
  const zero = i32x4.splat(0);
  const half = i32x4.splat(HALF);
  const s = <usize>stride;
  for (let y = 0; y < outH; y++) {
    const base = src + <usize>load<i32>(start + (<usize>y << 2)) * s;
    const c = coef + <usize>(y * pairs) * 8;
    const o = dst + <usize>y * s;
    for (let i: usize = 0; i < s; i += 16) {
      let h0 = zero, h1 = zero, h2 = zero, h3 = zero, l0 = zero, l1 = zero, l2 = zero, l3 = zero;
      let p = base + i;
      for (let t = 0; t < pairs; t++) {
        const a = v128.load(p), b = v128.load(p + s);
        const ab0 = i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        const ab1 = i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        const e0 = i16x8.extend_low_i8x16_u(ab0), e1 = i16x8.extend_high_i8x16_u(ab0);
        const e2 = i16x8.extend_low_i8x16_u(ab1), e3 = i16x8.extend_high_i8x16_u(ab1);
        const q = c + (<usize>t << 3);
        const kh = v128.load32_splat(q), kl = v128.load32_splat(q + 4);
        h0 = i32x4.add(h0, i32x4.dot_i16x8_s(e0, kh)); l0 = i32x4.add(l0, i32x4.dot_i16x8_s(e0, kl));
        h1 = i32x4.add(h1, i32x4.dot_i16x8_s(e1, kh)); l1 = i32x4.add(l1, i32x4.dot_i16x8_s(e1, kl));
        h2 = i32x4.add(h2, i32x4.dot_i16x8_s(e2, kh)); l2 = i32x4.add(l2, i32x4.dot_i16x8_s(e2, kl));
        h3 = i32x4.add(h3, i32x4.dot_i16x8_s(e3, kh)); l3 = i32x4.add(l3, i32x4.dot_i16x8_s(e3, kl));
        p += s << 1;
      }
      const v0 = i32x4.shr_s(i32x4.add(i32x4.add(i32x4.shl(h0, 11), l0), half), 22);
      const v1 = i32x4.shr_s(i32x4.add(i32x4.add(i32x4.shl(h1, 11), l1), half), 22);
      const v2 = i32x4.shr_s(i32x4.add(i32x4.add(i32x4.shl(h2, 11), l2), half), 22);
      const v3 = i32x4.shr_s(i32x4.add(i32x4.add(i32x4.shl(h3, 11), l3), half), 22);
      v128.store(o + i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(v0, v1), i16x8.narrow_i32x4_s(v2, v3)));
    }
  }
}

/**
 * HWC u8 (3 channels, rows of `stride` bytes, w×h) → CHW f32 at out: out[c·plane + y·outW + x] =
 * lut[c·256 + px[y·stride + 3x + src_c]], where src_c = (order >> 2c) & 3 (the host's channel order).
 */
export function normalize_u8x3_chw_f32(
  px: usize, stride: i32, w: i32, h: i32, lut: usize, order: i32, out: usize, outW: i32, plane: i32,
): void {
  const s0 = <usize>(order & 3), s1 = <usize>((order >> 2) & 3), s2 = <usize>((order >> 4) & 3);
  const l1 = lut + 1024, l2 = lut + 2048;
  const pl = <usize>plane << 2;
  for (let y = 0; y < h; y++) {
    let p = px + <usize>(y * stride);
    let o = out + (<usize>(y * outW) << 2);
    const end = o + (<usize>w << 2);
    for (; o < end; o += 4, p += 3) {
      store<f32>(o, load<f32>(lut + (<usize>load<u8>(p + s0) << 2)));
      store<f32>(o + pl, load<f32>(l1 + (<usize>load<u8>(p + s1) << 2)));
      store<f32>(o + (pl << 1), load<f32>(l2 + (<usize>load<u8>(p + s2) << 2)));
    }
  }
}
