// Outputs appear whole or not at all: write into a temp sibling, then rename over the target.
// The sibling is removed on failure and at exit; a writer killed outright (Ctrl-C during a synchronous write,
// SIGKILL) runs no hook, so each write first removes the siblings of the same target whose writer is gone.
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync, readdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { QdeployError } from './errors';

let counter = 0;

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
      rmSync(join(dirname(target), n), { recursive: true, force: true });
    }
  }
}

function tmpName(target: string): string {
  removeStaleSiblings(target);
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${counter++}`);
}

export function writeFileAtomic(target: string, data: Uint8Array | string): void {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = tmpName(target);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new QdeployError('io', `cannot write ${target}: ${(e as Error).message}`);
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
    mkdirSync(dirname(target), { recursive: true });
    this.tmp = tmpName(target);
    try { this.fd = openSync(this.tmp, 'w'); } catch (e) {
      throw new QdeployError('io', `cannot write ${target}: ${(e as Error).message}`);
    }
    process.once('exit', this.onExit);
  }
  write(chunk: Uint8Array, position?: number): void {
    let off = 0;
    while (off < chunk.length) {
      const n = writeSync(this.fd, chunk, off, chunk.length - off, position === undefined ? null : position + off);
      off += n;
    }
    if (position === undefined) this.bytes += chunk.length;
  }
  commit(): void {
    if (this.done) return;
    closeSync(this.fd);
    renameSync(this.tmp, this.target);
    this.done = true;
    process.removeListener('exit', this.onExit);
  }
  abort(): void {
    if (this.done) return;
    this.done = true;
    process.removeListener('exit', this.onExit);
    try { closeSync(this.fd); } catch { /* already closed */ }
    rmSync(this.tmp, { force: true });
  }
}

/**
 * Write a whole directory atomically: `fill(tmpDir)` writes into a temp sibling; on success the target is
 * replaced by it (the target must be absent or empty unless `overwrite`).
 */
export function writeDirAtomic(target: string, overwrite: boolean, fill: (dir: string) => void): void {
  if (existsSync(target) && readdirSync(target).length > 0 && !overwrite) {
    throw new QdeployError('io', `output dir ${target} exists and is not empty (pass --overwrite to replace it)`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = tmpName(target);
  mkdirSync(tmp, { recursive: true });
  try {
    fill(tmp);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
