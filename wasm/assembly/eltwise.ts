// FP32 elementwise binary ops with broadcasting (strides from the host, collapsed so the inner loop is long),
// unary activations, batch_norm (inference), softmax (f64 exp and sums, like the reference), and int8 relu.
// Binary and unary op codes: abi.ts BIN, UN.
import { BIN, UN } from './abi';

// @ts-ignore: decorator
@inline function bin(op: i32, a: v128, b: v128): v128 {
  if (op == BIN.add) return f32x4.add(a, b);
  if (op == BIN.sub) return f32x4.sub(a, b);
  if (op == BIN.mul) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}
// @ts-ignore: decorator
@inline function binS(op: i32, a: f32, b: f32): f32 {
  if (op == BIN.add) return a + b;
  if (op == BIN.sub) return a - b;
  if (op == BIN.mul) return a * b;
  return a / b;
}

/** desc: i32 [rank, dims[rank], xs[rank], ys[rank]] (element strides) */
export function binary_f32(op: i32, x: usize, y: usize, out: usize, desc: usize): void {
  const r = load<i32>(desc);
  const dims = desc + 4, xs = dims + (<usize>r << 2), ys = xs + (<usize>r << 2);
  const len = load<i32>(dims + (<usize>(r - 1) << 2));
  const xsi = load<i32>(xs + (<usize>(r - 1) << 2)), ysi = load<i32>(ys + (<usize>(r - 1) << 2));
  let outer = 1;
  for (let i = 0; i < r - 1; i++) outer *= load<i32>(dims + (<usize>i << 2));
  let o = out;
  for (let row = 0; row < outer; row++) {
    let xo = 0, yo = 0, rem = row;
    for (let i = r - 2; i >= 0; i--) {
      const d = load<i32>(dims + (<usize>i << 2));
      const idx = rem % d; rem /= d;
      xo += idx * load<i32>(xs + (<usize>i << 2));
      yo += idx * load<i32>(ys + (<usize>i << 2));
    }
    const xp = x + (<usize>xo << 2), yp = y + (<usize>yo << 2);
    let j = 0;
    if (xsi == 1 && ysi == 1) {
      for (; j + 4 <= len; j += 4) v128.store(o + (<usize>j << 2), bin(op, v128.load(xp + (<usize>j << 2)), v128.load(yp + (<usize>j << 2))));
    } else if (xsi == 1 && ysi == 0) {
      const b = v128.load32_splat(yp);
      for (; j + 4 <= len; j += 4) v128.store(o + (<usize>j << 2), bin(op, v128.load(xp + (<usize>j << 2)), b));
    } else if (xsi == 0 && ysi == 1) {
      const a = v128.load32_splat(xp);
      for (; j + 4 <= len; j += 4) v128.store(o + (<usize>j << 2), bin(op, a, v128.load(yp + (<usize>j << 2))));
    }
    for (; j < len; j++) {
      store<f32>(o + (<usize>j << 2), binS(op, load<f32>(xp + (<usize>(j * xsi) << 2)), load<f32>(yp + (<usize>(j * ysi) << 2))));
    }
    o += <usize>len << 2;
  }
}

/** unary f32: 0 relu, 1 relu6/clip(0, a), 2 leaky(a), 3 scale a·x + b, 4 a·(x + b), 5 hard_sigmoid(a slope, b offset) */
export function unary_f32(op: i32, x: usize, y: usize, n: i32, a: f32, b: f32): void {
  const av = f32x4.splat(a), bv = f32x4.splat(b), z = f32x4.splat(0), one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    let r: v128;
    if (op == UN.relu) r = f32x4.max(v, z);
    else if (op == UN.relu6) r = f32x4.min(f32x4.max(v, z), av);
    else if (op == UN.leaky_relu) r = v128.bitselect(f32x4.mul(v, av), v, f32x4.lt(v, z));
    else if (op == UN.scale) r = f32x4.add(f32x4.mul(v, av), bv);
    else if (op == UN.scale_bias_first) r = f32x4.mul(f32x4.add(v, bv), av);
    else r = f32x4.min(f32x4.max(f32x4.add(f32x4.mul(v, av), bv), z), one);
    v128.store(y + (<usize>i << 2), r);
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    let r: f32;
    if (op == UN.relu) r = v > 0 ? v : 0;
    else if (op == UN.relu6) r = v < 0 ? 0 : v > a ? a : v;
    else if (op == UN.leaky_relu) r = v > 0 ? v : a * v;
    else if (op == UN.scale) r = v * a + b;
    else if (op == UN.scale_bias_first) r = (v + b) * a;
    else { const s = a * v + b; r = s < 0 ? 0 : s > 1 ? 1 : s; }
    store<f32>(y + (<usize>i << 2), r);
  }
}

/** relu on s8 (u8 is a copy) */
export function relu_s8(x: usize, y: usize, n: i32): void {
  let i = 0;
  const z = i8x16.splat(0);
  for (; i + 16 <= n; i += 16) v128.store(y + <usize>i, i8x16.max_s(v128.load(x + <usize>i), z));
  for (; i < n; i++) { const v = load<i8>(x + <usize>i); store<i8>(y + <usize>i, v > 0 ? v : 0); }
}

/** batch_norm inference in f64 like the reference (one rounding to f32 at the end, so results are identical):
 * y = ((x − mean[c]) / sd[c]) · scale[c] + bias[c]; the four per-channel arrays are f64, sd = sqrt(var + eps) */
export function batch_norm_f32(x: usize, y: usize, n: i32, c: i32, inner: i32, mean: usize, sd: usize, scale: usize, bias: usize): void {
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const o = <usize>ch << 3;
      const m = load<f64>(mean + o), d = load<f64>(sd + o), s = load<f64>(scale + o), bb = load<f64>(bias + o);
      const base = <usize>(b * c + ch) * <usize>inner;
      for (let i = 0; i < inner; i++) {
        const a = (base + <usize>i) << 2;
        store<f32>(y + a, <f32>((<f64>load<f32>(x + a) - m) / d * s + bb));
      }
    }
  }
}

/** softmax over an axis of length d with stride `inner`, for outer·inner rows (f64 like the reference) */
export function softmax_f32(x: usize, y: usize, outer: i32, d: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = <usize>(o * d * inner + i);
      let m: f64 = -Infinity;
      for (let j = 0; j < d; j++) { const v = <f64>load<f32>(x + ((base + <usize>(j * inner)) << 2)); if (v > m) m = v; }
      let s: f64 = 0;
      for (let j = 0; j < d; j++) s += Math.exp(<f64>load<f32>(x + ((base + <usize>(j * inner)) << 2)) - m);
      for (let j = 0; j < d; j++) {
        const a = (base + <usize>(j * inner)) << 2;
        store<f32>(y + a, <f32>(Math.exp(<f64>load<f32>(x + a) - m) / s));
      }
    }
  }
}
