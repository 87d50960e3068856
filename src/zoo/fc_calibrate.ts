// Data-dependent init of the classifier, so that synthetic models give image-dependent predictions: with
// random conv weights the globally pooled features of different images are nearly the same vector, and every
// image would get the same top class. Run the model on a few generated images, standardise each pooled
// feature (fc weights scaled by spread/σ_i, bias absorbing −μ·W), as data-dependent initialisation does.
import type { Graph } from '../graph/graph';
import type { Backends } from '../runtime/compile';
import { compile } from '../runtime/compile';
import { QdeployError } from '../util/errors';

export function calibrateClassifier(g: Graph, images: Float32Array[], backend: Backends, spread = 2.5): void {
  const mul = [...g.ops].reverse().find((o) => o.type === 'mul');
  if (!mul) throw new QdeployError('internal', `${g.source}: no mul (fc) op to calibrate`);
  const add = g.consumers(mul.output('Out')!).find((o) => o.type === 'elementwise_add');
  const x = mul.input('X')!, wName = mul.input('Y')!, bName = add?.input('Y');
  const plan = compile(g, backend, { batch: 1, keep: [x] });
  const feats: Float32Array[] = [];
  for (const img of images) {
    plan.run([img]);
    feats.push(plan.read(x).data as Float32Array);
  }
  plan.dispose();
  const w = g.param(wName)!;
  const [K, N] = w.dims;
  const W = w.data as Float32Array;
  const mean = new Float64Array(K), std = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let s = 0, s2 = 0;
    for (const f of feats) { s += f[i]; s2 += f[i] * f[i]; }
    mean[i] = s / feats.length;
    std[i] = Math.sqrt(Math.max(s2 / feats.length - mean[i] * mean[i], 0));
  }
  const floor = Math.max(1e-3, [...std].sort((a, b) => a - b)[Math.floor(K / 2)] * 0.1);
  const bias = new Float64Array(N);
  for (let i = 0; i < K; i++) {
    const k = spread / Math.max(std[i], floor);
    for (let j = 0; j < N; j++) {
      // W ~ 1/√K per entry, standardised features: each logit has variance ≈ spread²
      W[i * N + j] = Math.fround(W[i * N + j] * k);
      bias[j] -= mean[i] * W[i * N + j];
    }
  }
  if (bName) {
    const b = g.param(bName)!.data as Float32Array;
    for (let j = 0; j < N; j++) b[j] = Math.fround(b[j] + bias[j]);
  }
}
