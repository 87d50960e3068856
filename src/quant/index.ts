// Post-training quantization (PaddleSlim quant_post_static, PaddlePaddle/PaddleSlim:paddleslim/quant/quanter.py →
// PaddlePaddle/Paddle:python/paddle/static/quantization/post_training_quantization.py): collect the tensors to
// calibrate, compute weight thresholds, calibrate activations on a backend, and write the quant model layout.
import type { Graph } from '../graph/graph';
import type { Backends } from '../runtime/compile';
import { QdeployError } from '../util/errors';
import type { Progress } from '../util/progress';
import { calibrate, type BatchSource, type CalibrationResult } from './calibrate';
import { collectTargets, computeWeightThresholds, writeQuantLayout, type ActivationQuantizeType, type LayoutSummary, type WeightQuantizeType } from './layout';
import { isLegacyInt8, legacyToFp32 } from './legacy';
import { quantizationType, type Algo } from './observers';
import { DEFAULT_QUANTIZABLE_OP_TYPES, tableInputs } from './op_tables';

export { calibrate, type BatchSource, type CalibrationBatch, type CalibrationResult } from './calibrate';
export { ALGOS, UNSUPPORTED_ALGOS, checkAlgo, makeObserver, quantizationType, type Algo } from './observers';
export { ACTIVATION_QUANTIZE_TYPES, WEIGHT_QUANTIZE_TYPES, collectTargets, computeWeightThresholds, writeQuantLayout } from './layout';
export { DEFAULT_QUANTIZABLE_OP_TYPES } from './op_tables';
export { isLegacyInt8, legacyToFp32 } from './legacy';

export interface PtqOptions {
  algo: Algo;
  histPercent?: number;
  quantizableOpTypes?: string[];
  activationQuantizeType?: ActivationQuantizeType;
  weightQuantizeType?: WeightQuantizeType;
  onnxFormat?: boolean;
  /** batches per calibration pass (progress only) */
  batches: number;
  progress?: (label: string, total: number) => Progress;
  warn?: (line: string) => void;
}

export interface PtqResult {
  graph: Graph;
  calibration: CalibrationResult;
  summary: LayoutSummary;
  /** the input was a legacy 8-bit program, turned back to FP32 first */
  legacy: boolean;
  weightThresholds: Map<string, number[] | number>;
}

/** ops that PTQ would quantize with these op types (weight ops not skipped, activation-only ops) */
export function quantizableOps(g: Graph, opTypes: readonly string[]): string[] {
  const { config } = collectTargets(g, opTypes);
  return g.ops.filter((op) => {
    if (op.bool('skip_quant', false)) return false;
    const weight = op.allInputs().some((n) => g.isParam(n));
    if (config.weightTypes.includes(op.type) && weight) return true;
    return config.activationTypes.includes(op.type) && !tableInputs(op).some((n) => g.isParam(n));
  }).map((op) => op.label);
}

export async function postTrainingQuantize(model: Graph, backend: Backends, data: BatchSource, opts: PtqOptions): Promise<PtqResult> {
  const legacy = isLegacyInt8(model);
  const fp32 = legacy ? legacyToFp32(model).graph : model;
  const opTypes = opts.quantizableOpTypes ?? DEFAULT_QUANTIZABLE_OP_TYPES;
  const fake = fp32.ops.find((o) => o.type.startsWith('fake_') || o.type === 'quantize_linear' || o.type === 'dequantize_linear');
  if (fake) throw new QdeployError('quant', `${model.source || 'model'}: already holds fake-quant op ${fake.label}; quantize an FP32 model`);
  if (quantizableOps(fp32, opTypes).length === 0) {
    throw new QdeployError('quant', `${model.source || 'model'}: no quantizable op (${opTypes.join(', ')} with a weight); nothing to quantize`);
  }
  const targets = collectTargets(fp32, opTypes);
  const weightQuantizeType = opts.weightQuantizeType ?? 'channel_wise_abs_max';
  const weightThresholds = computeWeightThresholds(fp32, targets.weights, weightQuantizeType);
  const calibration = await calibrate(fp32, backend, data, {
    algo: opts.algo, targets: targets.activations, batches: opts.batches, progress: opts.progress,
    histPercent: opts.histPercent, onnxFormat: opts.onnxFormat,
  });
  const { graph, summary } = writeQuantLayout(fp32, calibration.thresholds, weightThresholds, {
    quantizableOpTypes: opTypes,
    activationQuantizeType: opts.activationQuantizeType ?? 'range_abs_max',
    weightQuantizeType,
    onnxFormat: opts.onnxFormat ?? false,
    quantizationType: quantizationType(opts.algo),
    zeroSize: calibration.zeroSize,
    warn: opts.warn,
  });
  return { graph, calibration, summary, legacy, weightThresholds };
}
