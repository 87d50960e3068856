// Runs the built CLI (dist/qdeploy.mjs through bin/qdeploy.mjs) as a child process, building it first when the
// bundle is missing or older than src/, and gives exit code, stdout and stderr.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../tmp';

export const root = resolve(__dirname, '..', '..');
const bin = join(root, 'bin', 'qdeploy.mjs');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let built = false;
export function ensureBuilt(): void {
  if (built) return;
  const dist = join(root, 'dist', 'qdeploy.mjs');
  if (!existsSync(dist) || statSync(dist).mtimeMs < newest(join(root, 'src'))) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' });
  }
  built = true;
}

export interface CliResult { code: number; stdout: string; stderr: string }

export function qd(args: string[], env: Record<string, string> = {}): CliResult {
  ensureBuilt();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** stderr is one `qdeploy: error:` line and no stack trace (progress lines may precede it) */
export function oneLineError(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.length > 0 && !/^(bench|preprocess|compare|FP32|INT8|per-layer error)[: ]/.test(l));
  if (lines.length !== 1 || !lines[0].startsWith('qdeploy: error: ') || /\n\s+at /.test(r.stderr)) {
    throw new Error(`expected one error line, got:\n${r.stderr}`);
  }
  return lines[0];
}

/** a temp dir removed at exit (test/tmp.ts) */
export const tmp = (prefix: string) => tempDir(prefix);

export function assets(): string | undefined {
  const c = process.env.QDEPLOY_ASSETS ?? resolve(root, '..', 'shared', 'assets');
  return existsSync(join(c, 'models')) ? c : undefined;
}
