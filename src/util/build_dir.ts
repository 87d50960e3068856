// Where the project's build outputs are (wasm/build/*.wasm, native/build/*.node) from wherever the code runs: the
// ESM bundle (dist/qdeploy.mjs), the TypeScript sources under esbuild-register (src/util/), or a cwd inside the repo.
// Shared by wasm_build.ts and native_build.ts.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The ESM bundle's directory (dist/), or undefined under esbuild-register, where import.meta.url is empty. */
export function metaDir(): string | undefined {
  try {
    // ESM bundle: import.meta.url is the bundle; under esbuild-register (CJS) it is empty
    const u = (import.meta as { url?: string }).url;
    return u ? dirname(fileURLToPath(u)) : undefined;
  } catch { return undefined; }
}

/**
 * The first directory holding `file` among: $envVar, `<sub>` next to the bundle or the sources (one to three levels
 * up), and `<sub>` in the cwd or up to five of its parents. `sub` is a path such as 'wasm/build'.
 */
export function findBuildDir(sub: string, file: string, envVar: string): string | undefined {
  const cands: string[] = [];
  if (process.env[envVar]) cands.push(resolve(process.env[envVar]!));
  const near = (d: string) => [join(d, '..', sub), join(d, '..', '..', sub), join(d, '..', '..', '..', sub)];
  const md = metaDir();
  if (md) cands.push(...near(md));
  if (typeof __dirname !== 'undefined') cands.push(...near(__dirname));
  let d = process.cwd();
  for (let i = 0; i < 6; i++) { cands.push(join(d, sub)); d = dirname(d); }
  return cands.find((c) => existsSync(join(c, file)));
}
