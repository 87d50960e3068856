// The two on-disk model layouts (spec §1.3): finding the files, loading, saving.
//
// Accepted inputs are those Paddle's tools accept (Paddle-Lite PrintPbModelErrorMessage lists
// `__model__ + var files`, `model + var files`, `model.pdmodel + model.pdiparams`, `model + params`,
// `model + weights`; fluid's save_inference_model also writes `__model__ + __params__`):
//   - a dir holding one of those sets (auto-detected),
//   - a dir plus explicit file names (modelFilename, paramsFilename: Paddle's model_filename/params_filename),
//   - a program file path (its params found next to it the same way), or a [program, params] pair.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fail } from '../../util/errors';
import type { Tensor } from '../../util/dtype';
import type { ProgramDesc } from '../../util/program_desc';
import { writeDirAtomic } from '../../util/fs_atomic';
import { readRegularFile } from '../../util/safe_read';
import { decodeProgram, encodeProgram } from './program';
import type { LoD } from './tensor_stream';
import { writeTensor } from './tensor_stream';
import {
  checkVarFileName, collectParams, decodeCombinedParams, decodeParamFile, encodeCombinedParams, persistableVars,
} from './params';

export type ModelLayout = 'separate' | 'combined';

export interface LoadModelOptions {
  /** program file name inside the dir (Paddle's model_filename) */
  modelFilename?: string;
  /** combined params file name inside the dir (Paddle's params_filename); absent → separate layout */
  paramsFilename?: string;
}

export interface LoadedModel {
  program: ProgramDesc;
  params: Map<string, Tensor>;
  /** LoD levels of the parameters that have any (weights have none) */
  lods: Map<string, LoD>;
  layout: ModelLayout;
  dir: string;
  modelFile: string;
  paramsFile?: string;
}

export interface ModelFiles {
  layout: ModelLayout;
  dir: string;
  modelFile: string;
  /** combined layout only; may not exist when the program has no parameters */
  paramsFile?: string;
  /** files the user named by their path (not found in, nor named relative to, the model dir) */
  given?: string[];
}

export interface ModelToSave {
  program: ProgramDesc;
  params: Map<string, Tensor>;
  lods?: Map<string, LoD>;
}

export interface SaveModelOptions {
  /** default: combined when a params file name is given or the model file name ends in .pdmodel, else separate */
  layout?: ModelLayout;
  /** separate: default `__model__`; combined: default `model.pdmodel` */
  modelFilename?: string;
  /** combined only: default `<model stem>.pdiparams` (model.pdiparams) */
  paramsFilename?: string;
  /** replace a non-empty output dir */
  overwrite?: boolean;
}

type Kind = 'file' | 'dir' | 'none';
function kindOf(p: string): Kind {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}

/**
 * A file of the model: a regular file (a FIFO would block the read for ever), and one the model dir holds must
 * stay inside it through symlinks. Files the user named by path (`given`) are the user's choice of place.
 */
function readBytes(files: ModelFiles, file: string, what: string): Uint8Array {
  return readRegularFile(file, { what, within: files.given?.includes(file) ? undefined : files.dir });
}

// companions of a program file, most specific first
const COMBINED_PARTNERS: Record<string, string[]> = {
  __model__: ['__params__'],
  model: ['params', 'weights'],
};

/** The params file that goes with a program file found in `dir`, or undefined (separate layout). */
function partnerOf(dir: string, modelName: string, names: Set<string>): string | undefined {
  if (modelName.endsWith('.pdmodel')) return join(dir, `${modelName.slice(0, -'.pdmodel'.length)}.pdiparams`);
  for (const p of COMBINED_PARTNERS[modelName] ?? []) if (names.has(p)) return join(dir, p);
  return undefined;
}

