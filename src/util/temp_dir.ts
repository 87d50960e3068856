// A temp dir this process owns (`qdeploy demo`'s work dir): made under os.tmpdir() and removed by the code
// that made it when done, and by this module at process exit (errors included). Ctrl-C, SIGTERM and SIGKILL
// end the process without an 'exit' event, and a JS signal listener would only run between synchronous steps
// (a demo step computes for seconds without yielding, so Ctrl-C would wait for it); instead a small detached
// watcher process removes the dir once this process is gone, and the signals keep their default, immediate effect.
import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OwnedTempDir {
  readonly path: string;
  /** remove it now (idempotent) */
  remove(): void;
}

const alive = new Set<string>();

function removeAll(): void {
  for (const d of alive) rmSync(d, { recursive: true, force: true });
  alive.clear();
}

// argv: dir, owner pid. Polls; when the owner is gone, removes the dir; when the dir is gone, just ends.
// Its own process group (detached), so the terminal's Ctrl-C reaches the owner only.
const WATCHER = `
const [dir, pid] = process.argv.slice(1);
const fs = require('node:fs');
for (const s of ['SIGINT', 'SIGHUP']) process.on(s, () => {});
const gone = () => { try { process.kill(Number(pid), 0); return false; } catch (e) { return e.code === 'ESRCH'; } };
setInterval(() => {
  if (!fs.existsSync(dir)) process.exit(0);
  if (gone()) { fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); }
}, 200);
`;

function watch(path: string): void {
  try {
    spawn(process.execPath, ['-e', WATCHER, path, String(process.pid)], { detached: true, stdio: 'ignore' }).unref();
  } catch {
    // no watcher (spawn refused): the dir is still removed at exit, just not after a kill
  }
}

/** `qdeploy-<tag>-XXXXXX` under os.tmpdir() (TMPDIR), removed at the latest when the process ends. */
export function ownedTempDir(tag: string): OwnedTempDir {
  const path = mkdtempSync(join(tmpdir(), `qdeploy-${tag}-`));
  if (alive.size === 0) process.on('exit', removeAll);
  alive.add(path);
  watch(path);
  return {
    path,
    remove() {
      if (!alive.delete(path)) return;
      rmSync(path, { recursive: true, force: true });
      if (alive.size === 0) process.removeListener('exit', removeAll);
    },
  };
}

/** bytes of the files under a path (links not followed; 0 when absent) */
export function bytesUnder(path: string): number {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(path)) n += bytesUnder(join(path, e));
  return n;
}
