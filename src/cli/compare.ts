// qdeploy compare --fp32_model A --int8_model B --infer_data F: Paddle's FP32-vs-INT8 comparison
// (PaddlePaddle/Paddle:python/paddle/static/quantization/tests/quant_int8_image_classification_comparison.py and
// quant2_int8_image_classification_comparison.py: top-1/top-5 of both, the top-1 drop checked against a threshold,
// throughput) plus a per-layer table — time and output error of the INT8 model against the FP32 model at every
// var both produce — and, with --report report.html, the same as self-contained HTML charts. --quant_model Q takes
// the quant model instead and converts it in memory with convert's pipeline, as Paddle's quant2 script does.
// FP32 and INT8 are timed batch by batch in turn, so the speed-up is measured under the same load.
import type { Graph } from '../graph/graph';
import { describeKind, modelKind } from '../graph/model_kind';
import type { Plan } from '../runtime/plan';
import { renderCompareHtml, type CompareData, type LayerRow, type RunSummary } from '../report/html';
import { formatLayerTable } from '../report/layer_table';
import { errorStats, topK, type RatioStats } from '../report/stats';
import { fixed, formatTable, signedPct } from '../report/table';
import { dequantizeValue } from '../int8/contract';
import { int8ScaleSource } from '../ops/int8_scale';
import { numel, type Tensor } from '../util/dtype';
import { fail, QdeployError } from '../util/errors';
import { checkOutputFile, writeFileAtomic } from '../util/fs_atomic';
import type { CommandSpec } from './args';
import { backendFlag, batchSizeFlag, iterationsFlag, numThreadsFlag, presetFlag, useAnalysisFlag, warmupFlags, withAccuracyLayerFlag } from './shared_flags';
import {
  applyAnalysis, backendLine, benchInterleaved, chooseBackend, compileFor, loadForBench, modelIo, openData, resolveIterations, batchProgress,
  type BackendChoice, type BenchOptions, type BenchResult, type DataSource,
} from './bench';
import { convertGraph, parseIds, type ConvertOptions } from './convert';


/** the (scale, shift) of an int8/uint8 var: int = real·Scale + Shift, from the op that produced it */
export function int8ScaleOf(g: Graph, name: string, depth = 0): { scale: number; shift: number } | undefined {
  const p = g.producer(name);
  if (!p || depth > 64) return undefined;
  if (p.type === 'quantize') return { scale: p.num('Scale', 1), shift: p.num('Shift', 0) };
  if (p.type === 'requantize') return { scale: p.num('Scale_out', 1), shift: p.num('Shift_out', 0) };
  const slot = int8ScaleSource(p.type); // the op passes its input's scale through (src/ops/int8_scale.ts)
  if (slot) {
    const x = p.input(slot);
    return x ? int8ScaleOf(g, x, depth + 1) : undefined;
  }
  if (p.hasAttr('Scale_out')) return { scale: p.num('Scale_out', 1), shift: p.num('Shift_out', 0) };
  return undefined;
}

/** a var's value as real numbers: fp32 as is, u8/s8 dequantized with the producing op's scale */
export function realValues(g: Graph, t: Tensor, name: string): Float32Array | undefined {
  if (t.dtype === 'fp32') return t.data as Float32Array;
  if (t.dtype !== 'int8' && t.dtype !== 'uint8') return undefined;
  const s = int8ScaleOf(g, name);
  if (!s || !(s.scale > 0)) return undefined;
  const d = t.data as Int8Array | Uint8Array;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = dequantizeValue(d[i], s.scale, s.shift);
  return out;
}

interface Segment { var: string; ops: { id: number; type: string }[] }

/** ops in program order grouped by the next matched var they lead to */
function segments(g: Graph, matched: string[]): Segment[] {
  const want = new Set(matched);
  const segs: Segment[] = [];
  let cur: { id: number; type: string }[] = [];
  for (const op of g.ops) {
    if (op.type === 'feed' || op.type === 'fetch') continue;
    cur.push({ id: op.id, type: op.type });
    const out = op.allOutputs().find((o) => want.has(o));
    if (out) { segs.push({ var: out, ops: cur }); cur = []; want.delete(out); }
  }
  if (cur.length && segs.length) segs[segs.length - 1].ops.push(...cur);
  return segs;
}

