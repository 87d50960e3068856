// Which variables a model stores, in which order, and the checks tying parameter files to the program.
//
// Rules (spec §1.3):
// - Saved vars are block 0's persistable vars, minus those named feed/fetch and minus the types Paddle
//   never writes: RAW (PaddlePaddle/Paddle:python/paddle/fluid/io.py save_vars, "don't save the variable
//   which type is RAW"), FEED_MINIBATCH/FETCH_LIST/READER (io.py is_persistable). Paddle-Lite's loader
//   skips vars named feed/fetch (PaddlePaddle/Paddle-Lite model_parser LoadModel).
// - A combined params file holds their streams in byte-wise sorted name order (io.py save_vars
//   "for name in sorted(save_var_map.keys())"; Paddle-Lite LoadCombinedParamsPb stable_sorts by name and
//   requires EOF at the end).
import { fail, type ErrorCode } from '../../util/errors';
import { dtypeFromId, type Tensor } from '../../util/dtype';
import type { ProgramDesc, VarDesc } from '../../util/program_desc';
import { readTensor, writeTensor, type LoD } from './tensor_stream';

const VT_LOD_TENSOR = 7;
const NOT_SAVED = new Set([17 /* RAW */, 9 /* FEED_MINIBATCH */, 10 /* FETCH_LIST */, 15 /* READER */]);

const utf8 = new TextEncoder();
/** Python's sorted() on str compares code points; UTF-8 byte order is the same order. */
export function compareNames(a: string, b: string): number {
  const x = utf8.encode(a), y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * The vars whose values live in parameter files, sorted byte-wise by name (the combined-file order).
 * Persistable vars of a type we cannot store as a LoDTensor stream (SELECTED_ROWS, arrays, strings…)
 * are refused rather than silently dropped; a duplicate name is refused (it would shift every record).
 */
export function persistableVars(program: ProgramDesc, file: string): VarDesc[] {
  const out: VarDesc[] = [];
  const seen = new Set<string>();
  for (const v of program.blocks[0]?.vars ?? []) {
    if (!v.persistable || v.name === 'feed' || v.name === 'fetch' || NOT_SAVED.has(v.type.type)) continue;
    if (v.type.type !== VT_LOD_TENSOR) {
      fail('unsupported', `${file}: persistable var ${v.name} has var type ${v.type.type}; only LOD_TENSOR parameters are supported`);
    }
    if (seen.has(v.name)) fail('format', `${file}: persistable var ${v.name} is declared twice in block 0`);
    seen.add(v.name);
    out.push(v);
  }
  return out.sort((a, b) => compareNames(a.name, b.name));
}

/**
 * A var name becomes a file name in the separate layout; refuse anything that could leave the model dir
 * or name something other than a plain file in it.
 */
export function checkVarFileName(name: string, file: string): void {
  if (name === '' || name === '.' || name.startsWith('..') || /[/\\\0]/.test(name)) {
    fail('unsafe', `${file}: var name ${JSON.stringify(name)} cannot be used as a file name (path separator, NUL or '..'); refusing to build a path from it`);
  }
}

/** The stored tensor must agree with its VarDesc: same data type, same rank, equal dims (-1 matches any). */
export function checkParamAgainstDesc(v: VarDesc, t: Tensor, where: string, code: ErrorCode = 'format'): void {
  const desc = v.type.lod_tensor?.tensor;
  if (!desc) return; // nothing declared to compare with
  const declared = dtypeFromId(desc.data_type, `${where} (var ${v.name})`);
  if (declared !== t.dtype) {
    fail(code, `${where}: var ${v.name}: parameter data type ${t.dtype} disagrees with ${declared} declared in the program`);
  }
  const ok = desc.dims.length === t.dims.length && desc.dims.every((d, i) => d === -1 || d === t.dims[i]);
  if (!ok) {
    fail(code, `${where}: var ${v.name}: parameter dims [${t.dims.join(', ')}] disagree with [${desc.dims.join(', ')}] declared in the program`);
  }
}

export interface ParamSet {
  params: Map<string, Tensor>;
  /** only vars whose stream carries LoD levels */
  lods: Map<string, LoD>;
}

/** Split a combined params file into its tensors (`vars` in persistableVars order). Must end at EOF. */
export function decodeCombinedParams(bytes: Uint8Array, vars: VarDesc[], file: string): ParamSet {
  const params = new Map<string, Tensor>();
  const lods = new Map<string, LoD>();
  let off = 0;
  for (const v of vars) {
    if (off >= bytes.length) {
      fail('format', `${file}: ends after ${params.size} of ${vars.length} parameters; var ${v.name} is missing (truncated, or not this program's params file)`);
    }
    const r = readTensor(bytes, off, `${file} (var ${v.name}, offset ${off})`);
    checkParamAgainstDesc(v, r.tensor, file);
    params.set(v.name, r.tensor);
    if (r.lod.length) lods.set(v.name, r.lod);
    off = r.end;
  }
  if (off !== bytes.length) {
    fail('format', `${file}: ${bytes.length - off} bytes left after the last of ${vars.length} parameters (not this program's params file?)`);
  }
  return { params, lods };
}

/** One separate-layout parameter file: exactly one stream, nothing after it. */
export function decodeParamFile(bytes: Uint8Array, v: VarDesc, file: string): { tensor: Tensor; lod: LoD } {
  const r = readTensor(bytes, 0, `${file} (var ${v.name})`);
  if (r.end !== bytes.length) {
    fail('format', `${file} (var ${v.name}): ${bytes.length - r.end} unexpected bytes after the tensor`);
  }
  checkParamAgainstDesc(v, r.tensor, file);
  return { tensor: r.tensor, lod: r.lod };
}

/** The tensors for `vars`, each checked against its VarDesc; a missing or stray tensor is a caller bug. */
export function collectParams(vars: VarDesc[], params: Map<string, Tensor>, where: string): Tensor[] {
  const names = new Set(vars.map((v) => v.name));
  const stray = [...params.keys()].filter((k) => !names.has(k));
  if (stray.length) {
    fail('internal', `${where}: ${stray.length} tensor(s) not persistable in the program: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', ...' : ''}`);
  }
  return vars.map((v) => {
    const t = params.get(v.name);
    if (!t) fail('internal', `${where}: no tensor for persistable var ${v.name}`);
    checkParamAgainstDesc(v, t, where, 'internal');
    return t;
  });
}

/** Concatenate the streams of `vars` (persistableVars order) into one combined params file. */
export function encodeCombinedParams(vars: VarDesc[], params: Map<string, Tensor>, lods: Map<string, LoD> | undefined, where: string): Uint8Array {
  const tensors = collectParams(vars, params, where);
  const parts = tensors.map((t, i) => writeTensor(t, lods?.get(vars[i].name)));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}
