// Fuzz: mutated real programs, tensor streams, combined params files and whole model dirs must each end in
// a clean parse or a QdeployError — never a TypeError/RangeError, an escaping protobufjs error, a hang or a
// huge allocation. Deterministic: QDEPLOY_FUZZ_SEED (default below) and QDEPLOY_FUZZ_CASES (default 10000).
// A failure prints the seed, the case number and the mutation so it can be replayed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeProgram, encodeProgram, readTensor, writeTensor, loadModel, saveModel, persistableVars, decodeCombinedParams,
} from '../../src/format/paddle';
import { QdeployError } from '../../src/util/errors';
import { assetsDir } from '../../src/util/assets';
import { assetModels, assetPath, copyToTemp, needAssets, tempDir } from './helpers';

const SEED = Number(process.env.QDEPLOY_FUZZ_SEED ?? 0x5eed2024) >>> 0;
const TOTAL = Math.max(1, Number(process.env.QDEPLOY_FUZZ_CASES ?? 10000));
// share of the cases per target; whole-dir loads are slow, so they get few
const N_PROGRAM = Math.round(TOTAL * 0.40);
const N_TENSOR = Math.round(TOTAL * 0.55);
const N_COMBINED = Math.max(1, Math.round(TOTAL * 0.035));
const N_DIR = Math.max(1, TOTAL - N_PROGRAM - N_TENSOR - N_COMBINED);
const SLOW_CASE_MS = 2000;
const MAX_GROWTH = 256 << 20; // array-buffer growth allowed in one case (inputs are at most a few MB)

/** mulberry32: small, fast, deterministic */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)] };
}
type Rng = ReturnType<typeof prng>;

const HUGE_VARINTS = [
  [0xff, 0xff, 0xff, 0xff, 0x0f], // 2^32-1
  [0xff, 0xff, 0xff, 0xff, 0x07], // 2^31-1
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^64-1 (-1 as int64)
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // over-long varint
  [0xff, 0xff, 0xff, 0x7f], // 2^28-1
];

/** src[0, cut) + ins + src[resume, n): built with set(), not array spreads (inputs are up to MBs) */
function splice(src: Uint8Array, cut: number, ins: ArrayLike<number>, resume: number): Uint8Array {
  cut = Math.min(cut, src.length);
  resume = Math.min(Math.max(resume, cut), src.length);
  const out = new Uint8Array(cut + ins.length + src.length - resume);
  out.set(src.subarray(0, cut), 0);
  out.set(ins, cut);
  out.set(src.subarray(resume), cut + ins.length);
  return out;
}

