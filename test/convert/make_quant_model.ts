// Test helper: turn an FP32 model into a PaddleSlim-style quant model (the frozen QAT / PTQ layout of
// QuantizationTransformPass + QuantizationFreezePass, spec 8.3): every conv2d/depthwise_conv2d gets
//   act → fake_quantize_moving_average_abs_max | fake_quantize_range_abs_max (InScale = abs-max threshold)
//       → conv (integer-valued weights round(W/T[c]·127), T[c] = max|W[c]|)
//       → fake_channel_wise_dequantize_max_abs {Scales: [w@scale (T), act@scale]}, quant_bits [8, 8]
// with activation thresholds measured by running the FP32 model on a few images (compile + reference backend,
// CompileOptions.keep = 'all'), and optionally `out_threshold` on every op (as PTQ writes it).
import type { Graph } from '../../src/graph/graph';
import { Var } from '../../src/graph/var';
import { referenceBackend } from '../../src/backends/reference/backend';
import { compile } from '../../src/runtime/compile';
import type { AttrValue } from '../../src/graph/op';
import { AttrType } from '../../src/util/program_desc';

export interface MakeQuantOptions {
  activation?: 'moving_average_abs_max' | 'range_abs_max';
  /** write out_threshold = abs max of the first output on every op */
  outThreshold?: boolean;
}

/**
 * abs max of every non-parameter tensor over the images (each run at batch 1); `onOutput` sees each image's
 * fetch targets, so one pass gives both the thresholds and the FP32 predictions
 */
export function calibrate(g: Graph, images: Float32Array[], onOutput?: (out: Float32Array, i: number) => void): Map<string, number> {
  const plan = compile(g, referenceBackend(), { batch: 1, keep: 'all' });
  const max = new Map<string, number>();
  for (const [i, img] of images.entries()) {
    const out = plan.run([img]);
    onOutput?.(out[0].data as Float32Array, i);
    for (const [name, spec] of plan.specs) {
      if (spec.value || !plan.has(name) || spec.dtype !== 'fp32') continue;
      const d = plan.read(name).data as Float32Array;
      let m = max.get(name) ?? 0;
      for (let i = 0; i < d.length; i++) { const a = Math.abs(d[i]); if (a > m) m = a; }
      max.set(name, m);
    }
  }
  plan.dispose();
  return max;
}

function rne(x: number): number { // numpy round: half to even
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

function param(g: Graph, name: string, dims: number[], data: Float32Array): void {
  g.addVar(Var.create(name, 'fp32', dims, true));
  g.params.set(name, { dtype: 'fp32', dims, data });
}

export function makeQuantModel(fp32: Graph, absMax: Map<string, number>, opts: MakeQuantOptions = {}): Graph {
  const g = fp32.clone();
  const act = opts.activation ?? 'moving_average_abs_max';
  if (opts.outThreshold) {
    for (const op of g.ops) {
      const o = op.allOutputs()[0];
      const m = o ? absMax.get(o) : undefined;
      if (op.type !== 'feed' && op.type !== 'fetch' && m && m > 0) op.setAttr('out_threshold', m, AttrType.FLOAT);
    }
  }
  const quantized = new Map<string, string>(); // activation → its quantized var (one fake op per tensor)
  for (const op of [...g.ops]) {
    if ((op.type !== 'conv2d' && op.type !== 'depthwise_conv2d') || !g.isParam(op.input('Filter') ?? '')) continue;
    const x = op.input('Input')!;
    let xq = quantized.get(x);
    if (!xq) {
      const t = absMax.get(x);
      if (!t) throw new Error(`no calibration range for '${x}'`);
      xq = `${x}.quantized`;
      const scale = `${x}@scale`;
      param(g, scale, [1], Float32Array.of(t));
      g.addVar(Var.create(xq, 'fp32', g.var(x)?.dims ?? []));
      const inputs: Record<string, string[]> = { X: [x], InScale: [scale] };
      const outputs: Record<string, string[]> = { Out: [xq], OutScale: [scale] };
      const attrs: Record<string, AttrValue> = { bit_length: 8, is_test: true, round_type: 0 };
      if (act === 'moving_average_abs_max') {
        param(g, `${x}.state`, [1], Float32Array.of(1));
        param(g, `${x}.accum`, [1], Float32Array.of(t));
        inputs.InState = [`${x}.state`]; inputs.InAccum = [`${x}.accum`];
        outputs.OutState = [`${x}.state`]; outputs.OutAccum = [`${x}.accum`];
        attrs.moving_rate = 0.9;
      } else {
        attrs.window_size = 10000;
      }
      const fq = g.makeOp({ type: `fake_quantize_${act}`, inputs, outputs, attrs });
      g.insertBefore(op, fq);
      quantized.set(x, xq);
    }
    op.renameInput(x, xq);
    // weights: channel-wise abs max, integer values
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
    // dequantize after the op; later readers of its output read the dequantized var
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
