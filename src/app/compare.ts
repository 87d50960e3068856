// compare's job (Paddle's FP32-vs-INT8 comparison, PaddlePaddle/Paddle:python/paddle/static/quantization/tests/
// quant_int8_image_classification_comparison.py and quant2_int8_image_classification_comparison.py): both models
// checked to be what their flags say, timed batch by batch in turn on the same data, top-1 agreement, and the
// per-layer error and time at every var both produce (layer_match.ts). With a quant model the INT8 side is
// converted in memory with convert's pipeline, as Paddle's quant2 script does.
import type { Graph } from '../graph/graph';
import { describeKind, modelKind } from '../graph/model_kind';
import type { CompareData, LayerRow, RunSummary } from '../report/html';
import { errorStats, topK, type RatioStats } from '../report/stats';
import { fixed } from '../report/table';
import { fail } from '../util/errors';
import type { BackendChoice } from './backend_choice';
import { batchProgress, benchInterleaved, compileFor, resolveIterations, type BenchOptions, type BenchResult } from './bench';
import { convertGraph, type ConvertOptions } from './convert';
import { openData, type DataSource } from './data_source';
import { layerOp, matchedVars, realValues, segments } from './layer_match';
import { applyAnalysis, loadForBench, modelIo } from './model_io';

export interface LayerCompare { rows: LayerRow[]; images: number }

/** per-layer error on `n` images (plans compiled with keep 'all') and time from the profiled runs */
export function compareLayers(fp32: Graph, int8: Graph, choice: BackendChoice, data: DataSource, n: number, r32: BenchResult, r8: BenchResult): LayerCompare {
  const p32 = compileFor(fp32, choice, n, 'all').plan;
  const p8 = compileFor(int8, choice, n, 'all').plan;
  try {
    const images = new Float32Array(n * data.imageSize);
    const labels = new BigInt64Array(n);
    data.read(0, n, images, labels);
    p32.run([images]);
    p8.run([images]);
    const pairs = matchedVars(fp32, int8, p32.specs, p8.specs).filter((v) => p32.has(v.fp32) && p8.has(v.int8));
    const t32 = new Map(r32.opTimes.map((t) => [t.id, t.calls ? t.ms / t.calls : 0]));
    const t8 = new Map(r8.opTimes.map((t) => [t.id, t.calls ? t.ms / t.calls : 0]));
    const s32 = new Map(segments(fp32, pairs.map((p) => p.fp32)).map((s) => [s.var, s]));
    const s8 = new Map(segments(int8, pairs.map((p) => p.int8)).map((s) => [s.var, s]));
    const rows: LayerRow[] = [];
    for (const { fp32: v, int8: v8 } of pairs) {
      const a = p32.read(v), b = p8.read(v8);
      const ref = realValues(fp32, a, v), got = realValues(int8, b, v8);
      const e = ref && got ? errorStats(got, ref) : { relL2: NaN, maxAbs: NaN, cosine: NaN };
      const seg32 = s32.get(v)?.ops ?? [], seg8 = s8.get(v8)?.ops ?? [];
      const op = layerOp(int8, v8);
      rows.push({
        label: op ? `${op.type}(${op.id})` : v8, var: v, fp32Ops: seg32.map((o) => o.type).join('+'), int8Ops: seg8.map((o) => o.type).join('+'),
        fp32Ms: seg32.reduce((s, o) => s + (t32.get(o.id) ?? 0), 0), int8Ms: seg8.reduce((s, o) => s + (t8.get(o.id) ?? 0), 0),
        int8Dtype: b.dtype, relL2: e.relL2, maxAbs: e.maxAbs, cosine: e.cosine,
      });
    }
    return { rows, images: n };
  } finally {
    p32.dispose();
    p8.dispose();
  }
}

export function summary(model: string, choice: BackendChoice, r: BenchResult): RunSummary {
  return {
    model, backend: choice.info.name, isa: choice.info.isa, threads: choice.info.threads, batchSize: r.batchSize,
    iterations: r.iterations, top1: r.top1, top5: r.top5, fps: r.fps, latency: r.latency, batchMs: r.batchMs, placement: r.placement,
  };
}

export function opTypeRows(r32: BenchResult, r8: BenchResult): CompareData['opTypes'] {
  const m = new Map<string, { type: string; fp32Ms: number; int8Ms: number }>();
  const add = (r: BenchResult, k: 'fp32Ms' | 'int8Ms') => {
    for (const t of r.opTimes) {
      const e = m.get(t.type) ?? { type: t.type, fp32Ms: 0, int8Ms: 0 };
      e[k] += t.calls ? t.ms / t.calls : 0;
      m.set(t.type, e);
    }
  };
  add(r32, 'fp32Ms'); add(r8, 'int8Ms');
  return [...m.values()].sort((a, b) => b.fp32Ms + b.int8Ms - a.fp32Ms - a.int8Ms);
}

export interface CompareResult { fp32: RunSummary; int8: RunSummary; agreement: number; layers: LayerCompare; data: CompareData; r32: BenchResult; r8: BenchResult; speedup: RatioStats; layerIds: string }

export interface CompareOptions {
  batchSize: number;
  iterations: number;
  warmup: number;
  layerImages: number;
  useAnalysis: boolean;
  log?: (line: string) => void;
  /** set: the second model is a quant model, converted in memory with these options (--quant_model) */
  convert?: ConvertOptions;
}

const FLAG_FOR = (o: CompareOptions) => (o.convert ? '--quant_model' : '--int8_model');

/**
 * The models must be what their flags say, or the comparison is a silent wrong answer: an FP32 model as INT8
 * (FP32 against FP32), a quant model as INT8 (its fake-quant ops timed and measured as if they were INT8).
 */
