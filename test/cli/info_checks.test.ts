// `qdeploy info` on structurally broken programs: it still prints what it can, then one error line, and exits 1
// (an input no earlier op produces, a cycle, groups that do not divide the channels), as `run` refuses them. An op
// without a schema is named itself (type and id), not the op reading its output, and called what it is: a Paddle op
// qdeploy does not support yet (info notes it and exits 0: the program is a valid Paddle program), or an op type
// Paddle does not have (an error).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel } from '../../src/format/paddle';
import type { Tensor } from '../../src/util/dtype';
import type { OpDesc, ProgramDesc, VarDesc } from '../../src/util/program_desc';
import { oneLineError, qd } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'qdeploy-info-checks-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, 'x4.f32'); // one sample of the [-1,4] models below, for `run`
writeFileSync(input, new Uint8Array(new Float32Array([1, -2, 3, -4]).buffer));

const lt = (name: string, dims: number[], persistable = false): VarDesc => ({
  name, type: { type: 7, lod_tensor: { tensor: { data_type: 5, dims } } }, ...(persistable ? { persistable: true } : {}),
});
const op = (type: string, inputs: Record<string, string[]>, outputs: Record<string, string[]>, attrs: OpDesc['attrs'] = []): OpDesc => ({
  type,
  inputs: Object.entries(inputs).map(([parameter, args]) => ({ parameter, arguments: args })),
  outputs: Object.entries(outputs).map(([parameter, args]) => ({ parameter, arguments: args })),
  attrs,
});
const feed = (x: string) => op('feed', { X: ['feed'] }, { Out: [x] }, [{ name: 'col', type: 0, i: 0 }]);
const fetch = (y: string) => op('fetch', { X: [y] }, { Out: ['fetch'] }, [{ name: 'col', type: 0, i: 0 }]);

/** a model dir holding block 0 = `ops` over `vars` (+ feed/fetch vars) and the given parameters */
function model(name: string, vars: VarDesc[], ops: OpDesc[], params: Map<string, Tensor> = new Map()): string {
  const program: ProgramDesc = {
    blocks: [{ idx: 0, parent_idx: -1, vars: [{ name: 'feed', type: { type: 9 }, persistable: true }, { name: 'fetch', type: { type: 10 }, persistable: true }, ...vars], ops }],
  };
  const d = join(dir, name);
  saveModel(d, { program, params });
  return d;
}

// ids: feed is op 0 and its vars take 1-2 (Paddle's ir::Graph numbering), so the first op after feed has id 3
const chain = (name: string, types: string[]) => model(name,
  [lt('x0', [-1, 4]), ...types.map((_, i) => lt(`x${i + 1}`, [-1, 4]))],
  [feed('x0'), ...types.map((t, i) => op(t, { X: [`x${i}`] }, { Out: [`x${i + 1}`] })), fetch(`x${types.length}`)]);

function expectInfoError(d: string, re: RegExp): string {
  const r = qd(['info', d]);
  assert.is(r.code, 1, `info should exit 1; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.match(r.stdout, /^model: /, 'what can be printed still is');
  assert.match(r.stdout, /ops: \d+/);
  const line = oneLineError(r);
  assert.match(line, re);
  assert.not.match(line, /internal/);
  return line;
}

test('an input that no earlier op produces: info prints, then fails with run\'s message', () => {
  const d = model('ghost', [lt('x', [-1, 4]), lt('ghost', [-1, 4]), lt('y', [-1, 4])],
    [feed('x'), op('elementwise_add', { X: ['x'], Y: ['ghost'] }, { Out: ['y'] }, [{ name: 'axis', type: 0, i: -1 }]), fetch('y')]);
  const line = expectInfoError(d, /op elementwise_add\(\d+\): input 'ghost' \(slot Y\) is not produced by any earlier op/);
  const run = qd(['run', d, '--input', input]);
  assert.is(run.code, 1);
  assert.is(oneLineError(run).replace(/^qdeploy: error: /, ''), line.replace(/^qdeploy: error: /, ''), 'info and run give one message');
});

test('a cycle (each op reads the other\'s output) fails info', () => {
  const d = model('cycle', [lt('x', [-1, 4]), lt('a', [-1, 4]), lt('b', [-1, 4])],
    [feed('x'), op('relu', { X: ['b'] }, { Out: ['a'] }), op('relu', { X: ['a'] }, { Out: ['b'] }), fetch('b')]);
  expectInfoError(d, /op relu\(\d+\): input 'b' \(slot X\) is not produced by any earlier op/);
});

test('conv2d groups that do not divide the input channels fail info, naming the op', () => {
  const w: Tensor = { dtype: 'fp32', dims: [4, 1, 3, 3], data: new Float32Array(36).fill(0.5) };
  const d = model('groups', [lt('x', [-1, 3, 8, 8]), lt('w', [4, 1, 3, 3], true), lt('y', [-1, 4, 6, 6])],
    [feed('x'), op('conv2d', { Input: ['x'], Filter: ['w'] }, { Output: ['y'] }, [
      { name: 'groups', type: 0, i: 2 }, { name: 'strides', type: 3, ints: [1, 1] }, { name: 'paddings', type: 3, ints: [0, 0] },
      { name: 'dilations', type: 3, ints: [1, 1] }]), fetch('y')], new Map([['w', w]]));
  expectInfoError(d, /conv2d\(\d+\).*group/);
});

test('an op type Paddle does not have: info names that op (type and id), not its reader, and fails', () => {
  const d = chain('unknown', ['relu', 'frobnicate', 'relu']);
  const line = expectInfoError(d, /op type 'frobnicate' \(id \d+\) is unknown: Paddle has no such op/);
  assert.not.match(line, /relu/);
  const run = qd(['run', d, '--input', input]);
  assert.is(run.code, 1);
  assert.match(oneLineError(run), /op type 'frobnicate' \(id \d+\) is unknown/);
});

test('a real Paddle op qdeploy cannot run (prior_box): a note in info (exit 0), a refusal in run, both naming it as such', () => {
  const d = chain('prior_box', ['relu', 'prior_box', 'relu']);
  const r = qd(['info', d]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /note: .*op type 'prior_box' \(id \d+\) is a Paddle op qdeploy does not support yet/);
  assert.not.match(r.stdout, /unknown/);
  assert.not.match(r.stdout, /relu\(\d+\)/, 'the reader of its output is not blamed');
  const run = qd(['run', d, '--input', input]);
  assert.is(run.code, 1);
  const line = oneLineError(run);
  assert.match(line, /op type 'prior_box' \(id \d+\) is a Paddle op qdeploy does not support yet/);
  assert.not.match(line, /unknown/);
});

test('info --json on a broken program still prints the JSON (with the error), then the one error line', () => {
  const d = model('ghost-json', [lt('x', [-1, 4]), lt('ghost', [-1, 4]), lt('y', [-1, 4])],
    [feed('x'), op('relu', { X: ['ghost'] }, { Out: ['y'] }), fetch('y')]);
  const r = qd(['info', d, '--json']);
  assert.is(r.code, 1);
  const j = JSON.parse(r.stdout);
  assert.is(j.ops, 3);
  assert.match(j.error, /input 'ghost'/);
  assert.match(oneLineError(r), /input 'ghost' \(slot X\) is not produced by any earlier op/);
});

test.run();
