// sortTopologically: the op list becomes a topological order of the data edges, stable where the order is free,
// and a cycle or a read of a var no op writes is a one-line error naming the op.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sortTopologically } from '../../src/graph/topo';
import { build, show } from '../passes/util';

const AT = { where: 'after pass p', code: 'internal' as const };
const ids = (g: ReturnType<typeof build>) => g.ops.map((o) => o.id);

test('a reader placed before its single writer moves after it; independent ops keep program order', () => {
  // a PaddleClas bottleneck after the residual fuse: branch2c reads the shortcut, which is computed after it
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] } },
    { type: 'relu', inputs: { X: ['x'] }, outputs: { Out: ['a'] } },           // branch2a
    { type: 'relu', inputs: { X: ['a'] }, outputs: { Out: ['b'] } },           // branch2b
    { type: 'elementwise_add', inputs: { X: ['b'], Y: ['s'] }, outputs: { Out: ['c'] } }, // branch2c + shortcut
    { type: 'sigmoid', inputs: { X: ['x'] }, outputs: { Out: ['s'] } },        // shortcut, after branch2c
    { type: 'fetch', inputs: { X: ['c'] }, outputs: { Out: ['fetch'] } },
  ]);
  const before = ids(g);
  sortTopologically(g, AT);
  assert.equal(show(g), [
    'feed(X=feed) -> (Out=x)',
    'relu(X=x) -> (Out=a)',
    'relu(X=a) -> (Out=b)',
    'sigmoid(X=x) -> (Out=s)',
    'elementwise_add(X=b; Y=s) -> (Out=c)',
    'fetch(X=c) -> (Out=fetch)',
  ]);
  // ops keep their ids (what --op_ids_to_skip names); only the order changes
  assert.equal(ids(g), [before[0], before[1], before[2], before[4], before[3], before[5]]);
});

test('an ordered list is left as it is (same array), including in-place chains and in-place batch_norm stats', () => {
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] } },
    { type: 'relu', inputs: { X: ['x'] }, outputs: { Out: ['t'] } },
    { type: 'sigmoid', inputs: { X: ['t'] }, outputs: { Out: ['u'] } },      // reads the first version of t
    { type: 'relu', inputs: { X: ['t'] }, outputs: { Out: ['t'] } },         // in place: second version
    { type: 'batch_norm', inputs: { X: ['t'], Mean: ['m'] }, outputs: { Y: ['y'], MeanOut: ['m'] } },
    { type: 'elementwise_add', inputs: { X: ['y'], Y: ['u'] }, outputs: { Out: ['o'] } },
    { type: 'fetch', inputs: { X: ['o'] }, outputs: { Out: ['fetch'] } },
  ], { m: { dims: [1], data: [0] } });
  const list = g.ops;
  const before = show(g);
  sortTopologically(g, AT);
  assert.is(g.ops, list);
  assert.equal(show(g), before);
});

test('a reader of the first version of an in-place var stays before the overwrite even when it could move', () => {
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] } },
    { type: 'relu', inputs: { X: ['x'] }, outputs: { Out: ['t'] } },
    { type: 'elementwise_add', inputs: { X: ['t'], Y: ['late'] }, outputs: { Out: ['o'] } }, // reads t v1 and `late`
    { type: 'relu', inputs: { X: ['t'] }, outputs: { Out: ['t'] } },                          // t v2
    { type: 'sigmoid', inputs: { X: ['x'] }, outputs: { Out: ['late'] } },
    { type: 'fetch', inputs: { X: ['o'] }, outputs: { Out: ['fetch'] } },
  ]);
  // the add must follow `late` (its writer) yet precede the in-place relu: both the relu and the add wait
  sortTopologically(g, AT);
  assert.equal(show(g), [
    'feed(X=feed) -> (Out=x)',
    'relu(X=x) -> (Out=t)',
    'sigmoid(X=x) -> (Out=late)',
    'elementwise_add(X=t; Y=late) -> (Out=o)',
    'relu(X=t) -> (Out=t)',
    'fetch(X=o) -> (Out=fetch)',
  ]);
});

test('a cycle is an error naming the ops on it and the vars they read', () => {
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] } },
    { type: 'elementwise_add', inputs: { X: ['x'], Y: ['b'] }, outputs: { Out: ['a'] } },
    { type: 'relu', inputs: { X: ['a'] }, outputs: { Out: ['b'] } },
    { type: 'fetch', inputs: { X: ['b'] }, outputs: { Out: ['fetch'] } },
  ]);
  const add = g.ops[1].label, relu = g.ops[2].label;
  assert.throws(() => sortTopologically(g, AT), (e: Error) =>
    e.message === `after pass p: op ${add} is on a cycle (${relu} reads 'a', ${add} reads 'b')`);
});

test('a read of a var that no op writes (and is no parameter) is an error naming the op and the var', () => {
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] } },
    { type: 'elementwise_add', inputs: { X: ['x'], Y: ['ghost'] }, outputs: { Out: ['a'] } },
    { type: 'fetch', inputs: { X: ['a'] }, outputs: { Out: ['fetch'] } },
  ]);
  assert.throws(() => sortTopologically(g, { where: 'model m', code: 'format' }),
    (e: Error & { code?: string }) => e.message === `model m: op ${g.ops[1].label} reads 'ghost', which no op writes` && e.code === 'format');
  // a fragment without feed ops (a pass's test graph): unwritten vars are its inputs
  const fragment = build([
    { type: 'relu', inputs: { X: ['b'] }, outputs: { Out: ['c'] } },
    { type: 'elementwise_add', inputs: { X: ['in'], Y: ['in2'] }, outputs: { Out: ['b'] } },
  ]);
  sortTopologically(fragment, AT);
  assert.equal(show(fragment), ['elementwise_add(X=in; Y=in2) -> (Out=b)', 'relu(X=b) -> (Out=c)']);
});

test.run();