const WEIGHT_SLOTS = ['Filter', 'W', 'Y'];
const QUANT_OPS = new Set(['quantize', 'dequantize', 'requantize']);

/** the op a row stands for: the producer of its INT8 var, looking through quantize/dequantize/requantize */
function layerOp(g: Graph, v: string): { type: string; id: number } | undefined {
  let p = g.producer(v);
  for (let guard = 0; p && QUANT_OPS.has(p.type) && guard < 8; guard++) {
    const x = p.input('Input') ?? p.input('X');
    const q = x ? g.producer(x) : undefined;
    if (!q) break;
    p = q;
  }
  return p;
}

/**
 * The FP32 var an INT8 op's output stands for. Quant2Int8 renames outputs (cpu_quantize_pass inserts
 * `dequantize/in_<k>` vars, squash keeps them), so ops are matched by their weight parameter instead, and the FP32
 * chain is followed through what the INT8 op fused: batch_norm, bias add, the residual add, the activation.
 */
function fp32Counterpart(g32: Graph, g8: Graph, op8: Graph['ops'][number]): string | undefined {
  const w = WEIGHT_SLOTS.map((s) => op8.input(s)).find((n) => n !== undefined && g8.isParam(n));
  if (!w) return undefined;
  const op32 = g32.ops.find((o) => o.type !== 'feed' && WEIGHT_SLOTS.some((s) => o.input(s) === w));
  if (!op32) return undefined;
  let v = op32.output('Output') ?? op32.output('Out');
  if (!v) return undefined;
  const act = op8.str('fuse_activation', op8.str('activation_type', ''));
  let residual = op8.bool('fuse_residual_connection', false);
  for (let guard = 0; guard < 8; guard++) {
    const cs = g32.consumers(v);
    if (cs.length !== 1) break;
    const c = cs[0];
    if (c.type === 'batch_norm') { v = c.output('Y')!; continue; }
    if (c.type === 'elementwise_add' && g32.isParam(c.input('Y') ?? '')) { v = c.output('Out')!; continue; }
    if (c.type === 'elementwise_add' && residual) { residual = false; v = c.output('Out')!; continue; }
    if (act && c.type === act) v = c.output('Out')!;
    break;
  }
  return v;
}

export interface VarPair { int8: string; fp32: string }

/**
 * Pairs of vars that hold the same layer output in both models, in the INT8 graph's order: ops with weights
 * matched through their weight parameter, other vars by name; same element count; FP32 order must agree.
 */
export function matchedVars(fp32: Graph, int8: Graph, specs32: Plan['specs'], specs8: Plan['specs']): VarPair[] {
  const produced32 = new Set(fp32.ops.filter((o) => o.type !== 'feed').flatMap((o) => o.allOutputs()));
  const out: VarPair[] = [];
  const seen8 = new Set<string>(), seen32 = new Set<string>();
  const push = (a8: string, a32: string) => {
    if (seen8.has(a8) || seen32.has(a32) || fp32.isParam(a32) || int8.isParam(a8)) return;
    const a = specs32.get(a32), b = specs8.get(a8);
    if (!a || !b || a.value || b.value || numel(a.dims) !== numel(b.dims)) return;
    seen8.add(a8); seen32.add(a32);
    out.push({ int8: a8, fp32: a32 });
  };
  for (const op of int8.ops) {
    if (op.type === 'feed' || op.type === 'fetch') continue;
    const main = op.output('Output') ?? op.output('Out');
    const cp = fp32Counterpart(fp32, int8, op);
    if (main && cp) push(main, cp);
    for (const n of op.allOutputs()) if (produced32.has(n)) push(n, n);
  }
  const pos32 = new Map<string, number>();
  fp32.ops.forEach((o, i) => o.allOutputs().forEach((n) => { if (!pos32.has(n)) pos32.set(n, i); }));
  let last = -1;
  return out.filter((p) => { const q = pos32.get(p.fp32)!; if (q < last) return false; last = q; return true; });
}

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
    iterations: r.iterations, top1: r.top1, top5: r.top5, fps: r.fps, latency: r.latency, batchMs: r.batchMs,
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

