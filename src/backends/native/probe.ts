// What the native (oneDNN) backend would run on: the CPU's ISA features as the kernel reports them.
// The addon itself is the next issue's work; until it is built, `auto` selection falls through to wasm
// with this probe's reason printed.
import { existsSync, readFileSync } from 'node:fs';

export interface CpuIsa {
  model: string;
  flags: Set<string>;
  /** the best oneDNN ISA this CPU offers, named as oneDNN's max_isa values */
  best: 'avx512_core_amx' | 'avx512_core_vnni' | 'avx512_core' | 'avx2_vnni' | 'avx2' | 'sse41' | 'none';
}

export function probeCpu(): CpuIsa {
  let text = '';
  try { text = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : ''; } catch { /* not Linux */ }
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? '').split(/\s+/).filter(Boolean));
  const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  const best: CpuIsa['best'] =
    flags.has('amx_int8') && flags.has('amx_tile') ? 'avx512_core_amx'
    : flags.has('avx512_vnni') ? 'avx512_core_vnni'
    : flags.has('avx512bw') && flags.has('avx512vl') ? 'avx512_core'
    : flags.has('avx_vnni') ? 'avx2_vnni'
    : flags.has('avx2') ? 'avx2'
    : flags.has('sse4_1') ? 'sse41' : 'none';
  return { model, flags, best };
}
