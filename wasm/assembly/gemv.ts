// Matrix × vector kernels for fc / mul / matmul with one to three rows (batch 1 classifiers): the GEMM tiles
// would leave most lanes idle there. Weights are packed transposed, one output feature per row, so four features
// are computed at once against one activation vector, reduced horizontally and finished with a per-lane epilogue.
// Each call first stages the activation rows in its scratch (zero padded to KP16), since every row is reused
// against all N features: widened to i16 once for the plain kernel, copied as bytes for the relaxed one.
//   gemv_u8s8s32_4x16_simd128: per 16 k, 4 features × two i32x4.dot_i16x8_s of the staged i16 x with
//     v128.load8x8_s weights (exact s32). load8x8_s folds into one vpmovsxbw from memory on x64, cheaper than
//     widening a 16-byte load in registers (the high half costs two ops there).
//   gemv_u8s8s32_4x16c16_relaxed7 (relaxed build, rows whose bytes are all 0..127, see gemm_u8s8.ts):
//     per 16 k and feature one i16x8.relaxed_dot_i8x16_i7x16_s (s8 weights, 7-bit x), then the pairwise widening
//     add as i32x4.dot_i16x8_s with ones (the same sums; V8's extadd_pairwise reloads its constant each time) and
//     an add: 3 vector ops per 16 MACs against 6 for the plain kernel.
//   gemv_f32_4x4_simd128:     f32x4 mul+add (relaxed_madd in the relaxed build) over 4 k per step
// Weights: s8 [Npad4/4][KP16/16][4 features][16 k] (zero padded; one contiguous stream per group of 4
// features, 64 bytes per step), f32 [Npad4][KP4]. Items are groups of 4 features.
import { pI, pU, pF, T_F32, T_U8, ACT_RELU, f32ToI8x4, actI8, anyBit7 } from './common';
import { G, CF } from './abi';
import { ONES_I16, dot7Acc } from './gemm_u8s8';


// @ts-ignore: decorator
@inline function hsum4i(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const u0 = i32x4.add(v128.shuffle<i32>(a0, a1, 0, 4, 1, 5), v128.shuffle<i32>(a0, a1, 2, 6, 3, 7));
  const u1 = i32x4.add(v128.shuffle<i32>(a2, a3, 0, 4, 1, 5), v128.shuffle<i32>(a2, a3, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i32>(u0, u1, 0, 1, 4, 5), v128.shuffle<i32>(u0, u1, 2, 3, 6, 7));
}
// @ts-ignore: decorator
@inline function hsum4f(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const u0 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const u1 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7));
}
// @ts-ignore: decorator
@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** packed s8 GEMV weights: bytes for N features × Kv (both builds use the same layout) */
export function gemv_wpack_bytes_s8(N: i32, Kv: i32): i32 { return ((N + 3) & ~3) * ((Kv + 15) & ~15); }

/** element (feature j, k) at src + j·rs + k·ks → [j/4][k/16][j%4][k%16], zero padded */
export function gemv_wpack_s8(src: usize, dst: usize, N: i32, Kv: i32, rs: i32, ks: i32): void {
  const KP = (Kv + 15) & ~15, NP = (N + 3) & ~3;
  for (let j = 0; j < NP; j++) for (let k = 0; k < KP; k++) {
    const o = ((j >> 2) * KP + (k & ~15)) * 4 + ((j & 3) << 4) + (k & 15);
    store<i8>(dst + <usize>o, j < N && k < Kv ? load<i8>(src + <usize>(j * rs + k * ks)) : 0);
  }
}
export function gemv_wpack_f32(src: usize, dst: usize, N: i32, Kv: i32, rs: i32, ks: i32): void {
  const KP = (Kv + 3) & ~3, NP = (N + 3) & ~3;
  for (let j = 0; j < NP; j++) for (let k = 0; k < KP; k++) {
    store<f32>(dst + (<usize>(j * KP + k) << 2), j < N && k < Kv ? load<f32>(src + (<usize>(j * rs + k * ks) << 2)) : 0);
  }
}

/** scratch bytes per thread the int8 GEMV needs beyond its 64-byte tmp: the staged rows */
export function gemv_scratch_s8(rows: i32, Kv: i32): i32 { return rows * ((Kv + 15) & ~15) * 2; }

