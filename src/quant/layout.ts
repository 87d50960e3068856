// The writer of PaddleSlim-format quant models: the FP32 program with fake quantize/dequantize ops laid out as
// PaddlePaddle's PostTrainingQuantization leaves them
// (PaddlePaddle/Paddle:python/paddle/static/quantization/post_training_quantization.py `_update_program`,
// `_save_output_threshold`; quantization_pass.py QuantizationTransformPass, AddQuantDequantPass,
// QuantizationFreezePass; QuantizationTransformPassV2, AddQuantDequantPassV2, QuantWeightPass,
// AddQuantDequantForInferencePass), with is_test = true as PTQ runs them:
//
// non-onnx (QuantizationFreezePass layout):
//   act → fake_quantize_{range_abs_max|moving_average_abs_max|abs_max} {X, InScale: act@scale}
//       → {Out: act.quantized, OutScale: act@scale}
//       → op (integer-valued float weights)
//       → fake_channel_wise_dequantize_max_abs {X: out, Scales: [channel_scale_<k>, act@scale]} quant_bits [8, 8]
//         | fake_dequantize_max_abs {X: out, Scale: act@scale} max_range = 127·127/T_w
//       → out.dequantized (read by every later reader of out)
//   plus, on every op of the quantizable and observer tables, `out_threshold`, `<Slot><i>_threshold`,
//   `with_quant_attr` and (quantized types) `quantization_type = post_<algo>`.
// onnx_format:
//   act → quantize_linear {X, Scale: act@scale, ZeroPoint} → act.quantized → dequantize_linear → act.quantized.dequantized
//   W (int8) → dequantize_linear {X: W, Scale: W@scale (per channel), ZeroPoint} → W.quantized.dequantized
//   and an observer quantize_linear/dequantize_linear pair (only_observer = true) after every output of the tables.
import type { Graph } from '../graph/graph';
import type { Op, AttrValue } from '../graph/op';
import { Var } from '../graph/var';
import { attrBool } from '../runtime/op_rules';
import { QdeployError } from '../util/errors';
import { AttrType } from '../util/program_desc';
import { CHANNELWISE_AXIS1_OPS, WEIGHT_QUANT_OPS, quantConfig, tableInputs, tableOutputs, outputSlotIndex, type QuantConfig } from './op_tables';
import { channelAbsMax, freezeWeight, quantWeightOnnx, tensorAbsMax } from './weights';

export type ActivationQuantizeType = 'range_abs_max' | 'moving_average_abs_max' | 'abs_max';
export type WeightQuantizeType = 'channel_wise_abs_max' | 'abs_max';
export const ACTIVATION_QUANTIZE_TYPES: ActivationQuantizeType[] = ['range_abs_max', 'moving_average_abs_max', 'abs_max'];
export const WEIGHT_QUANTIZE_TYPES: WeightQuantizeType[] = ['channel_wise_abs_max', 'abs_max'];

export interface LayoutOptions {
  quantizableOpTypes: string[];
  activationQuantizeType: ActivationQuantizeType;
  weightQuantizeType: WeightQuantizeType;
  onnxFormat: boolean;
  /** 'post_hist', ... (non-onnx attr) */
  quantizationType: string;
  bits?: number;
  /** thresholds PTQ could not compute (tensor always empty): outputs skipped with a warning */
  zeroSize?: Set<string>;
  warn?: (line: string) => void;
}

export interface CalibrationTargets {
  /** activations to observe, in program order */
  activations: string[];
  /** weights to quantize → the op type deciding their channel axis */
  weights: Map<string, string>;
  config: QuantConfig;
}

/** PostTrainingQuantization._collect_target_varnames */
export function collectTargets(g: Graph, quantizableOpTypes: readonly string[]): CalibrationTargets {
  const config = quantConfig(quantizableOpTypes);
  const acts: string[] = [];
  const seen = new Set<string>();
  const weights = new Map<string, string>();
  const add = (names: string[], opType: string) => {
    for (const n of names) {
      if (g.isParam(n)) { weights.set(n, opType); continue; }
      if (!seen.has(n)) { seen.add(n); acts.push(n); }
    }
  };
  for (const op of g.ops) {
    if (config.weightTypes.includes(op.type) || config.activationTypes.includes(op.type)) {
      const t = weightOpType(op);
      add(tableInputs(op), t);
      add(tableOutputs(op), t);
    } else if (config.observerTypes.includes(op.type)) {
      add(tableOutputs(op), op.type);
    }
  }
  return { activations: acts, weights, config };
}

