// Golden-model checks: real Paddle models from the shared assets run through loadGraph + compile(reference),
// compared with the independent float64 goldens (assets README "Goldens"; tolerances from each golden.json):
//   fp32:        per image: relative L2 <= 1e-4 and max|got − golden| <= 1e-3·max(1, max|golden|); top-1 equal
//                wherever the golden's top-2 margin > 1e-3.
//   legacy_int8: batch 1 per image vs logits_16.f32, and one batch of 16 vs logits_16_batch16.f32: relative L2
//                over the whole 16×1000 output <= 0.05, top-1 equal to the golden's on >= 14 of 16 images.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceBackend } from '../../src/backends/reference/backend';
import { loadGraph } from '../../src/app/model_io';
import { compile } from '../../src/runtime/compile';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { FP32_ANALYSIS } from '../../src/passes/pipelines';
import { openDataset } from '../../src/format/paddle/dataset_bin';
import { assetsDir } from '../../src/util/assets';
import { skipTest } from '../skip';

export interface Dataset { n: number; images: Float32Array[]; labels: number[]; chw: number }

/** Paddle's dataset .bin (int64 N, N float32 CHW images, N int64 labels), read with src/format/paddle/dataset_bin */
export function readDatasetBin(path: string, chw: number): Dataset {
  const r = openDataset(path, { chw });
  try {
    const images = Array.from({ length: r.n }, (_, i) => r.readImages(i, 1));
    return { n: r.n, images, labels: r.readLabels(0, r.n), chw };
  } finally {
    r.close();
  }
}

export function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

export function relL2(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) { num += (got[i] - want[i]) ** 2; den += want[i] ** 2; }
  return Math.sqrt(num / den);
}

export function argmax(v: ArrayLike<number>, from = 0, len = v.length): number {
  let best = 0;
  for (let i = 1; i < len; i++) if (v[from + i] > v[from + best]) best = i;
  return best;
}

interface GoldenJson {
  kind: string;
  model: string;
  input_shape: number[];
  output_shape: number[];
  per_image: { label: number; top1: number; top2_margin: number }[];
  batch16?: { file: string; top1: number[] };
}

function setup(name: string): { dir: string; gj: GoldenJson; modelDir: string } | string {
  const assets = assetsDir();
  if (!assets) return 'shared assets not found (set QDEPLOY_ASSETS)';
  const dir = join(assets, 'golden', name);
  if (!existsSync(join(dir, 'golden.json'))) return `${dir}/golden.json not found`;
  const gj = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as GoldenJson;
  const modelDir = join(assets, gj.model);
  if (!existsSync(modelDir)) return `${modelDir} not found`;
  return { dir, gj, modelDir };
}

/** the per-image (batch 1) run of the first `count` images: outputs, ms per image */
function runPerImage(modelDir: string, ds: Dataset, count: number, analysis = false): { outs: Float32Array[]; ms: number[] } {
  const g = loadGraph(modelDir);
  // bench/compare --use_analysis: the FP32 fuses Paddle's AnalysisConfig applies, then the same run
  if (analysis) runPipeline(g, FP32_ANALYSIS, new PassContext());
  const plan = compile(g, referenceBackend(), { batch: 1 });
  const outs: Float32Array[] = [], ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    outs.push(plan.run([ds.images[i]])[0].data as Float32Array);
    ms.push(performance.now() - t0);
  }
  plan.dispose();
  return { outs, ms };
}

const fmtMs = (ms: number[]) => `${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(0)} ms/image (reference backend, ${ms.length} images, first ${ms[0].toFixed(0)} ms)`;

/** images to run: QDEPLOY_GOLDEN_IMAGES (never fewer than 4), default all */
function imageCount(n: number): number {
  const env = Number(process.env.QDEPLOY_GOLDEN_IMAGES);
  return Number.isFinite(env) && env > 0 ? Math.min(n, Math.max(4, env)) : n;
}

