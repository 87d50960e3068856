// The oneDNN addon's machine report and ISA cap: cpuid + XGETBV agree with the kernel's /proc/cpuinfo flags (which
// list only what the OS enabled), a cap set before the first use decides oneDNN's ISA, and a cap after it is
// refused with the reason. Each cap check runs in its own child: the ISA is fixed once per process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDnnlAddon } from '../../../src/backends/native/addon';
import { probeCpu } from '../../../src/backends/native/probe';
import { skipTest } from '../../skip';

const root = join(__dirname, '..', '..', '..');
const l = loadDnnlAddon();

function child(code: string, env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-e', `
    const a = require(${JSON.stringify(join(root, 'src', 'backends', 'native', 'addon.ts'))}).loadDnnlAddon().addon;
    ${code}`], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

test('cpuid + XGETBV flags agree with /proc/cpuinfo; the best ISA is the same', () => {
  if (!l.addon) { skipTest(`native addon not built: ${l.reason}`); return; }
  const cpu = probeCpu();
  if (!cpu.flags.size) { skipTest('no /proc/cpuinfo flags here'); return; }
  const info = l.addon.info();
  const pairs: [string, string][] = [['avx2', 'avx2'], ['fma', 'fma'], ['avx512f', 'avx512f'], ['avx512bw', 'avx512bw'], ['avx512vl', 'avx512vl'],
    ['avx512_vnni', 'avx512_vnni'], ['avx512_bf16', 'avx512_bf16'], ['avx_vnni', 'avx_vnni'], ['amx_int8', 'amx_int8'], ['amx_tile', 'amx_tile']];
  for (const [ours, linux] of pairs) assert.is(info.cpu[ours], cpu.flags.has(linux), ours);
  assert.is(info.cpuBest, cpu.best);
  console.log(`  oneDNN ${info.version}: CPU best ${info.cpuBest}, oneDNN effective ${info.effectiveIsa}, ${info.maxThreads} OpenMP threads`);
});

test('a cap before the first use decides the ISA; one after it is refused; an unknown name is refused', () => {
  if (!l.addon) { skipTest(`native addon not built: ${l.reason}`); return; }
  assert.is(child(`console.log(String(a.setMaxIsa('avx2')), a.info().effectiveIsa)`), 'undefined avx2');
  assert.match(child(`a.info(); console.log(a.setMaxIsa('avx2'))`), /^the ISA is already fixed for this process/);
  assert.is(child(`console.log(a.setMaxIsa('avx9000'))`), "unknown ISA name 'avx9000'");
  // oneDNN's own variable (2.6: DNNL_MAX_CPU_ISA, 3.x: ONEDNN_MAX_CPU_ISA) works too
  assert.is(child('console.log(a.info().effectiveIsa)', { DNNL_MAX_CPU_ISA: 'AVX2', ONEDNN_MAX_CPU_ISA: 'AVX2' }), 'avx2');
});

test.run();
