// Finds and loads the wasm kernel builds, and probes the engine: SIMD128 and relaxed SIMD are detected with
// WebAssembly.validate on two tiny probe modules (no instantiation), so the relaxed build is only chosen where
// the engine accepts it (Node 20: behind --experimental-wasm-relaxed-simd).
import { loadWasmBuild, wasmBuildDir, WASM_SIMD128_FILE } from '../../util/wasm_build';

export type WasmIsa = 'simd128' | 'relaxed-simd';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
// type section: one func type () -> v128; function section: one function of type 0
const TYPES = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];
const V128_CONST = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

function probeModule(body: number[]): Uint8Array<ArrayBuffer> {
  const fn = [0x00, ...body, 0x0b]; // no locals, body, end
  const code = [0x01, fn.length, ...fn];
  return new Uint8Array([...HEADER, ...TYPES, 0x0a, code.length, ...code]);
}

/** v128.const (SIMD128) */
export const SIMD_PROBE = probeModule(V128_CONST);
/** i16x8.relaxed_dot_i8x16_i7x16_s (0xfd 0x112) and f32x4.relaxed_madd (0xfd 0x105): the two relaxed forms used */
export const RELAXED_PROBE = probeModule([
  ...V128_CONST, ...V128_CONST, 0xfd, 0x92, 0x02,
  ...V128_CONST, ...V128_CONST, 0xfd, 0x85, 0x02,
]);

export interface Features { simd: boolean; relaxed: boolean }

export function probeFeatures(): Features {
  const ok = (b: Uint8Array<ArrayBuffer>) => { try { return WebAssembly.validate(b); } catch { return false; } };
  return { simd: ok(SIMD_PROBE), relaxed: ok(RELAXED_PROBE) };
}

export const WASM_FILES: Record<WasmIsa, string> = {
  'simd128': WASM_SIMD128_FILE,
  'relaxed-simd': 'qdeploy_relaxed.wasm',
};

/** where the .wasm builds are (src/util/wasm_build.ts, shared with src/data's preprocessing) */
export { wasmBuildDir };

/** the compiled module for an ISA (compiled once per process) */
export function loadModule(isa: WasmIsa): WebAssembly.Module {
  return loadWasmBuild(WASM_FILES[isa]);
}

/** pick the build: relaxed where the engine validates the relaxed probe, else SIMD128; undefined + reason if neither */
export function chooseIsa(want: 'auto' | WasmIsa = 'auto'): { isa?: WasmIsa; reason: string; features: Features } {
  const f = probeFeatures();
  if (!f.simd) return { reason: 'this engine has no WebAssembly SIMD128', features: f };
  if (want === 'relaxed-simd' && !f.relaxed) {
    return { reason: 'relaxed SIMD requested but not available (Node 20: run with --experimental-wasm-relaxed-simd)', features: f };
  }
  if (want === 'simd128') return { isa: 'simd128', reason: 'simd128 requested', features: f };
  return f.relaxed
    ? { isa: 'relaxed-simd', reason: 'relaxed SIMD validated', features: f }
    : { isa: 'simd128', reason: 'relaxed SIMD not available (Node 20: --experimental-wasm-relaxed-simd), using SIMD128', features: f };
}
