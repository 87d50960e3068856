import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/graph/graph';
import { Var } from '../../src/graph/var';
import { toDot } from '../../src/graph/dot';
import { AttrType, type ProgramDesc } from '../../src/util/program_desc';
import { VarTypeId } from '../../src/util/dtype';

const tensorVar = (name: string, dims: number[], persistable = false) => {
  const v = Var.create(name, 'fp32', dims, persistable).desc;
  return v;
};

/** feed → conv2d → relu → fetch, with one var no op uses */
function tinyProgram(): ProgramDesc {
  return {
    blocks: [{
      idx: 0, parent_idx: -1,
      vars: [
        { name: 'feed', type: { type: VarTypeId.FEED_MINIBATCH } },
        { name: 'fetch', type: { type: VarTypeId.FETCH_LIST } },
        tensorVar('data', [-1, 1, 4, 4]),
        tensorVar('w', [2, 1, 3, 3], true),
        tensorVar('c', [-1, 2, 2, 2]),
        tensorVar('r', [-1, 2, 2, 2]),
        tensorVar('unused_b', [1]),
        tensorVar('unused_a', [1]),
      ],
      ops: [
        { type: 'feed', inputs: [{ parameter: 'X', arguments: ['feed'] }], outputs: [{ parameter: 'Out', arguments: ['data'] }],
          attrs: [{ name: 'col', type: AttrType.INT, i: 0 }] },
        { type: 'conv2d', inputs: [{ parameter: 'Input', arguments: ['data'] }, { parameter: 'Filter', arguments: ['w'] }],
          outputs: [{ parameter: 'Output', arguments: ['c'] }],
          attrs: [{ name: 'strides', type: AttrType.INTS, ints: [1, 1] }, { name: 'groups', type: AttrType.INT, i: 1 }] },
        { type: 'relu', inputs: [{ parameter: 'X', arguments: ['c'] }], outputs: [{ parameter: 'Out', arguments: ['r'] }], attrs: [] },
        { type: 'fetch', inputs: [{ parameter: 'X', arguments: ['r'] }], outputs: [{ parameter: 'Out', arguments: ['fetch'] }],
          attrs: [{ name: 'col', type: AttrType.INT, i: 0 }] },
      ],
    }],
  };
}

test('op ids follow Paddle ir::Graph numbering (op, first-use inputs by slot name, every output)', () => {
  const g = Graph.fromProgram(tinyProgram());
  // feed=0 (feed var 1, data 2); conv2d=3 (Filter w 4 before Input data: slots sorted; Output c 5);
  // relu=6 (Out r 7); fetch=8 (Out fetch 9); then the two unused vars 10, 11
  assert.equal(g.ops.map((o) => o.id), [0, 3, 6, 8]);
  assert.is(g.idCounter, 12);
  const q = g.makeOp({ type: 'quantize', inputs: { Input: ['data'] }, outputs: { Output: ['q'] } });
  assert.is(q.id, 12, 'new ops continue the counter');
  assert.is(g.idCounter, 14, 'the new op and its output var consume ids');
});

test('producer/consumers, feeds/fetches and edits', () => {
  const g = Graph.fromProgram(tinyProgram());
  assert.is(g.producer('c')?.type, 'conv2d');
  assert.equal(g.consumers('c').map((o) => o.type), ['relu']);
  assert.equal(g.feeds().map((f) => f.name), ['data']);
  assert.equal(g.fetches().map((f) => f.name), ['r']);
  const conv = g.ops[1];
  assert.equal(conv.ints('strides', []), [1, 1]);
  assert.is(conv.num('groups', 0), 1);
  conv.setAttr('fuse_activation', 'relu');
  assert.is(conv.attrRecord('fuse_activation')?.type, AttrType.STRING);
  conv.setAttr('Scale_in', 2.5);
  assert.is(conv.attrRecord('Scale_in')?.type, AttrType.FLOAT);
  // remove relu: rewire fetch to read conv's output
  const relu = g.ops[2];
  g.rewireConsumers('r', 'c', relu);
  g.removeOp(relu);
  assert.equal(g.fetches().map((f) => f.name), ['c']);
  const removed = g.removeUnusedVars();
  assert.equal(removed.sort(), ['r', 'unused_a', 'unused_b']);
  assert.ok(g.var('w'), 'params used by ops stay');
});

test('toProgram keeps untouched records and other blocks; clone is deep', () => {
  const p = tinyProgram();
  p.blocks.push({ idx: 1, parent_idx: 0, vars: [], ops: [] });
  const g = Graph.fromProgram(p);
  const out = g.toProgram();
  assert.equal(out.blocks[0].ops, p.blocks[0].ops);
  assert.equal(out.blocks[0].vars, p.blocks[0].vars);
  assert.is(out.blocks.length, 2);
  const c = g.clone();
  c.ops[1].setAttr('groups', 7);
  assert.is(g.ops[1].num('groups', 0), 1, 'clone does not share op records');
});

test('toDot labels ops as type(id) with key attrs and vars with dtype and shape', () => {
  const g = Graph.fromProgram(tinyProgram());
  const dot = toDot(g);
  assert.match(dot, /label="conv2d\(3\)\\ngroups=1\\nstrides=\[1,1\]"/);
  assert.match(dot, /label="data\\nfp32\[-1,1,4,4\]"/);
  assert.match(dot, /op3 -> v\d+ \[label="Output"\]/);
  assert.not.match(dot, /\\\\n/, 'no doubly escaped newlines');
});

test.run();
