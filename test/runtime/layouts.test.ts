// Layouts in the plan: with a backend that takes and leaves 4-D activations in NHWC (test/runtime/placement_util:
// the reference kernels behind NHWC boundaries), the runtime inserts a reorder exactly where a producer and its
// consumer disagree, one per (tensor, layout) however many read it, and before graph outputs; none where they
// agree. Outputs stay identical to all-reference. Plus the reorder kernels themselves.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../../src/backends/reference/backend';
import { compile } from '../../src/runtime/compile';
import { nchwToNhwc, nhwcToNchw, reorder, reorderUnsupported } from '../../src/runtime/layout';
import type { Plan } from '../../src/runtime/plan';
import { build } from '../passes/util';
import { chainInput, int8Chain, nhwcBackend } from './placement_util';
import { rng } from '../kernels/harness';

const ref = new ReferenceBackend();
const reorders = (plan: Plan) => plan.steps.filter((s) => s.op.type === 'reorder').map((s) => `${s.op.inputs[0].arguments[0]}→${s.op.outputs[0].arguments[0]}:${s.kernel.desc.kernel}`);
const where = (plan: Plan) => plan.steps.map((s) => `${s.op.type}@${s.executor.name}`);
const allReference = (g = int8Chain().g) => compile(g, ref, { batch: 2 }).run([chainInput()])[0].data as Float32Array;

test('reorder kernels: NCHW→NHWC by hand, and back, for u8, s8 and f32 bit patterns', () => {
  // [1,2,2,3]: channel 0 = 0..5, channel 1 = 10..15
  const src = Uint8Array.from([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
  const nhwc = new Uint8Array(12);
  nchwToNhwc(src, nhwc, [1, 2, 2, 3]);
  assert.equal(Array.from(nhwc), [0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]);
  const back = new Uint8Array(12);
  nhwcToNchw(nhwc, back, [1, 2, 2, 3]);
  assert.equal(Array.from(back), Array.from(src));
  const r = rng(7);
  for (const [dtype, make] of [['uint8', (n: number) => Uint8Array.from({ length: n }, () => r() * 256)],
    ['int8', (n: number) => Int8Array.from({ length: n }, () => r() * 256 - 128)],
    ['fp32', (n: number) => Float32Array.from({ length: n }, () => r() * 4 - 2)]] as const) {
    const dims = [2, 5, 3, 7];
    const x = make(210);
    const bytes = new Uint8Array(x.buffer);
    const mid = new Uint8Array(bytes.length), out = new Uint8Array(bytes.length);
    reorder(bytes, mid, dims, dtype, 'NCHW', 'NHWC');
    assert.not.equal(Array.from(mid), Array.from(bytes), `${dtype}: NHWC differs from NCHW`);
    reorder(mid, out, dims, dtype, 'NHWC', 'NCHW');
    assert.equal(Array.from(out), Array.from(bytes), `${dtype}: round trip`);
  }
  assert.match(reorderUnsupported('blocked:nChw16c', 'NCHW', [1, 16, 2, 2], 'fp32')!, /blocked layout is private/);
  assert.match(reorderUnsupported('NCHW', 'NHWC', [4, 5], 'fp32')!, /needs a 4-D tensor/);
});

test('NHWC convs between NCHW ops: exactly one reorder per boundary, none between the two NHWC convs', () => {
  const { g } = int8Chain();
  const plan = compile(g, [nhwcBackend(['conv2d']), ref], { batch: 2 });
  assert.equal(where(plan), [
    'quantize@reference', 'reorder@runtime', 'conv2d@native', 'conv2d@native', 'reorder@runtime', 'pool2d@reference',
    'reorder@runtime', 'conv2d@native', 'reorder@runtime',
  ]);
  assert.equal(reorders(plan), [
    'q→q@nhwc:reorder_nchw_to_nhwc_s8', 'a2→a2@nchw:reorder_nhwc_to_nchw_u8', 'a3→a3@nhwc:reorder_nchw_to_nhwc_u8',
    'y→y@nchw:reorder_nhwc_to_nchw_f32', // the graph output: always plain NCHW
  ]);
  const p = plan.placement();
  assert.equal(p.counts, { native: 3, reference: 2 });
  assert.is(p.reorders, 4);
  assert.ok(plan.steps.filter((s) => s.op.type === 'reorder').every((s) => s.op.id < 0), 'reorders take ids no graph op has');
  assert.equal(plan.specs.get('a1')!.layout, 'NHWC');
  const out = plan.run([chainInput()])[0].data as Float32Array;
  assert.equal(Array.from(out), Array.from(allReference()));
});

test('every op on the NHWC backend: reorders only at the graph input and output', () => {
  const plan = compile(int8Chain().g, [nhwcBackend(['quantize', 'conv2d', 'pool2d']), ref], { batch: 2 });
  assert.equal(reorders(plan), ['x→x@nhwc:reorder_nchw_to_nhwc_f32', 'y→y@nchw:reorder_nhwc_to_nchw_f32']);
  assert.equal(plan.placement().counts, { native: 5 });
  assert.equal(Array.from(plan.run([chainInput()])[0].data as Float32Array), Array.from(allReference()));
  // a kept var left in NHWC reads back as NCHW, equal to the reference's
  const kept = compile(int8Chain().g, [nhwcBackend(['quantize', 'conv2d', 'pool2d']), ref], { batch: 2, keep: ['a2'] });
  const want = compile(int8Chain().g, ref, { batch: 2, keep: ['a2'] });
  kept.run([chainInput()]); want.run([chainInput()]);
  assert.is(kept.specs.get('a2')!.layout, 'NHWC');
  assert.equal(Array.from(kept.read('a2').data as Uint8Array), Array.from(want.read('a2').data as Uint8Array));
});

test('producers and consumers that agree: zero reorders (all NCHW, and NHWC→NHWC)', () => {
  assert.equal(reorders(compile(int8Chain().g, ref, { batch: 2 })), []);
  // an NHWC tensor read by two NCHW ops: one reorder, shared
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: 'relu', inputs: { X: ['x'] }, outputs: { Out: ['h'] } },
    { type: 'scale', inputs: { X: ['h'] }, outputs: { Out: ['s'] }, attrs: { scale: 2 } },
    { type: 'relu6', inputs: { X: ['h'] }, outputs: { Out: ['r'] } },
    { type: 'elementwise_add', inputs: { X: ['s'], Y: ['r'] }, outputs: { Out: ['y'] } },
    { type: 'fetch', inputs: { X: ['y'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], {}, { x: [-1, 3, 4, 5] });
  const input = Float32Array.from({ length: 60 }, (_, i) => (i % 13) - 4.5);
  const plan = compile(g, [nhwcBackend(['relu']), ref], { batch: 1 });
  assert.equal(reorders(plan), ['x→x@nhwc:reorder_nchw_to_nhwc_f32', 'h→h@nchw:reorder_nhwc_to_nchw_f32']);
  const want = compile(g, ref, { batch: 1 }).run([input])[0].data as Float32Array;
  assert.equal(Array.from(plan.run([input])[0].data as Float32Array), Array.from(want));
  // relu and scale both NHWC: h is not reordered between them
  const both = compile(g, [nhwcBackend(['relu', 'scale']), ref], { batch: 1 });
  assert.equal(reorders(both), ['x→x@nhwc:reorder_nchw_to_nhwc_f32', 'h→h@nchw:reorder_nhwc_to_nchw_f32', 's→s@nchw:reorder_nhwc_to_nchw_f32']);
  assert.equal(Array.from(both.run([input])[0].data as Float32Array), Array.from(want));
});

test.run();
