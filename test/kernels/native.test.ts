// The shared kernel suite on the native (oneDNN) backend. Every case native accepts must match the reference:
// INT8 byte for byte, FP32 within the suite's tolerance; cases it declines are counted per op with the reason.
// oneDNN's ISA cap is process-wide and fixed before the first primitive, so each cap runs in its own child
// process (this file with QDEPLOY_NATIVE_CAP set): avx512_core_vnni (the exact VNNI mapping), avx512_core and
// avx2 (no VNNI: only saturation-free INT8 is accepted). A cap the CPU lacks is skipped with the reason.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDnnlAddon } from '../../src/backends/native/addon';
import { NativeBackend } from '../../src/backends/native/backend';
import { referenceBackend } from '../../src/backends/reference/backend';
import { QdeployError } from '../../src/util/errors';
import { skipTest } from '../skip';
import { kernelCases, type KernelCase } from './cases';
import { compareOutputs, runCase } from './harness';

const CAPS = ['avx512_core_vnni', 'avx512_core', 'avx2'] as const;
/** ISA ladder: a cap runs where the CPU's best ISA is at least that */
const RANK: Record<string, number> = { avx2: 1, avx2_vnni: 2, avx512_core: 3, avx512_core_vnni: 4, avx512_core_bf16: 5, avx512_core_amx: 6 };
const NATIVE_OPS = new Set(['conv2d', 'depthwise_conv2d', 'fc', 'pool2d']);
const cap = process.env.QDEPLOY_NATIVE_CAP;

/**
 * what native must accept: every pool2d but adaptive ones; every conv/fc (INT8 residuals and Scale_in 0 included) but FP32 hard_swish/swish (not
 * fused by native) and, without VNNI, s8 activations (oneDNN is inexact there) and the one case whose split-weight
 * sums pass the 2^24 that the split path's exactness argument needs (255·Σ|w/2| per channel)
 */
function mustAccept(c: KernelCase, vnni: boolean): boolean {
  if (!NATIVE_OPS.has(c.op)) return false;
  // pooling has no pair sums: every ISA, all but adaptive windows (different sizes per output)
  if (c.op === 'pool2d') return c.attrs.adaptive !== true || c.attrs.global_pooling === true;
  const x = c.inputs[0].dtype;
  if (x === 'int8') return vnni;
  if (x === 'uint8') return vnni || !c.name.includes('largest_sums');
  return !['hard_swish', 'swish'].includes(String(c.attrs.fuse_activation ?? ''));
}

if (cap) {
  // ------------------------------------------------------------ child: one ISA cap
  const backend = new NativeBackend({ maxIsa: cap, threads: Number(process.env.QDEPLOY_NATIVE_THREADS ?? 1) });
  const reference = referenceBackend();
  const cases = kernelCases();
  const tally = new Map<string, { accepted: number; declined: number; reasons: Set<string> }>();
  const declined = new Set<string>();
  const kernels = new Map<string, string>();

  test(`oneDNN runs at the cap ${cap}`, () => {
    assert.is(backend.info().isa, cap);
  });

  for (const c of cases) {
    test(`native@${cap}: ${c.name}`, () => {
      const t = tally.get(c.op) ?? { accepted: 0, declined: 0, reasons: new Set<string>() };
      tally.set(c.op, t);
      let got;
      try {
        got = runCase(backend, c);
      } catch (e) {
        if (!(e instanceof QdeployError) || e.code !== 'unsupported' || !/backend native cannot run/.test(e.message)) throw e;
        t.declined++;
        declined.add(c.name);
        t.reasons.add(e.message.replace(/^.*?\]: /, '').slice(0, 150));
        return;
      }
      t.accepted++;
      kernels.set(c.name, got.kernel);
      const why = compareOutputs(got.outputs, runCase(reference, c).outputs);
      if (why) throw new Error(`case ${c.name} [${got.kernel}]: ${why}`);
    });
  }

  test(`native@${cap}: accepted and declined per op`, () => {
    for (const [op, t] of [...tally].sort()) {
      if (!NATIVE_OPS.has(op)) continue;
      console.log(`  [${cap}] ${op}: ${t.accepted} accepted, ${t.declined} declined${t.declined ? ` (${[...t.reasons].slice(0, 3).join(' | ')})` : ''}`);
    }
    const other = [...tally].filter(([op]) => !NATIVE_OPS.has(op)).reduce((s, [, t]) => s + t.declined, 0);
    console.log(`  [${cap}] other ops: ${other} declined; layout reorders run: ${backend.reorders()}`);
    // accepting nothing would make every comparison above vacuous
    for (const op of NATIVE_OPS) assert.ok((tally.get(op)?.accepted ?? 0) > 0, `${op}: no case accepted at ${cap}`);
    const missing = cases.filter((c) => mustAccept(c, backend.vnni) && declined.has(c.name)).map((c) => c.name);
    assert.equal(missing, [], `conv/fc cases declined at ${cap}`);
    const split = [...kernels].filter(([, k]) => k.includes('_split7'));
    console.log(`  [${cap}] ${split.length} INT8 cases ran on split 7-bit weights`);
    if (backend.vnni) {
      // only the NaN-scale cases need the addon's own epilogue on VNNI
      assert.ok(split.length > 0 && split.every(([n]) => n.includes('inf_scale')), split.map(([n]) => n).join(', '));
    } else {
      // full-range weights saturate oneDNN's int16 pair sums here: they must have taken the split path
      assert.ok(split.some(([n]) => n.startsWith('conv2d_u8_n')) && split.some(([n]) => n.startsWith('depthwise_conv2d_u8')) && split.some(([n]) => n.startsWith('fc_u8')));
    }
    if (!backend.vnni) {
      const s8 = cases.filter((c) => NATIVE_OPS.has(c.op) && c.op !== 'pool2d' && c.inputs[0].dtype === 'int8');
      assert.ok(s8.every((c) => declined.has(c.name)), 's8 activations declined without VNNI (conv, fc)');
    }
  });
  test.run();
} else {
  // ------------------------------------------------------------ parent: one child per cap
  const l = loadDnnlAddon();
  if (!l.addon) {
    test('native kernel suite', () => skipTest(`native backend not built: ${l.reason}`));
  } else {
    const best = l.addon.info().cpuBest;
    // the three caps on one thread, and the VNNI cap on two (exact results for any thread count)
    const runs: [string, number][] = [...CAPS.map((c): [string, number] => [c, 1]), ['avx512_core_vnni', 2]];
    for (const [c, threads] of runs) {
      test(`kernel suite on native at the ISA cap ${c}, ${threads} thread(s) (child process)`, () => {
        if ((RANK[best] ?? 0) < RANK[c]) { skipTest(`this CPU's best ISA is ${best}: it cannot run ${c}`); return; }
        const r = spawnSync(process.execPath, ['-r', 'esbuild-register', __filename], {
          env: { ...process.env, QDEPLOY_NATIVE_CAP: c, QDEPLOY_NATIVE_THREADS: String(threads), FORCE_COLOR: '0' }, encoding: 'utf8', maxBuffer: 64 << 20,
        });
        const out = `${r.stdout}${r.stderr}`;
        for (const m of out.matchAll(new RegExp(`\\[${c}\\] [^\\n]*`, 'g'))) console.log(`  ${threads}t ${m[0]}`);
        assert.is(r.status, 0, out.slice(-4000));
        const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
        assert.is(passed, kernelCases().length + 2, out.slice(-2000));
      });
    }
  }
  test.run();
}
