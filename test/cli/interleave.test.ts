// compare's timing (src/cli/bench.ts benchInterleaved): two plans run batch by batch in turn, the first one first
// on even batches and second on odd ones (warm-up too), each timed on its own; the speed-up is the median of the
// per-batch ratios with nearest-rank p10/p90 and min/max (src/report/stats.ts ratioStats). Fake plans on a fake
// clock, so the times and the order are known exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { benchInterleaved, type BenchOptions } from '../../src/app/bench';
import type { DataSource } from '../../src/app/data_source';
import type { Plan } from '../../src/runtime/plan';
import { ratioStats } from '../../src/report/stats';

const B = 2, PER = 3, CLASSES = 4;

/** a plan whose run costs `cost(k)` ms on the fake clock (k = its k-th execute) and logs `name:batch` */
function fakePlan(name: string, cost: (k: number) => number, clock: { t: number }, log: string[]): Plan {
  let k = 0, batch = -1;
  const out = new Float32Array(B * CLASSES);
  return {
    inputs: [{ spec: { name: 'x', dims: [B, PER] } }],
    outputs: [{ spec: { name: 'y', dims: [B, CLASSES] } }],
    profiling: false, opTimes: [], arenaBytes: 0,
    placement: () => ({ counts: { reference: 1 }, reorders: 0, fallbacks: [] }),
    setInput(_i: number, d: Float32Array) { batch = d[0]; },
    execute() { log.push(`${name}:${batch}`); clock.t += cost(k++); out.fill(0); out[1] = 1; out[CLASSES] = 1; },
    read() { return { dtype: 'fp32', dims: [B, CLASSES], data: out }; },
    resetProfile() {},
  } as unknown as Plan;
}

/** 8 images; image i is filled with its batch index, labels 1 and 0 (model says 1, 0: top-1 1.0) */
const data: DataSource = {
  count: 8, imageSize: PER, what: 'fake',
  read(start, n, images, labels) { for (let i = 0; i < n; i++) { images.fill(Math.floor((start + i) / B), i * PER, (i + 1) * PER); labels[i] = BigInt(i % 2 === 0 ? 1 : 0); } },
  close() {},
};

test('interleaved: alternating order per batch (warm-up too), per-batch times, ratio median and spread', () => {
  const clock = { t: 0 }, log: string[] = [];
  const fp32Cost = () => 6, int8Costs = [100, 2, 3, 2, 4]; // execute 0 is the warm-up
  const plans: [Plan, Plan] = [fakePlan('fp32', fp32Cost, clock, log), fakePlan('int8', (k) => int8Costs[k], clock, log)];
  const o: BenchOptions = { batchSize: B, iterations: 0, warmup: 1, profile: false, now: () => clock.t };
  const batches: number[] = [];
  const r = benchInterleaved(plans, data, [o, o], (i) => batches.push(i));
  assert.equal(log, ['fp32:0', 'int8:0', 'fp32:0', 'int8:0', 'int8:1', 'fp32:1', 'fp32:2', 'int8:2', 'int8:3', 'fp32:3']);
  assert.equal(batches, [0, 1, 2, 3]);
  const [a, b] = r.results;
  assert.equal(a.batchMs, [6, 6, 6, 6]);
  assert.equal(b.batchMs, [2, 3, 2, 4]);
  assert.is(a.top1, 1);
  assert.is(b.iterations, 4);
  assert.equal(r.speedup, { count: 4, ratios: [3, 2, 3, 1.5], median: 2.5, p10: 1.5, p90: 3, min: 1.5, max: 3 });
});

test('ratioStats: nearest-rank percentiles on 10 ratios, odd count median', () => {
  const num = Array.from({ length: 10 }, (_, i) => (i + 1) * 2), den = new Array(10).fill(2);
  const s = ratioStats(num, den);
  assert.equal([s.median, s.p10, s.p90, s.min, s.max], [5.5, 1, 9, 1, 10]);
  assert.is(ratioStats([3, 1, 2], [1, 1, 1]).median, 2);
});

test.run();
