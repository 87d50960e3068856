// Where the AssemblyScript builds (wasm/build/*.wasm) are, and compiling one once per process. Shared by the wasm
// backend (src/backends/wasm/loader.ts) and image preprocessing (src/data/simd_resize.ts): both use the same
// module, and src/data may not import src/backends (ARCHITECTURE's folder table), so the file lookup lives here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBuildDir } from './build_dir';
import { QdeployError } from './errors';

/** the SIMD128 build: every engine with WebAssembly SIMD runs it */
export const WASM_SIMD128_FILE = 'qdeploy_simd128.wasm';

/** where the .wasm builds are: $QDEPLOY_WASM_DIR, next to the bundle or the sources, or up from cwd */
export function wasmBuildDir(): string | undefined {
  return findBuildDir(join('wasm', 'build'), WASM_SIMD128_FILE, 'QDEPLOY_WASM_DIR');
}

const cache = new Map<string, WebAssembly.Module>();

/** The compiled module of wasm/build/<file> (compiled once per process); throws QdeployError('backend') if absent. */
export function loadWasmBuild(file: string): WebAssembly.Module {
  const dir = wasmBuildDir();
  if (!dir) throw new QdeployError('backend', `wasm kernels not built: wasm/build/${WASM_SIMD128_FILE} not found (run \`npm run build\`, or set QDEPLOY_WASM_DIR)`);
  const path = join(dir, file);
  let m = cache.get(path);
  if (!m) {
    if (!existsSync(path)) throw new QdeployError('backend', `${path} not found (run \`npm run build\`)`);
    try {
      m = new WebAssembly.Module(readFileSync(path));
    } catch (e) {
      throw new QdeployError('backend', `${path}: cannot compile: ${(e as Error).message}`);
    }
    cache.set(path, m);
  }
  return m;
}