/** one row of Kv u8/s8 activations → KP16 i16 at d (zero padded) */
function stageRowI16(x: usize, Kv: i32, KP: i32, d: usize, signed: bool): void {
  const K8 = Kv & ~7;
  let k = 0;
  if (signed) for (; k < K8; k += 8) v128.store(d + (<usize>k << 1), v128.load8x8_s(x + <usize>k));
  else for (; k < K8; k += 8) v128.store(d + (<usize>k << 1), v128.load8x8_u(x + <usize>k));
  for (; k < KP; k++) store<i16>(d + (<usize>k << 1), k < Kv ? (signed ? <i16>load<i8>(x + <usize>k) : <i16>load<u8>(x + <usize>k)) : 0);
}

/** Σ_k x·w for 4 features: staged i16 x (KP i16) × one weight group (KP·4 bytes); 16 k per step */
// @ts-ignore: decorator
@inline function dot4_i16(xs: usize, w: usize, KP: i32): v128 {
  // four accumulators (eight spill on x64, where V8 leaves 15 xmm registers and pins some for addresses)
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  const wend = w + (<usize>KP << 2);
  while (w < wend) {
    const x0 = v128.load(xs), x1 = v128.load(xs, 16);
    a0 = i32x4.add(a0, i32x4.add(i32x4.dot_i16x8_s(x0, v128.load8x8_s(w)), i32x4.dot_i16x8_s(x1, v128.load8x8_s(w, 8))));
    a1 = i32x4.add(a1, i32x4.add(i32x4.dot_i16x8_s(x0, v128.load8x8_s(w, 16)), i32x4.dot_i16x8_s(x1, v128.load8x8_s(w, 24))));
    a2 = i32x4.add(a2, i32x4.add(i32x4.dot_i16x8_s(x0, v128.load8x8_s(w, 32)), i32x4.dot_i16x8_s(x1, v128.load8x8_s(w, 40))));
    a3 = i32x4.add(a3, i32x4.add(i32x4.dot_i16x8_s(x0, v128.load8x8_s(w, 48)), i32x4.dot_i16x8_s(x1, v128.load8x8_s(w, 56))));
    w += 64; xs += 32;
  }
  return hsum4i(a0, a1, a2, a3);
}

/** the same with 7-bit staged bytes x (KP bytes) and the relaxed dot (relaxed build only) */
// @ts-ignore: decorator
@inline function dot4_relaxed7(xs: usize, w: usize, KP: i32): v128 {
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  if (ASC_FEATURE_RELAXED_SIMD) {
    const one = v128.load(ONES_I16); // the pairwise widening add as a dot with ones held in a register
    const wend = w + (<usize>KP << 2);
    while (w < wend) {
      const xq = v128.load(xs);
      a0 = dot7Acc(a0, v128.load(w), xq, one);
      a1 = dot7Acc(a1, v128.load(w, 16), xq, one);
      a2 = dot7Acc(a2, v128.load(w, 32), xq, one);
      a3 = dot7Acc(a3, v128.load(w, 48), xq, one);
      w += 64; xs += 16;
    }
  }
  return hsum4i(a0, a1, a2, a3);
}

/**
 * rows of x (u8/s8, stride K) × packed s8 weights → epilogue per feature; items = groups of 4 features.
 * Plain build: gemv_u8s8s32_4x16_simd128. Relaxed build: gemv_u8s8s32_4x16c16_relaxed7 when every byte of x is
 * 0..127 (checked per call, the same answer on every thread), else the plain kernel.
 */
