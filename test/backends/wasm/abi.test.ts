// The host ↔ kernel ABI has one declaration (wasm/assembly/abi.ts): these tests fail when either side stops reading
// from it (a slot written or read by number, a hand copy of a slot, a name the block does not have), when the
// declaration itself is inconsistent (two names on one slot, a slot past the block), when a function the host calls
// is not exported, and when a kernel's reported name is not the wasm function that actually runs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as abi from '../../../wasm/assembly/abi';
import { referenceBackend } from '../../../src/backends/reference/backend';
import { wasmBackend } from '../../../src/backends/wasm/backend';
import { loadModule } from '../../../src/backends/wasm/loader';
import { POOL_FNS } from '../../../src/backends/wasm/params';
import { kernelCases } from '../../kernels/cases';
import { runCase } from '../../kernels/harness';

const root = join(__dirname, '..', '..', '..');
const asDir = join(root, 'wasm', 'assembly');
const hostDir = join(root, 'src', 'backends', 'wasm');
/** a slot read in the kernels: pI/pF/pU(block, slot); a slot written by the host: b.i/b.f(slot, value) */
const KERNEL_READ = /\bp[IFU]\(\s*[^,():]+(?:\([^()]*\))?[^,():]*,([^()]+)\)/g;
const HOST_WRITE = /\bb\.[if]\(([^,()]+),/g;
const BLOCKS: Record<string, Record<string, number>> = { G: abi.G, D: abi.D, PL: abi.PL };

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** every `<call>(..., slot)` (kernel side) or `<call>(slot, ...)` (host side) with its line */
function slotArgs(src: string, re: RegExp): { slot: string; line: number }[] {
  return [...src.matchAll(re)].map((m) => ({ slot: m[1].trim(), line: src.slice(0, m.index).split('\n').length }));
}

/** the problems with one slot expression: `<block>.<NAME>` of a block that has that name, or a description */
function badSlot(slot: string, where: string): string | undefined {
  const m = /^(G|D|PL)\.([A-Z][A-Z0-9_]*)$/.exec(slot);
  if (!m) return `${where}: slot \`${slot}\` is not an abi.ts name (G.X, D.X, PL.X)`;
  if (!(m[2] in BLOCKS[m[1]])) return `${where}: ${m[1]} has no slot ${m[2]}`;
  return undefined;
}

/** the kernels' side: every slot read (pI/pF/pU) in wasm/assembly/*.ts; blocks read per file */
function kernelSlots(): { problems: string[]; blocks: Map<string, Set<string>> } {
  const problems: string[] = [], blocks = new Map<string, Set<string>>();
  for (const f of tsFiles(asDir)) {
    const name = f.slice(asDir.length + 1);
    if (name === 'abi.ts') continue;
    const src = readFileSync(f, 'utf8');
    for (const { slot, line } of slotArgs(src, KERNEL_READ)) {
      const why = badSlot(slot, `wasm/assembly/${name}:${line}`);
      if (why) problems.push(why);
      else { const s = blocks.get(name) ?? new Set<string>(); s.add(slot.split('.')[0]); blocks.set(name, s); }
    }
    // a hand copy: a top-level integer constant named like a slot
    for (const m of src.matchAll(/^const ([A-Z][A-Z0-9_]*)\s*=\s*\d+;/gm)) {
      if (Object.values(BLOCKS).some((b) => m[1] in b)) problems.push(`wasm/assembly/${name}: \`const ${m[1]}\` copies a slot number (import it from abi.ts)`);
    }
  }
  return { problems, blocks };
}

/** the host's side: every parameter-block write (b.i / b.f) in src/backends/wasm/**.ts */
function hostSlots(): { problems: string[]; writes: number } {
  const problems: string[] = [];
  let writes = 0;
  for (const f of tsFiles(hostDir)) {
    const name = f.slice(hostDir.length + 1);
    const src = readFileSync(f, 'utf8');
    for (const { slot, line } of slotArgs(src, HOST_WRITE)) {
      writes++;
      // convRun (conv_setup.ts) writes the io slots of whichever conv block it is given: a name both G and D have
      const shared = /^s\.([A-Z]+)$/.exec(slot);
      if (name === join('families', 'conv_setup.ts') && shared && shared[1] in abi.G && shared[1] in abi.D) continue;
      const why = badSlot(slot, `src/backends/wasm/${name}:${line}`);
      if (why) problems.push(why);
    }
  }
  return { problems, writes };
}

test('the kernels read every parameter slot by its abi.ts name, one block per file, and copy none', () => {
  const { problems, blocks } = kernelSlots();
  assert.equal(problems, []);
  // the files that take parameter blocks, and which block each reads
  assert.equal(Object.fromEntries([...blocks].map(([f, s]) => [f, [...s].join()]).sort()), {
    'conv.ts': 'G', 'conv_depthwise.ts': 'D', 'conv_winograd.ts': 'G', 'conv_winograd_f32.ts': 'G', 'gemv.ts': 'G', 'pool.ts': 'PL',
  });
});

test('the host writes every parameter slot by its abi.ts name', () => {
  const { problems, writes } = hostSlots();
  assert.equal(problems, []);
  assert.ok(writes > 100, `${writes} writes found: the scan lost them`);
});

test('the scans catch a slot by number, a wrong name and a hand copy (mutations of either side)', () => {
  assert.match(String(badSlot('19', 'conv.ts:1')), /not an abi.ts name/);
  assert.match(String(badSlot('G.XX', 'conv.ts:1')), /G has no slot XX/);
  assert.match(String(badSlot('G.X + 1', 'conv.ts:1')), /not an abi.ts name/);
  assert.is(badSlot('PL.SCR', 'pool.ts:1'), undefined);
  const host = 'b.i(G.X, a(io.inputs.X[0])); b.i(19, a(io.outputs.Out[0]));';
  assert.equal(slotArgs(host, HOST_WRITE).map((s) => s.slot), ['G.X', '19']);
  const kern = 'const x = pU(p, G.X), y = pI(p + (<usize>i << 2), 20);';
  assert.equal(slotArgs(kern, KERNEL_READ).map((s) => s.slot), ['G.X', '20']);
});

test('abi.ts: slots distinct within a block and inside PARAM_SLOTS; codes distinct', () => {
  for (const [name, block] of Object.entries({ ...BLOCKS, T: abi.T, ACT: abi.ACT, BIN: abi.BIN, UN: abi.UN })) {
    const vals = Object.values(block);
    assert.is(new Set(vals).size, vals.length, `${name}: two names share a value`);
    for (const v of vals) assert.ok(Number.isInteger(v) && v >= 0 && v < abi.PARAM_SLOTS, `${name}: ${v}`);
  }
  // the flag fields do not overlap: signed bit, residual type, output type
  assert.is(abi.CF.SIGNED & (abi.CF.TYPE_MASK << abi.CF.RES_SHIFT), 0);
  assert.is(abi.CF.RES_BITS, abi.CF.TYPE_MASK << abi.CF.RES_SHIFT);
  assert.is((abi.CF.TYPE_MASK << abi.CF.RES_SHIFT) & (abi.CF.TYPE_MASK << abi.CF.OUT_SHIFT), 0);
  assert.is(abi.PF.TYPE_MASK & (abi.PF.AVG | abi.PF.EXCLUSIVE | abi.PF.ROWS), 0);
});

test('common.ts spells the type and activation codes from abi.ts', () => {
  const src = readFileSync(join(asDir, 'common.ts'), 'utf8');
  const consts = [...src.matchAll(/^export const ((T|ACT)_[A-Z0-9_]+): i32 = (.+);$/gm)];
  assert.is(consts.length, 9);
  for (const m of consts) assert.match(m[3], /^(T|ACT)\.[a-z0-9_]+$/, m[1]);
});

test('every function the host calls is an export of the module; pool functions take (block, start, end, tid)', () => {
  const called = [...readFileSync(join(hostDir, 'exports.ts'), 'utf8').matchAll(/^ {2}([a-z_0-9]+)\(/gm)].map((m) => m[1]);
  assert.ok(called.length > 20);
  // the relaxed build has the same exports (one source, index.ts); this process cannot compile it without the flag
  const exported = new Map(WebAssembly.Module.exports(loadModule('simd128')).map((e) => [e.name, e.kind]));
  for (const n of [...called, ...POOL_FNS]) assert.is(exported.get(n), 'function', n);
  const be = wasmBackend({});
  for (const n of POOL_FNS) assert.is((be.x as unknown as Record<string, (...a: number[]) => void>)[n].length, 4, n);
  be.dispose();
});

test('decide once: every kernel-suite case runs exactly the wasm function its kernel name states', () => {
  const be = wasmBackend({}), ref = referenceBackend();
  const ran: string[] = [];
  // record every function called: thread-pool runs by index, direct exports through wrappers
  const par = be.par.bind(be);
  Object.assign(be, {
    par: (fn: number, p: number, n: number) => { ran.push(POOL_FNS[fn]); par(fn, p, n); },
    x: Object.fromEntries(Object.entries(be.x).map(([k, v]) => [k, typeof v === 'function' ? (...a: number[]) => { ran.push(k); return (v as (...b: number[]) => number)(...a); } : v])),
  });
  let checked = 0;
  for (const c of kernelCases()) {
    ran.length = 0;
    const { kernel, on } = runCase([be, ref], c);
    if (kernel.includes('+') || on[0] !== 'wasm') continue; // ops wasm declines run on the reference
    const fn = kernel.slice(0, kernel.indexOf('/'));
    // prepare may call packing helpers; the run calls the named function, and only it
    const runs = ran.filter((n) => !/pack|bytes|scratch|align|heap_base/.test(n));
    assert.ok(runs.length > 0 && runs.every((n) => n === fn) || (fn === 'copy_bytes' && runs.length === 0), `${c.name}: named ${kernel}, ran ${[...new Set(runs)].join(', ')}`);
    checked++;
  }
  assert.ok(checked > 400, `${checked} cases checked`);
  be.dispose();
});

test.run();
