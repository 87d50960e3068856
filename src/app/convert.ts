// convert's job: a quant graph → INT8, in place, through Paddle's Quant2Int8 pipeline (src/passes/pipelines.ts);
// and the same from a quant model dir to an INT8 model dir.
import type { LoadModelOptions } from '../format/paddle';
import type { Graph } from '../graph/graph';
import { dotInstrument, timingInstrument } from '../passes/instruments';
import { PassContext, runPipeline, type Instrument } from '../passes/pass';
import { convertPipeline } from '../passes/pipelines';
import { loadGraph, saveGraph, type GraphSaveOptions } from './model_io';

export interface ConvertOptions { opsToQuantize: string[]; opIdsToSkip: number[]; int8Weights?: boolean; unsignedReluScales?: boolean }

/** the quant graph → INT8, in place, through convert's pipeline (also compare --quant_model's in-memory convert) */
export function convertGraph(g: Graph, opts: ConvertOptions, instruments: Instrument[] = []): PassContext {
  const ctx = new PassContext(opts);
  runPipeline(g, convertPipeline(opts), ctx, instruments);
  return ctx;
}


export interface ConvertModelOptions {
  load?: LoadModelOptions;
  save?: GraphSaveOptions;
  /** convert --debug: a .dot file per pass in this dir, and per-pass times through log */
  debugDir?: string;
  log?: (line: string) => void;
}

/** the library entry of `qdeploy convert`: quant model dir → INT8 model dir (written whole or not at all) */
export function convertModel(src: string, out: string, opts: ConvertOptions, m: ConvertModelOptions = {}): { graph: Graph; ctx: PassContext } {
  const log = m.log ?? (() => {});
  const g = loadGraph(src, m.load);
  const instruments: Instrument[] = [];
  if (m.debugDir !== undefined) {
    instruments.push(dotInstrument(m.debugDir), timingInstrument(log));
    log(`passes (dot files in ${m.debugDir}):`);
  }
  const ctx = convertGraph(g, opts, instruments);
  saveGraph(g, out, m.save);
  return { graph: g, ctx };
}
