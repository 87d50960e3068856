// cpu_quantize_squash_pass (spec 3.11; PaddlePaddle/Paddle:paddle/fluid/framework/ir/mkldnn/
// cpu_quantize_squash_pass.cc, 2.x ApplyImpl order):
//   DequantQuantSquash: dequantize → quantize with equal Scale/Shift: both go, the next op reads the int8 tensor;
//     unequal: one requantize {Scale_in = dequantize Scale, Scale_out = quantize Scale}; a dequantize whose output
//     still has other readers stays for them.
//   OpRequantSquash: conv/fc → requantize (sole reader): the op takes Scale_out and writes the requantize output.
//   RequantOpSquash: requantize → op whose input scale attr (Scale_in / Scale_x / Scale_y) equals the requantize
//     Scale_out: the op's attr := Scale_in and it reads the requantize input.
//   OpDequantSquash: conv/fc/matmul → dequantize (sole reader): force_fp32_output = true and the op writes the
//     dequantize output; not for a conv with fuse_residual_connection (oneDNN cannot sum into fp32 there).
//   MultipleQuantizeSquash: quantize ops of one tensor with identical attrs are merged into the first.
// DequantScaleSquash / ScaleQuantSquash (scale ops next to dequantize/quantize) have nothing to do in the
// graphs the FP32 passes leave and are not implemented; QuantizeBf16Conv is bf16 only.
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { setBool, setFloat, soleConsumer, type Pass, type PassContext } from './pass';

const FP32_OUT_OPS = new Set(['conv2d', 'depthwise_conv2d', 'fc', 'matmul']);
const OUT_SCALE_OPS = new Set(['conv2d', 'depthwise_conv2d', 'fc']);

function dequantQuant(g: Graph, ctx: PassContext): void {
  for (const dq of g.ops.filter((o) => o.type === 'dequantize')) {
    const dIn = dq.input('Input'), dOut = dq.output('Output');
    if (!dIn || !dOut) continue;
    const quants = g.consumers(dOut).filter((o) => o.type === 'quantize');
    for (const q of quants) {
      const qOut = q.output('Output')!;
      const dScale = dq.num('Scale', 0), qScale = q.num('Scale', 0);
      if (dScale === qScale && dq.num('Shift', 0) === q.num('Shift', 0)) {
        g.rewireConsumers(qOut, dIn);
        g.removeOp(q);
        ctx.note('squashed', q, `with ${dq.label}: equal scales, the next op reads '${dIn}'`);
      } else {
        const rq = g.makeOp({ type: 'requantize', inputs: { Input: [dIn] }, outputs: { Output: [qOut] } });
        setFloat(rq, 'Scale_in', dScale);
        setFloat(rq, 'Scale_out', qScale);
        setFloat(rq, 'Shift_in', dq.num('Shift', 0));
        setFloat(rq, 'Shift_out', q.num('Shift', 0));
        setBool(rq, 'use_mkldnn', true);
        g.replaceOp(q, rq);
        ctx.note('squashed', q, `with ${dq.label} into ${rq.label} (Scale ${dScale} → ${qScale})`);
      }
    }
    if (quants.length > 0 && g.consumers(dOut).length === 0) g.removeOp(dq);
  }
}

function opRequant(g: Graph, ctx: PassContext): void {
  for (const rq of g.ops.filter((o) => o.type === 'requantize')) {
    const rIn = rq.input('Input')!;
    const op = g.producer(rIn);
    if (!op || !OUT_SCALE_OPS.has(op.type) || !op.hasAttr('Scale_out') || soleConsumer(g, rIn) !== rq) continue;
    setFloat(op, 'Scale_out', rq.num('Scale_out', 0));
    op.renameOutput(rIn, rq.output('Output')!);
    g.removeOp(rq);
    ctx.note('squashed', rq, `into ${op.label} (Scale_out)`);
  }
}

function requantOp(g: Graph, ctx: PassContext): void {
  for (const rq of g.ops.filter((o) => o.type === 'requantize')) {
    const rOut = rq.output('Output')!;
    const op = soleConsumer(g, rOut);
    if (!op) continue;
    let attr: string | undefined;
    if (op.input('Input') === rOut && op.hasAttr('Scale_in')) attr = 'Scale_in';
    else if (op.type === 'matmul' && op.input('X') === rOut) attr = 'Scale_x';
    else if (op.type === 'matmul' && op.input('Y') === rOut) attr = 'Scale_y';
    if (!attr || op.num(attr, NaN) !== rq.num('Scale_out', 0)) continue;
    setFloat(op, attr, rq.num('Scale_in', 0));
    op.renameInput(rOut, rq.input('Input')!);
    g.removeOp(rq);
    ctx.note('squashed', rq, `into ${op.label} (${attr})`);
  }
}

function opDequant(g: Graph, ctx: PassContext): void {
  for (const dq of g.ops.filter((o) => o.type === 'dequantize')) {
    const dIn = dq.input('Input')!;
    const op = g.producer(dIn);
    if (!op || !FP32_OUT_OPS.has(op.type) || soleConsumer(g, dIn) !== dq) continue;
    if (op.bool('fuse_residual_connection', false)) continue;
    // qdeploy: a relu6 bound was scaled by Scale_out for an int8 output; an fp32 output would clip at the scaled value
    if (op.str('fuse_activation', '') === 'relu6') continue;
    setBool(op, 'force_fp32_output', true);
    op.renameOutput(dIn, dq.output('Output')!);
    g.removeOp(dq);
    ctx.note('squashed', dq, `into ${op.label} (force_fp32_output)`);
  }
}

function multipleQuantize(g: Graph, ctx: PassContext): void {
  const key = (q: Op) => `${q.num('Scale', 0)}|${q.num('Shift', 0)}|${q.bool('is_negative_input', false)}`;
  const byInput = new Map<string, Op[]>();
  for (const q of g.ops) {
    if (q.type !== 'quantize' || q.num('Scale', 0) === 0) continue;
    const list = byInput.get(q.input('Input')!) ?? [];
    list.push(q);
    byInput.set(q.input('Input')!, list);
  }
  for (const list of byInput.values()) {
    for (let i = 1; i < list.length; i++) {
      const first = list.find((q) => key(q) === key(list[i]))!;
      if (first === list[i]) continue;
      g.rewireConsumers(list[i].output('Output')!, first.output('Output')!);
      g.removeOp(list[i]);
      ctx.note('squashed', list[i], `into ${first.label} (same tensor, same scale)`);
    }
  }
}

export const cpuQuantizeSquashPass: Pass = {
  name: 'cpu_quantize_squash_pass',
  requires: ['cpu_quantize_pass'],
  doc: 'squash dequantize→quantize pairs, requantize into neighbours, dequantize into fp32 outputs',
  run(g, ctx) {
    dequantQuant(g, ctx);
    opRequant(g, ctx);
    requantOp(g, ctx);
    opDequant(g, ctx);
    multipleQuantize(g, ctx);
    g.removeUnusedVars();
  },
};