export const channelAxis = (opType: string): number => (CHANNELWISE_AXIS1_OPS.includes(opType) ? 1 : 0);

/** the op type deciding a weight's channel axis: a matmul_v2 with trans_y is `matmul_v2_trans_y` (axis 0) in Paddle */
export const weightOpType = (op: Op): string => (op.type === 'matmul_v2' && attrBool(op, 'trans_y') ? 'matmul_v2_trans_y' : op.type);

/** weight thresholds: per channel (list) or per tensor (number) */
export function computeWeightThresholds(g: Graph, weights: Map<string, string>, type: WeightQuantizeType): Map<string, number[] | number> {
  const out = new Map<string, number[] | number>();
  for (const [name, opType] of weights) {
    const w = g.param(name);
    if (!w) throw new QdeployError('format', `${g.source || 'model'}: weight '${name}' has no value`);
    out.set(name, type === 'abs_max' ? tensorAbsMax(w, name) : channelAbsMax(w, channelAxis(opType), name));
  }
  return out;
}

// ---------------------------------------------------------------- helpers

const F = AttrType.FLOAT, I = AttrType.INT, B = AttrType.BOOLEAN, S = AttrType.STRING, IS = AttrType.INTS;
type TypedAttrs = Record<string, [AttrValue, AttrType]>;

/** a new op with Paddle's ordering of a flushed OpDesc: slots and attributes sorted by name */
function newOp(g: Graph, type: string, inputs: Record<string, string[]>, outputs: Record<string, string[]>, attrs: TypedAttrs): Op {
  const sortObj = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const op = g.makeOp({ type, inputs: sortObj(inputs), outputs: sortObj(outputs) });
  for (const [k, [v, t]] of Object.entries(sortObj(attrs))) op.setAttr(k, v, t);
  return op;
}

function addParam(g: Graph, name: string, data: Float32Array | Int32Array, dims: number[]): void {
  g.addVar(Var.create(name, data instanceof Int32Array ? 'int32' : 'fp32', dims, true));
  g.params.set(name, { dtype: data instanceof Int32Array ? 'int32' : 'fp32', dims, data });
}

function addLike(g: Graph, name: string, like: string): void {
  const v = g.var(like);
  g.addVar(Var.create(name, v?.dtype ?? 'fp32', v?.dims ?? []));
}

let generated = new Map<string, number>();
/** unique_name.generate(key): key_0, key_1, ... skipping names already in the program */
function generate(g: Graph, key: string): string {
  for (;;) {
    const k = generated.get(key) ?? 0;
    generated.set(key, k + 1);
    const name = `${key}_${k}`;
    if (!g.var(name)) return name;
  }
}

/** readers of `from` after `after` read `to`, up to (and including) the next op that writes `from` again */
function rewireUntilRewritten(g: Graph, from: string, to: string, after: Op, filter?: (op: Op) => boolean): void {
  for (let i = g.indexOf(after) + 1; i < g.ops.length; i++) {
    const op = g.ops[i];
    if (!filter || filter(op)) op.renameInput(from, to);
    if (op.allOutputs().includes(from)) break;
  }
}

const opRole = (op: Op): number => op.num('op_role', 0);

function threshold(thr: Map<string, number>, name: string, who: Op): number {
  const t = thr.get(name);
  if (t === undefined) throw new QdeployError('quant', `op ${who.label}: no calibration threshold for '${name}'`);
  return t;
}

function isSkipQuant(g: Graph, op: Op): boolean {
  if (op.bool('skip_quant', false)) return true;
  if ((op.type === 'mul' || op.type === 'matmul') && tableInputs(op).every((n) => !g.isParam(n))) return true;
  return op.str('quantization_type', '') === 'qat_without_weight';
}
const hasWeight = (g: Graph, op: Op) => op.allInputs().some((n) => g.isParam(n));

// ---------------------------------------------------------------- the writer

export interface LayoutSummary {
  quantizedOps: number;
  fakeQuantOps: number;
  dequantOps: number;
  thresholdOps: number;
}

/**
 * Turns `fp32` (a clone is edited) into the quant model. `act` holds activation thresholds by var name,
 * `weights` the weight thresholds (computeWeightThresholds).
 */
