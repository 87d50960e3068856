// Matrix × vector kernels for fc / mul / matmul with one to three rows (batch 1 classifiers): the GEMM tiles
// would leave most lanes idle there. Weights are packed transposed, one output feature per row, so four features
// are computed at once against one activation vector, reduced horizontally and finished with a per-lane epilogue.
//   gemv_u8s8s32_4x8_simd128: v128.load8x8 widening loads, i32x4.dot_i16x8_s over 8 k per step (exact s32)
//   gemv_f32_4x4_simd128:     f32x4 mul+add (relaxed_madd in the relaxed build) over 4 k per step
// Weights: s8 [Npad4][KP8] (zero padded), f32 [Npad4][KP4]. Items are groups of 4 features.
import { pI, pU, pF, T_F32, T_U8, ACT_RELU, f32ToI8x4, actI8 } from './common';

const M = 15; const K = 16; const P = 17; const X = 19; const Y = 20; const W = 22; const BIAS = 23; const OS = 24;
const FLAGS = 25; const ACT = 26; const ALPHA = 27; const SCR = 40; const SCRSTRIDE = 41; const DS = 44;

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

export function gemv_wpack_s8(src: usize, dst: usize, N: i32, Kv: i32, rs: i32, ks: i32): void {
  const KP = (Kv + 7) & ~7, NP = (N + 3) & ~3;
  for (let j = 0; j < NP; j++) for (let k = 0; k < KP; k++) {
    store<i8>(dst + <usize>(j * KP + k), j < N && k < Kv ? load<i8>(src + <usize>(j * rs + k * ks)) : 0);
  }
}
export function gemv_wpack_f32(src: usize, dst: usize, N: i32, Kv: i32, rs: i32, ks: i32): void {
  const KP = (Kv + 3) & ~3, NP = (N + 3) & ~3;
  for (let j = 0; j < NP; j++) for (let k = 0; k < KP; k++) {
    store<f32>(dst + (<usize>(j * KP + k) << 2), j < N && k < Kv ? load<f32>(src + (<usize>(j * rs + k * ks) << 2)) : 0);
  }
}

/** rows of x (u8/s8, stride K) × packed s8 weights → epilogue per feature; items = groups of 4 features */
export function gemv_u8s8s32_4x8_simd128(p: usize, start: i32, end: i32, tid: i32): void {
  const tmp = pU(p, SCR) + <usize>(tid * pI(p, SCRSTRIDE));
  const N = pI(p, M), Kv = pI(p, K), rows = pI(p, P);
  const KP = (Kv + 7) & ~7;
  const flags = pI(p, FLAGS);
  const signed = (flags & 1) != 0, yt = (flags >> 4) & 3;
  const act = pI(p, ACT), alpha = pF(p, ALPHA);
  const xb = pU(p, X), yb = pU(p, Y), wb = pU(p, W), bias = pU(p, BIAS), osp = pU(p, OS), ds = f32x4.splat(pF(p, DS));
  for (let gi = start; gi < end; gi++) {
    const j0 = gi << 2;
    const w0 = wb + <usize>(j0 * KP), w1 = w0 + <usize>KP, w2 = w1 + <usize>KP, w3 = w2 + <usize>KP;
    const nv = min(4, N - j0);
    for (let m = 0; m < rows; m++) {
      const x = xb + <usize>(m * Kv);
      let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
      for (let k = 0; k < KP; k += 8) {
        const xv = signed ? v128.load8x8_s(x + <usize>k) : v128.load8x8_u(x + <usize>k);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w0 + <usize>k)));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w1 + <usize>k)));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w2 + <usize>k)));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w3 + <usize>k)));
      }
      let v = f32x4.mul(f32x4.convert_i32x4_s(hsum4i(a0, a1, a2, a3)), v128.load(osp + (<usize>j0 << 2)));
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
  const tmp = pU(p, SCR) + <usize>(tid * pI(p, SCRSTRIDE));
  const N = pI(p, M), Kv = pI(p, K), rows = pI(p, P);
  const KP = (Kv + 3) & ~3, K4 = Kv & ~3;
  const act = pI(p, ACT);
  const xb = pU(p, X), yb = pU(p, Y), wb = pU(p, W), bias = pU(p, BIAS);
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
