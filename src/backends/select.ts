// Backend selection for every command's --backend flag → an ordered list for compile()'s placement, each op on
// the first that accepts it. `native` (oneDNN, when its addon loads and oneDNN runs AVX2 or better here, else one
// line why) → [native, reference]; `wasm` → [wasm, reference]; `reference` → [reference]; an op the first declines
// runs on the next and the plan's placement line names it (printed, never silent). `auto` → wasm (if the engine has
// SIMD128 and the kernels are built), else reference: native and wasm each need an arena of their own and the
// runtime does not copy between arenas yet, so auto names native as available without choosing it.
import type { Backend } from '../runtime/backend';
import { QdeployError } from '../util/errors';
import { NATIVE_OPS, NativeBackend, nativeInfo, nativeUnavailable } from './native/backend';
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

/** auto's note on native: why it is unavailable, or that it is there for --backend native */
function nativeNote(): string {
  const why = nativeUnavailable();
  if (why) return `native unavailable: ${why}`;
  const i = nativeInfo()!;
  return `native (oneDNN ${i.version}, ${i.effectiveIsa}) is available with --backend native (${NATIVE_OPS.join(', ')} on oneDNN, the other ops on reference)`;
}

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
    case 'native': {
      const why = nativeUnavailable();
      if (why) throw new QdeployError('backend', `--backend native: ${why} (try --backend wasm)`);
      const b = new NativeBackend({ threads });
      return { backend: b, backends: [b, referenceBackend()], reason: `native oneDNN ${b.lib.version}, ${b.lib.effectiveIsa}, ${threads} thread(s); ${NATIVE_OPS.join(', ')} on oneDNN, the other ops on reference` };
    }
    case 'auto': {
      const why = wasmUnavailable(opts.wasmIsa);
      if (!why) {
        const s = wasm();
        return { ...s, reason: `auto: ${nativeNote()}; ${s.reason}` };
      }
      return reference(`auto: ${nativeNote()}; wasm unavailable: ${why}; using reference`);
    }
    default: throw new QdeployError('usage', `unknown backend '${name as string}' (auto, reference, wasm, native)`);
  }
}