export function writeQuantLayout(fp32: Graph, act: Map<string, number>, weights: Map<string, number[] | number>, opts: LayoutOptions): { graph: Graph; summary: LayoutSummary } {
  const g = fp32.clone();
  generated = new Map();
  const cfg = quantConfig(opts.quantizableOpTypes);
  const summary: LayoutSummary = { quantizedOps: 0, fakeQuantOps: 0, dequantOps: 0, thresholdOps: 0 };
  const weightOps = g.ops.filter((op) => cfg.weightTypes.includes(op.type) && !isSkipQuant(g, op) && hasWeight(g, op));
  if (opts.onnxFormat) writeOnnx(g, weightOps, act, weights, opts, cfg, summary);
  else writeFrozen(g, weightOps, act, weights, opts, cfg, summary);
  if (!opts.onnxFormat) saveOutputThresholds(g, act, cfg, opts, summary);
  return { graph: g, summary };
}

function writeFrozen(g: Graph, weightOps: Op[], act: Map<string, number>, weights: Map<string, number[] | number>, opts: LayoutOptions,
  cfg: QuantConfig, summary: LayoutSummary): void {
  const bits = opts.bits ?? 8;
  const quantized = new Map<string, string>(); // activation → its quantized var
  const frozen = new Set<string>();
  for (const op of weightOps) {
    op.setAttr('quantization_type', 'qat_with_weight', S);
    op.setAttr('with_quant_attr', true, B);
    let actScale: string | undefined;
    let wThr: number[] | number | undefined;
    let wName: string | undefined;
    for (const name of [...new Set(op.allInputs())]) {
      if (g.isParam(name)) {
        const t = weights.get(name);
        if (t === undefined) throw new QdeployError('quant', `op ${op.label}: no threshold for weight '${name}'`);
        if (!frozen.has(name)) {
          frozen.add(name);
          const w = g.param(name)!;
          g.params.set(name, { dtype: 'fp32', dims: [...w.dims], data: freezeWeight(w, t, channelAxis(weightOpType(op)), bits, name) });
        }
        wThr = t; wName = name;
        continue;
      }
      let q = quantized.get(name);
      if (!q) {
        q = `${name}.quantized`;
        if (g.var(q)) throw new QdeployError('quant', `op ${op.label}: var '${q}' already exists (is the model quantized already?)`);
        const scale = `${name}@scale`;
        addParam(g, scale, Float32Array.of(threshold(act, name, op)), [1]);
        addLike(g, q, name);
        const type = `fake_quantize_${opts.activationQuantizeType}`;
        const attrs: TypedAttrs = { bit_length: [bits, I], op_role: [opRole(op), I] };
        const inputs: Record<string, string[]> = { X: [name] };
        if (opts.activationQuantizeType !== 'abs_max') {
          inputs.InScale = [scale];
          attrs.is_test = [true, B];
          if (opts.activationQuantizeType === 'range_abs_max') attrs.window_size = [10000, I];
          else attrs.moving_rate = [0.9, F];
        }
        g.insertBefore(op, newOp(g, type, inputs, { Out: [q], OutScale: [scale] }, attrs));
        summary.fakeQuantOps++;
        quantized.set(name, q);
      }
      op.renameInput(name, q);
      actScale = `${name}@scale`;
    }
    if (!actScale || wThr === undefined || !wName) continue;
    const outs = op.allOutputs();
    if (outs.length !== 1) throw new QdeployError('quant', `op ${op.label}: only ops with one output can be quantized (has ${outs.length})`);
    const out = outs[0];
    const dqName = `${out}.dequantized`;
    addLike(g, dqName, out);
    let dq: Op;
    if (opts.weightQuantizeType === 'channel_wise_abs_max') {
      const thr = Array.isArray(wThr) ? wThr : [wThr];
      const cs = generate(g, 'channel_scale');
      addParam(g, cs, Float32Array.from(thr), [thr.length]);
      let xNumColDims = 1;
      if (['matmul', 'matmul_v2', 'mul'].includes(op.type)) xNumColDims = Math.max(1, (g.var(out)?.dims.length ?? 2) - 1);
      if (op.hasAttr('x_num_col_dims')) xNumColDims = op.num('x_num_col_dims', 1);
      dq = newOp(g, 'fake_channel_wise_dequantize_max_abs', { X: [out], Scales: [cs, actScale] }, { Out: [dqName] }, {
        quant_bits: [[bits, bits], IS], quant_axis: [channelAxis(weightOpType(op)), I], op_role: [0, I], x_num_col_dims: [xNumColDims, I],
      });
    } else {
      const range = 2 ** (bits - 1) - 1;
      const t = Array.isArray(wThr) ? wThr[0] : wThr;
      const maxRange = (range / (t === 0 ? 1e-8 : t)) * range;
      dq = newOp(g, 'fake_dequantize_max_abs', { X: [out], Scale: [actScale] }, { Out: [dqName] }, { max_range: [maxRange, F], op_role: [0, I] });
    }
    g.insertAfter(op, dq);
    rewireUntilRewritten(g, out, dqName, dq);
    summary.dequantOps++;
    summary.quantizedOps++;
  }
  // AddQuantDequantPass: activation-only ops of the quantizable list (mul/matmul without a weight, ...)
  const qd = new Map<string, string>();
  for (const op of [...g.ops]) {
    if (!cfg.activationTypes.includes(op.type)) continue;
    if (op.bool('skip_quant', false) || op.str('quantization_type', '') === 'qat_with_weight') continue;
    const ins = tableInputs(op);
    if (ins.some((n) => g.isParam(n)) || ins.some((n) => n.includes('quantized.dequantized'))) continue;
    op.setAttr('quantization_type', 'qat_without_weight', S);
    op.setAttr('activation_bits', bits, I);
    op.setAttr('with_quant_attr', true, B);
    for (const name of ins) {
      let v = qd.get(name);
      if (!v) {
        v = `${name}.quant_dequant`;
        const scale = `${v}@scale`;
        addParam(g, scale, Float32Array.of(threshold(act, name, op)), [1]);
        addLike(g, v, name);
        g.insertBefore(op, newOp(g, 'fake_quantize_dequantize_moving_average_abs_max', { X: [name], InScale: [scale] }, { Out: [v], OutScale: [scale] }, {
          bit_length: [bits, I], moving_rate: [0.9, F], is_test: [true, B], op_role: [opRole(op), I],
        }));
        summary.fakeQuantOps++;
        qd.set(name, v);
      }
      op.renameInput(name, v);
    }
    summary.quantizedOps++;
  }
}

