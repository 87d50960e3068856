// How much `qdeploy bench` adds over calling the runtime directly: the same plan, the same batches, timed as
// bench times them (benchPlan: streamed reads from the dataset file, per-op profiling, accuracy) against a bare
// loop of plan.setInput / execute / read on batches already in memory. Prints the ratio of total wall time,
// median of several runs. Run: node -r esbuild-register bench/bench_overhead.ts [model] [size] [batches] [runs]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { backendLine, chooseBackend } from '../src/app/backend_choice';
import { benchPlan, compileFor } from '../src/app/bench';
import { openBinDataset } from '../src/app/data_source';
import { writeDataset } from '../src/format/paddle/dataset_bin';
import { buildZooModel, type ZooModel } from '../src/zoo/models';
import { Rng, syntheticImage } from '../src/zoo/prng';
import { ownedTempDir } from '../src/util/temp_dir';

const model = (process.argv[2] ?? 'mobilenet_v1') as ZooModel;
const size = Number(process.argv[3] ?? 64);
const batches = Number(process.argv[4] ?? 8);
const runs = Number(process.argv[5] ?? 5);
const B = 2;

const choice = chooseBackend('auto', 1);
const g = buildZooModel(model, { imageSize: size });
const rng = new Rng(3);
const chw = 3 * size * size;
const n = B * batches;
const images = new Float32Array(n * chw);
for (let i = 0; i < n; i++) images.set(syntheticImage(rng, 3, size, size), i * chw);
const dir = ownedTempDir('overhead').path; // removed at the end, also on error
const file = join(dir, 'data.bin');
writeDataset(file, images, new Array(n).fill(0), chw);
const { plan } = compileFor(g, choice, B);
const out = plan.outputs[0].spec.name;

function direct(): number {
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    plan.setInput(0, images.subarray(i * B * chw, (i + 1) * B * chw));
    plan.execute();
    plan.read(out);
  }
  return performance.now() - t0;
}

function viaBench(): { wall: number; timed: number } {
  const data = openBinDataset(file, [3, size, size]);
  const t0 = performance.now();
  const r = benchPlan(plan, data, { batchSize: B, iterations: batches, warmup: 0, profile: true });
  const wall = performance.now() - t0;
  data.close();
  return { wall, timed: r.batchMs.reduce((s, x) => s + x, 0) };
}

direct(); viaBench(); // warm-up (JIT, page cache)
const d: number[] = [], w: number[] = [], t: number[] = [];
for (let k = 0; k < runs; k++) {
  // alternate the order so drift on a shared machine does not favour one side
  if (k % 2) { d.push(direct()); const v = viaBench(); w.push(v.wall); t.push(v.timed); }
  else { const v = viaBench(); w.push(v.wall); t.push(v.timed); d.push(direct()); }
}
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ratios = w.map((x, i) => x / d[i]);
console.log(`${model} ${size}x${size}, batch ${B}, ${batches} batches, ${runs} runs; ${backendLine(choice)}`);
console.log(`direct runtime loop:     median ${med(d).toFixed(1)} ms`);
console.log(`bench (whole benchPlan): median ${med(w).toFixed(1)} ms   (timed part ${med(t).toFixed(1)} ms)`);
console.log(`overhead ratio bench/direct: median of per-run ratios ${med(ratios).toFixed(4)} (runs: ${ratios.map((r) => r.toFixed(4)).join(' ')})`);
console.log(`ratio of medians ${(med(w) / med(d)).toFixed(4)}, ratio of minima ${(Math.min(...w) / Math.min(...d)).toFixed(4)} → overhead ${((med(w) / med(d) - 1) * 100).toFixed(2)}%`);

// interleaved per batch: each bench call (one batch: open reader, read, time, profile, accuracy) next to a direct
// call on the same batch, so that load from other processes hits both sides alike
const data1 = openBinDataset(file, [3, size, size]);
const pd: number[] = [], pb: number[] = [];
for (let k = 0; k < batches * runs; k++) {
  const t0 = performance.now();
  plan.setInput(0, images.subarray(0, B * chw)); plan.execute(); plan.read(out);
  const t1 = performance.now();
  benchPlan(plan, data1, { batchSize: B, iterations: 1, warmup: 0, profile: true });
  const t2 = performance.now();
  pd.push(t1 - t0); pb.push(t2 - t1);
}
data1.close();
const pr = pb.map((x, i) => x / pd[i]);
console.log(`interleaved per batch (${pd.length} pairs): direct median ${med(pd).toFixed(2)} ms, bench median ${med(pb).toFixed(2)} ms, median pair ratio ${med(pr).toFixed(4)} → overhead ${((med(pr) - 1) * 100).toFixed(2)}%`);
plan.dispose();
rmSync(dir, { recursive: true, force: true });
