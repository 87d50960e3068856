// convert's job: a quant graph → INT8, in place, through Paddle's Quant2Int8 pipeline (src/passes/pipelines.ts).
import type { Graph } from '../graph/graph';
import { PassContext, runPipeline, type Instrument } from '../passes/pass';
import { convertPipeline } from '../passes/pipelines';

export interface ConvertOptions { opsToQuantize: string[]; opIdsToSkip: number[]; int8Weights?: boolean; unsignedReluScales?: boolean }

/** the quant graph → INT8, in place, through convert's pipeline (also compare --quant_model's in-memory convert) */
export function convertGraph(g: Graph, opts: ConvertOptions, instruments: Instrument[] = []): PassContext {
  const ctx = new PassContext(opts);
  runPipeline(g, convertPipeline(opts), ctx, instruments);
  return ctx;
}

