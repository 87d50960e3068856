// The oneDNN addon (native/build/qdeploy_dnnl.node, native/src/dnnl_*.cc): its API and loading it once per
// process. Optional like every addon: where it is not built or cannot load (no libdnnl at run time), the reason
// comes back instead of an exception, and selection falls back to wasm.
import { loadNativeBuild } from '../../util/native_build';

export const DNNL_ADDON_FILE = 'qdeploy_dnnl.node';

export type NativeDType = 'u8' | 's8' | 'f32';

/** one conv or fc as the addon builds it (native/src/dnnl_addon.h OpSpec) */
export interface NativeOpSpec {
  kind: 'conv' | 'fc' | 'pool';
  /** pool2d: max, average over kh·kw (avg_inc) or over the window's inputs (avg_exc) */
  pool?: 'max' | 'avg_inc' | 'avg_exc';
  /** conv, pool: NCHW geometry (pool: oc = ic); fc: n rows, ic = K, oc = N */
  n: number; ic: number; oc: number;
  ih?: number; iw?: number; kh?: number; kw?: number; sh?: number; sw?: number; dh?: number; dw?: number;
  pt?: number; pb?: number; pl?: number; pr?: number; groups?: number; oh?: number; ow?: number;
  src: NativeDType; dst: NativeDType;
  /** INT8: quantized s8, OIHW (fc: N×K); FP32: f32 in the same order; pool: none */
  weights?: Int8Array | Float32Array;
  bias?: Float32Array;
  /** INT8: the contract's dq[c] */
  deq?: Float32Array;
  /** INT8 to u8/s8: the contract's output multiplier ds */
  dstScale?: number;
  act?: 'none' | 'relu' | 'clip' | 'leaky';
  /** clip: upper bound; leaky: slope */
  alpha?: number;
  /** conv: ResidualData added before the activation (FP32: oneDNN's sum post-op; INT8: see residualType) */
  residual?: boolean;
  /** INT8 conv: the residual's stored type; the addon adds f32(sumScale·r) as its own rounded term */
  residualType?: NativeDType;
  /** INT8 conv: f32(1/Scale_in_eltwise) */
  sumScale?: number;
  /** INT8: two 7-bit weight halves into exact s32 sums, the contract's epilogue in the addon (no VNNI, NaN scales) */
  split?: boolean;
  /** activations NHWC in the arena (input, residual, output; fc: a 4-D input [n, ic, ih, iw]): no reorders in the op */
  nhwc?: boolean;
  threads: number;
}

export interface NativeInfo {
  version: string;
  major: number;
  /** cpuid + XGETBV (os_*: the OS saves that register state) */
  cpu: Record<string, boolean>;
  /** the best oneDNN ISA the CPU and OS allow */
  cpuBest: string;
  /** what oneDNN will use, after any cap (DNNL_MAX_CPU_ISA / ONEDNN_MAX_CPU_ISA / setMaxIsa) */
  effectiveIsa: string;
  maxThreads: number;
}

export interface DnnlAddon {
  /** querying fixes the process's ISA: set a cap before */
  info(): NativeInfo;
  /** undefined when set, else why not (too late, unknown name) */
  setMaxIsa(isa: string): string | undefined;
  /** a 64-byte aligned, zeroed buffer the kernels read and write in place */
  allocArena(bytes: number): ArrayBuffer;
  create(spec: NativeOpSpec): NativeHandle;
  run(h: NativeHandle, arena: ArrayBuffer, inOffset: number, outOffset: number, residualOffset: number): void;
  /** oneDNN's implementation name, e.g. 'brg:avx512_core_vnni' */
  impl(h: NativeHandle): string;
  /** activation layout reorders run so far in this process */
  reorders(): number;
}

/** an opaque prepared op (freed by the garbage collector) */
export type NativeHandle = { readonly __native: unique symbol };

export const loadDnnlAddon = () => loadNativeBuild<DnnlAddon>(DNNL_ADDON_FILE);