export function gemv_u8s8s32(p: usize, start: i32, end: i32, tid: i32): void {
  const tmp = pU(p, G.SCR) + <usize>(tid * pI(p, G.SCRSTRIDE));
  const stage = tmp + 64;
  const N = pI(p, G.M), Kv = pI(p, G.K), rows = pI(p, G.P);
  const KP = (Kv + 15) & ~15;
  const flags = pI(p, G.FLAGS);
  const signed = (flags & CF.SIGNED) != 0, yt = (flags >> CF.OUT_SHIFT) & CF.TYPE_MASK;
  const act = pI(p, G.ACT), alpha = pF(p, G.ALPHA);
  const xb = pU(p, G.X), yb = pU(p, G.Y), wb = pU(p, G.W), bias = pU(p, G.BIAS), osp = pU(p, G.OS), ds = f32x4.splat(pF(p, G.DS));
  let seven = false;
  if (ASC_FEATURE_RELAXED_SIMD) seven = !anyBit7(xb, rows * Kv);
  // stage the rows: 7-bit bytes (KP each) or i16 (2·KP each)
  for (let m = 0; m < rows; m++) {
    const x = xb + <usize>(m * Kv);
    if (ASC_FEATURE_RELAXED_SIMD && seven) {
      const d = stage + <usize>(m * KP);
      memory.copy(d, x, <usize>Kv);
      if (KP > Kv) memory.fill(d + <usize>Kv, 0, <usize>(KP - Kv));
    } else stageRowI16(x, Kv, KP, stage + <usize>(m * KP * 2), signed);
  }
  for (let gi = start; gi < end; gi++) {
    const j0 = gi << 2;
    const w = wb + <usize>(gi * KP * 4);
    const nv = min(4, N - j0);
    for (let m = 0; m < rows; m++) {
      let acc: v128;
      if (ASC_FEATURE_RELAXED_SIMD && seven) acc = dot4_relaxed7(stage + <usize>(m * KP), w, KP);
      else acc = dot4_i16(stage + <usize>(m * KP * 2), w, KP);
      let v = f32x4.mul(f32x4.convert_i32x4_s(acc), v128.load(osp + (<usize>j0 << 2)));
      v = f32x4.add(v, v128.load(bias + (<usize>j0 << 2)));
      v = actI8(v, act, alpha);
      const yo = <usize>(m * N + j0);
      if (yt == T_F32) {
        if (nv == 4) v128.store(yb + (yo << 2), v);
        else { v128.store(tmp, v); for (let i = 0; i < nv; i++) store<f32>(yb + ((yo + <usize>i) << 2), load<f32>(tmp + (<usize>i << 2))); }
      } else {
        const q = f32ToI8x4(f32x4.mul(v, ds), yt == T_U8 ? T_U8 : 2);
        if (nv == 4) v128.store32_lane(yb + yo, q, 0);
        else { v128.store(tmp, q); for (let i = 0; i < nv; i++) store<u8>(yb + yo + <usize>i, load<u8>(tmp + <usize>i)); }
      }
    }
  }
}

/** f32 rows × packed f32 weights (+ bias, relu); items = groups of 4 features */
export function gemv_f32_4x4_simd128(p: usize, start: i32, end: i32, tid: i32): void {
  const tmp = pU(p, G.SCR) + <usize>(tid * pI(p, G.SCRSTRIDE));
  const N = pI(p, G.M), Kv = pI(p, G.K), rows = pI(p, G.P);
  const KP = (Kv + 3) & ~3, K4 = Kv & ~3;
  const act = pI(p, G.ACT);
  const xb = pU(p, G.X), yb = pU(p, G.Y), wb = pU(p, G.W), bias = pU(p, G.BIAS);
  for (let gi = start; gi < end; gi++) {
    const j0 = gi << 2;
    const w0 = wb + (<usize>(j0 * KP) << 2), w1 = w0 + (<usize>KP << 2), w2 = w1 + (<usize>KP << 2), w3 = w2 + (<usize>KP << 2);
    const nv = min(4, N - j0);
    for (let m = 0; m < rows; m++) {
      const x = xb + (<usize>(m * Kv) << 2);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let k = 0;
      for (; k < K4; k += 4) {
        const o = <usize>k << 2;
        const xv = v128.load(x + o);
        a0 = fma(xv, v128.load(w0 + o), a0); a1 = fma(xv, v128.load(w1 + o), a1);
        a2 = fma(xv, v128.load(w2 + o), a2); a3 = fma(xv, v128.load(w3 + o), a3);
      }
      if (k < Kv) { // tail: zero the lanes past K (the weights are zero there, x may hold anything)
        v128.store(tmp, f32x4.splat(0));
        for (let i = k; i < Kv; i++) store<f32>(tmp + (<usize>(i - k) << 2), load<f32>(x + (<usize>i << 2)));
        const xv = v128.load(tmp), o = <usize>k << 2;
        a0 = fma(xv, v128.load(w0 + o), a0); a1 = fma(xv, v128.load(w1 + o), a1);
        a2 = fma(xv, v128.load(w2 + o), a2); a3 = fma(xv, v128.load(w3 + o), a3);
      }
      let v = hsum4f(a0, a1, a2, a3);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + (<usize>j0 << 2)));
      if (act == ACT_RELU) v = f32x4.max(v, f32x4.splat(0));
      const yo = <usize>(m * N + j0);
      if (nv == 4) v128.store(yb + (yo << 2), v);
      else { v128.store(tmp, v); for (let i = 0; i < nv; i++) store<f32>(yb + ((yo + <usize>i) << 2), load<f32>(tmp + (<usize>i << 2))); }
    }
  }
}
