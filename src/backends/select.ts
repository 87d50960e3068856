// Backend selection for every command's --backend flag → an ordered list for compile()'s placement, each op on
// the first that accepts it. `auto` → [native (its addon is not written yet), wasm (if the engine has SIMD128 and
// the kernels are built), reference]; `wasm` → [wasm, reference]: an op wasm declines runs on reference and the
// plan's placement line names it (printed, never silent); `reference` → [reference]. The returned reason says why.
import type { Backend } from '../runtime/backend';
import { QdeployError } from '../util/errors';
import { referenceBackend } from './reference/backend';
import { chooseIsa, wasmBuildDir } from './wasm/loader';
import { WasmBackend } from './wasm/backend';

export type BackendChoiceName = 'auto' | 'reference' | 'wasm' | 'native';

export interface SelectOptions {
  threads?: number;
  /** wasm build: 'auto' (relaxed where available), 'simd128' or 'relaxed-simd' */
  wasmIsa?: 'auto' | 'simd128' | 'relaxed-simd';
}

export interface Selected {
  /** the first of `backends`: the one chosen, whose info() the CLI prints */
  backend: Backend;
  /** placement order: ops the first declines go to the next (the reference backend takes every op it can) */
  backends: Backend[];
  reason: string;
}

const NATIVE_MISSING = 'native backend not built (qdeploy has no oneDNN addon yet)';

/** why wasm cannot run here, or undefined when it can */
export function wasmUnavailable(isa: SelectOptions['wasmIsa'] = 'auto'): string | undefined {
  const c = chooseIsa(isa);
  if (!c.isa) return c.reason;
  if (!wasmBuildDir()) return 'wasm kernels not built (wasm/build/*.wasm missing: run `npm run build`)';
  return undefined;
}

export function selectBackend(name: BackendChoiceName, opts: SelectOptions = {}): Selected {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new QdeployError('usage', `--num_threads must be a positive integer, got ${threads}`);
  const wasm = (): Selected => {
    const b = new WasmBackend({ threads, isa: opts.wasmIsa ?? 'auto' });
    return { backend: b, backends: [b, referenceBackend()], reason: `wasm ${b.isa} (${b.reason}), ${threads} thread(s)` };
  };
  const reference = (reason: string): Selected => { const b = referenceBackend(); return { backend: b, backends: [b], reason }; };
  switch (name) {
    case 'reference': return reference('reference (requested)');
    case 'wasm': {
      const why = wasmUnavailable(opts.wasmIsa);
      if (why) throw new QdeployError('backend', `--backend wasm: ${why}`);
      return wasm();
    }
    case 'native': throw new QdeployError('backend', `--backend native: ${NATIVE_MISSING} (try --backend wasm)`);
    case 'auto': {
      const why = wasmUnavailable(opts.wasmIsa);
      if (!why) {
        const s = wasm();
        return { ...s, reason: `auto: ${NATIVE_MISSING}; ${s.reason}` };
      }
      return reference(`auto: ${NATIVE_MISSING}; wasm unavailable: ${why}; using reference`);
    }
    default: throw new QdeployError('usage', `unknown backend '${name as string}' (auto, reference, wasm, native)`);
  }
}