/** PostTrainingQuantization._save_output_threshold (non-onnx) */
function saveOutputThresholds(g: Graph, act: Map<string, number>, cfg: QuantConfig, opts: LayoutOptions, summary: LayoutSummary): void {
  const quantTypes = new Set([...cfg.weightTypes, ...cfg.activationTypes]);
  const all = new Set([...quantTypes, ...cfg.observerTypes]);
  for (const op of g.ops) {
    if (!all.has(op.type)) continue;
    let wrote = false;
    for (const name of tableOutputs(op)) {
      const t = act.get(name);
      if (t === undefined) {
        if (opts.zeroSize?.has(name)) { opts.warn?.(`${name} is a zero-size tensor and could not be calibrated; op ${op.label} left without out_threshold`); continue; }
        throw new QdeployError('quant', `op ${op.label}: output '${name}' has no calibration threshold`);
      }
      const [slot, idx] = outputSlotIndex(op, name)!;
      op.setAttr('out_threshold', t, F);
      op.setAttr(`${slot}${idx}_threshold`, t, F);
      op.setAttr('with_quant_attr', true, B);
      if (quantTypes.has(op.type)) op.setAttr('quantization_type', opts.quantizationType, S);
      wrote = true;
    }
    if (wrote) summary.thresholdOps++;
  }
}

// ---------------------------------------------------------------- onnx_format

