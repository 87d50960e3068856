// qdeploy bench: Paddle's sample_tester (Slim demo/mkldnn_quant/sample_tester.cc, spec 6.1) on our runtime:
// same flags and defaults, the same printed lines (batch latency, fps, Top1/Top5 to 4 decimals), plus
// latency statistics in benchmark_app's shape, the backend/ISA/threads, and --report JSON with per-op times.
// Batches are streamed from the dataset file (or a JPEG folder with val_list.txt); only Plan.run is timed.
// The loop and the data sources are src/app's (bench.ts, data_source.ts); this file reads flags and prints.
import type { Graph } from '../graph/graph';
import { describeKind, modelKind } from '../graph/model_kind';
import { fixed } from '../report/table';
import { placementLine } from '../runtime/plan';
import { checkOutputFile, writeFileAtomic } from '../util/fs_atomic';
import { backendLine, chooseBackend, type BackendChoice } from '../app/backend_choice';
import { batchProgress, benchPlan, compileFor, resolveIterations, type BenchResult } from '../app/bench';
import { openData } from '../app/data_source';
import { loadForBench, modelIo } from '../app/model_io';
import type { CommandSpec } from './args';
import { backendFlag, batchSizeFlag, iterationsFlag, numThreadsFlag, presetFlag, useAnalysisFlag, warmupFlags, withAccuracyLayerFlag } from './shared_flags';

// ---------------------------------------------------------------- printing

/** sample_tester's lines (spec 6.1), then benchmark_app-style latency statistics */
export function formatBench(model: string, choice: BackendChoice, r: BenchResult, kind?: string): string {
  const l = r.latency;
  return [
    `Model: ${model}`,
    `====== num of threads: ${choice.info.threads} ======`,
    `====== batch size: ${r.batchSize}, iterations: ${r.iterations}`,
    `====== batch latency: ${fixed(r.batchLatency, 4)}ms, number of samples: ${r.samples}, sample latency: ${fixed(r.sampleLatency, 4)}ms, fps: ${fixed(r.fps, 4)} ======`,
    `Top1 accuracy: ${fixed(r.top1, 4).padStart(6)}`,
    `Top5 accuracy: ${fixed(r.top5, 4).padStart(6)}`,
    `[ INFO ] ${backendLine(choice)}`,
    `[ INFO ] ${placementLine(r.placement)}`,
    ...(kind ? [`[ INFO ] model kind: ${kind}`] : []),
    `[ INFO ] Count:      ${r.iterations} iterations (batch ${r.batchSize}, ${r.warmup} warm-up)`,
    `[ INFO ] Latency (per batch):`,
    `[ INFO ]    Median:  ${fixed(l.median, 2)} ms`,
    `[ INFO ]    Average: ${fixed(l.avg, 2)} ms`,
    `[ INFO ]    Min:     ${fixed(l.min, 2)} ms`,
    `[ INFO ]    Max:     ${fixed(l.max, 2)} ms`,
    `[ INFO ]    P90:     ${fixed(l.p90, 2)} ms`,
    `[ INFO ]    P99:     ${fixed(l.p99, 2)} ms`,
    `[ INFO ] Throughput: ${fixed(r.fps, 2)} FPS`,
    '',
  ].join('\n');
}

/** per op type: total ms per batch, sorted by time */
export function opTypeTotals(r: BenchResult): { type: string; ms: number; count: number }[] {
  const m = new Map<string, { type: string; ms: number; count: number }>();
  for (const t of r.opTimes) {
    const e = m.get(t.type) ?? { type: t.type, ms: 0, count: 0 };
    e.ms += t.calls ? t.ms / r.iterations : 0;
    e.count++;
    m.set(t.type, e);
  }
  return [...m.values()].sort((a, b) => b.ms - a.ms);
}

export function benchReport(model: string, choice: BackendChoice, r: BenchResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tool: 'qdeploy bench', model, ...extra,
    backend: { name: choice.info.name, isa: choice.info.isa, threads: choice.info.threads, features: choice.info.features, note: choice.note },
    batch_size: r.batchSize, iterations: r.iterations, warmup: r.warmup, samples: r.samples,
    batch_latency_ms: r.batchLatency, sample_latency_ms: r.sampleLatency, fps: r.fps,
    top1: r.top1, top5: r.top5,
    latency_ms: r.latency, batch_ms: r.batchMs,
    compile_ms: r.compileMs, arena_bytes: r.arenaBytes,
    op_type_ms_per_batch: opTypeTotals(r),
    placement: r.placement,
    ops: r.opTimes.map((t) => ({ id: t.id, type: t.type, backend: t.backend, kernel: t.kernel, total_ms: t.ms, calls: t.calls, ms_per_batch: t.calls ? t.ms / t.calls : 0 })),
  };
}

