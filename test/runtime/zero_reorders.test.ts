// Today's models plan with zero reorders on wasm: every asset model and every zoo architecture compiles on
// [wasm, reference] (what --backend auto and --backend wasm give) with every op on wasm and no reorder step.
// (Compile only: the outputs are the golden tests' business.)
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../../src/backends/reference/backend';
import { wasmUnavailable } from '../../src/backends/select';
import { WasmBackend } from '../../src/backends/wasm/backend';
import { loadGraph } from '../../src/app/model_io';
import type { Graph } from '../../src/graph/graph';
import { compile } from '../../src/runtime/compile';
import { assetsDir } from '../../src/util/assets';
import { buildZooModel, ZOO_MODELS } from '../../src/zoo/models';
import { skipTest } from '../skip';

const noWasm = wasmUnavailable('simd128');
const wasm = noWasm ? undefined : new WasmBackend({ isa: 'simd128', threads: 1 });
const ref = new ReferenceBackend();

function check(name: string, g: Graph): void {
  const plan = compile(g, [wasm!, ref], { batch: 1 });
  const p = plan.placement();
  console.log(`${name}: ${plan.placementLine()}`);
  assert.is(p.reorders, 0, `${name}: reorders`);
  assert.equal(p.counts, { wasm: plan.steps.length }, `${name}: every op on wasm`);
  assert.ok(plan.steps.length > 10, `${name}: ${plan.steps.length} ops`);
  plan.dispose();
}

const assets = assetsDir();
const models = assets && existsSync(join(assets, 'models')) ? readdirSync(join(assets, 'models')).sort() : [];
test('asset models: zero reorders, every op on wasm', () => {
  if (!wasm) { skipTest(`wasm: ${noWasm}`); return; }
  if (!models.length) { skipTest('shared assets not found (set QDEPLOY_ASSETS)'); return; }
  for (const m of models) check(m, loadGraph(join(assets!, 'models', m)));
});

test('zoo models: zero reorders, every op on wasm', () => {
  if (!wasm) { skipTest(`wasm: ${noWasm}`); return; }
  for (const m of ZOO_MODELS) check(m, buildZooModel(m, { imageSize: 64 }));
});

test.after(() => wasm?.dispose());
test.run();
