// The op list as a graph's topological order. Paddle's ir::Graph is a graph, not a list: when a pass pipeline
// writes it back to a program, its ops are topologically sorted (PaddlePaddle/Paddle:paddle/fluid/framework/ir/
// graph_helper.cc TopologySortOperations, used by graph_to_program_pass.cc). qdeploy's IR keeps a list, and a
// pass that rewires an op to read a var whose producer sits later in the list (the residual fuse on a ResNet
// whose shortcut conv comes after branch2c, as PaddleClas writes it) leaves a list no runtime can execute in
// order. sortTopologically() restores the guarantee: stable (an op moves only when a var it reads is written
// later; otherwise program order is kept) and checked (a cycle, or a read of a var no op writes, is an error).
//
// Edges: a var with one writer links it to every reader, wherever they sit; a var with several writers (an
// in-place chain such as caffe2fluid's `relu(X=t) -> Out=t`) keeps program order: each reader depends on the last
// writer before it, and the next writer waits for it. Parameters, feed/fetch holders and batch_norm's in-place
// statistics (persistable) are available from the start and give no edges. A program with feed ops declares its
// inputs through them, so there a var no op writes is a fault; in a fragment without feed ops (a pass's test
// graph) such vars are its inputs.
import { QdeployError, type ErrorCode } from '../util/errors';
import { VarTypeId } from '../util/dtype';
import type { Graph } from './graph';
import type { Op } from './op';

/** where the check runs (`after pass conv_bn_fuse_pass`, `model m/`) and the error code a fault gets */
export interface OrderContext {
  where: string;
  code: ErrorCode;
}

/** a min-heap of op indices: the ready op earliest in program order goes first (stable sort) */
class IndexHeap {
  private a: number[] = [];
  get size(): number { return this.a.length; }
  push(x: number): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

function availableFromStart(g: Graph, name: string): boolean {
  if (name === 'feed' || name === 'fetch') return true;
  const v = g.var(name);
  if (!v) return false;
  return v.persistable || v.kind === VarTypeId.FEED_MINIBATCH || v.kind === VarTypeId.FETCH_LIST;
}

/** re-sorts g.ops topologically (stable); throws a one-line error naming the op on a cycle or a read of nothing */
export function sortTopologically(g: Graph, at: OrderContext): void {
  const ops = g.ops;
  const n = ops.length;
  const writers = new Map<string, number[]>();
  ops.forEach((op, i) => {
    for (const name of new Set(op.allOutputs())) {
      if (availableFromStart(g, name)) continue;
      const list = writers.get(name);
      if (list) list.push(i); else writers.set(name, [i]);
    }
  });
  const succ: number[][] = Array.from({ length: n }, () => []);
  const pred: { from: number; via: string }[][] = Array.from({ length: n }, () => []);
  const edge = (from: number, to: number, via: string) => {
    if (from === to) return;
    succ[from].push(to);
    pred[to].push({ from, via });
  };
  const hasFeeds = ops.some((o) => o.type === 'feed');
  const fault = (op: Op, msg: string) => new QdeployError(at.code, `${at.where}: op ${op.label} ${msg}`);
  ops.forEach((op, i) => {
    if (op.type === 'feed') return; // reads the feed holder the executor fills
    for (const name of new Set(op.allInputs())) {
      if (availableFromStart(g, name)) continue;
      const ws = writers.get(name);
      if (!ws) {
        if (hasFeeds) throw fault(op, `reads '${name}', which no op writes`);
        continue;
      }
      if (ws.length === 1) {
        // an op that alone reads and writes a var keeps state in it (a fake quant op's InScale/OutScale): whether
        // it has a value is the op's business (scale_io.ts names a missing one), not the order's
        edge(ws[0], i, name);
        continue;
      }
      let before = -1, after = -1;
      for (const w of ws) {
        if (w < i) before = w;
        else if (w > i && after < 0) after = w;
      }
      if (before < 0) throw fault(op, `reads '${name}' before any op writes it`);
      edge(before, i, name);
      if (after >= 0) edge(i, after, name);
    }
  });
  for (const [name, ws] of writers) for (let k = 1; k < ws.length; k++) edge(ws[k - 1], ws[k], name);

  const indeg = pred.map((p) => p.length);
  const heap = new IndexHeap();
  indeg.forEach((d, i) => { if (d === 0) heap.push(i); });
  const order: number[] = [];
  while (heap.size) {
    const i = heap.pop();
    order.push(i);
    for (const j of succ[i]) if (--indeg[j] === 0) heap.push(j);
  }
  if (order.length < n) throw cycleError(ops, pred, indeg, at);
  if (order.some((k, pos) => k !== pos)) g.ops = order.map((k) => ops[k]);
}

/** names the ops of one cycle: walk unplaced predecessors from the earliest unplaced op until one repeats */
function cycleError(ops: Op[], pred: { from: number; via: string }[][], indeg: number[], at: OrderContext): QdeployError {
  const start = indeg.findIndex((d) => d > 0);
  const seen = new Map<number, number>();
  const path: { op: number; via: string }[] = [];
  let cur = start;
  while (!seen.has(cur)) {
    seen.set(cur, path.length);
    const p = pred[cur].find((e) => indeg[e.from] > 0)!;
    path.push({ op: cur, via: p.via });
    cur = p.from;
  }
  const loop = path.slice(seen.get(cur)!).reverse();
  const desc = loop.map((s) => `${ops[s.op].label} reads '${s.via}'`).join(', ');
  return new QdeployError(at.code, `${at.where}: op ${ops[cur].label} is on a cycle (${desc})`);
}
