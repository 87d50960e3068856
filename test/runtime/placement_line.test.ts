// The placement line stays one readable line however many ops fell back: grouped by where they went and why, each
// op type once with its first three ids (a legacy 8-bit SqueezeNet on native listed 106 ops one by one before).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { placementLine } from '../../src/runtime/plan';

test('one fallback reads as before; many are grouped by destination and reason, op types listed once', () => {
  assert.is(placementLine({ counts: { wasm: 4, reference: 1 }, reorders: 0, fallbacks: [{ op: 'pool2d(12)', backend: 'reference', declined: ['wasm: no kernel'] }] }),
    'placement: wasm 4 ops, reference 1 op, 0 reorders; fell back: pool2d(12) on reference (wasm: no kernel)');
  const relu = [14, 29, 42, 57, 70].map((id) => ({ op: `relu(${id})`, backend: 'reference', declined: ['native: runs conv2d'] }));
  const line = placementLine({
    counts: { native: 3, reference: 7 }, reorders: 2,
    fallbacks: [...relu, { op: 'softmax(90)', backend: 'reference', declined: ['native: runs conv2d'] }, { op: 'concat(54)', backend: 'reference', declined: ['native: s8 input'] }],
  });
  assert.is(line, 'placement: native 3 ops, reference 7 ops, 2 reorders; fell back: relu(14, 29, 42 and 2 more), softmax(90) on reference (native: runs conv2d); concat(54) on reference (native: s8 input)');
});

test.run();