/** Paddle's comparison summary, then one table */
export function formatComparison(a: RunSummary, b: RunSummary, threshold: number, agreement?: number, speedup?: RatioStats): string {
  const drop = a.top1 - b.top1;
  const x = (v: number) => fixed(v, 2);
  const lines = [
    '---  Performance summary  ---',
    `FP32: avg fps: ${fixed(a.fps, 2)}, avg latency: ${fixed(a.latency.avg / a.batchSize, 4)} ms`,
    `INT8: avg fps: ${fixed(b.fps, 2)}, avg latency: ${fixed(b.latency.avg / b.batchSize, 4)} ms`,
    '---  Accuracy summary  ---',
    `Accepted top1 accuracy drop threshold: ${threshold}. (condition: (FP32_top1_acc - INT8_top1_acc) <= threshold)`,
    `FP32: avg top1 accuracy: ${fixed(a.top1, 4)}, avg top5 accuracy: ${fixed(a.top5, 4)}`,
    `INT8: avg top1 accuracy: ${fixed(b.top1, 4)}, avg top5 accuracy: ${fixed(b.top5, 4)}`,
    `top1 accuracy drop: ${fixed(drop, 4)} → ${drop <= threshold ? 'within' : 'ABOVE'} the threshold`,
    ...(speedup ? [`speed-up (FP32 ms / INT8 ms per batch, ${speedup.count} batches interleaved): median ${x(speedup.median)}x, p10–p90 ${x(speedup.p10)}–${x(speedup.p90)}x, min–max ${x(speedup.min)}–${x(speedup.max)}x`] : []),
    '',
  ];
  const table = formatTable(['', 'FP32', 'INT8', 'INT8 − FP32'], [
    ['top-1', fixed(a.top1, 4), fixed(b.top1, 4), signedPct(b.top1 - a.top1)],
    ['top-5', fixed(a.top5, 4), fixed(b.top5, 4), signedPct(b.top5 - a.top5)],
    ['img/s', fixed(a.fps, 2), fixed(b.fps, 2), `${fixed(b.fps / a.fps, 2)}x`],
    ['batch ms (median)', fixed(a.latency.median, 2), fixed(b.latency.median, 2), `${x(speedup ? speedup.median : a.latency.median / b.latency.median)}x`],
    ...(agreement !== undefined ? [['top-1 agreement', '', fixed(agreement, 4), '']] : []),
  ], { align: ['l', 'r', 'r', 'r'] });
  return lines.join('\n') + table;
}

/** the per-layer table (src/report/layer_table.ts); `width`: the terminal's columns, none for a pipe or file */
export const formatLayers = (rows: LayerRow[], images: number, width?: number, ids?: string): string => formatLayerTable(rows, images, { width, ids });

/**
 * Paddle's comparison test fails when the top-1 accuracy drops by more than the threshold: `assert fp32_acc1 -
 * int8_acc1 <= threshold` (quant_int8_image_classification_comparison.py; the quant2 script checks the quant
 * model's top-1 the same way). A rise never fails. Both top-1s are sample_tester's per-batch means.
 */
