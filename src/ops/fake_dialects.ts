// The fake-quant op list: every fake quantize / dequantize op PaddleSlim and Paddle have written into quant models,
// with the slots the passes read, and how to tell the three quantize/dequantize dialects apart by slot. Stated
// once here for the op schemas (src/ops/fake_quant.ts registers one per non-legacy entry), the convert passes
// (src/passes/fake_ops.ts and the gather/remove passes), model-kind detection and the CLI.
// Semantics: spec section 2 (PaddlePaddle/Paddle:paddle/fluid/operators/fake_quantize_op.cc, fake_dequantize_op.cc,
// quantize_linear_op.cc). Which ones carry a stored activation scale and which give weight thresholds:
// spec 3.2 (PaddlePaddle/Paddle:python/paddle/fluid/contrib/slim/quantization/quant2_int8_mkldnn_pass.py,
// `_fake_quantize_types`, `_fake_dequantize_types`, `_fake_quantize_dequantize_types`).
import type { Op } from '../graph/op';

export type FakeKind =
  | 'quantize'        // X → Out holds integers (as float)
  | 'dequantize'      // integer-valued X (an op's output, or a weight) → real Out
  | 'quant_dequant'   // X → Out = Q(X)·s/bin_cnt (simulated quantization)
  | 'observer';       // X → Out = X, only records a scale

export interface FakeDialect {
  type: string;
  kind: FakeKind;
  /** data input / output slots */
  x: string;
  out: string;
  /** input slot of a persistable var holding the activation threshold (static scale); absent = dynamic abs_max */
  storedScale?: string;
  /** per-channel weight op (threshold per output channel) */
  channelWise?: boolean;
  /** how a dequantize gives the weight threshold: attr max_range (T = 127·127/max_range), or the first tensor of a slot */
  weightThreshold?: 'max_range' | 'Scales' | 'Scale';
  /** renamed by convert_to_quantize.py (legacy Fluid 1.x programs of ../shared/assets, README "legacy quantize") */
  legacy?: boolean;
}

const D = (d: FakeDialect): FakeDialect => d;

export const FAKE_DIALECTS: readonly FakeDialect[] = [
  D({ type: 'fake_quantize_abs_max', kind: 'quantize', x: 'X', out: 'Out' }),
  D({ type: 'fake_quantize_moving_average_abs_max', kind: 'quantize', x: 'X', out: 'Out', storedScale: 'InScale' }),
  D({ type: 'fake_quantize_range_abs_max', kind: 'quantize', x: 'X', out: 'Out', storedScale: 'InScale' }),
  D({ type: 'fake_channel_wise_quantize_abs_max', kind: 'quantize', x: 'X', out: 'Out', channelWise: true }),
  D({ type: 'fake_quantize_dequantize_moving_average_abs_max', kind: 'quant_dequant', x: 'X', out: 'Out', storedScale: 'InScale' }),
  D({ type: 'fake_quantize_dequantize_abs_max', kind: 'quant_dequant', x: 'X', out: 'Out' }),
  D({ type: 'fake_channel_wise_quantize_dequantize_abs_max', kind: 'quant_dequant', x: 'X', out: 'Out', channelWise: true }),
  D({ type: 'fake_dequantize_max_abs', kind: 'dequantize', x: 'X', out: 'Out', weightThreshold: 'max_range' }),
  D({ type: 'fake_channel_wise_dequantize_max_abs', kind: 'dequantize', x: 'X', out: 'Out', channelWise: true, weightThreshold: 'Scales' }),
  // onnx_format=True models (PaddleSlim quant_post_static default): Scale holds the threshold itself
  D({ type: 'quantize_linear', kind: 'quant_dequant', x: 'X', out: 'Y', storedScale: 'Scale' }),
  D({ type: 'dequantize_linear', kind: 'dequantize', x: 'X', out: 'Y', storedScale: 'Scale', weightThreshold: 'Scale' }),
  // QAT out-scale observer (OutScaleForTrainingPass); its OutScale is the threshold of X
  D({ type: 'moving_average_abs_max_scale', kind: 'observer', x: 'X', out: 'Out', storedScale: 'OutScale' }),
  // legacy renamed ops: quantize = fake_quantize_abs_max (dynamic), dequantize = fake_dequantize_max_abs
  D({ type: 'quantize', kind: 'quantize', x: 'X', out: 'Out', legacy: true }),
  D({ type: 'dequantize', kind: 'dequantize', x: 'X', out: 'Out', weightThreshold: 'max_range', legacy: true }),
];

const BY_TYPE = new Map<string, FakeDialect>(FAKE_DIALECTS.map((d) => [d.type, d]));

/** the fake-quant op types of quant models (the legacy renamed quantize/dequantize share their type with oneDNN's) */
export const FAKE_QUANT_OPS: readonly string[] = FAKE_DIALECTS.filter((d) => !d.legacy).map((d) => d.type);

/** oneDNN's own int8 ops (Paddle's cpu_quantize_pass output): quantize/dequantize with slot Input, requantize */
export function isOneDnnQuantOp(op: Op): boolean {
  if (op.type === 'requantize') return true;
  return (op.type === 'quantize' || op.type === 'dequantize') && op.hasInput('Input');
}

/** legacy 8-bit quantize/dequantize (renamed fake_quantize_abs_max / fake_dequantize_max_abs): slot X, not Input */
export function isLegacyQuant(op: Op): boolean {
  return (op.type === 'quantize' || op.type === 'dequantize') && op.hasInput('X');
}

/** the dialect of a fake-quant op, or undefined for any other op (oneDNN quantize/dequantize included) */
export function fakeDialect(op: Op): FakeDialect | undefined {
  const d = BY_TYPE.get(op.type);
  if (!d) return undefined;
  if (d.legacy && !isLegacyQuant(op)) return undefined; // oneDNN quantize/dequantize read slot Input
  return d;
}

/** an op type that looks like a fake-quant op but is in no dialect we know */
export function looksLikeUnknownFake(op: Op): boolean {
  if (BY_TYPE.has(op.type) || isOneDnnQuantOp(op)) return false;
  return /(^fake_|quantize|quant_dequant)/.test(op.type);
}
