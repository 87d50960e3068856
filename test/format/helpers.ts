// Shared by the format tests: where the real models are, temp dirs, and error assertions.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { assetsDir } from '../../src/util/assets';
import { QdeployError, type ErrorCode } from '../../src/util/errors';
import type { ProgramDesc, VarDesc } from '../../src/util/program_desc';
import { skipTest } from '../skip';
import { tempDir as testTempDir } from '../tmp';

/** models/<name> dirs present in the assets, or a printed SKIP line and []. */
export function assetModels(why: string): { name: string; dir: string }[] {
  const a = assetsDir();
  const root = a && join(a, 'models');
  if (!root || !existsSync(root)) {
    skipTest(`${why}: no assets (set QDEPLOY_ASSETS; looked for ../shared/assets/models)`);
    return [];
  }
  return readdirSync(root).sort().map((name) => ({ name, dir: join(root, name) }));
}

/**
 * True when every asset path (relative to the assets dir) exists; otherwise prints one `SKIP:` line
 * saying what is missing. Use as `(needAssets(...) ? test : test.skip)(name, fn)` so the runner counts
 * the test as skipped, not passed.
 */
export function needAssets(what: string, ...rel: string[]): boolean {
  const a = assetsDir();
  if (!a) {
    console.log(`SKIP: ${what}: no assets dir (set QDEPLOY_ASSETS; default ../shared/assets)`);
    return false;
  }
  const missing = rel.filter((r) => !existsSync(join(a, r)));
  if (missing.length) console.log(`SKIP: ${what}: ${missing.join(', ')} absent under ${a}`);
  return missing.length === 0;
}

export function assetPath(...parts: string[]): string | undefined {
  const a = assetsDir();
  if (!a) return undefined;
  const p = join(a, ...parts);
  return existsSync(p) ? p : undefined;
}

/** a temp dir removed at exit (test/tmp.ts) */
export function tempDir(tag: string): string {
  return testTempDir(`format-${tag}`);
}
export function copyToTemp(src: string, tag: string): string {
  const d = join(tempDir(tag), 'model');
  cpSync(src, d, { recursive: true });
  return d;
}

/** `fn` must throw a QdeployError with this code whose one-line message contains every `parts` string. */
export function expectError(fn: () => unknown, code: ErrorCode, ...parts: string[]): QdeployError {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err !== undefined, `expected a QdeployError(${code}), nothing was thrown`);
  if (!(err instanceof QdeployError)) throw new Error(`expected QdeployError(${code}), got ${String(err)}`);
  assert.is(err.code, code, `code of: ${err.message}`);
  assert.not.match(err.message, /\n/);
  for (const p of parts) assert.ok(err.message.includes(p), `message ${JSON.stringify(err.message)} should contain ${JSON.stringify(p)}`);
  return err;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array, what: string): void {
  if (a.length !== b.length) assert.unreachable(`${what}: ${a.length} bytes vs ${b.length} expected`);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) assert.unreachable(`${what}: first difference at byte ${i}`);
  }
}

/** A minimal valid program: feed → scale(W) → fetch, with persistable params `w` (fp32 [2,3]) and more. */
export function tinyProgram(paramNames: string[] = ['w'], dims: number[] = [2, 3]): ProgramDesc {
  const lt = (d: number[], persistable?: boolean, name = ''): VarDesc => ({
    name, type: { type: 7, lod_tensor: { tensor: { data_type: 5, dims: d } } }, ...(persistable ? { persistable: true } : {}),
  });
  return {
    blocks: [{
      idx: 0, parent_idx: -1,
      vars: [
        { name: 'feed', type: { type: 9 }, persistable: true },
        { name: 'fetch', type: { type: 10 }, persistable: true },
        lt([-1, 3], false, 'x'),
        ...paramNames.map((n) => lt(dims, true, n)),
        lt([-1, 3], false, 'y'),
      ],
      ops: [
        { type: 'feed', inputs: [{ parameter: 'X', arguments: ['feed'] }], outputs: [{ parameter: 'Out', arguments: ['x'] }], attrs: [{ name: 'col', type: 0, i: 0 }] },
        { type: 'elementwise_add', inputs: [{ parameter: 'X', arguments: ['x'] }, { parameter: 'Y', arguments: [paramNames[0]] }], outputs: [{ parameter: 'Out', arguments: ['y'] }], attrs: [{ name: 'axis', type: 0, i: -1 }, { name: 'shape', type: 3, ints: [1, 2, 3] }] },
        { type: 'fetch', inputs: [{ parameter: 'X', arguments: ['y'] }], outputs: [{ parameter: 'Out', arguments: ['fetch'] }], attrs: [{ name: 'col', type: 0, i: 0 }] },
      ],
    }],
  };
}
