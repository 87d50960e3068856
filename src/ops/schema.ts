// An op schema says what an op type looks like (slots, Paddle's attribute defaults) and how its output
// shapes and dtypes follow from its inputs. One file per op type registers one schema.
import type { Op } from '../graph/op';
import type { DType, Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';

/** The shape/dtype/value of one tensor during inference (the runtime's TensorSpec minus the name). */
export interface ShapeInfo {
  dtype: DType;
  dims: number[];
  /** the value, when known at compile time (parameters, shape arithmetic) */
  value?: Tensor;
}

export interface InferCtx {
  op: Op;
  /** first tensor of an input slot */
  in(slot: string): ShapeInfo | undefined;
  /** first tensor of a required input slot (error naming the op when missing) */
  req(slot: string): ShapeInfo;
  ins(slot: string): ShapeInfo[];
  fail(message: string): never;
}

export interface OpSchema {
  type: string;
  inputs: string[];
  outputs: string[];
  /** Paddle's defaults for attributes the kernels read */
  attrs: Record<string, unknown>;
  /** output slot → one ShapeInfo per argument */
  infer(ctx: InferCtx): Record<string, ShapeInfo[]>;
}

const registry = new Map<string, OpSchema>();

export function registerSchema(s: OpSchema): OpSchema {
  registry.set(s.type, s);
  return s;
}
export function getSchema(type: string): OpSchema | undefined { return registry.get(type); }
export function knownOpTypes(): string[] { return [...registry.keys()].sort(); }

export function shapeError(op: Op, message: string): never {
  throw new QdeployError('shape', `op ${op.label}: ${message}`);
}
