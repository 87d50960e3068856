// conv_elementwise_add_mkldnn_fuse_pass (spec 3.5; PaddlePaddle/Paddle:paddle/fluid/framework/ir/mkldnn/
// conv_elementwise_add_mkldnn_fuse_pass.cc, ResidualConnectionMKLDNNFusePass): a conv whose output is one
// operand of an elementwise_add takes the other operand as ResidualData (fuse_residual_connection = true) and
// writes the add's Out. Paddle's order: both operands convs (the conv on the long branch — the one whose
// output is reachable from the other conv's input — is fused, the other output is the residual), then conv
// as X, then conv as Y; the residual must reach the conv's output (so a bias parameter never qualifies), and
// a conv with an activation already fused is left alone.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { attrBool, attrNum, attrStr } from '../ops/attr';
import { CONV_TYPES, reachable, setBool, soleConsumer, type Pass, type PassContext } from './pass';

function convOf(g: Graph, name: string | undefined): Op | undefined {
  if (!name) return undefined;
  const p = g.producer(name);
  if (!p || !CONV_TYPES.has(p.type) || p.output('Output') !== name || soleConsumer(g, name) === undefined) return undefined;
  if (attrBool(p, 'fuse_residual_connection')) return undefined;
  return p;
}

function sameDims(g: Graph, a: string, b: string): boolean {
  const da = g.var(a)?.dims, db = g.var(b)?.dims;
  if (!da || !db || da.length === 0 || db.length === 0) return true; // unknown: the add itself needs equal shapes here
  return da.length === db.length && da.every((d, i) => d === db[i] || d < 0 || db[i] < 0);
}

function fuse(g: Graph, ctx: PassContext, conv: Op, add: Op, residual: string): void {
  conv.setInput('ResidualData', [residual]);
  conv.setOutput('Output', [add.output('Out')!]);
  setBool(conv, 'fuse_residual_connection', true);
  g.removeOp(add);
  ctx.note('fused', conv, `+ ${add.label} (residual '${residual}')`);
}

const hasAct = (op: Op) => attrStr(op, 'fuse_activation') !== '';

export const convElementwiseAddMkldnnFusePass: Pass = {
  name: 'conv_elementwise_add_mkldnn_fuse_pass',
  doc: 'conv2d + elementwise_add(residual) → conv2d with ResidualData',
  run(g, ctx) {
    const adds = () => g.ops.filter((o) => o.type === 'elementwise_add');
    const candidate = (add: Op) => {
      const x = add.input('X'), y = add.input('Y');
      if (!x || !y || !add.output('Out') || g.isParam(x) || g.isParam(y) || !sameDims(g, x, y)) return undefined;
      const ax = attrNum(add, 'axis');
      if (ax !== -1 && ax !== 0) return undefined;
      return { x, y };
    };
    // 1. projection: both operands are conv outputs
    for (const add of adds()) {
      const c = candidate(add);
      if (!c) continue;
      const cx = convOf(g, c.x), cy = convOf(g, c.y);
      if (!cx || !cy) continue;
      let conv: Op, residual: string;
      if (reachable(g, cx.input('Input')!, c.y)) { conv = cy; residual = c.x; }
      else if (reachable(g, cy.input('Input')!, c.x)) { conv = cx; residual = c.y; }
      else continue;
      if (hasAct(conv)) continue;
      fuse(g, ctx, conv, add, residual);
    }
    // 2. conv as X, 3. conv as Y
    for (const asX of [true, false]) {
      for (const add of adds()) {
        const c = candidate(add);
        if (!c) continue;
        const conv = convOf(g, asX ? c.x : c.y);
        const residual = asX ? c.y : c.x;
        if (!conv || hasAct(conv) || !reachable(g, residual, conv.output('Output')!)) continue;
        fuse(g, ctx, conv, add, residual);
      }
    }
  },
};
