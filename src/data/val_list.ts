// The ImageNet list file (spec §5.4): one `<relative path> <integer label>` per line, whitespace separated
// (Paddle reads it with `line.split()`; PaddlePaddle/Paddle:
// paddle/fluid/inference/tests/api/full_ILSVRC2012_val_preprocess.py). Paths are joined with the data dir.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { QdeployError } from '../util/errors';

export interface ImageEntry {
  /** path as written in the list */
  rel: string;
  /** path joined with the data dir */
  path: string;
  label: number;
  /** 1-based line number in the list file */
  line: number;
}

export interface ValListOptions {
  /** labels must lie in 0..numClasses-1 (default 1000) */
  numClasses?: number;
  /** keep only the first `limit` entries */
  limit?: number;
}

/** Python's os.path.join(dir, p): an absolute p stays as it is. */
export const joinLikePython = (dir: string, p: string): string => (isAbsolute(p) ? p : join(dir, p));

/** Parse list text; `file` names the list in errors. Blank lines are skipped; extra fields are ignored (as Paddle). */
export function parseValList(text: string, dataDir: string, file: string, opts: ValListOptions = {}): ImageEntry[] {
  const numClasses = opts.numClasses ?? 1000;
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Infinity;
  const out: ImageEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length && out.length < limit; i++) {
    const fields = lines[i].trim().split(/\s+/).filter((f) => f.length > 0);
    if (fields.length === 0) continue;
    const where = `${file}:${i + 1}`;
    if (fields.length < 2) throw new QdeployError('data', `${where}: expected '<path> <label>', got '${lines[i].trim()}'`);
    const [rel, lab] = fields;
    if (!/^[+-]?\d+$/.test(lab)) throw new QdeployError('data', `${where}: label '${lab}' of ${rel} is not an integer`);
    const label = Number(lab);
    if (label < 0 || label >= numClasses) {
      throw new QdeployError('data', `${where}: label ${lab} of ${rel} is outside 0..${numClasses - 1}`);
    }
    out.push({ rel, path: joinLikePython(dataDir, rel), label, line: i + 1 });
  }
  return out;
}

/** Read `<dataDir>/<labelList>` (an absolute labelList is used as is). */
export function readValList(dataDir: string, labelList = 'val_list.txt', opts: ValListOptions = {}): ImageEntry[] {
  const file = joinLikePython(dataDir, labelList);
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new QdeployError('io', `cannot read label list ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const entries = parseValList(text, dataDir, file, opts);
  if (entries.length === 0) throw new QdeployError('data', `label list ${file} has no entries`);
  return entries;
}
