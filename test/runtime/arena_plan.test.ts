import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planArena, type Lifetime } from '../../src/runtime/arena_plan';

function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('buffers that are live at the same time never overlap; dead ones share bytes', () => {
  const rnd = prng(7);
  for (let trial = 0; trial < 200; trial++) {
    const items: Lifetime[] = [];
    const n = 2 + Math.floor(rnd() * 30);
    for (let i = 0; i < n; i++) {
      const first = Math.floor(rnd() * 20) - 1;
      const last = rnd() < 0.1 ? Infinity : first + 1 + Math.floor(rnd() * 6);
      items.push({ key: `t${i}`, bytes: 1 + Math.floor(rnd() * 5000), first, last });
    }
    const p = planArena(items, 64, 128);
    for (const a of items) {
      const oa = p.offsets.get(a.key)!;
      assert.ok(oa >= 128 && oa % 64 === 0, 'aligned and above the base');
      assert.ok(oa + a.bytes <= p.total, 'inside the arena');
      for (const b of items) {
        if (a === b || !(a.first <= b.last && b.first <= a.last)) continue;
        const ob = p.offsets.get(b.key)!;
        assert.ok(oa + a.bytes <= ob || ob + b.bytes <= oa, `live ${a.key} and ${b.key} overlap`);
      }
    }
  }
});

test('a chain of non-overlapping lifetimes reuses memory', () => {
  const items: Lifetime[] = [0, 1, 2, 3, 4, 5].map((i) => ({ key: `t${i}`, bytes: 1000, first: i, last: i + 1 }));
  const p = planArena(items, 64);
  // at most two 1000-byte buffers are live at once → two slots of 1024 bytes
  assert.is(p.total, 2048);
});

test.run();
