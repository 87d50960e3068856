// The INT8 contract: the one statement of the integer rules every backend must match bit for bit. It lives in its
// own room (src/int8, importing only src/util) so that every backend, the passes that quantize weights ahead of
// time and the CLI's per-layer errors import the same rules without importing a backend.
// Spec section 4, with the conv/fc/matmul epilogue of Paddle 3.x on oneDNN 3.x (PaddlePaddle/Paddle:
// paddle/phi/kernels/onednn/conv_function.h ComputeINT8 and conv_handler.h CreateConvAttrs: the bias stays f32,
// Scale_in/Scale_weights/Scale_out reach oneDNN as the reciprocal scales 1/S, and oneDNN 3 computes
// dst = post_ops(src_scale·wei_scale·acc + bias) / dst_scale; cpu_quantize_pass.cc no longer multiplies the
// relu6 bound by Scale_out). Paddle 2.x quantized the bias to s32 with Si·Sw[c] and folded everything into one
// output scale So/(Si·Sw[c]); on SqueezeNet that extra rounding alone moved 2 of 50 top-1 answers away from the
// quant model's (test/convert/accuracy.test.ts), the 3.x form moved none.
// quantize/dequantize/requantize are unchanged between the two (paddle/fluid/operators/onednn/*).
//
// Float steps are IEEE binary32, one rounding per operation, written here with Math.fround around each
// double operation. For +, -, *, / of two float32 values, computing in double and rounding once to float32
// gives the correctly rounded float32 result, so these functions are exactly what f32 SIMD lanes compute
// (no fused multiply-add anywhere: every backend rounds after each step).
//
//   scale convention: int = real × Scale  (Scale = 127/T for s8, 255/T for u8; T = threshold)
//   quantize:    q  = sat(rne(f32(x · Scale)) + Shift)
//   dequantize:  y  = f32(f32(q − Shift) · f32(1/Scale))
//   requantize:  q' = sat(rne(f32(q · f32(Scale_out/Scale_in))))
//   conv/fc/matmul int8:
//     w_q[c]  = sat_s8(rne(f32(w · Sw[c])))                    (weights, once, per output channel)
//     dq[c]   = f32(f32(1/Si) · f32(1/Sw[c]))  (1 when Sw[c] == 0: such a channel's weights quantize to 0)
//     acc     = Σ x_q·w_q                                        (exact s32)
//     v       = f32(f32(f32(acc) · dq[c]) + b[c])                (b: the f32 bias, 0 when none)
//     residual: v = f32(v + f32(sumScale · r)), sumScale = f32(1/Scale_in_eltwise), r the stored ints
//     relu: v = max(v, 0);  relu6: v = min(max(v, 0), fuse_alpha)   (real units, before the output scale)
//     out = sat_{u8|s8}(rne(f32(v · ds))) with ds = f32(1/f32(1/So)); force_fp32_output: v itself.
//   avg pool int8: v = f32(sum / count) with sum exact s32; out = sat(rne(v)); max pool: plain max.
//   rne = round half to even; sat = clamp to the type's range. NaN is never produced from finite scales.

import { roundHalfEven } from '../util/round';

export type IntType = 'u8' | 's8' | 's32';

/** Round half to even (what cvtps2dq does under the default MXCSR, and what oneDNN's reorders do). */
export const rne = roundHalfEven;

export function saturate(v: number, t: IntType): number {
  if (t === 'u8') return v < 0 ? 0 : v > 255 ? 255 : v;
  if (t === 's8') return v < -128 ? -128 : v > 127 ? 127 : v;
  return v < -2147483648 ? -2147483648 : v > 2147483647 ? 2147483647 : v;
}

const f = Math.fround;

export function quantizeValue(x: number, scale: number, shift: number, t: 'u8' | 's8'): number {
  return saturate(rne(f(x * scale)) + shift, t);
}

export function dequantizeValue(q: number, scale: number, shift = 0): number {
  return f(f(q - shift) * f(1 / scale));
}

export function requantizeValue(q: number, scaleIn: number, scaleOut: number, t: 'u8' | 's8'): number {
  return saturate(rne(f(q * f(scaleOut / scaleIn))), t);
}

export interface Int8Epilogue {
  /** per output channel: f32(f32(1/Si)·f32(1/Sw[c])) (int8Scales) */
  deq: Float32Array;
  /** per output channel f32 bias in real units; absent: none */
  bias?: Float32Array;
  /** residual (fuse_residual_connection): f32(1/Scale_in_eltwise); residual values are the stored ints */
  sumScale?: number;
  activation?: 'relu' | 'relu6' | '';
  /** relu6 upper bound in real units (fuse_alpha) */
  alpha?: number;
  /** output multiplier f32(1/f32(1/So)); unused for f32 output */
  dstScale: number;
  out: 'u8' | 's8' | 'f32';
}

/** dq[c] and the output multiplier from Paddle's Si, Sw[c], So (forceF32: no output scale) */
export function int8Scales(sw: ArrayLike<number>, si: number, so: number, forceF32: boolean): { deq: Float32Array; dstScale: number } {
  const n = sw.length;
  const deq = new Float32Array(n);
  const inSi = f(1 / si);
  for (let c = 0; c < n; c++) deq[c] = sw[c] === 0 ? 1 : f(inSi * f(1 / sw[c]));
  return { deq, dstScale: forceF32 ? 1 : f(1 / f(1 / so)) };
}

export function quantizeWeight(w: number, sw: number): number {
  return saturate(rne(f(w * sw)), 's8');
}

/** The epilogue for one output element: acc is the exact s32 sum Σ x_q·w_q. */
export function epilogue(acc: number, c: number, e: Int8Epilogue, residual = 0): number {
  let v = f(f(acc) * e.deq[c]);
  if (e.bias) v = f(v + e.bias[c]);
  if (e.sumScale !== undefined) v = f(v + f(e.sumScale * residual));
  if (e.activation === 'relu') v = v < 0 ? 0 : v;
  else if (e.activation === 'relu6') v = v < 0 ? 0 : v > (e.alpha ?? 6) ? (e.alpha ?? 6) : v;
  if (e.out === 'f32') return v;
  return saturate(rne(f(v * e.dstScale)), e.out);
}

export function avgPoolValue(sum: number, count: number, t: 'u8' | 's8'): number {
  return saturate(rne(f(sum / count)), t);
}
