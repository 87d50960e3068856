// info's job: what a model dir holds — inputs/outputs with shapes, op histogram, parameter count and bytes, the
// quantization ops found (which dialect), the program's format version, and a structural fault if it has one.
import { loadModel } from '../format/paddle';
import { Graph } from '../graph/graph';
import { markedInt8 } from '../ops/attrs';
import { isLegacyQuant, isOneDnnQuantOp } from '../ops/fake_dialects';
import { inferSpecs } from '../runtime/compile';
import { dtypeSize, numel } from '../util/dtype';
import { QdeployError, type ErrorCode } from '../util/errors';

const FAKE_PREFIX = 'fake_';

export interface ModelInfo {
  path: string;
  layout: string;
  modelFile: string;
  paramsFile?: string;
  version: number | null;
  opVersions: number;
  inputs: { name: string; dtype: string; dims: number[] }[];
  outputs: { name: string; dtype: string; dims: number[]; inferred?: number[] }[];
  ops: number;
  histogram: [string, number][];
  params: { count: number; elements: number; bytes: number; byDtype: Record<string, number> };
  quant: { dialect: string; ops: [string, number][]; int8Ops: number; int8Params: number };
  shapeNote?: string;
  /** a structural fault of the program (what `run` refuses it for); the command exits 1 after printing */
  error?: string;
  errorCode?: ErrorCode;
}

export function modelInfo(path: string): ModelInfo {
  const m = loadModel(path);
  const g = Graph.fromProgram(m.program, m.params, path);
  const declared = (n: string) => g.var(n);
  const inputs = g.feeds().map((f) => ({ name: f.name, dtype: declared(f.name)?.dtype ?? '?', dims: declared(f.name)?.dims ?? [] }));
  const outputs: ModelInfo['outputs'] = g.fetches().map((f) => ({ name: f.name, dtype: declared(f.name)?.dtype ?? '?', dims: declared(f.name)?.dims ?? [] }));
  let shapeNote: string | undefined, error: string | undefined, errorCode: ErrorCode | undefined;
  try {
    const { specs } = inferSpecs(g, { batch: 1 });
    for (const o of outputs) {
      const s = specs.get(o.name);
      if (s) { o.inferred = [-1, ...s.dims.slice(1)]; o.dtype = s.dtype; }
    }
  } catch (e) {
    if (!(e instanceof QdeployError)) throw e;
    // a Paddle op qdeploy cannot run yet leaves a valid program: a note. Anything else (an input no earlier op
    // produces, a cycle, shapes that do not fit, an op type Paddle does not have) is a broken program: an error.
    if (e.code === 'unsupported') shapeNote = `output shapes as declared (inference stops at an op qdeploy cannot run: ${e.message})`;
    else { error = e.message; errorCode = e.code; }
  }
  const histogram = [...g.opHistogram()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  let elements = 0, bytes = 0;
  const byDtype: Record<string, number> = {};
  for (const t of m.params.values()) {
    const n = numel(t.dims);
    elements += n;
    bytes += n * dtypeSize(t.dtype);
    byDtype[t.dtype] = (byDtype[t.dtype] ?? 0) + 1;
  }
  const quantTypes = histogram.filter(([t]) => t.startsWith(FAKE_PREFIX) || t === 'quantize' || t === 'dequantize' || t === 'requantize' || t === 'quantize_linear' || t === 'dequantize_linear');
  const int8Ops = g.ops.filter(markedInt8).length;
  const legacy = g.ops.some(isLegacyQuant);
  const onednn = g.ops.some(isOneDnnQuantOp);
  const dialect = quantTypes.some(([t]) => t.startsWith(FAKE_PREFIX)) ? 'PaddleSlim fake quant (quant model; run qdeploy convert)'
    : quantTypes.some(([t]) => t.endsWith('_linear')) ? 'quantize_linear/dequantize_linear (Paddle 2.x quant model)'
    : legacy ? 'legacy 8-bit (QuantizeTranspiler quantize/dequantize, dynamic abs-max)'
    : onednn || int8Ops ? 'INT8 (oneDNN quantize/dequantize, Quant2Int8 output)'
    : 'none (FP32)';
  return {
    path, layout: m.layout, modelFile: m.modelFile, paramsFile: m.paramsFile,
    version: m.program.version?.version ?? null, opVersions: m.program.op_version_map?.pair?.length ?? 0,
    inputs, outputs, ops: g.ops.length, histogram,
    params: { count: m.params.size, elements, bytes, byDtype },
    quant: { dialect, ops: quantTypes, int8Ops, int8Params: byDtype.int8 ?? 0 },
    shapeNote, error, errorCode,
  };
}