function writeOnnx(g: Graph, weightOps: Op[], act: Map<string, number>, weights: Map<string, number[] | number>, opts: LayoutOptions,
  cfg: QuantConfig, summary: LayoutSummary): void {
  const bits = opts.bits ?? 8;
  const dequantized = new Map<string, string>();
  const zeroPoint = (name: string, n: number) => addParam(g, name, new Int32Array(n), [n]);
  /** quantize_linear + dequantize_linear before `before` (or after `after`); returns the dequantized var */
  const insertPair = (name: string, scale: string, scaleLen: number, axis: number, role: number, at: { before?: Op; after?: Op }, observer = false): string => {
    const q = g.uniqueName(`${name}.quantized`);
    const dq = g.uniqueName(`${q}.dequantized`);
    addLike(g, q, name); addLike(g, dq, name);
    const zq = `${q}@zero_point`, zdq = observer ? zq : `${dq}@zero_point`;
    zeroPoint(zq, scaleLen);
    if (!observer) zeroPoint(zdq, scaleLen);
    const attrs: TypedAttrs = { quant_axis: [axis, I], bit_length: [bits, I], op_role: [role, I] };
    if (observer) attrs.only_observer = [true, B];
    const qop = newOp(g, 'quantize_linear', { X: [name], Scale: [scale], ZeroPoint: [zq] }, { Y: [q] }, attrs);
    const dop = newOp(g, 'dequantize_linear', { X: [q], Scale: [scale], ZeroPoint: [zdq] }, { Y: [dq] }, attrs);
    if (at.before) { g.insertBefore(at.before, qop); g.insertBefore(at.before, dop); }
    else { g.insertAfter(at.after!, qop); g.insertAfter(qop, dop); }
    summary.fakeQuantOps++; summary.dequantOps++;
    return dq;
  };
  /** per-tensor pair on activation `name` read by `op`, its `<name>@scale` holding the calibrated threshold */
  const activationPair = (name: string, op: Op): string => {
    const scale = `${name}@scale`;
    if (!g.var(scale)) addParam(g, scale, Float32Array.of(threshold(act, name, op)), [1]);
    return insertPair(name, scale, 1, -1, opRole(op), { before: op });
  };
  for (const op of weightOps) {
    op.setAttr('quantization_type', 'qat_with_weight', S);
    for (const name of [...new Set(op.allInputs())]) {
      let dq = dequantized.get(name);
      if (!dq) {
        if (g.isParam(name)) {
          const t = weights.get(name);
          if (t === undefined) throw new QdeployError('quant', `op ${op.label}: no threshold for weight '${name}'`);
          const channelWise = opts.weightQuantizeType === 'channel_wise_abs_max';
          const axis = channelWise ? channelAxis(weightOpType(op)) : -1;
          const thr = Array.isArray(t) ? t : [t];
          const scale = `${name}@scale`;
          addParam(g, scale, Float32Array.from(thr), [thr.length]);
          const w = g.param(name)!;
          g.params.set(name, { dtype: 'int8', dims: [...w.dims], data: quantWeightOnnx(w, thr, Math.max(axis, 0), bits, name) });
          g.var(name)!.dtype = 'int8';
          // QuantWeightPass removes the weight's quantize_linear: dequantize_linear reads the int8 weight itself
          const wq = `${name}.quantized`;
          dq = g.uniqueName(`${wq}.dequantized`);
          addLike(g, dq, name); g.var(dq)!.dtype = 'fp32';
          zeroPoint(`${dq}@zero_point`, thr.length);
          g.insertBefore(op, newOp(g, 'dequantize_linear', { X: [name], Scale: [scale], ZeroPoint: [`${dq}@zero_point`] }, { Y: [dq] },
            { quant_axis: [axis, I], bit_length: [bits, I], op_role: [opRole(op), I] }));
          summary.dequantOps++;
        } else {
          dq = activationPair(name, op);
        }
        dequantized.set(name, dq);
      }
      op.renameInput(name, dq);
    }
    summary.quantizedOps++;
  }
  // AddQuantDequantPassV2 on activation-only ops of the quantizable list
  for (const op of [...g.ops]) {
    if (!cfg.activationTypes.includes(op.type) || op.bool('skip_quant', false) || op.str('quantization_type', '') === 'qat_with_weight') continue;
    const ins = tableInputs(op);
    if (ins.some((n) => n.includes('quantized.dequantized'))) continue;
    for (const name of ins) {
      if (g.isParam(name) || (g.var(name)?.dtype ?? 'fp32') !== 'fp32') continue;
      let dq = dequantized.get(name);
      if (!dq) {
        dq = activationPair(name, op);
        dequantized.set(name, dq);
      }
      op.renameInput(name, dq);
    }
    summary.quantizedOps++;
  }
  // AddQuantDequantForInferencePass: an observer pair after every output of the table ops; readers of the output
  // among the table ops read the pair's output. A var that already has a pair (an input of a quantized op) keeps it.
  const teller = new Set([...cfg.weightTypes, ...cfg.activationTypes, ...cfg.observerTypes]);
  const inTable = (o: Op) => teller.has(o.type) || o.type in WEIGHT_QUANT_OPS;
  for (const op of [...g.ops]) {
    if (!teller.has(op.type)) continue;
    for (const name of tableOutputs(op)) {
      if ((g.var(name)?.dtype ?? 'fp32') !== 'fp32') continue;
      const t = act.get(name);
      const scale = `${name}@scale`;
      if (!g.var(scale)) {
        if (t === undefined) { opts.warn?.(`no threshold for '${name}' (output of ${op.label}); no observer added`); continue; }
        addParam(g, scale, Float32Array.of(t), [1]);
      }
      const dq = insertPair(name, scale, 1, -1, 0, { after: op }, true);
      const pairEnd = g.ops[g.indexOf(op) + 2];
      rewireUntilRewritten(g, name, dq, pairEnd, (o) => inTable(o) && tableInputs(o).includes(name));
    }
  }
}
