import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/graph/graph';
import { Var } from '../../src/graph/var';
import { compile } from '../../src/runtime/compile';
import { ReferenceBackend } from '../../src/backends/reference/backend';
import { QdeployError } from '../../src/util/errors';
import { VarTypeId } from '../../src/util/dtype';

function chain(types: string[]): Graph {
  const g = new Graph();
  g.addVar(new Var({ name: 'feed', type: { type: VarTypeId.FEED_MINIBATCH } }));
  g.addVar(new Var({ name: 'fetch', type: { type: VarTypeId.FETCH_LIST } }));
  g.addVar(Var.create('x0', 'fp32', [-1, 3]));
  g.append(g.makeOp({ type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x0'] }, attrs: { col: 0 } }));
  types.forEach((t, i) => {
    g.addVar(Var.create(`x${i + 1}`, 'fp32', [-1, 3]));
    g.append(g.makeOp({ type: t, inputs: { X: [`x${i}`] }, outputs: { Out: [`x${i + 1}`] } }));
  });
  g.append(g.makeOp({ type: 'fetch', inputs: { X: [`x${types.length}`] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } }));
  return g;
}

test('a plan runs for the batch it was compiled for and reuses the arena', () => {
  const g = chain(['relu', 'relu', 'relu', 'relu']);
  const plan = compile(g, new ReferenceBackend(), { batch: 2 });
  const [out] = plan.run([new Float32Array([-1, 2, -3, 4, -5, 6])]);
  assert.equal(out.dims, [2, 3]);
  assert.equal(Array.from(out.data as Float32Array), [0, 2, 0, 4, 0, 6]);
  // 5 tensors of 24 bytes, at most 2 live at once (+ the output kept to the end) → well under 5 slots
  assert.ok(plan.arenaBytes <= 3 * 64, `arena ${plan.arenaBytes} bytes`);
  assert.throws(() => plan.setInput(0, new Float32Array(3)), /expects 24 bytes/);
});

test('compile refuses a graph with one error listing every unknown op (type and id)', () => {
  const g = chain(['relu', 'frobnicate', 'relu', 'warp_ctc']);
  try {
    compile(g, new ReferenceBackend());
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, QdeployError);
    const m = (e as Error).message;
    assert.match(m, /cannot run 2 op\(s\)/);
    assert.match(m, new RegExp(`op type 'frobnicate' \\(id ${g.ops[2].id}\\) is unknown`));
    assert.match(m, new RegExp(`op type 'warp_ctc' \\(id ${g.ops[4].id}\\) is unknown`));
    assert.not.match(m, /\n/);
  }
});

test('kept vars stay readable after the run', () => {
  const g = chain(['relu', 'relu', 'relu']);
  const plan = compile(g, new ReferenceBackend(), { batch: 1, keep: 'all' });
  plan.run([new Float32Array([-1, 5, 2])]);
  assert.equal(Array.from(plan.read('x1').data as Float32Array), [0, 5, 2]);
  assert.equal(Array.from(plan.read('x0').data as Float32Array), [-1, 5, 2]);
});

test.run();