// ---------------------------------------------------------------- the command

/**
 * bench runs any model: a quant model runs as its FP32 fake-quant simulation, as Paddle's tester runs one; it is
 * not INT8, so the kind is printed with every result and the quant case says how to get the INT8 model.
 */
function kindNote(g: Graph): string {
  const k = modelKind(g);
  return k.kind === 'quant' ? `${describeKind(k)}: runs as the FP32 simulation of INT8, not as INT8 (qdeploy convert makes the INT8 model)` : describeKind(k);
}

export const benchCommand: CommandSpec = {
  name: 'bench',
  summary: 'latency, throughput and accuracy of a model on a dataset (Paddle\'s sample_tester)',
  usage: 'qdeploy bench --infer_model M --infer_data F [--batch_size 50] [--iterations 0] [--num_threads 1] [--warmup 1] [--use_analysis] [--backend auto] [--report out.json]',
  flags: {
    infer_model: { type: 'string', help: 'model dir (or program file)' },
    infer_data: { type: 'string', help: 'dataset .bin (Paddle layout: int64 N, images, int64 labels) or a folder with val_list.txt' },
    batch_size: batchSizeFlag(50),
    iterations: iterationsFlag(),
    num_threads: numThreadsFlag(undefined, 1),
    ...warmupFlags(1),
    with_accuracy_layer: withAccuracyLayerFlag('the model computes accuracy itself (label input, top-1/top-5 outputs)'),
    use_analysis: useAnalysisFlag(),
    backend: backendFlag(),
    preset: presetFlag('preprocessing preset when --infer_data is a JPEG folder'),
    report: { type: 'string', help: 'write every number (and per-op times) as JSON here' },
  },
  details: `
Prints what sample_tester prints (batch latency, sample latency, fps, Top1/Top5 accuracy as %6.4f) and then
latency median/average/min/max/p90/p99 per batch, the backend, its ISA and threads, and the model's kind: FP32,
INT8 (qdeploy convert output) or quant. A quant model (fake-quant ops) is benchmarked as Paddle's tester runs it,
as FP32 arithmetic simulating INT8: its speed is not INT8 speed; convert it for that. Only the model run is timed;
batches are read from the file between runs.
Example: qdeploy bench --infer_model mobilenet_v1 --infer_data val.bin --batch_size 1 --iterations 100`,
  async run(args) {
    const modelPath = args.reqStr('infer_model');
    const dataPath = args.reqStr('infer_data');
    const B = args.num('batch_size')!;
    const warmup = args.num('warmup')!;
    if (args.str('report')) checkOutputFile(args.str('report')!);
    const choice = chooseBackend(args.str('backend')!, args.num('num_threads')!);
    const g = loadForBench(modelPath, args.bool('use_analysis'));
    const io = modelIo(g);
    const it = args.num('iterations')!;
    const data = await openData(dataPath, io.sampleDims, args.str('preset'), it > 0 ? it * B : 0);
    try {
      resolveIterations(data.count, B, args.num('iterations')!, data.what);
      const { plan, ms } = compileFor(g, choice, B);
      const bar = batchProgress('bench', resolveIterations(data.count, B, it, data.what));
      const r = benchPlan(plan, data, { batchSize: B, iterations: args.num('iterations')!, warmup, profile: true, withAccuracyLayer: args.bool('with_accuracy_layer'), onBatch: bar.tick });
      bar.done();
      r.compileMs = ms;
      process.stdout.write(formatBench(modelPath, choice, r, kindNote(g)));
      const reportPath = args.str('report');
      if (reportPath) {
        writeFileAtomic(reportPath, JSON.stringify(benchReport(modelPath, choice, r, { infer_data: dataPath, use_analysis: args.bool('use_analysis') }), null, 2) + '\n');
        process.stdout.write(`report written to ${reportPath}\n`);
      }
      plan.dispose();
    } finally {
      data.close();
    }
  },
};

