// The FP32 optimisation passes keep the function: the real SqueezeNet (in-place relu, concat) and MobileNetV2
// (batch_norm, residual adds) give the same outputs before and after conv+bn / conv+bias / conv+residual /
// conv+relu fusion, on one golden image (reference backend, float32; folding BN changes rounding only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { referenceBackend } from '../../src/backends/reference/backend';
import { loadGraph } from '../../src/app/model_io';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { FP32_OPTIMIZATION } from '../../src/passes/pipelines';
import { renameInplaceOutputs } from '../../src/passes/rename_inplace_outputs';
import { compile } from '../../src/runtime/compile';
import { assetsDir } from '../../src/util/assets';
import { goldenInputs } from '../convert/accuracy';
import { skipTest } from '../skip';

const assets = assetsDir();

for (const [model, side, fused] of [['squeezenet_v1.1', 227, { conv_bias_mkldnn_fuse_pass: 26, conv_activation_mkldnn_fuse_pass: 26 }],
  ['mobilenet_v2', 224, { conv_eltwiseadd_bn_fuse_pass: 53, conv_bias_mkldnn_fuse_pass: 54, conv_elementwise_add_mkldnn_fuse_pass: 10, conv_activation_mkldnn_fuse_pass: 36 }]] as const) {
  test(`${model}: FP32 passes preserve the outputs`, () => {
    const dir = assets && join(assets, 'models', model);
    const data = assets && goldenInputs(assets, model, side);
    if (!dir || !existsSync(dir) || !data) { skipTest(`${model} or its golden inputs not found`); return; }
    const g = loadGraph(dir);
    const opt = g.clone();
    const ctx = new PassContext();
    runPipeline(opt, [renameInplaceOutputs, ...FP32_OPTIMIZATION], ctx);
    const counts: Record<string, number> = {};
    for (const l of ctx.log) if (l.kind === 'fused') counts[l.pass] = (counts[l.pass] ?? 0) + 1;
    assert.equal(counts, fused);
    assert.equal(opt.ops.filter((o) => ['batch_norm', 'elementwise_add', 'relu'].includes(o.type)).length, 0);
    const a = compile(g, referenceBackend()).run([data.images[1]])[0].data as Float32Array;
    const b = compile(opt, referenceBackend()).run([data.images[1]])[0].data as Float32Array;
    let maxAbs = 0, maxDiff = 0;
    for (let i = 0; i < a.length; i++) { maxAbs = Math.max(maxAbs, Math.abs(a[i])); maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i])); }
    // the golden FP32 tolerance of the assets README: max |got − golden| ≤ 1e-3 · max(1, max|golden|)
    assert.ok(maxDiff <= 1e-3 * Math.max(1, maxAbs), `max diff ${maxDiff} (max |out| ${maxAbs})`);
  });
}

test.run();
