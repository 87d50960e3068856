// A PaddleSlim-style quant model from an FP32 graph and activation ranges, for `qdeploy zoo --quant` while no
// calibration engine is wired in: the frozen QAT/PTQ layout (spec 8.3) —
//   act → fake_quantize_moving_average_abs_max {InScale = abs-max threshold} → conv2d with integer-valued
//   weights round(W/T[c]·127) → fake_channel_wise_dequantize_max_abs {Scales: [w@scale (T), act@scale]}.
// Only conv2d/depthwise_conv2d are quantized (Paddle's default quantizable types minus mul).
import type { Graph } from '../graph/graph';
import { Var } from '../graph/var';
import { referenceBackend } from '../backends/reference/backend';
import type { Backend } from '../runtime/backend';
import { compile } from '../runtime/compile';
import { QdeployError } from '../util/errors';

/** abs max of every fp32 activation over the images (batch `batch`) */
export function absMaxRanges(g: Graph, images: Float32Array[], backend: Backend = referenceBackend(), batch = 1): Map<string, number> {
  const plan = compile(g, backend, { batch, keep: 'all' });
  const max = new Map<string, number>();
  const per = images[0].length;
  for (let i = 0; i + batch <= images.length; i += batch) {
    const buf = new Float32Array(per * batch);
    for (let j = 0; j < batch; j++) buf.set(images[i + j], j * per);
    plan.run([buf]);
    for (const [name, spec] of plan.specs) {
      if (spec.value || !plan.has(name) || spec.dtype !== 'fp32') continue;
      const d = plan.read(name).data as Float32Array;
      let m = max.get(name) ?? 0;
      for (let k = 0; k < d.length; k++) { const a = Math.abs(d[k]); if (a > m) m = a; }
      max.set(name, m);
    }
  }
  plan.dispose();
  return max;
}

const rne = (x: number) => { const r = Math.round(x); return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r; };

function param(g: Graph, name: string, dims: number[], data: Float32Array): void {
  g.addVar(Var.create(name, 'fp32', dims, true));
  g.params.set(name, { dtype: 'fp32', dims, data });
}

export function insertFakeQuant(fp32: Graph, absMax: Map<string, number>): Graph {
  const g = fp32.clone();
  const quantized = new Map<string, string>();
  for (const op of [...g.ops]) {
    if ((op.type !== 'conv2d' && op.type !== 'depthwise_conv2d') || !g.isParam(op.input('Filter') ?? '')) continue;
    const x = op.input('Input')!;
    let xq = quantized.get(x);
    if (!xq) {
      const t = absMax.get(x);
      if (!t) throw new QdeployError('quant', `no calibration range for '${x}' (input of ${op.label})`);
      xq = `${x}.quantized`;
      const scale = `${x}@scale`;
      param(g, scale, [1], Float32Array.of(t));
      param(g, `${x}.state`, [1], Float32Array.of(1));
      param(g, `${x}.accum`, [1], Float32Array.of(t));
      g.addVar(Var.create(xq, 'fp32', g.var(x)?.dims ?? []));
      g.insertBefore(op, g.makeOp({
        type: 'fake_quantize_moving_average_abs_max',
        inputs: { X: [x], InScale: [scale], InState: [`${x}.state`], InAccum: [`${x}.accum`] },
        outputs: { Out: [xq], OutScale: [scale], OutState: [`${x}.state`], OutAccum: [`${x}.accum`] },
        attrs: { bit_length: 8, is_test: true, moving_rate: 0.9, round_type: 0 },
      }));
      quantized.set(x, xq);
    }
    op.renameInput(x, xq);
    const wName = op.input('Filter')!;
    const w = g.param(wName)!;
    const src = w.data as Float32Array;
    const oc = w.dims[0], inner = src.length / oc;
    const thr = new Float32Array(oc);
    const wq = new Float32Array(src.length);
    for (let c = 0; c < oc; c++) {
      let m = 0;
      for (let j = 0; j < inner; j++) m = Math.max(m, Math.abs(src[c * inner + j]));
      thr[c] = m;
      for (let j = 0; j < inner; j++) wq[c * inner + j] = m === 0 ? 0 : Math.max(-127, Math.min(127, rne((src[c * inner + j] / m) * 127)));
    }
    g.params.set(wName, { dtype: 'fp32', dims: [...w.dims], data: wq });
    param(g, `${wName}@scale`, [oc], thr);
    const out = op.output('Output')!;
    const outDq = `${out}.dequantized`;
    g.addVar(Var.create(outDq, 'fp32', g.var(out)?.dims ?? []));
    const dq = g.makeOp({
      type: 'fake_channel_wise_dequantize_max_abs',
      inputs: { X: [out], Scales: [`${wName}@scale`, `${x}@scale`] },
      outputs: { Out: [outDq] },
      attrs: { quant_bits: [8, 8], quant_axis: 0 },
    });
    g.insertAfter(op, dq);
    g.rewireConsumers(out, outDq, dq);
  }
  return g;
}
