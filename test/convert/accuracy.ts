// FP32 vs quant vs INT8 top-1 on the ImageNet sample, as Paddle's quant2_int8_image_classification_comparison.py
// reports it: FP32 model → make_quant_model (calibrated on the first images) → qdeploy's Quant2 pipeline → INT8,
// each run per image (batch 1) on the reference backend.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { referenceBackend } from '../../src/backends/reference/backend';
import { refKernels } from '../../src/backends/reference/registry';
import { loadGraph } from '../../src/app/model_io';
import type { Graph } from '../../src/graph/graph';
import { getSchema } from '../../src/ops/schema';
import { PassContext, runPipeline, type PassOptions } from '../../src/passes/pass';
import { convertPipeline } from '../../src/passes/pipelines';
import { compile } from '../../src/runtime/compile';
import { registerFakeKernels } from './fake_kernels';
import { calibrate, makeQuantModel, type MakeQuantOptions } from './make_quant_model';
import { preprocessEntries, preprocessOptions, readValList, type PresetName } from '../../src/data';

export interface Dataset { images: Float32Array[]; labels: number[] }

/** Paddle's dataset .bin: int64 N, N float32 CHW images, N int64 labels */
export function readDatasetBin(path: string, imageFloats: number): Dataset {
  const b = readFileSync(path);
  const n = Number(b.readBigInt64LE(0));
  if (b.length !== 8 + n * imageFloats * 4 + n * 8) throw new Error(`${path}: ${b.length} bytes do not hold ${n} images of ${imageFloats} floats`);
  const images: Float32Array[] = [];
  for (let i = 0; i < n; i++) images.push(new Float32Array(b.buffer.slice(b.byteOffset + 8 + i * imageFloats * 4, b.byteOffset + 8 + (i + 1) * imageFloats * 4)));
  const labels: number[] = [];
  for (let i = 0; i < n; i++) labels.push(Number(b.readBigInt64LE(8 + n * imageFloats * 4 + i * 8)));
  return { images, labels };
}

/** op types without a schema or a reference kernel (after the test-only fake kernels are registered) */
export function missingKernels(...graphs: Graph[]): string[] {
  registerFakeKernels();
  const miss = new Set<string>();
  for (const g of graphs) for (const op of g.ops) {
    if (op.type === 'feed' || op.type === 'fetch') continue;
    if (!getSchema(op.type) || !refKernels.has(op.type)) miss.add(op.type);
  }
  return [...miss].sort();
}

const argmax = (d: ArrayLike<number>) => { let k = 0; for (let i = 1; i < d.length; i++) if (d[i] > d[k]) k = i; return k; };

export function top1(g: Graph, images: Float32Array[]): number[] {
  const plan = compile(g, referenceBackend(), { batch: 1 });
  const out = images.map((img) => argmax(plan.run([img])[0].data as Float32Array));
  plan.dispose();
  return out;
}

export interface AccuracyRow { model: string; n: number; fp32: number; quant: number; int8: number; agree: number; agreeFp32: number; quantWrong: number; int8Wrong: number }

export function convertForTest(quant: Graph, opts: Partial<PassOptions> = {}): { int8: Graph; ctx: PassContext } {
  const int8 = quant.clone();
  const ctx = new PassContext(opts);
  runPipeline(int8, convertPipeline(opts), ctx);
  return { int8, ctx };
}

/**
 * Thresholds are the abs max over the evaluated images themselves (PTQ abs_max on this sample), so the quant
 * model's fake quantization never clips an evaluated image: what is measured is the conversion. (With a smaller
 * calibration subset, Paddle's rules make the INT8 model clip less than the quant model: a relu-fused conv writes
 * u8 at a signed scale 127/T and so keeps values up to 2T, where the fake quant op clips at T.)
 */
export function evaluate(model: string, fp32Dir: string, data: Dataset, opts: MakeQuantOptions = {}, variants: Partial<PassOptions>[] = []): (AccuracyRow & { int8Graph: Graph })[] {
  const fp32 = loadGraph(fp32Dir);
  const p32: number[] = [];
  const absMax = calibrate(fp32, data.images, (out, i) => { p32[i] = argmax(out); });
  const quant = makeQuantModel(fp32, absMax, opts);
  const pq = top1(quant, data.images);
  const ok = (p: number[]) => p.filter((v, i) => v === data.labels[i]).length;
  return [{}, ...variants].map((v, k) => {
    const { int8 } = convertForTest(quant, v);
    const p8 = top1(int8, data.images);
    return {
      model: k === 0 ? model : `  ${Object.keys(v).join(',')}`, n: data.labels.length, fp32: ok(p32), quant: ok(pq), int8: ok(p8),
      agree: p8.filter((x, i) => x === pq[i]).length, agreeFp32: p8.filter((x, i) => x === p32[i]).length,
      quantWrong: data.labels.length - ok(pq), int8Wrong: data.labels.length - ok(p8),
      int8Graph: int8,
    };
  });
}

export function formatRows(rows: AccuracyRow[]): string {
  const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(2)}% (${k}/${n})`;
  const lines = ['model                     images  FP32 top-1         quant top-1        INT8 top-1         INT8 = quant       INT8 = FP32'];
  for (const r of rows) lines.push(`${r.model.padEnd(26)}${String(r.n).padStart(6)}  ${pct(r.fp32, r.n).padEnd(19)}${pct(r.quant, r.n).padEnd(19)}${pct(r.int8, r.n).padEnd(19)}${pct(r.agree, r.n).padEnd(19)}${pct(r.agreeFp32, r.n)}`);
  return lines.join('\n');
}

/**
 * The 50-image sample: the golden input_16.bin for the first 16 list lines (independently preprocessed), and the
 * remaining lines through src/data with the model's preset and the PIL-compatible Lanczos resampler (the
 * goldens' own preprocessing, assets README).
 */
export async function sampleImages(assets: string, golden: string, side: number, preset: PresetName, limit = 50): Promise<Dataset | undefined> {
  const first = goldenInputs(assets, golden, side);
  const dataDir = join(assets, 'data');
  if (!first || !existsSync(join(dataDir, 'val_list.txt'))) return first;
  const entries = readValList(dataDir, 'val_list.txt', { limit }).slice(first.labels.length);
  const pre = preprocessOptions(preset, { resample: 'pil' });
  for await (const r of preprocessEntries(entries, pre, { listFile: 'val_list.txt' })) {
    first.images.push(r.image);
    first.labels.push(r.entry.label);
  }
  return first;
}

export function goldenInputs(assets: string, golden: string, side: number): Dataset | undefined {
  const p = join(assets, 'golden', golden, 'input_16.bin');
  return existsSync(p) ? readDatasetBin(p, 3 * side * side) : undefined;
}
