// Weight thresholds and integer weights, as PaddlePaddle's PTQ and QuantizationFreezePass compute them
// (PaddlePaddle/Paddle:python/paddle/static/quantization/post_training_quantization.py `_sample_abs_max` et al.:
// threshold = max|W| or per channel max|W[i]| (axis 0) / max|W[:, i]| (axis 1);
// quantization_pass.py QuantizationFreezePass.apply + utils.py `quant_tensor`: clip to ±s, x / s · 127 in float32,
// then np.round (half to even); QuantWeightPass (onnx_format): round(x / s · 127) then clip to [−128, 127]).
import { numel, type Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';
import { roundHalfEven } from '../util/round';

const f32 = Math.fround;

/** channel count and the stride pattern of `axis` (0 or 1) in a row-major tensor */
function axisLayout(dims: readonly number[], axis: number): { channels: number; inner: number; outer: number } {
  if (axis === 0) return { channels: dims[0] ?? 1, inner: numel(dims.slice(1)), outer: 1 };
  if (dims.length < 2) throw new QdeployError('quant', `weight of dims [${dims.join(',')}] has no axis ${axis}`);
  return { channels: dims[1], inner: numel(dims.slice(2)), outer: dims[0] };
}

/** call fn(channel, flatIndex) for every element */
function forEachChannel(dims: readonly number[], axis: number, fn: (c: number, i: number) => void): number {
  const { channels, inner, outer } = axisLayout(dims, axis);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      for (let k = 0; k < inner; k++) fn(c, base + k);
    }
  }
  return channels;
}

export function weightData(w: Tensor, name: string): Float32Array {
  if (w.dtype !== 'fp32') throw new QdeployError('quant', `weight '${name}' is ${w.dtype}; only float32 weights can be quantized`);
  return w.data as Float32Array;
}

/** channel_wise_abs_max thresholds along `axis` */
export function channelAbsMax(w: Tensor, axis: number, name = 'weight'): number[] {
  const d = weightData(w, name);
  const { channels } = axisLayout(w.dims, axis);
  const t = new Array<number>(channels).fill(0);
  forEachChannel(w.dims, axis, (c, i) => { const a = Math.abs(d[i]); if (a > t[c]) t[c] = a; });
  return t;
}

export function tensorAbsMax(w: Tensor, name = 'weight'): number {
  const d = weightData(w, name);
  let m = 0;
  for (let i = 0; i < d.length; i++) { const a = Math.abs(d[i]); if (a > m) m = a; }
  return m;
}

/**
 * The frozen weight (QuantizationFreezePass, non-onnx): per element with its channel's threshold s
 * (s = 0 → 1e-8): clip to [−s, s], then x / s · 127 in float32, then round half to even. Integer-valued floats.
 */
export function freezeWeight(w: Tensor, thresholds: number[] | number, axis: number, bits = 8, name = 'weight'): Float32Array {
  const d = weightData(w, name);
  const bnt = 2 ** (bits - 1) - 1;
  const out = new Float32Array(d.length);
  const perChannel = Array.isArray(thresholds) && thresholds.length > 1;
  const one = Array.isArray(thresholds) ? thresholds[0] : thresholds;
  const q = (x: number, s: number) => {
    const sf = f32(s === 0 ? 1e-8 : s);
    const c = x > sf ? sf : x < -sf ? -sf : x;
    return roundHalfEven(f32(f32(c / sf) * bnt));
  };
  if (!perChannel) { for (let i = 0; i < d.length; i++) out[i] = q(d[i], one); return out; }
  const ts = thresholds as number[];
  const n = forEachChannel(w.dims, axis, (c, i) => { out[i] = q(d[i], ts[c]); });
  if (n !== ts.length) throw new QdeployError('quant', `weight '${name}': ${ts.length} thresholds for ${n} channels`);
  return out;
}

/** QuantWeightPass (onnx_format): round(x / s · 127) clipped to [−128, 127], stored as int8 */
export function quantWeightOnnx(w: Tensor, thresholds: number[] | number, axis: number, bits = 8, name = 'weight'): Int8Array {
  const d = weightData(w, name);
  const bnt = 2 ** (bits - 1) - 1;
  const out = new Int8Array(d.length);
  const q = (x: number, s: number) => {
    const sf = f32(s === 0 ? 1e-8 : s);
    const r = roundHalfEven(f32(f32(x / sf) * bnt));
    return r < -bnt - 1 ? -bnt - 1 : r > bnt ? bnt : r;
  };
  const ts = Array.isArray(thresholds) ? thresholds : [thresholds];
  if (ts.length === 1) { for (let i = 0; i < d.length; i++) out[i] = q(d[i], ts[0]); return out; }
  forEachChannel(w.dims, axis, (c, i) => { out[i] = q(d[i], ts[c]); });
  return out;
}