/** Work out which files make up the model at `path` (nothing is read except directory listings). */
export function resolveModelFiles(path: string | readonly [string, string], opts: LoadModelOptions = {}): ModelFiles {
  if (typeof path !== 'string') {
    const [m, p] = path;
    if (kindOf(m) !== 'file') fail('io', `${m}: program file not found`);
    return { layout: 'combined', dir: dirname(resolve(m)), modelFile: resolve(m), paramsFile: resolve(p), given: [resolve(m), resolve(p)] };
  }
  const kind = kindOf(path);
  if (kind === 'none') fail('io', `${path}: no such file or directory`);
  if (kind === 'file') {
    const dir = dirname(resolve(path));
    const modelFile = resolve(path);
    const given = [modelFile];
    if (opts.paramsFilename) return { layout: 'combined', dir, modelFile, paramsFile: resolve(dir, opts.paramsFilename), given };
    const names = new Set(safeList(dir));
    const paramsFile = partnerOf(dir, basename(modelFile), names);
    return paramsFile ? { layout: 'combined', dir, modelFile, paramsFile, given } : { layout: 'separate', dir, modelFile, given };
  }

  const dir = resolve(path);
  const entries = safeList(dir);
  if (opts.modelFilename) {
    const modelFile = resolve(dir, opts.modelFilename);
    if (kindOf(modelFile) !== 'file') fail('io', `${modelFile}: program file not found (model_filename ${opts.modelFilename})`);
    if (opts.paramsFilename) return { layout: 'combined', dir, modelFile, paramsFile: resolve(dir, opts.paramsFilename) };
    // Paddle treats a missing params_filename as the separate layout; a present <stem>.pdiparams beside an
    // explicitly named <stem>.pdmodel is still the obvious partner
    const partner = partnerOf(dirname(modelFile), basename(modelFile), new Set(safeList(dirname(modelFile))));
    if (partner && kindOf(partner) === 'file') return { layout: 'combined', dir, modelFile, paramsFile: partner };
    return { layout: 'separate', dir, modelFile };
  }
  if (entries.length === 0) fail('io', `${dir}: directory is empty (expected a Paddle model: __model__ + parameter files, or *.pdmodel + *.pdiparams)`);
  const names = new Set(entries);
  const pdmodels = entries.filter((e) => e.endsWith('.pdmodel')).sort();
  let modelName: string;
  if (names.has('__model__')) modelName = '__model__';
  else if (pdmodels.length === 1) modelName = pdmodels[0];
  else if (pdmodels.length > 1) {
    fail('usage', `${dir}: holds several programs (${pdmodels.join(', ')}); name one with --model_filename`);
  } else if (names.has('model')) modelName = 'model';
  else fail('io', `${dir}: no Paddle program found (expected __model__, model, or a *.pdmodel file)`);
  const modelFile = join(dir, modelName);
  if (kindOf(modelFile) !== 'file') fail('io', `${modelFile}: program file is not a regular file`);
  const paramsFile = opts.paramsFilename ? resolve(dir, opts.paramsFilename) : partnerOf(dir, modelName, names);
  return paramsFile ? { layout: 'combined', dir, modelFile, paramsFile } : { layout: 'separate', dir, modelFile };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    fail('io', `${dir}: cannot list directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Load a Paddle inference model: the program plus every persistable var's tensor, each checked against
 * its VarDesc. Every failure is a one-line QdeployError naming the file (and var).
 */
export function loadModel(path: string | readonly [string, string], opts: LoadModelOptions = {}): LoadedModel {
  const files = resolveModelFiles(path, opts);
  const { modelFile, dir } = files;
  const program = decodeProgram(readBytes(files, modelFile, 'program file'), modelFile);
  const vars = persistableVars(program, modelFile);

  if (files.layout === 'combined') {
    const paramsFile = files.paramsFile!;
    if (vars.length === 0 && kindOf(paramsFile) === 'none') {
      return { program, params: new Map(), lods: new Map(), layout: 'combined', dir, modelFile, paramsFile };
    }
    const bytes = readBytes(files, paramsFile, `params file (${vars.length} parameters expected)`);
    const { params, lods } = decodeCombinedParams(bytes, vars, paramsFile);
    return { program, params, lods, layout: 'combined', dir, modelFile, paramsFile };
  }

  // separate: names become paths, so every name is checked before any file is opened
  for (const v of vars) checkVarFileName(v.name, modelFile);
  const params = new Map<string, Tensor>();
  const lods = new Map<string, LoD>();
  for (const v of vars) {
    const file = join(dir, v.name);
    const bytes = readBytes(files, file, `parameter file for var ${v.name}`);
    const { tensor, lod } = decodeParamFile(bytes, v, file);
    params.set(v.name, tensor);
    if (lod.length) lods.set(v.name, lod);
  }
  return { program, params, lods, layout: 'separate', dir, modelFile };
}

function writeInto(dir: string, final: string, name: string, bytes: Uint8Array): void {
  try {
    writeFileSync(join(dir, name), bytes);
  } catch (e) {
    fail('io', `cannot write ${join(final, name)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function checkPlainFileName(name: string, flag: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    fail('usage', `${flag} ${JSON.stringify(name)} must be a plain file name inside the output dir`);
  }
}

/** File names saveModel will use for `opts` (exported so callers can print them). */
export function saveFileNames(opts: SaveModelOptions = {}): { layout: ModelLayout; modelFilename: string; paramsFilename?: string } {
  const layout = opts.layout ?? (opts.paramsFilename || opts.modelFilename?.endsWith('.pdmodel') ? 'combined' : 'separate');
  if (layout === 'separate') {
    if (opts.paramsFilename) fail('usage', `params_filename ${opts.paramsFilename} is only used by the combined layout`);
    return { layout, modelFilename: opts.modelFilename ?? '__model__' };
  }
  const modelFilename = opts.modelFilename ?? 'model.pdmodel';
  const stem = modelFilename.endsWith('.pdmodel') ? modelFilename.slice(0, -'.pdmodel'.length) : 'model';
  return { layout, modelFilename, paramsFilename: opts.paramsFilename ?? `${stem}.pdiparams` };
}

/**
 * Write a model dir whole or not at all (temp sibling dir, then rename). Separate: the program plus one
 * file per persistable var; combined: the program plus one params file in sorted-name order.
 */
export function saveModel(dir: string, model: ModelToSave, opts: SaveModelOptions = {}): void {
  const names = saveFileNames(opts);
  checkPlainFileName(names.modelFilename, 'model_filename');
  if (names.paramsFilename) checkPlainFileName(names.paramsFilename, 'params_filename');
  if (names.paramsFilename === names.modelFilename) fail('usage', `model_filename and params_filename are both ${names.modelFilename}`);
  const where = `saving ${dir}`;
  const vars = persistableVars(model.program, where);
  const programBytes = encodeProgram(model.program);

  if (names.layout === 'combined') {
    const paramsBytes = encodeCombinedParams(vars, model.params, model.lods, where);
    writeDirAtomic(dir, opts.overwrite ?? false, (tmp) => {
      writeInto(tmp, dir, names.modelFilename, programBytes);
      writeInto(tmp, dir, names.paramsFilename!, paramsBytes);
    });
    return;
  }

  const tensors = collectParams(vars, model.params, where);
  const seen = new Map<string, string>();
  // on case-insensitive file systems two names differing in case would land in one file
  const fold = process.platform === 'darwin' || process.platform === 'win32';
  for (const v of vars) {
    checkVarFileName(v.name, where);
    const key = fold ? v.name.toLowerCase() : v.name;
    if (key === (fold ? names.modelFilename.toLowerCase() : names.modelFilename)) {
      fail('unsafe', `${where}: var ${v.name} would overwrite the program file ${names.modelFilename}`);
    }
    const other = seen.get(key);
    if (other !== undefined) fail('unsafe', `${where}: vars ${other} and ${v.name} would share one file on this file system`);
    seen.set(key, v.name);
  }
  writeDirAtomic(dir, opts.overwrite ?? false, (tmp) => {
    writeInto(tmp, dir, names.modelFilename, programBytes);
    vars.forEach((v, i) => writeInto(tmp, dir, v.name, writeTensor(tensors[i], model.lods?.get(v.name))));
  });
}
