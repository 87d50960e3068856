// Every golden model of the shared assets on the wasm backend (SIMD128, 2 threads): the golden tests' own rules
// (fp32: per image relative L2 <= 1e-4 and top-1 equal to the golden where its top-2 margin > 1e-3; legacy int8:
// relative L2 <= 0.05 and top-1 equal on >= 14/16, batch 1 and batch 16). The whole-model speed target (FP32 at
// least 10x the reference backend) is measured by bench/wasm_models.ts, not timed here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wasmBackend } from '../../../src/backends/wasm/backend';
import { loadGraph } from '../../../src/app/model_io';
import { compile } from '../../../src/runtime/compile';
import { assetsDir } from '../../../src/util/assets';
import { skipTest } from '../../skip';

interface GoldenJson { kind: string; model: string; input_shape: number[]; output_shape: number[]; per_image: { top1: number; top2_margin: number }[]; batch16?: { file: string; top1: number[] } }

const assets = assetsDir();
const backend = wasmBackend({ isa: 'simd128', threads: 2 });

function readF32(p: string): Float32Array { const b = readFileSync(p); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); }
function images(p: string, chw: number): Float32Array[] {
  const b = readFileSync(p);
  const n = Number(b.readBigInt64LE(0));
  assert.is(b.length, 8 + n * chw * 4 + n * 8);
  return Array.from({ length: n }, (_, i) => new Float32Array(b.buffer.slice(b.byteOffset + 8 + i * chw * 4, b.byteOffset + 8 + (i + 1) * chw * 4)));
}
const argmax = (v: ArrayLike<number>, from = 0, len = v.length) => { let b = 0; for (let i = 1; i < len; i++) if (v[from + i] > v[from + b]) b = i; return b; };
function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number { let n = 0, d = 0; for (let i = 0; i < b.length; i++) { n += (a[i] - b[i]) ** 2; d += b[i] ** 2; } return Math.sqrt(n / d); }

const dirs = assets && existsSync(join(assets, 'golden')) ? readdirSync(join(assets, 'golden')).sort() : [];
if (!assets) test('golden models on wasm', () => skipTest('shared assets not found (set QDEPLOY_ASSETS)'));

for (const name of dirs) {
  const dir = join(assets!, 'golden', name);
  if (!existsSync(join(dir, 'golden.json'))) continue;
  const gj = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as GoldenJson;
  if (gj.kind !== 'fp32' && gj.kind !== 'legacy_int8') continue;
  const modelDir = join(assets!, gj.model);
  const chw = gj.input_shape.slice(1).reduce((a, b) => a * b, 1);
  const C = gj.output_shape[1];
  test(`wasm golden ${gj.kind} ${name}: golden top-1 (batch 1)`, () => {
    if (!existsSync(modelDir)) { skipTest(`${modelDir} not found`); return; }
    const ims = images(join(dir, 'input_16.bin'), chw);
    const gold = readF32(join(dir, 'logits_16.f32'));
    const plan = compile(loadGraph(modelDir), backend, { batch: 1 });
    const got = new Float32Array(ims.length * C);
    ims.forEach((im, i) => got.set((plan.run([im])[0].data as Float32Array).subarray(0, C), i * C));
    plan.dispose();
    let agree = 0, checked = 0, worst = 0;
    for (let i = 0; i < ims.length; i++) {
      const g = gold.subarray(i * C, (i + 1) * C), o = got.subarray(i * C, (i + 1) * C);
      if (gj.kind === 'fp32') {
        const r = relL2(o, g); worst = Math.max(worst, r);
        assert.ok(r <= 1e-4, `${name} image ${i}: relative L2 ${r}`);
        if (gj.per_image[i].top2_margin > 1e-3) { checked++; assert.is(argmax(o), gj.per_image[i].top1, `${name} image ${i} top-1`); agree++; }
      } else {
        checked++;
        if (argmax(o) === gj.per_image[i].top1) agree++;
      }
    }
    if (gj.kind === 'legacy_int8') {
      worst = relL2(got, gold);
      assert.ok(worst <= 0.05, `${name}: relative L2 ${worst}`);
      assert.ok(agree >= 14, `${name}: top-1 equal on ${agree}/16`);
    }
    console.log(`${name} (${gj.kind}) on wasm: top-1 equal ${agree}/${checked}, ${gj.kind === 'fp32' ? 'worst per-image' : 'overall'} rel L2 ${worst.toExponential(2)}`);
  });
  if (gj.kind === 'legacy_int8' && gj.batch16) {
    test(`wasm golden legacy int8 ${name}: one batch of 16`, () => {
      if (!existsSync(modelDir)) { skipTest(`${modelDir} not found`); return; }
      const ims = images(join(dir, 'input_16.bin'), chw);
      const input = new Float32Array(ims.length * chw);
      ims.forEach((im, i) => input.set(im, i * chw));
      const plan = compile(loadGraph(modelDir), backend, { batch: ims.length });
      const got = plan.run([input])[0].data as Float32Array;
      plan.dispose();
      const gold = readF32(join(dir, gj.batch16!.file));
      const r = relL2(got, gold);
      let agree = 0;
      gj.batch16!.top1.forEach((t, i) => { if (argmax(got, i * C, C) === t) agree++; });
      assert.ok(r <= 0.05, `${name} batch 16: relative L2 ${r}`);
      assert.ok(agree >= 14, `${name} batch 16: top-1 equal on ${agree}/16`);
      console.log(`${name} batch 16 on wasm: rel L2 ${r.toFixed(4)}, top-1 equal ${agree}/16`);
    });
  }
}

test.after(() => backend.dispose());
test.run();
