// Passes as named values (ARCHITECTURE.md "Passes as named values"): a pass is {name, requires?, run(g, ctx)};
// a pipeline is a list of them; instruments (the --debug .dot dump, per-pass timing) run around each pass
// and are never code inside a pass.
//
// The context carries what Paddle's Quant2Int8MkldnnPass keeps between its steps
// (PaddlePaddle/Paddle:python/paddle/fluid/contrib/slim/quantization/quant2_int8_mkldnn_pass.py):
// `_var_quant_scales` (var name → (is_unsigned, scale = 1/threshold)), `_weight_thresholds`, the
// ops_to_quantize / op_ids_to_skip options, plus a log of what was fused, quantized and skipped, and why.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { AttrType } from '../util/program_desc';
import { QdeployError } from '../util/errors';
import { sortTopologically } from '../graph/topo';

/** One entry of Paddle's var_quant_scales: scale = 1/threshold ("scale to one"); vectors for weights. */
export interface ScaleEntry {
  unsigned: boolean;
  scale: Float64Array;
}

export type LogKind = 'fused' | 'removed' | 'quantized' | 'skipped' | 'squashed' | 'info';

export interface LogEntry {
  pass: string;
  kind: LogKind;
  /** op label `type(id)` or var name */
  what: string;
  detail: string;
}

export interface PassOptions {
  /** --ops_to_quantize: op types to quantize; empty = every type cpu_quantize_pass handles */
  opsToQuantize: string[];
  /** --op_ids_to_skip */
  opIdsToSkip: number[];
  /** beyond Paddle: store conv/fc weights as int8 tensors */
  int8Weights: boolean;
  /** Paddle 2.0's _update_relu_output_scales (u8 at 255/T after relu); off as in Paddle 3.x */
  unsignedReluScales: boolean;
}

export class PassContext {
  /** var name → scale (Paddle's var_quant_scales) */
  readonly scales = new Map<string, ScaleEntry>();
  /** var name (output of the quantized op) → weight thresholds gathered from fake dequantize ops */
  readonly weightThresholds = new Map<string, Float64Array>();
  /** weight var name → quant_axis, where a dequantize_linear on the weight stated it */
  readonly weightAxis = new Map<string, number>();
  readonly log: LogEntry[] = [];
  readonly options: PassOptions;
  /** name of the pass running now (set by the runner) */
  current = '';

  constructor(options: Partial<PassOptions> = {}) {
    this.options = { opsToQuantize: [], opIdsToSkip: [], int8Weights: false, unsignedReluScales: false, ...options };
  }

  note(kind: LogKind, what: Op | string, detail: string): void {
    this.log.push({ pass: this.current, kind, what: typeof what === 'string' ? what : what.label, detail });
  }

  /** set a scale unless the var has one already (Paddle's "do not overwrite" rule) */
  addScale(name: string, entry: ScaleEntry): boolean {
    if (this.scales.has(name)) return false;
    this.scales.set(name, entry);
    return true;
  }
}

export interface Pass {
  name: string;
  /** passes that must have run earlier in the same pipeline */
  requires?: string[];
  /** one line for --help / the summary */
  doc?: string;
  run(g: Graph, ctx: PassContext): void;
}

export interface Instrument {
  before?(pass: Pass, index: number, g: Graph, ctx: PassContext): void;
  after?(pass: Pass, index: number, g: Graph, ctx: PassContext): void;
}

/**
 * run the passes in order; instruments see the graph before and after each one. The op list is a topological order
 * before the first pass and after every pass (src/graph/topo.ts: Paddle's ir::Graph is sorted when written back):
 * a fault in the model given is the model's ('format'), one left by a pass names the pass.
 */
export function runPipeline(g: Graph, passes: readonly Pass[], ctx: PassContext, instruments: readonly Instrument[] = []): void {
  const done = new Set<string>();
  sortTopologically(g, { where: `model ${g.source || '(in memory)'}`, code: 'format' });
  passes.forEach((p, i) => {
    for (const r of p.requires ?? []) {
      if (!done.has(r)) throw new QdeployError('internal', `pass ${p.name} requires ${r}, which has not run before it`);
    }
    for (const ins of instruments) ins.before?.(p, i, g, ctx);
    ctx.current = p.name;
    p.run(g, ctx);
    sortTopologically(g, { where: `after pass ${p.name}`, code: 'internal' });
    ctx.current = '';
    done.add(p.name);
    for (const ins of instruments) ins.after?.(p, i, g, ctx);
  });
}

// ---- small helpers shared by the passes ----

/** Paddle declares these attrs as float (AddAttr<float>): keep the FLOAT type even for whole numbers */
export function setFloat(op: Op, name: string, v: number): void { op.setAttr(name, v, AttrType.FLOAT); }
export function setFloats(op: Op, name: string, v: number[]): void { op.setAttr(name, v, AttrType.FLOATS); }
export function setBool(op: Op, name: string, v: boolean): void { op.setAttr(name, v, AttrType.BOOLEAN); }
export function setStr(op: Op, name: string, v: string): void { op.setAttr(name, v, AttrType.STRING); }

/** 1/x with Paddle's `inf → 0` rule (quant2_int8_mkldnn_pass.py: `scale[scale == np.Inf] = 0.0`) */
export function invOrZero(x: number): number {
  const s = 1 / x;
  return Number.isFinite(s) ? s : 0;
}

/** the single consumer of `name`, or undefined when it has none or several */
export function soleConsumer(g: Graph, name: string): Op | undefined {
  const cs = g.consumers(name);
  return cs.length === 1 ? cs[0] : undefined;
}

/** is `to` reachable from var `from` along data edges (Paddle's IsReachable in conv_elementwise_add) */
export function reachable(g: Graph, from: string, to: string): boolean {
  if (from === to) return true;
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length) {
    const v = queue.shift()!;
    for (const op of g.consumers(v)) {
      for (const o of op.allOutputs()) {
        if (o === to) return true;
        if (!seen.has(o)) { seen.add(o); queue.push(o); }
      }
    }
  }
  return false;
}

export const CONV_TYPES = new Set(['conv2d', 'depthwise_conv2d']);

/** is the op marked for an int8 kernel (2.x marker mkldnn_data_type, old marker use_quantizer): src/ops' rule */
export { markedInt8 as isInt8 } from '../ops/attrs';