/** One mutation of `src` (never modified); returns the bytes and a short description for replay. */
function mutate(src: Uint8Array, r: Rng, tensorHeader: boolean): { bytes: Uint8Array; how: string } {
  const n = src.length;
  const kind = r.int(tensorHeader ? 8 : 7);
  const b = Uint8Array.from(src);
  switch (kind) {
    case 0: { // bit flips
      const k = 1 + r.int(8);
      const at: number[] = [];
      for (let i = 0; i < k && n; i++) { const p = r.int(n); b[p] ^= 1 << r.int(8); at.push(p); }
      return { bytes: b, how: `flip bits at ${at.join(',')}` };
    }
    case 1: { const len = r.int(n + 1); return { bytes: src.slice(0, len), how: `truncate to ${len}` }; }
    case 2: { // random byte run
      const p = r.int(Math.max(1, n)), k = 1 + r.int(32);
      for (let i = p; i < Math.min(n, p + k); i++) b[i] = r.int(256);
      return { bytes: b, how: `random run at ${p} len ${k}` };
    }
    case 3: { // a length-looking field made huge: after a byte with wire type 2, splice a huge varint
      let p = r.int(Math.max(1, n));
      for (let i = 0; i < 64 && p < n && (src[p] & 7) !== 2; i++) p++;
      const v = r.pick(HUGE_VARINTS);
      let end = p + 2;
      while (end < n && src[end - 1] & 0x80) end++;
      return { bytes: splice(src, p + 1, v, end), how: `huge varint after ${p}` };
    }
    case 4: { // insert random bytes
      const p = r.int(n + 1), k = 1 + r.int(16);
      const ins = Array.from({ length: k }, () => r.int(256));
      return { bytes: splice(src, p, ins, p), how: `insert ${k} at ${p}` };
    }
    case 5: { // delete a run
      const p = r.int(Math.max(1, n)), k = 1 + r.int(64);
      return { bytes: splice(src, p, [], p + k), how: `delete ${k} at ${p}` };
    }
    case 6: { // copy a chunk from elsewhere over a position (duplicated tags/lengths)
      const from = r.int(Math.max(1, n)), to = r.int(Math.max(1, n)), k = 1 + r.int(48);
      b.set(src.subarray(from, Math.min(n, from + k)).subarray(0, Math.max(0, n - to)), to);
      return { bytes: b, how: `copy ${k} from ${from} to ${to}` };
    }
    default: { // tensor header fields (offsets of a stream without LoD) set to extreme values
      const dv = new DataView(b.buffer);
      const field = r.int(5);
      if (n < 20) return { bytes: b, how: 'short' };
      const big = r.pick([0xffffffff, 0x7fffffff, 0x80000000, 1, 2, 8, 0x10000]);
      if (field === 0) dv.setUint32(0, r.pick([1, 0xffffffff]), true);
      else if (field === 1) dv.setBigUint64(4, r.pick([1n, 2n, 0xffffffffn, 2n ** 63n, 2n ** 64n - 1n]), true);
      else if (field === 2) dv.setUint32(12, r.pick([1, 0xffffffff]), true);
      else if (field === 3) dv.setInt32(16, r.pick([-1, -0x80000000, 0x7fffffff, big | 0, dv.getInt32(16, true) + 1]), true);
      else { // a dims varint inside the TensorDesc: overwrite with a huge one (keeps later bytes)
        const p = 20 + 2 + r.int(4);
        b.set(r.pick(HUGE_VARINTS).slice(0, Math.max(0, n - p)), Math.min(p, n));
      }
      return { bytes: b, how: `header field ${field}` };
    }
  }
}

interface Tally { ok: number; errors: Record<string, number> }
const newTally = (): Tally => ({ ok: 0, errors: {} });

/** run one case; anything but success or a one-line QdeployError fails with replay info */
function runCase(t: Tally, label: string, fn: () => void): void {
  const mem0 = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  try {
    fn();
    t.ok++;
  } catch (e) {
    if (e instanceof QdeployError) {
      if (e.message.includes('\n')) assert.unreachable(`${label}: multi-line message`);
      t.errors[e.code] = (t.errors[e.code] ?? 0) + 1;
    } else {
      const what = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
      throw new Error(`${label}: escaped ${what}`);
    }
  }
  const ms = performance.now() - t0;
  if (ms > SLOW_CASE_MS) assert.unreachable(`${label}: took ${ms.toFixed(0)} ms`);
  const grew = process.memoryUsage().arrayBuffers - mem0;
  if (grew > MAX_GROWTH) assert.unreachable(`${label}: array buffers grew by ${grew} bytes`);
}

function report(name: string, n: number, t: Tally, t0: number): void {
  const errs = Object.entries(t.errors).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`fuzz ${name}: ${n} cases, ${t.ok} parsed, errors: ${errs || 'none'} (${((performance.now() - t0) / 1000).toFixed(1)} s, seed ${SEED})`);
}

const models = assetsDir() && existsSync(join(assetsDir()!, 'models')) ? assetModels('fuzz') : [];

const haveModels = needAssets('fuzz', 'models');
const haveSq8 = needAssets('combined/dir fuzz', 'models/squeezenet_v1.1_8bit');

(haveModels ? test : test.skip)('fuzz: program decode', () => {
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const m of models) {
    for (const f of readdirSync(m.dir)) if (f === '__model__' || f.endsWith('.pdmodel')) files.push({ name: `${m.name}/${f}`, bytes: readFileSync(join(m.dir, f)) });
  }
  const g = assetPath('reference', 'googlenet_v1_8bit', '__model__');
  if (g) files.push({ name: 'googlenet_v1_8bit/__model__', bytes: readFileSync(g) });
  if (!files.length) return;
  const r = prng(SEED);
  const t = newTally(), t0 = performance.now();
  for (let i = 0; i < N_PROGRAM; i++) {
    const f = r.pick(files);
    const { bytes, how } = mutate(f.bytes, r, false);
    runCase(t, `program case ${i} (seed ${SEED}, ${f.name}, ${how})`, () => {
      const p = decodeProgram(bytes, f.name);
      // whatever decodes must encode, and decode again to the same object
      const again = decodeProgram(encodeProgram(p), f.name);
      assert.equal(again, p);
    });
  }
  report('program', N_PROGRAM, t, t0);
  assert.ok(t.ok > 0 && Object.keys(t.errors).length > 0, 'the mutations reach both outcomes');
});

