// The calibration loop: run the FP32 model batch by batch on a backend (compile(..., keep: the observed vars)),
// read every observed activation after each batch and feed it to its observer. Passes as PaddlePaddle's
// PostTrainingQuantization.quantize runs them (PaddlePaddle/Paddle:python/paddle/static/quantization/
// post_training_quantization.py): hist/KL read the data twice ("Preparation stage": abs min/max, then
// "Sampling stage": histograms), the others once. Memory stays bounded: one batch in flight, one tensor copied
// out at a time, observers keep running statistics only.
import type { Graph } from '../graph/graph';
import type { Backends } from '../runtime/compile';
import { compile } from '../runtime/compile';
import type { Plan } from '../runtime/plan';
import { numel } from '../util/dtype';
import { QdeployError } from '../util/errors';
import type { Progress } from '../util/progress';
import { makeObserver, passesFor, type Algo, type Observer, type ObserverOptions } from './observers';

export interface CalibrationBatch {
  /** count · C·H·W floats */
  images: Float32Array;
  count: number;
}

/** a fresh pass over the calibration data on every call */
export type BatchSource = () => AsyncIterable<CalibrationBatch>;

export interface CalibrateOptions extends ObserverOptions {
  algo: Algo;
  /** activation var names to observe */
  targets: readonly string[];
  /** batches per pass (for the progress bar) */
  batches: number;
  progress?: (label: string, total: number) => Progress;
}

export interface CalibrationResult {
  thresholds: Map<string, number>;
  /** observed vars that were empty in every batch (PTQ's _zero_size_var_names) */
  zeroSize: Set<string>;
  images: number;
  batches: number;
  seconds: number;
}

export async function calibrate(g: Graph, backend: Backends, data: BatchSource, opts: CalibrateOptions): Promise<CalibrationResult> {
  const t0 = performance.now();
  const feeds = g.feeds();
  if (feeds.length !== 1) throw new QdeployError('unsupported', `${g.source || 'model'}: calibration needs a model with one input, it has ${feeds.length}`);
  const feedVar = g.mustVar(feeds[0].name, feeds[0].op);
  const sample = feedVar.dims.slice(1);
  if (sample.some((d) => d < 1)) throw new QdeployError('shape', `${g.source || 'model'}: input '${feedVar.name}' has unknown dims [${feedVar.dims.join(',')}]`);
  const per = numel(sample);
  const observers = new Map<string, Observer>(opts.targets.map((n) => [n, makeObserver(opts.algo, opts)]));
  const plans = new Map<number, Plan>();
  const planFor = (n: number): Plan => {
    let p = plans.get(n);
    if (!p) {
      p = compile(g, backend, { batch: n, keep: [...opts.targets] });
      plans.set(n, p);
    }
    return p;
  };
  const passes = passesFor(opts.algo);
  let images = 0, batches = 0;
  try {
    for (let pass = 0; pass < passes; pass++) {
      const label = passes === 2 ? (pass === 0 ? 'calibrate 1/2 (min/max)' : 'calibrate 2/2 (histograms)') : 'calibrate';
      const bar = opts.progress?.(label, opts.batches);
      let ok = false;
      images = 0; batches = 0;
      try {
        for await (const b of data()) {
          if (b.count <= 0) continue;
          if (b.images.length !== b.count * per) {
            throw new QdeployError('shape', `calibration batch of ${b.count} images has ${b.images.length} floats; the model input '${feedVar.name}' takes [${sample.join(',')}] (${per} per image)`);
          }
          const plan = planFor(b.count);
          plan.setInput(0, b.images);
          plan.execute();
          for (const [name, obs] of observers) {
            if (!plan.has(name)) continue;
            const t = plan.read(name);
            const x = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
            obs.observe(pass, x, t.dims);
          }
          images += b.count; batches++;
          bar?.tick();
        }
        ok = true;
      } finally {
        bar?.stop(ok);
      }
      if (images === 0) throw new QdeployError('data', 'no calibration images');
      for (const obs of observers.values()) obs.endPass?.(pass);
    }
  } finally {
    for (const p of plans.values()) p.dispose();
  }
  const thresholds = new Map<string, number>();
  const zeroSize = new Set<string>();
  for (const [name, obs] of observers) {
    const t = obs.threshold();
    if (t === undefined) { zeroSize.add(name); continue; }
    if (!Number.isFinite(t)) {
      throw new QdeployError('quant', `activation '${name}' has a non-finite calibration threshold (${t}): the FP32 model produced inf/NaN on backend ${(Array.isArray(backend) ? backend : [backend]).map((b) => b.name).join('+')}; no model written`);
    }
    thresholds.set(name, t);
  }
  return { thresholds, zeroSize, images, batches, seconds: (performance.now() - t0) / 1000 };
}