export function checkKinds(fp32: Graph, fp32Path: string, int8: Graph, int8Path: string, o: CompareOptions): void {
  const k32 = modelKind(fp32), k8 = modelKind(int8);
  if (k32.kind === 'int8') fail('usage', `compare: --fp32_model ${fp32Path} is an INT8 model (op ${k32.evidence!.label}); pass the FP32 model it came from`);
  const flag = FLAG_FOR(o);
  if (o.convert) {
    if (k8.kind === 'int8') fail('usage', `compare: --quant_model ${int8Path} is already an INT8 model (op ${k8.evidence!.label}); pass it as --int8_model`);
    if (k8.kind !== 'quant') fail('usage', `compare: --quant_model ${int8Path} has no fake-quant ops (${describeKind(k8)}); pass PaddleSlim's or qdeploy quantize's output`);
    return;
  }
  if (k8.kind === 'quant') {
    fail('usage', `compare: ${flag} ${int8Path} is a quant model (fake-quant op ${k8.evidence!.label}); run qdeploy convert on it first, or pass it as --quant_model to convert it in memory`);
  }
  if (k8.kind === 'fp32') fail('usage', `compare: ${flag} ${int8Path} has no INT8 ops (no quantize/requantize op, no op marked int8): comparing it would set FP32 against FP32; pass qdeploy convert's output`);
  // accepted, but neither runs INT8 arithmetic on that side: say so next to the numbers
  if (k8.kind === 'legacy8bit') o.log?.(`compare: note: ${flag} ${int8Path} is a ${describeKind(k8)}; its speed is not INT8 speed`);
  if (k32.kind !== 'fp32') o.log?.(`compare: note: --fp32_model ${fp32Path} is a ${describeKind(k32)}, run as FP32`);
}

/** after an in-memory convert: something must have been quantized, or the "INT8" side is FP32 */
function checkConverted(g: Graph, path: string): void {
  if (modelKind(g).kind !== 'int8') fail('quant', `compare: --quant_model ${path}: convert quantized no op (check --ops_to_quantize / --op_ids_to_skip)`);
}

export async function runCompare(fp32Path: string, int8Path: string, dataPath: string, choice: BackendChoice, o: CompareOptions, preset?: string): Promise<CompareResult> {
  const g32 = loadForBench(fp32Path, false);
  const g8 = loadForBench(int8Path, false);
  checkKinds(g32, fp32Path, g8, int8Path, o);
  if (o.useAnalysis) applyAnalysis(g32);
  if (o.convert) {
    convertGraph(g8, o.convert);
    checkConverted(g8, int8Path);
  }
  const io32 = modelIo(g32), io8 = modelIo(g8);
  if (io32.sampleDims.join(',') !== io8.sampleDims.join(',')) {
    fail('shape', `the models take different inputs: FP32 [${io32.sampleDims.join(',')}], INT8 [${io8.sampleDims.join(',')}]`);
  }
  const data = await openData(dataPath, io32.sampleDims, preset, o.iterations > 0 ? o.iterations * o.batchSize : 0);
  try {
    resolveIterations(data.count, o.batchSize, o.iterations, data.what);
    const top: number[][] = [[], []];
    const opts = (which: 0 | 1): BenchOptions => ({
      batchSize: o.batchSize, iterations: o.iterations, warmup: o.warmup, profile: true,
      onOutput: (out) => { const w = out.length / o.batchSize; for (let i = 0; i < o.batchSize; i++) top[which].push(topK(out.subarray(i * w, (i + 1) * w), 1)[0]); },
    });
    const c32 = compileFor(g32, choice, o.batchSize);
    let r32: BenchResult, r8: BenchResult, speedup: RatioStats;
    try {
      const c8 = compileFor(g8, choice, o.batchSize);
      try {
        const n = o.iterations || Math.floor(data.count / o.batchSize);
        o.log?.(`compare: FP32 compiled in ${fixed(c32.ms, 0)} ms, INT8 in ${fixed(c8.ms, 0)} ms; running ${n} batch(es) of ${o.batchSize}, FP32 and INT8 in turn`);
        const bar = batchProgress('compare', n);
        const r = benchInterleaved([c32.plan, c8.plan], data, [opts(0), opts(1)], bar.tick);
        bar.done();
        [r32, r8] = r.results;
        speedup = r.speedup;
        r32.compileMs = c32.ms;
        r8.compileMs = c8.ms;
      } finally {
        c8.plan.dispose();
      }
    } finally {
      c32.plan.dispose();
    }
    const agree = top[0].filter((t, i) => t === top[1][i]).length / Math.max(1, top[0].length);
    const n = Math.max(1, Math.min(o.layerImages, o.batchSize, data.count));
    o.log?.(`compare: per-layer error on ${n} image(s)`);
    const layers = compareLayers(g32, g8, choice, data, n, r32, r8);
    const fp32 = summary(fp32Path, choice, r32), int8 = summary(int8Path, choice, r8);
    // in memory, ops keep convert's ids (the quant model's, new ones for fused ops): what --op_ids_to_skip takes
    const layerIds = o.convert ? `ids in convert's graph, the ones --op_ids_to_skip takes (convert --debug .dot files)` : `ids of the INT8 model, as qdeploy dot ${int8Path} numbers them`;
    const cd: CompareData = {
      title: `qdeploy compare: ${fp32Path} vs ${int8Path}`, generated: new Date().toISOString(), fp32, int8,
      layers: layers.rows, layerIds, speedup, opTypes: opTypeRows(r32, r8),
    };
    return { fp32, int8, agreement: agree, layers, data: cd, r32, r8, speedup, layerIds };
  } finally {
    data.close();
  }
}
