// The one way tests make temp dirs: `qdeploy-<tag>-XXXXXX` under os.tmpdir(), removed when the test process
// exits, passed or failed (uvu sets process.exitCode and returns; a thrown error also goes through 'exit').
// scripts/test.mjs runs each test file with TMPDIR set to a private dir and fails the file if anything is
// left there, so a test that makes temp files any other way shows up by name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let hooked = false;

function removeAll(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A fresh empty dir, removed at process exit (with everything in it). */
export function tempDir(tag: string): string {
  if (!hooked) {
    process.on('exit', removeAll);
    hooked = true;
  }
  const d = mkdtempSync(join(tmpdir(), `qdeploy-${tag}-`));
  made.push(d);
  return d;
}