export function checkAccuracyDrop(a: RunSummary, b: RunSummary, threshold: number): void {
  const drop = a.top1 - b.top1;
  if (!(drop <= threshold)) {
    throw new QdeployError('accuracy', `top-1 accuracy drop ${fixed(drop, 4)} (FP32 ${fixed(a.top1, 4)} − INT8 ${fixed(b.top1, 4)}) is above --acc_diff_threshold ${threshold}`);
  }
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

export const compareCommand: CommandSpec = {
  name: 'compare',
  summary: 'FP32 vs INT8: accuracy, throughput, per-layer time and error (table, HTML report)',
  usage: 'qdeploy compare --fp32_model A (--int8_model B | --quant_model Q) --infer_data F [--batch_size 50] [--iterations 0] [--acc_diff_threshold 0.01] [--backend auto] [--report report.html]',
  flags: {
    fp32_model: { type: 'string', help: 'the FP32 model' },
    int8_model: { type: 'string', help: 'the INT8 model (qdeploy convert output)' },
    quant_model: { type: 'string', help: 'instead of --int8_model: the quant model, converted in memory as qdeploy convert would' },
    ops_to_quantize: { type: 'list', help: 'with --quant_model: convert\'s --ops_to_quantize', default: '' },
    op_ids_to_skip: { type: 'list', help: 'with --quant_model: convert\'s --op_ids_to_skip (the ids the layer table shows)', default: '' },
    infer_data: { type: 'string', help: 'dataset .bin or a folder with val_list.txt' },
    batch_size: batchSizeFlag(50),
    iterations: iterationsFlag('batches; 0 = the whole dataset'),
    batch_num: { ...iterationsFlag(), help: 'Paddle\'s comparison script\'s name', aliasOf: 'iterations', default: undefined },
    ...warmupFlags(1, 'warm-up batches per model'),
    num_threads: numThreadsFlag(undefined, 1),
    backend: backendFlag(),
    acc_diff_threshold: { type: 'float', min: 0, help: 'accepted top-1 accuracy drop (FP32 − INT8); above it compare exits 1', default: 0.01 },
    layer_images: { type: 'int', min: 0, help: 'images the per-layer error is measured on', default: 2 },
    use_analysis: useAnalysisFlag('apply the FP32 fuses to the FP32 model first (AnalysisConfig)'),
    with_accuracy_layer: withAccuracyLayerFlag('sample_tester\'s flag; compare reads the first output as class scores, so only false is accepted'),
    preset: presetFlag('preprocessing preset when --infer_data is a JPEG folder'),
    report: { type: 'string', help: 'write the report: .html (charts) or .json' },
  },
  details: `
Exit status 1 when FP32 top-1 − INT8 top-1 > --acc_diff_threshold (Paddle's comparison test). The models are
checked first: --int8_model must hold INT8 ops (qdeploy convert's output), --quant_model fake-quant ops.
FP32 and INT8 run batch by batch in turn (which goes first alternates); the speed-up is the median of the
per-batch ratios FP32 ms / INT8 ms, with p10–p90 and min–max.
Layers are named by op type(op id): with --int8_model the INT8 model's ids (qdeploy dot numbering), with
--quant_model the quant model's ids, the ones --op_ids_to_skip takes. Layers are matched by weight and var name: every var both models produce. Time per layer sums the ops between matched
vars (so a fused INT8 conv is set against FP32 conv+batch_norm+relu). INT8 vars (u8/s8) are dequantized with
the scale of the op that produced them (quantize Scale, conv Scale_out; pool/reshape/concat pass it through).`,
  async run(args) {
    if (args.str('report')) checkOutputFile(args.str('report')!);
    if (args.bool('with_accuracy_layer')) fail('usage', 'compare: --with_accuracy_layer=true is not supported: compare reads the first output of both models as class scores');
    const choice = chooseBackend(args.str('backend')!, args.num('num_threads')!);
    const o: CompareOptions = {
      batchSize: args.num('batch_size')!, iterations: args.num('iterations')!, warmup: args.num('warmup')!,
      layerImages: args.num('layer_images')!, useAnalysis: args.bool('use_analysis'),
      log: (l) => process.stderr.write(l + '\n'),
    };
    const int8Path = args.str('int8_model'), quantPath = args.str('quant_model');
    if (int8Path && quantPath) fail('usage', 'compare: pass either --int8_model or --quant_model, not both');
    if (!int8Path && !quantPath) fail('usage', 'compare: --int8_model (or --quant_model) is required (see qdeploy compare --help)');
    if (quantPath) o.convert = { opsToQuantize: args.list('ops_to_quantize') ?? [], opIdsToSkip: parseIds(args.list('op_ids_to_skip')) };
    else if (args.list('ops_to_quantize')?.length || args.list('op_ids_to_skip')?.length) fail('usage', 'compare: --ops_to_quantize and --op_ids_to_skip apply to --quant_model only (the INT8 model is converted already)');
    const threshold = args.num('acc_diff_threshold')!;
    const r = await runCompare(args.reqStr('fp32_model'), (int8Path ?? quantPath)!, args.reqStr('infer_data'), choice, o, args.str('preset'));
    const out = process.stdout;
    out.write(`${backendLine(choice)}\n`);
    out.write(formatComparison(r.fp32, r.int8, threshold, r.agreement, r.speedup));
    out.write(formatLayers(r.layers.rows, r.layers.images, out.isTTY ? out.columns : undefined, r.layerIds));
    const rep = args.str('report');
    if (rep) {
      writeFileAtomic(rep, rep.endsWith('.json') ? JSON.stringify({ ...r.data, agreement: r.agreement, acc_diff_threshold: threshold }, null, 2) + '\n' : renderCompareHtml(r.data));
      out.write(`report written to ${rep}\n`);
    }
    checkAccuracyDrop(r.fp32, r.int8, threshold);
  },
};
