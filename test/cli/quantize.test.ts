// qdeploy quantize on the real models of ../shared/assets (SqueezeNet calibrated on 4 images of the golden input
// to keep CI time moderate): the quant model's structure as PaddleSlim lays it out, a write → loadGraph round
// trip, convert + INT8 run agreeing with FP32, legacy 8-bit input, and bad input with one-line errors and no
// output left behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import { selectBackend } from '../../src/backends/select';
import { parseCommandArgs } from '../../src/cli/args';
import { loadGraph, saveGraph } from '../../src/app/model_io';
import { quantizeCommand } from '../../src/cli/quantize';
import { openDataset, writeDataset } from '../../src/format/paddle/dataset_bin';
import type { Graph } from '../../src/graph/graph';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { convertPipeline } from '../../src/passes/pipelines';
import { legacyToFp32 } from '../../src/quant/legacy';
import { channelAbsMax } from '../../src/quant/weights';
import { compile } from '../../src/runtime/compile';
import { assetsDir } from '../../src/util/assets';
import { QdeployError } from '../../src/util/errors';
import { build } from '../passes/util';

const assets = assetsDir();
const tmp = tempDir('quantize');
const SQ = assets && join(assets, 'models', 'squeezenet_v1.1');
const SQ_BIN = assets && join(assets, 'golden', 'squeezenet_v1.1', 'input_16.bin');
const have = !!(SQ && SQ_BIN && existsSync(SQ) && existsSync(SQ_BIN));
if (!have) console.log('SKIP: SqueezeNet assets absent (QDEPLOY_ASSETS or ../shared/assets): asset tests skipped');

