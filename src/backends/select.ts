// Backend selection for every command's --backend flag and the reason the CLI prints. `native` (oneDNN) when its
// addon loads and oneDNN runs AVX2 or better here, else one line why. `auto` → wasm (if the engine has SIMD128 and
// the kernels are built), else reference: native runs only models whose every op it supports (conv2d,
// depthwise_conv2d, fc, pool2d) because the runtime does not yet place single ops on another backend, so auto names
// native as available without choosing it.
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

export interface Selected { backend: Backend; reason: string }

/** auto's note on native: why it is unavailable, or that it is there but runs only some models */
function nativeNote(): string {
  const why = nativeUnavailable();
  if (why) return `native unavailable: ${why}`;
  const i = nativeInfo()!;
  return `native (oneDNN ${i.version}, ${i.effectiveIsa}) is available with --backend native for models whose every op it runs (${NATIVE_OPS.join(', ')})`;
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
    return { backend: b, reason: `wasm ${b.isa} (${b.reason}), ${threads} thread(s)` };
  };
  switch (name) {
    case 'reference': return { backend: referenceBackend(), reason: 'reference (requested)' };
    case 'wasm': {
      const why = wasmUnavailable(opts.wasmIsa);
      if (why) throw new QdeployError('backend', `--backend wasm: ${why}`);
      return wasm();
    }
    case 'native': {
      const why = nativeUnavailable();
      if (why) throw new QdeployError('backend', `--backend native: ${why} (try --backend wasm)`);
      const b = new NativeBackend({ threads });
      return { backend: b, reason: `native oneDNN ${b.lib.version}, ${b.lib.effectiveIsa}, ${threads} thread(s); runs only models whose every op is ${NATIVE_OPS.join(', ')}` };
    }
    case 'auto': {
      const why = wasmUnavailable(opts.wasmIsa);
      if (!why) {
        const s = wasm();
        return { backend: s.backend, reason: `auto: ${nativeNote()}; ${s.reason}` };
      }
      return { backend: referenceBackend(), reason: `auto: ${nativeNote()}; wasm unavailable: ${why}; using reference` };
    }
    default: throw new QdeployError('usage', `unknown backend '${name as string}' (auto, reference, wasm, native)`);
  }
}
