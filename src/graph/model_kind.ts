// Which stage of the FP32 → quant → INT8 path a model is at, told by its ops, so that a command expecting one
// kind can refuse another instead of measuring the wrong thing (an FP32 model "compared" as INT8, a quant model
// timed as INT8). Fake-quant ops (PaddleSlim's classic fake_* ops, onnx_format quantize_linear/dequantize_linear,
// out-scale ops) make a quant model; oneDNN quantize/requantize ops or an op marked for an int8 kernel
// (`qdeploy convert` output) an INT8 model; quantize/dequantize with an X slot the legacy 8-bit layout (int8
// weights, arithmetic in FP32; src/ops/quant.ts); none of these, an FP32 model.
import { markedInt8 } from '../ops/attrs';
import { FAKE_QUANT_OPS, isLegacyQuant, isOneDnnQuantOp } from '../ops/fake_dialects';
import type { Graph } from './graph';
import type { Op } from './op';

export type ModelKind = 'fp32' | 'quant' | 'int8' | 'legacy8bit';

export interface ModelKindInfo {
  kind: ModelKind;
  /** the first op that decided it (none for FP32) */
  evidence?: Op;
  /** how many ops of that kind */
  count: number;
}

const FAKE = new Set(FAKE_QUANT_OPS);

export function modelKind(g: Graph): ModelKindInfo {
  const fake = g.ops.filter((o) => FAKE.has(o.type) || o.type.startsWith('fake_'));
  if (fake.length) return { kind: 'quant', evidence: fake[0], count: fake.length };
  const int8 = g.ops.filter((o) => isOneDnnQuantOp(o) || markedInt8(o));
  if (int8.length) return { kind: 'int8', evidence: int8[0], count: int8.length };
  const legacy = g.ops.filter(isLegacyQuant);
  if (legacy.length) return { kind: 'legacy8bit', evidence: legacy[0], count: legacy.length };
  return { kind: 'fp32', count: 0 };
}

/** one phrase for messages: "quant model (12 fake-quant ops)" */
export function describeKind(k: ModelKindInfo): string {
  switch (k.kind) {
    case 'quant': return `quant model (${k.count} fake-quant ops)`;
    case 'int8': return `INT8 model (${k.count} quantize/requantize/dequantize or int8-marked ops)`;
    case 'legacy8bit': return `legacy 8-bit model (${k.count} quantize/dequantize ops: int8 weights, FP32 arithmetic)`;
    default: return 'FP32 model (no quant ops)';
  }
}
