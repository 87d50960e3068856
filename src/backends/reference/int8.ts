// The INT8 contract: the one statement of the integer rules every backend must match bit for bit.
// Spec section 4 (Paddle's oneDNN kernels: PaddlePaddle/Paddle:paddle/fluid/operators/mkldnn/
// quantize_mkldnn_op.cc, dequantize_mkldnn_op.cc, requantize_mkldnn_op.cc, conv_mkldnn_op.cc
// ComputeOutputShiftScale/ComputeBiasScales/ComputeInt8SumScale).
//
// Float steps are IEEE binary32, one rounding per operation, written here with Math.fround around each
// double operation. For +, -, *, / of two float32 values, computing in double and rounding once to float32
// gives the correctly rounded float32 result, so these functions are exactly what f32 SIMD lanes compute.
//
//   scale convention: int = real × Scale  (Scale = 127/T for s8, 255/T for u8; T = threshold)
//   quantize:    q  = sat(rne(f32(x · Scale)) + Shift)
//   dequantize:  y  = f32(f32(q − Shift) · f32(1/Scale))
//   requantize:  q' = sat(rne(f32(q · f32(Scale_out/Scale_in))))
//   conv/fc/matmul int8:
//     w_q[c]  = sat_s8(rne(f32(w · Sw[c])))                    (weights, once, per output channel)
//     bscale  = f32(Si · Sw[c]) (1 when Sw[c] == 0);  b_q = sat_s32(rne(f32(b · bscale)))
//     os[c]   = f32(So / (Si · Sw[c])) in double, So when Sw[c] == 0   (So = 1 with force_fp32_output)
//     acc     = Σ x_q·w_q + b_q                                  (exact s32)
//     v       = f32(f32(acc) · os[c]);  residual: v = f32(v + f32(sumScale · r)), sumScale = f32(So / Sr)
//     relu: v = max(v, 0);  relu6: v = min(max(v, 0), alpha) with alpha = fuse_alpha · Scale_out (the pass
//     scales it, spec 3.10);  out = sat_{u8|s8}(rne(v)), or v itself as f32 output.
//   avg pool int8: v = f32(sum / count) with sum exact s32; out = sat(rne(v)); max pool: plain max.
//   rne = round half to even; sat = clamp to the type's range. NaN is never produced from finite scales.

export type IntType = 'u8' | 's8' | 's32';

/** Round half to even (what cvtps2dq does under the default MXCSR, and what oneDNN's reorders do). */
export function rne(x: number): number {
  const r = Math.round(x); // half up
  if (r - x === 0.5 && (r & 1) !== 0) return r - 1; // tie went up to an odd number: go down to even
  return r;
}

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
  /** per output channel: f32(So / (Si·Sw[c])) */
  outScale: Float32Array;
  /** residual (fuse_residual_connection): sumScale = f32(So/Sr); residual values are the stored ints */
  sumScale?: number;
  activation?: 'relu' | 'relu6' | '';
  /** relu6 upper bound in the output's integer domain (fuse_alpha already multiplied by Scale_out) */
  alpha?: number;
  out: 'u8' | 's8' | 'f32';
}

export function weightScales(sw: ArrayLike<number>, si: number, so: number): { outScale: Float32Array; biasScale: Float32Array } {
  const n = sw.length;
  const outScale = new Float32Array(n);
  const biasScale = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    if (sw[c] === 0) { outScale[c] = so; biasScale[c] = 1; continue; }
    outScale[c] = so / (si * sw[c]); // double, then stored as float32
    biasScale[c] = f(si * sw[c]);
  }
  return { outScale, biasScale };
}

export function quantizeWeight(w: number, sw: number): number {
  return saturate(rne(f(w * sw)), 's8');
}

export function quantizeBias(b: number, biasScale: number): number {
  return saturate(rne(f(b * biasScale)), 's32');
}

/** The epilogue for one output element: acc is the exact s32 sum including the s32 bias. */
export function epilogue(acc: number, c: number, e: Int8Epilogue, residual = 0): number {
  let v = f(f(acc) * e.outScale[c]);
  if (e.sumScale !== undefined) v = f(v + f(e.sumScale * residual));
  if (e.activation === 'relu') v = v < 0 ? 0 : v;
  else if (e.activation === 'relu6') v = v < 0 ? 0 : v > (e.alpha ?? 6) ? (e.alpha ?? 6) : v;
  if (e.out === 'f32') return v;
  return saturate(rne(v), e.out);
}

export function avgPoolValue(sum: number, count: number, t: 'u8' | 's8'): number {
  return saturate(rne(f(sum / count)), t);
}
