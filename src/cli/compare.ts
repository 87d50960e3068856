// qdeploy compare --fp32_model A --int8_model B --infer_data F: Paddle's FP32-vs-INT8 comparison
// (PaddlePaddle/Paddle:python/paddle/static/quantization/tests/quant_int8_image_classification_comparison.py and
// quant2_int8_image_classification_comparison.py: top-1/top-5 of both, the top-1 drop checked against a threshold,
// throughput) plus a per-layer table — time and output error of the INT8 model against the FP32 model at every
// var both produce — and, with --report report.html, the same as self-contained HTML charts. --quant_model Q takes
// the quant model instead and converts it in memory with convert's pipeline, as Paddle's quant2 script does.
// FP32 and INT8 are timed batch by batch in turn, so the speed-up is measured under the same load.
// The work is src/app/compare.ts's; this file reads flags, prints, and sets the exit status.
import { renderCompareHtml, type LayerRow, type RunSummary } from '../report/html';
import { formatLayerTable } from '../report/layer_table';
import { placementLine } from '../runtime/plan';
import type { RatioStats } from '../report/stats';
import { fixed, formatTable, signedPct } from '../report/table';
import { fail, QdeployError } from '../util/errors';
import { checkOutputFile, writeFileAtomic } from '../util/fs_atomic';
import { backendLine, chooseBackend } from '../app/backend_choice';
import { runCompare, type CompareOptions } from '../app/compare';
import type { CommandSpec } from './args';
import { backendFlag, batchSizeFlag, iterationsFlag, numThreadsFlag, presetFlag, useAnalysisFlag, warmupFlags, withAccuracyLayerFlag } from './shared_flags';
import { parseIds } from './convert';

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
    for (const [kind, res] of [['FP32', r.r32], ['INT8', r.r8]] as const) {
      if (args.bool('verbose') || res.placement.fallbacks.length) out.write(`${kind} ${placementLine(res.placement)}\n`);
    }
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