export function fp32GoldenTest(name: string): void {
  const s = setup(name);
  if (typeof s === 'string') { test(`golden ${name}`, () => skipTest(`${s}`)); test.run(); return; }
  const { dir, gj, modelDir } = s;
  const check = (analysis: boolean) => {
    const chw = gj.input_shape.slice(1).reduce((a, b) => a * b, 1);
    const C = gj.output_shape[1];
    const ds = readDatasetBin(join(dir, 'input_16.bin'), chw);
    const gold = readF32(join(dir, 'logits_16.f32'));
    // the analysis run checks the first 4 images: the fused model is the same arithmetic, rounded in another order
    const count = analysis ? Math.min(4, ds.n) : imageCount(ds.n);
    if (!analysis && count < ds.n) console.log(`${name}: running ${count} of ${ds.n} images (QDEPLOY_GOLDEN_IMAGES)`);
    const { outs, ms } = runPerImage(modelDir, ds, count, analysis);
    let worst = 0, agree = 0, checked = 0;
    for (let i = 0; i < count; i++) {
      const want = gold.subarray(i * C, (i + 1) * C);
      assert.is(outs[i].length, C);
      const r = relL2(outs[i], want);
      worst = Math.max(worst, r);
      let maxAbs = 0, maxRef = 0;
      for (let j = 0; j < C; j++) { maxAbs = Math.max(maxAbs, Math.abs(outs[i][j] - want[j])); maxRef = Math.max(maxRef, Math.abs(want[j])); }
      assert.ok(r <= 1e-4, `${name} image ${i}: relative L2 ${r} > 1e-4`);
      assert.ok(maxAbs <= 1e-3 * Math.max(1, maxRef), `${name} image ${i}: max abs diff ${maxAbs}`);
      assert.is(argmax(want), gj.per_image[i].top1, 'golden file and golden.json agree on top-1');
      if (gj.per_image[i].top2_margin > 1e-3) {
        checked++;
        assert.is(argmax(outs[i]), gj.per_image[i].top1, `${name} image ${i}: top-1`);
        agree++;
      }
    }
    console.log(`${name} fp32${analysis ? ' after the FP32 analysis passes' : ''}: worst per-image rel L2 ${worst.toExponential(2)}, top-1 equal on ${agree}/${checked} images with margin > 1e-3; ${fmtMs(ms)}`);
  };
  test(`golden fp32 ${name}: per image rel L2 <= 1e-4, top-1 where margin > 1e-3`, () => check(false));
  test(`golden fp32 ${name} after the FP32 analysis passes (--use_analysis): the same bounds on 4 images`, () => check(true));
  test.run();
}

function int8Check(name: string, what: string, got: Float32Array, gold: Float32Array, top1: number[], C: number): string {
  assert.is(got.length, gold.length);
  const r = relL2(got, gold);
  let agree = 0;
  for (let i = 0; i < top1.length; i++) {
    assert.is(argmax(gold, i * C, C), top1[i], 'golden file and golden.json agree on top-1');
    if (argmax(got, i * C, C) === top1[i]) agree++;
  }
  assert.ok(r <= 0.05, `${name} ${what}: relative L2 ${r} > 0.05 over ${top1.length}x${C}`);
  assert.ok(agree >= 14, `${name} ${what}: top-1 equal on ${agree}/16 < 14`);
  return `rel L2 ${r.toPrecision(3)}, top-1 equal ${agree}/${top1.length}`;
}

export function legacyInt8GoldenTest(name: string): void {
  const s = setup(name);
  if (typeof s === 'string') { test(`golden ${name}`, () => skipTest(`${s}`)); test.run(); return; }
  const { dir, gj, modelDir } = s;
  const chw = gj.input_shape.slice(1).reduce((a, b) => a * b, 1);
  const C = gj.output_shape[1];
  const ds = readDatasetBin(join(dir, 'input_16.bin'), chw);
  test(`golden legacy int8 ${name}: batch 1 per image vs logits_16.f32`, () => {
    const { outs, ms } = runPerImage(modelDir, ds, ds.n);
    const got = new Float32Array(ds.n * C);
    outs.forEach((o, i) => got.set(o.subarray(0, C), i * C));
    const msg = int8Check(name, 'batch 1', got, readF32(join(dir, 'logits_16.f32')), gj.per_image.map((p) => p.top1), C);
    console.log(`${name} batch 1: ${msg}; ${fmtMs(ms)}`);
  });
  test(`golden legacy int8 ${name}: one batch of 16 vs logits_16_batch16.f32`, () => {
    const plan = compile(loadGraph(modelDir), referenceBackend(), { batch: ds.n });
    const input = new Float32Array(ds.n * chw);
    ds.images.forEach((im, i) => input.set(im, i * chw));
    const t0 = performance.now();
    const got = plan.run([input])[0].data as Float32Array;
    const ms = performance.now() - t0;
    plan.dispose();
    const msg = int8Check(name, 'batch 16', got, readF32(join(dir, gj.batch16?.file ?? 'logits_16_batch16.f32')), gj.batch16!.top1, C);
    console.log(`${name} batch 16: ${msg}; ${(ms / ds.n).toFixed(0)} ms/image`);
  });
  test.run();
}