(haveModels ? test : test.skip)('fuzz: tensor stream decode', () => {
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const m of models) {
    if (!readdirSync(m.dir).includes('__model__')) continue;
    for (const f of readdirSync(m.dir)) {
      if (f === '__model__') continue;
      const p = join(m.dir, f);
      if (statSync(p).size <= 300_000) files.push({ name: `${m.name}/${f}`, bytes: readFileSync(p) });
    }
  }
  if (!files.length) return;
  // an extra stream with LoD levels, so the LoD code is fuzzed too
  files.push({ name: 'synthetic-lod', bytes: writeTensor({ dtype: 'int64', dims: [4, 1], data: new BigInt64Array([1n, 2n, 3n, 4n]) }, [[0, 1, 4], [0, 1, 2, 3, 4]]) });
  const r = prng(SEED ^ 0x9e3779b9);
  const t = newTally(), t0 = performance.now();
  for (let i = 0; i < N_TENSOR; i++) {
    const f = r.pick(files);
    const { bytes, how } = mutate(f.bytes, r, true);
    runCase(t, `tensor case ${i} (seed ${SEED}, ${f.name}, ${how})`, () => {
      const rec = readTensor(bytes, 0, f.name);
      assert.ok(rec.end <= bytes.length);
      // re-written canonically (a non-canonical TensorDesc may change length); must read back the same
      const w = writeTensor(rec.tensor, rec.lod);
      const back = readTensor(w, 0, 'rewritten');
      assert.is(back.end, w.length);
      assert.equal(back.tensor.dims, rec.tensor.dims);
      assert.equal(back.lod, rec.lod);
    });
  }
  report('tensor', N_TENSOR, t, t0);
  assert.ok(t.ok > 0 && Object.keys(t.errors).length > 0);
});

(haveSq8 ? test : test.skip)('fuzz: combined params file', () => {
  const src = models.find((m) => m.name === 'squeezenet_v1.1_8bit')!;
  const m = loadModel(src.dir);
  const d = join(tempDir('fz'), 'c');
  saveModel(d, m, { layout: 'combined' });
  const bin = readFileSync(join(d, 'model.pdiparams'));
  const vars = persistableVars(m.program, 'p');
  const r = prng(SEED ^ 0x85ebca6b);
  const t = newTally(), t0 = performance.now();
  for (let i = 0; i < N_COMBINED; i++) {
    const { bytes, how } = mutate(bin, r, false);
    runCase(t, `combined case ${i} (seed ${SEED}, ${how})`, () => { decodeCombinedParams(bytes, vars, 'model.pdiparams'); });
  }
  report('combined', N_COMBINED, t, t0);
});

(haveSq8 ? test : test.skip)('fuzz: whole model dir loads', () => {
  const src = models.find((m) => m.name === 'squeezenet_v1.1_8bit')!;
  const dir = copyToTemp(src.dir, 'fzdir');
  const names = readdirSync(dir).sort();
  const r = prng(SEED ^ 0xc2b2ae35);
  const t = newTally(), t0 = performance.now();
  for (let i = 0; i < N_DIR; i++) {
    const name = r.next() < 0.3 ? '__model__' : r.pick(names);
    const orig = readFileSync(join(dir, name));
    const { bytes, how } = mutate(orig, r, name !== '__model__');
    writeFileSync(join(dir, name), bytes);
    try {
      runCase(t, `dir case ${i} (seed ${SEED}, ${name}, ${how})`, () => { loadModel(dir); });
    } finally {
      writeFileSync(join(dir, name), orig);
    }
  }
  report('dir', N_DIR, t, t0);
});

test.run();
