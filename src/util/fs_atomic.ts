// Outputs appear whole or not at all: write into a temp sibling, then rename over the target.
// The sibling is removed on failure and at exit; a writer killed outright (Ctrl-C during a synchronous write,
// SIGKILL) runs no hook, so each write first removes the siblings of the same target whose writer is gone.
// A path the user gave that cannot be written (a file where a dir belongs, a dir where a file belongs, no
// permission, a full disk) is an io error naming it (src/util/fs_errors), whichever step failed.
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync, readdirSync, openSync, closeSync, writeSync, statSync, accessSync, constants } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { QdeployError } from './errors';
import { userFsError } from './fs_errors';

let counter = 0;

/** remove a temp file or dir; cleanup must not replace the error that made it necessary (rm on a path through a file throws ENOTDIR) */
const discard = (p: string) => { try { rmSync(p, { recursive: true, force: true }); } catch { /* nothing was created there */ } };

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** remove `.<name>.tmp-<pid>-<n>` siblings of `target` left by writers that no longer run */
function removeStaleSiblings(target: string): void {
  const prefix = `.${basename(target)}.tmp-`;
  let names: string[];
  try { names = readdirSync(dirname(target)); } catch { return; }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^(\d+)-\d+$/.exec(n.slice(prefix.length));
    if (m && Number(m[1]) !== process.pid && processGone(Number(m[1]))) {
      discard(join(dirname(target), n));
    }
  }
}

function tmpName(target: string): string {
  removeStaleSiblings(target);
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${counter++}`);
}

/** `e` as "cannot write <target>: <why>" (an fs error in words, anything else with its message) */
const writeError = (target: string, e: unknown): QdeployError =>
  e instanceof QdeployError ? e : userFsError(e, `cannot write ${target}`) ?? new QdeployError('io', `cannot write ${target}: ${(e as Error).message}`);

export function writeFileAtomic(target: string, data: Uint8Array | string): void {
  const tmp = tmpName(target);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    discard(tmp);
    throw writeError(target, e);
  }
}

/** Streamed file written through a temp path; `commit()` renames it into place, `abort()` deletes it. */
export class AtomicFileWriter {
  private fd: number;
  private tmp: string;
  private done = false;
  /** removes the temp file if the process exits before commit/abort; taken off again by them (one per writer) */
  private readonly onExit = () => this.abort();
  bytes = 0;
  constructor(readonly target: string) {
    this.tmp = tmpName(target);
    try {
      if (existsSync(target) && statSync(target).isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR', path: target });
      mkdirSync(dirname(target), { recursive: true });
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw writeError(target, e);
    }
    process.once('exit', this.onExit);
  }
  write(chunk: Uint8Array, position?: number): void {
    let off = 0;
    try {
      while (off < chunk.length) {
        const n = writeSync(this.fd, chunk, off, chunk.length - off, position === undefined ? null : position + off);
        off += n;
      }
    } catch (e) {
      this.abort();
      throw writeError(this.target, e);
    }
    if (position === undefined) this.bytes += chunk.length;
  }
  commit(): void {
    if (this.done) return;
    try {
      closeSync(this.fd);
      renameSync(this.tmp, this.target);
    } catch (e) {
      this.abort();
      throw writeError(this.target, e);
    }
    this.done = true;
    process.removeListener('exit', this.onExit);
  }
  abort(): void {
    if (this.done) return;
    this.done = true;
    process.removeListener('exit', this.onExit);
    try { closeSync(this.fd); } catch { /* already closed */ }
    discard(this.tmp);
  }
}

/**
 * Write a whole directory atomically: `fill(tmpDir)` writes into a temp sibling; on success the target is
 * replaced by it (the target must be absent or empty unless `overwrite`).
 */
export function writeDirAtomic(target: string, overwrite: boolean, fill: (dir: string) => void): void {
  checkOutputDir(target, overwrite);
  const tmp = tmpName(target);
  try {
    mkdirSync(tmp, { recursive: true });
    fill(tmp);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (e) {
    discard(tmp);
    throw writeError(target, e);
  }
}

/** Refuse an output file that cannot be written before any work is done: a dir, or a path through a file. */
export function checkOutputFile(target: string): void {
  try {
    if (existsSync(target)) {
      if (statSync(target).isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR', path: target });
      return;
    }
    checkAncestor(target);
  } catch (e) {
    throw writeError(target, e);
  }
}

/** the nearest existing ancestor of `target` must be a dir we may write in (nothing is created yet) */
function checkAncestor(target: string): void {
  let p = dirname(target);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  if (!statSync(p).isDirectory()) throw new QdeployError('io', `cannot write ${target}: ${p} is a file, not a directory`);
  accessSync(p, constants.W_OK);
}

/**
 * Refuse an output dir that cannot be one before any work is done: a file (also with --overwrite: that flag
 * replaces a model dir, never a file), a path through a file, or a non-empty dir without `overwrite`.
 */
export function checkOutputDir(target: string, overwrite: boolean): void {
  let entries: string[] | undefined;
  try {
    if (existsSync(target)) {
      if (!statSync(target).isDirectory()) throw new QdeployError('io', `output dir ${target} exists and is a file, not a directory`);
      entries = readdirSync(target);
    } else {
      checkAncestor(target);
    }
  } catch (e) {
    throw writeError(target, e);
  }
  if (entries && entries.length > 0 && !overwrite) {
    throw new QdeployError('io', `output dir ${target} exists and is not empty (pass --overwrite to replace it)`);
  }
}
