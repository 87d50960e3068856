// Beyond Paddle (--int8_weights): store the filters of int8 conv2d and the W of int8 fc as int8 tensors,
// quantized by the INT8 contract's own rule (src/int8/contract.ts quantizeWeight: w_q = sat_s8(rne(f32(w · Sw[c])))),
// so the model shrinks ~4× and runs bit-identically.
// Paddle Inference cannot read such filters (its oneDNN kernels expect fp32 weights).
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { quantizeWeight } from '../int8/contract';
import { isInt8, type Pass, type PassContext } from './pass';

function convert(g: Graph, ctx: PassContext, op: Op, slot: string, axis: 0 | 1): void {
  const name = op.input(slot);
  const t = name ? g.param(name) : undefined;
  const sw = op.attr<number[]>('Scale_weights');
  if (!name || !t || t.dtype !== 'fp32' || !sw) return;
  if (g.consumers(name).length !== 1) { ctx.note('info', op, `weight '${name}' is shared: kept fp32`); return; }
  const src = t.data as Float32Array;
  const rows = t.dims[0], cols = src.length / rows;
  const n = axis === 0 ? rows : cols;
  if (sw.length !== 1 && sw.length !== n) return;
  const q = new Int8Array(src.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const ch = sw.length === 1 ? 0 : axis === 0 ? r : c;
      q[r * cols + c] = quantizeWeight(src[r * cols + c], sw[ch]);
    }
  }
  g.params.set(name, { dtype: 'int8', dims: [...t.dims], data: q });
  g.var(name)!.dtype = 'int8';
  ctx.note('info', op, `weight '${name}' stored as int8`);
}

export const int8WeightsPass: Pass = {
  name: 'int8_weights',
  requires: ['cpu_quantize_pass'],
  doc: 'store int8 conv/fc weights as int8 tensors (qdeploy extension)',
  run(g, ctx) {
    for (const op of g.ops) {
      if (!isInt8(op)) continue;
      if (op.type === 'conv2d' || op.type === 'depthwise_conv2d') convert(g, ctx, op, 'Filter', 0);
      else if (op.type === 'fc') convert(g, ctx, op, 'W', 1);
    }
  },
};
