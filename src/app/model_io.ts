// Composition of the two lower layers for commands (and tests): a model path → Graph, Graph → model dir; and the
// first questions every job asks of a loaded model (its input and output, the FP32 analysis passes).
import { loadModel, saveModel, type LoadModelOptions } from '../format/paddle';
import { Graph } from '../graph/graph';
import { PassContext, runPipeline } from '../passes/pass';
import { FP32_ANALYSIS } from '../passes/pipelines';
import { fail } from '../util/errors';

export interface GraphSaveOptions {
  layout?: 'separate' | 'combined';
  modelFilename?: string;
  paramsFilename?: string;
  overwrite?: boolean;
}

export function loadGraph(path: string, opts: LoadModelOptions = {}): Graph {
  const m = loadModel(path, opts);
  return Graph.fromProgram(m.program, m.params, path);
}

/** write a graph as a model dir (whole or not at all); only params still used by the program are kept */
export function saveGraph(g: Graph, dir: string, opts: GraphSaveOptions = {}): void {
  const program = g.toProgram();
  const persist = new Set(program.blocks[0].vars.filter((v) => v.persistable).map((v) => v.name));
  const params = new Map([...g.params].filter(([k]) => persist.has(k)));
  saveModel(dir, { program, params }, opts);
}

/** the first input's per-sample shape [C,H,W] and the first output's per-sample element count */
export function modelIo(g: Graph): { input: string; sampleDims: number[]; output: string } {
  const feeds = g.feeds(), fetches = g.fetches();
  if (!feeds.length) fail('format', `${g.source || 'model'}: has no feed op (no input)`);
  if (!fetches.length) fail('format', `${g.source || 'model'}: has no fetch op (no output)`);
  const v = g.mustVar(feeds[0].name, feeds[0].op);
  const sampleDims = v.dims.slice(1);
  if (sampleDims.some((d) => d < 1)) fail('shape', `${g.source || 'model'}: input '${v.name}' has unknown dims [${v.dims.join(',')}]`);
  return { input: v.name, sampleDims, output: fetches[0].name };
}

export function loadForBench(path: string, useAnalysis: boolean): Graph {
  const g = loadGraph(path);
  if (useAnalysis) applyAnalysis(g);
  return g;
}

/** --use_analysis: the FP32 optimisation passes AnalysisConfig would run (spec 3.5 / 6.3) */
export function applyAnalysis(g: Graph): void {
  const fake = g.ops.find((o) => o.type.startsWith('fake_') || o.type === 'quantize_linear' || o.type === 'dequantize_linear');
  if (fake) fail('usage', `${g.source}: --use_analysis cannot optimise a fake-quant model (op ${fake.label}); convert it first`);
  runPipeline(g, FP32_ANALYSIS, new PassContext());
}

