// _propagate_scales (spec 3.8; PaddlePaddle/Paddle:paddle/fluid/framework/ir/onednn/
// compute_propagate_scales_onednn_pass.cc UpdateScales, 3.x): repeat until nothing changes:
//   scale-immutable ops (Paddle's list, src/ops/int8_scale.ts): if X has a
//     scale, Out := X's entry; else if Out has one, X := Out's entry (the whole entry, unsigned flag included);
//   concat: if Out has a scale, every input gets Out's entry;
//   scale: if Out has a scale, X := (Out's unsigned, Out's scale × attr scale).
import type { Op } from '../graph/op';
import { attrNum } from '../ops/attr';
import { SCALE_IMMUTABLE_OPS } from '../ops/int8_scale';
import type { Pass, PassContext, ScaleEntry } from './pass';

const same = (a: ScaleEntry | undefined, b: ScaleEntry) =>
  a !== undefined && a.unsigned === b.unsigned && a.scale.length === b.scale.length && a.scale.every((v, i) => v === b.scale[i]);

function step(ops: Op[], ctx: PassContext): { changed: boolean; waiting: number } {
  let changed = false, waiting = 0;
  const put = (name: string, e: ScaleEntry) => { if (!same(ctx.scales.get(name), e)) { ctx.scales.set(name, e); changed = true; } };
  for (const op of ops) {
    const inSlot = SCALE_IMMUTABLE_OPS[op.type];
    if (inSlot) {
      const x = op.input(inSlot), outs = op.outputList('Out');
      if (!x || outs.length === 0) continue;
      const ex = ctx.scales.get(x);
      const eo = outs.map((o) => ctx.scales.get(o)).find((e) => e !== undefined);
      if (ex) for (const o of outs) put(o, ex);
      else if (eo) put(x, eo);
      else waiting++;
    } else if (op.type === 'concat') {
      const eo = ctx.scales.get(op.output('Out') ?? '');
      if (eo) for (const x of op.inputList('X')) put(x, eo);
    } else if (op.type === 'scale') {
      const eo = ctx.scales.get(op.output('Out') ?? '');
      const x = op.input('X');
      if (eo && x) put(x, { unsigned: eo.unsigned, scale: eo.scale.map((v) => v * attrNum(op, 'scale')) });
    }
  }
  return { changed, waiting };
}

export const propagateScales: Pass = {
  name: 'propagate_scales',
  requires: ['compute_weight_scales'],
  doc: 'carry scales through transpose2/reshape2/pool2d/concat/scale/… until nothing changes',
  run(g, ctx) {
    for (let i = 0; i < g.ops.length + 2; i++) {
      const { changed } = step(g.ops, ctx);
      if (!changed) break;
    }
  },
};
