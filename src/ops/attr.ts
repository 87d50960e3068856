// Attributes read with Paddle's defaults as the op's schema states them, so a default is written once (in the
// schema, citing Paddle's op maker) instead of at every reader. Reading an attribute the schema gives no
// default for is our bug ('internal'): add the default to the schema, with its source.
// op.num(name, dflt) / op.str / op.bool / op.ints stay for reads whose default is a qdeploy rule, not Paddle's
// (attributes of any op type, attrs qdeploy writes itself, required ones): test/ops/attr.test.ts lists them.
import type { Op } from '../graph/op';
import { QdeployError } from '../util/errors';
import { getSchema } from './schema';
import './all'; // the schemas must be registered before the first read (readers are only called, never run, at load)

function paddleDefault(op: Op, name: string): unknown {
  const v = getSchema(op.type)?.attrs[name];
  if (v === undefined) throw new QdeployError('internal', `op ${op.label}: its schema states no default for attribute ${name}`);
  return v;
}

export const attrNum = (op: Op, name: string): number => op.num(name, paddleDefault(op, name) as number);
export const attrBool = (op: Op, name: string): boolean => op.bool(name, paddleDefault(op, name) as boolean);
export const attrStr = (op: Op, name: string): string => op.str(name, paddleDefault(op, name) as string);
export const attrInts = (op: Op, name: string): number[] => op.ints(name, paddleDefault(op, name) as number[]);