/** run the command with stdout/stderr captured */
async function quantize(argv: string[]): Promise<{ out: string; err: string }> {
  let out = '', err = '';
  const ow = process.stdout.write.bind(process.stdout), ew = process.stderr.write.bind(process.stderr);
  (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => { out += s; return true; };
  (process.stderr as unknown as { write: (s: string) => boolean }).write = (s: string) => { err += s; return true; };
  try {
    await quantizeCommand.run(parseCommandArgs(quantizeCommand, argv));
  } finally {
    process.stdout.write = ow; process.stderr.write = ew;
  }
  return { out, err };
}

async function fails(argv: string[], code: string, re: RegExp, outDir: string): Promise<void> {
  try {
    await quantize(argv);
    assert.unreachable('should have failed');
  } catch (e) {
    if (!(e instanceof QdeployError)) throw e;
    assert.is(e.code, code, e.message);
    assert.match(e.message, re);
    assert.not.match(e.message, /\n/);
  }
  assert.not.ok(existsSync(outDir), `${outDir} must not exist`);
}

const ints = (d: Float32Array) => d.every((v) => Number.isInteger(v) && Math.abs(v) <= 127);

let kl: Graph | undefined;
const KL_DIR = join(tmp, 'sq_kl');

test('squeezenet KL on 4 images: PaddleSlim layout, integer weights, scale vars, thresholds', async () => {
  if (!have) return;
  const r = await quantize(['--model_dir', SQ!, '--data', SQ_BIN!, '--algo', 'KL', '--batch_size', '2', '--batch_nums', '2', '--save_dir', KL_DIR, '--onnx_format=false']);
  assert.match(r.out, /4 images/);
  const g = kl = loadGraph(KL_DIR);
  const fp = loadGraph(SQ!);
  const h = Object.fromEntries(g.opHistogram());
  assert.equal({ fq: h.fake_quantize_range_abs_max, dq: h.fake_channel_wise_dequantize_max_abs, conv: h.conv2d }, { fq: 18, dq: 26, conv: 26 });
  let convs = 0;
  for (const [i, op] of g.ops.entries()) {
    if (op.type !== 'conv2d') continue;
    convs++;
    const input = op.input('Input')!, w = op.input('Filter')!;
    assert.ok(input.endsWith('.quantized'), input);
    const act = input.slice(0, -'.quantized'.length);
    const fq = g.producer(input)!;
    assert.is(fq.type, 'fake_quantize_range_abs_max');
    assert.equal([fq.inputList('X'), fq.inputList('InScale'), fq.outputList('OutScale')], [[act], [`${act}@scale`], [`${act}@scale`]]);
    assert.equal([fq.attr('bit_length'), fq.attr('is_test'), fq.attr('window_size')], [8, true, 10000]);
    const scale = g.param(`${act}@scale`)!;
    assert.ok(g.var(`${act}@scale`)!.persistable);
    assert.equal(scale.dims, [1]);
    assert.ok((scale.data as Float32Array)[0] > 0);
    // integer-valued weights, each channel reaching ±127 (channel_wise_abs_max)
    const q = g.param(w)!;
    assert.is(q.dtype, 'fp32');
    const qd = q.data as Float32Array;
    assert.ok(ints(qd), `${w} not integer-valued`);
    const per = qd.length / q.dims[0];
    for (let c = 0; c < q.dims[0]; c++) {
      let m = 0;
      for (let k = 0; k < per; k++) m = Math.max(m, Math.abs(qd[c * per + k]));
      assert.is(m, 127, `${w} channel ${c}`);
    }
    const dq = g.ops[i + 1];
    assert.is(dq.type, 'fake_channel_wise_dequantize_max_abs');
    assert.equal(dq.inputList('X'), op.outputList('Output'));
    const [cs, as] = dq.inputList('Scales');
    assert.match(cs, /^channel_scale_\d+$/);
    assert.is(as, `${act}@scale`);
    assert.equal([...(g.param(cs)!.data as Float32Array)], channelAbsMax(fp.param(w)!, 0).map(Math.fround));
    assert.equal([dq.attr('quant_bits'), dq.attr('quant_axis'), dq.attr('x_num_col_dims')], [[8, 8], 0, 1]);
    assert.is(op.attr('quantization_type'), 'post_kl');
    assert.is(op.attr('out_threshold'), op.attr('Output0_threshold'));
    // every later reader of the conv output reads the dequantized var
    assert.ok(g.consumers(op.output('Output')!).every((o) => o === dq));
  }
  assert.is(convs, 26);
  const withThr = g.ops.filter((o) => o.hasAttr('out_threshold'));
  assert.is(withThr.length, 92); // 26 conv + 26 add + 26 relu + 8 concat + 4 pool2d + reshape + softmax
  for (const o of withThr) {
    assert.is(o.attr('with_quant_attr'), true);
    assert.ok((o.attr('out_threshold') as number) > 0, o.label);
  }
  // softmax probabilities: the KL threshold lies within [0, 1]
  assert.ok((g.ops.find((o) => o.type === 'softmax')!.attr('out_threshold') as number) <= 1.0001);
});

test('the default layout is PaddleSlim\'s own (onnx_format): quantize_linear/dequantize_linear, int8 weights, quant_axis 0 for conv', async () => {
  if (!have) return;
  const dir = join(tmp, 'sq_default');
  await quantize(['--model_dir', SQ!, '--data', SQ_BIN!, '--algo', 'abs_max', '--batch_size', '2', '--batch_nums', '1', '--save_dir', dir]);
  const g = loadGraph(dir);
  const fp = loadGraph(SQ!);
  const h = g.opHistogram();
  assert.not.ok([...h.keys()].some((t) => t.startsWith('fake_')), 'no classic fake ops');
  const convs = g.ops.filter((o) => o.type === 'conv2d');
  assert.is(convs.length, 26);
  for (const op of convs) {
    const wdq = g.producer(op.input('Filter')!)!;
    assert.is(wdq.type, 'dequantize_linear');
    const w = wdq.input('X')!;
    assert.is(g.param(w)!.dtype, 'int8');
    assert.is(wdq.attr('quant_axis'), 0);
    // Scale holds the thresholds themselves (max|W[c]|, as PTQ writes <var>@scale), not threshold/127
    assert.equal([...(g.param(wdq.input('Scale')!)!.data as Float32Array)], channelAbsMax(fp.param(w)!, 0).map(Math.fround));
    const adq = g.producer(op.input('Input')!)!;
    assert.is(adq.type, 'dequantize_linear');
    assert.is(g.producer(adq.input('X')!)!.type, 'quantize_linear');
    assert.is(adq.attr('quant_axis'), -1);
  }
  // --onnx_format=false (gflags spelling) gives the classic layout
  const classic = join(tmp, 'sq_classic');
  await quantize(['--model_dir', SQ!, '--data', SQ_BIN!, '--algo', 'abs_max', '--batch_size', '2', '--batch_nums', '1', '--save_dir', classic, '--onnx_format=false']);
  assert.is(loadGraph(classic).opHistogram().get('fake_channel_wise_dequantize_max_abs'), 26);
});

test('round trip: the written model reads back to the same program; saving it again gives the same files', () => {
  if (!kl) return;
  const again = join(tmp, 'sq_kl_again');
  saveGraph(kl, again, { modelFilename: 'model.pdmodel', paramsFilename: 'model.pdiparams' });
  const back = loadGraph(again);
  assert.equal(back.toProgram(), kl.toProgram());
  for (const [k, t] of kl.params) assert.equal([...back.param(k)!.data], [...t.data], k);
});

test('convert + INT8 on the 16 golden images agrees with FP32 on at least 14', () => {
  if (!kl) return;
  const int8 = kl.clone();
  runPipeline(int8, convertPipeline({}), new PassContext({}));
  const { backend: first, backends: backend } = selectBackend('auto'); // the placement list
  const fp = loadGraph(SQ!);
  const r = openDataset(SQ_BIN!, { shape: [-1, 3, 227, 227] });
  const top = (g: Graph) => {
    const p = compile(g, backend, { batch: 1 });
    const out: number[] = [];
    for (let i = 0; i < r.n; i++) {
      const o = p.run([r.readImages(i, 1)])[0].data as Float32Array;
      let k = 0; for (let j = 1; j < o.length; j++) if (o[j] > o[k]) k = j;
      out.push(k);
    }
    p.dispose();
    return out;
  };
  const a = top(fp), b = top(int8);
  r.close();
  first.dispose?.();
  const agree = a.filter((v, i) => v === b[i]).length;
  assert.ok(agree >= 14, `INT8 agrees with FP32 on ${agree}/16`);
});

test('fewer images than batch_size × batch_nums: says so and calibrates on what is there', async () => {
  if (!have) return;
  const dir = join(tmp, 'few');
  const r = await quantize(['--model_dir', SQ!, '--data', SQ_BIN!, '--algo', 'abs_max', '--batch_size', '8', '--batch_nums', '3', '--save_dir', dir, '--onnx_format=false']);
  assert.match(r.err, /has 16 images, fewer than batch_size × batch_nums = 8 × 3 = 24; calibrating on all 16/);
  assert.match(r.out, /from 16 images/);
  assert.is(loadGraph(dir).ops.find((o) => o.type === 'conv2d')!.attr('quantization_type'), 'post_abs_max');
});

test('image folder with val_list.txt (--preset): streams JPEGs through src/data', async () => {
  if (!have || !existsSync(join(assets!, 'data', 'val_list.txt'))) return;
  const dir = join(tmp, 'jpeg');
  const r = await quantize(['--model_dir', SQ!, '--data', join(assets!, 'data'), '--preset', 'caffe_squeezenet', '--algo', 'avg', '--batch_size', '2', '--batch_nums', '1', '--save_dir', dir, '--onnx_format=false']);
  assert.match(r.out, /2 images/);
  assert.is(loadGraph(dir).ops.filter((o) => o.type === 'fake_quantize_range_abs_max').length, 18);
});

test('bad input: shape mismatch, unknown algo, no quantizable op, non-empty output dir', async () => {
  if (have) {
    const mbBin = join(assets!, 'golden', 'mobilenet_v1', 'input_16.bin');
    if (existsSync(mbBin)) await fails(['--model_dir', SQ!, '--data', mbBin, '--save_dir', join(tmp, 'bad1')], 'shape', /do not fit the model input \[3,227,227\]|model/, join(tmp, 'bad1'));
    await fails(['--model_dir', SQ!, '--data', SQ_BIN!, '--algo', 'emd', '--save_dir', join(tmp, 'bad2')], 'usage', /unsupported --algo 'emd'.*abs_max\|avg\|hist\|KL\|mse/, join(tmp, 'bad2'));
    const full = join(tmp, 'full');
    mkdirSync(full); writeFileSync(join(full, 'x'), 'keep');
    try { await quantize(['--model_dir', SQ!, '--data', SQ_BIN!, '--save_dir', full]); assert.unreachable(); } catch (e) {
      assert.instance(e, QdeployError); assert.match((e as Error).message, /not empty \(pass --overwrite/);
    }
    assert.ok(existsSync(join(full, 'x')));
  }
  // a model whose only op is a relu
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: 'relu', inputs: { X: ['x'] }, outputs: { Out: ['r'] } },
    { type: 'fetch', inputs: { X: ['r'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], {}, { x: [-1, 1, 2, 2] });
  const m = join(tmp, 'relu_model');
  saveGraph(g, m);
  const bin = join(tmp, 'relu.bin');
  writeDataset(bin, new Float32Array(8).fill(1), [0, 1], 4);
  await fails(['--model_dir', m, '--data', bin, '--save_dir', join(tmp, 'bad3')], 'quant', /no quantizable op .*nothing to quantize/, join(tmp, 'bad3'));
  await fails(['--model_dir', m, '--data', join(tmp, 'nope.bin'), '--save_dir', join(tmp, 'bad4')], 'io', /does not exist/, join(tmp, 'bad4'));
});

test('legacy 8-bit input: mobilenet int8 weights dequantize to the derived FP32 models exactly; squeezenet quantizes', async () => {
  if (!assets) return;
  for (const [a, b] of [['mobilenet_v1_8bit', 'mobilenet_v1'], ['mobilenet_v2_8bit', 'mobilenet_v2']]) {
    if (!existsSync(join(assets, 'models', a)) || !existsSync(join(assets, 'models', b))) continue;
    const L = legacyToFp32(loadGraph(join(assets, 'models', a))).graph, F = loadGraph(join(assets, 'models', b));
    assert.equal(L.opHistogram(), F.opHistogram());
    assert.equal([...L.params.keys()].sort(), [...F.params.keys()].sort());
    for (const [k, t] of F.params) assert.ok((L.param(k)!.data as Float32Array).every((v, i) => v === (t.data as Float32Array)[i]), `${a}: ${k}`);
  }
  const legacy = join(assets, 'models', 'squeezenet_v1.1_8bit');
  if (!have || !existsSync(legacy)) return;
  const dir = join(tmp, 'legacy');
  const r = await quantize(['--model_dir', legacy, '--data', SQ_BIN!, '--algo', 'abs_max', '--batch_nums', '2', '--save_dir', dir, '--onnx_format=false']);
  assert.match(r.out, /legacy 8-bit program/);
  const g = loadGraph(dir);
  assert.not.ok(g.ops.some((o) => o.type === 'quantize' || o.type === 'dequantize'));
  assert.is(g.ops.filter((o) => o.type === 'fake_channel_wise_dequantize_max_abs').length, 26);
  assert.ok(g.var('conv1_weights') && !g.var('conv1_weights.int8'));
});

test.run();
