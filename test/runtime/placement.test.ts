// Placement by the runtime: an INT8 conv chain split across wasm and reference (an op wasm declines, and a forced
// split in the middle of the conv chain) gives bytes identical to all-reference, on one arena in wasm memory that
// the reference kernels read and write through arena.u8() views; the plan reports where each op ran.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../../src/backends/reference/backend';
import { WasmBackend } from '../../src/backends/wasm/backend';
import { wasmUnavailable } from '../../src/backends/select';
import { compile } from '../../src/runtime/compile';
import { QdeployError } from '../../src/util/errors';
import { skipTest } from '../skip';
import { chainInput, declining, int8Chain, nhwcBackend } from './placement_util';

const ref = new ReferenceBackend();
const noWasm = wasmUnavailable('simd128');
const wasm = noWasm ? undefined : new WasmBackend({ isa: 'simd128', threads: 1 });

function allReference(): Float32Array {
  const plan = compile(int8Chain().g, ref, { batch: 2 });
  return plan.run([chainInput()])[0].data as Float32Array;
}

const where = (plan: ReturnType<typeof compile>) => plan.steps.map((s) => `${s.op.type}@${s.executor.name}`);

test('an op wasm declines (pool2d) runs on reference, on the wasm arena; output identical to all-reference', () => {
  if (!wasm) { skipTest(`wasm: ${noWasm}`); return; }
  const { g, ids } = int8Chain();
  const plan = compile(g, [declining(wasm, ['pool2d']), ref], { batch: 2 });
  assert.equal(where(plan), ['quantize@wasm', 'conv2d@wasm', 'conv2d@wasm', 'pool2d@reference', 'conv2d@wasm']);
  const p = plan.placement();
  assert.equal(p.counts, { wasm: 4, reference: 1 });
  assert.is(p.reorders, 0);
  assert.equal(p.fallbacks, [{ op: `pool2d(${ids.pool})`, backend: 'reference', declined: ['wasm: declines pool2d (test)'] }]);
  assert.is(plan.placementLine(), `placement: wasm 4 ops, reference 1 op, 0 reorders; fell back: pool2d(${ids.pool}) on reference (wasm: declines pool2d (test))`);
  assert.equal(plan.opTimes.map((t) => t.backend), ['wasm', 'wasm', 'wasm', 'reference', 'wasm']);
  // one arena, in wasm memory: the reference step sees the same object, no copies at the boundary
  assert.ok(plan.arena.u8().buffer === wasm.memory.buffer, 'arena is not in wasm memory');
  assert.ok(plan.steps.every((s) => s.io.arena === plan.arena));
  const out = plan.run([chainInput()])[0].data as Float32Array;
  const want = allReference();
  assert.equal(Array.from(out), Array.from(want));
  assert.ok(want.some((v) => v !== 0), 'all-zero output proves nothing');
  plan.dispose();
});

test('a forced split in the middle of the conv chain (conv2 on reference) is identical to all-reference', () => {
  if (!wasm) { skipTest(`wasm: ${noWasm}`); return; }
  const { g, ids } = int8Chain();
  const plan = compile(g, [wasm, ref], { batch: 2, force: { [ids.conv2]: 'reference' } });
  assert.equal(where(plan), ['quantize@wasm', 'conv2d@wasm', 'conv2d@reference', 'pool2d@wasm', 'conv2d@wasm']);
  assert.equal(plan.placement().counts, { wasm: 4, reference: 1 });
  // wasm kernels (named `<wasm export>/<variant>`) ran on both sides of the split
  assert.ok(plan.steps.filter((s) => s.executor.name === 'wasm').every((s) => s.kernel.desc.kernel.includes('/')));
  const out = plan.run([chainInput()])[0].data as Float32Array;
  assert.equal(Array.from(out), Array.from(allReference()));
  plan.dispose();
});

test('one backend alone still compiles (the single-backend call), every op on it', () => {
  const plan = compile(int8Chain().g, ref, { batch: 2 });
  assert.equal(plan.placement(), { counts: { reference: 5 }, reorders: 0, fallbacks: [] });
  assert.equal(plan.backends.map((b) => b.name), ['reference']);
});

test('an op no backend accepts: one error naming it with every backend\'s reason', () => {
  const { g, ids } = int8Chain();
  try {
    compile(g, [declining(ref, ['pool2d'])], { batch: 2 });
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, QdeployError);
    assert.match((e as Error).message, `backend reference cannot run 1 op(s): pool2d(${ids.pool}) [X:uint8]: declines pool2d (test)`);
  }
});

test('force: onto a backend not in the list, or one that declines the op, is refused', () => {
  const { g, ids } = int8Chain();
  assert.throws(() => compile(g, [ref], { force: { [ids.conv1]: 'wasm' } }), /force: op \d+ on wasm, which is not among the backends \(reference\)/);
  try {
    compile(g, [nhwcBackend(['conv2d']), ref], { force: { [ids.pool]: 'native' } });
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, `pool2d(${ids.pool}) [X:uint8]: native: not in this test backend`);
  }
});

test('two backends that each need their own arena cannot share a plan', () => {
  if (!wasm) { skipTest(`wasm: ${noWasm}`); return; }
  const other = new WasmBackend({ isa: 'simd128', threads: 1 });
  const { g, ids } = int8Chain();
  const native = { ...declining(other, []), name: 'native' as const };
  assert.throws(() => compile(g, [wasm, native], { force: { [ids.pool]: 'native' } }), /backends wasm and native each need an arena of their own/);
  other.dispose();
});

test.after(() => wasm?.dispose());
test.run();
