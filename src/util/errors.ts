// One error type for everything a user can cause: the CLI prints `qdeploy: error: <message>` and exits
// with `exitCode` (1, or 2 for bad usage). The message is one line naming the file, op (type and id) or var.
export type ErrorCode =
  | 'usage'        // bad flags or arguments (exit 2)
  | 'io'           // file missing, unreadable, not writable
  | 'format'       // a model/tensor/dataset file is malformed
  | 'unsafe'       // a model tries to escape its dir, or declares sizes beyond the bytes present
  | 'unsupported'  // an op, dtype or attribute value we do not run
  | 'shape'        // shapes that do not fit
  | 'quant'        // scales missing, zero, NaN; unknown fake-quant dialect
  | 'data'         // images / dataset / labels
  | 'backend'      // a backend cannot load or run
  | 'accuracy'     // a measured result fails its stated check (compare's --acc_diff_threshold)
  | 'internal';

export class QdeployError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.code = code;
    this.name = 'QdeployError';
  }
  get exitCode(): number {
    return this.code === 'usage' ? 2 : 1;
  }
}

export function fail(code: ErrorCode, message: string): never {
  throw new QdeployError(code, message);
}

export function assert(cond: unknown, code: ErrorCode, message: string | (() => string)): asserts cond {
  if (!cond) throw new QdeployError(code, typeof message === 'string' ? message : message());
}
