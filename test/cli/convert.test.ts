// qdeploy convert on small quant models written to disk: the result reloads with Paddle's INT8 attributes, and
// bad input (scale var missing/NaN/zero, unknown dialect, unknown op ids, non-empty output dir) gives one-line
// errors and leaves no model dir behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import { parseCommandArgs } from '../../src/cli/args';
import { convertCommand } from '../../src/cli/convert';
import { loadGraph, saveGraph } from '../../src/app/model_io';
import { QdeployError } from '../../src/util/errors';
import { build, show, type ParamSpec } from '../passes/util';
import { compile } from '../../src/runtime/compile';
import { referenceBackend } from '../../src/backends/reference/backend';
import { registerFakeKernels } from '../convert/fake_kernels';

const tmp = tempDir('convert');
let n = 0;

function quantModel(over: { xScale?: number[] | null; fakeType?: string } = {}) {
  const params: Record<string, ParamSpec> = {
    w: { dims: [2, 1, 1, 1], data: [127, -64] }, 'w@scale': { dims: [2], data: [0.5, 0.25] }, b: { dims: [2], data: [0.5, -0.5] },
  };
  if (over.xScale !== null) params['x@scale'] = { dims: [1], data: over.xScale ?? [2] };
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } },
    { type: over.fakeType ?? 'fake_quantize_moving_average_abs_max', inputs: { X: ['x'], InScale: ['x@scale'] }, outputs: { Out: ['x.quantized'], OutScale: ['x@scale'] }, attrs: { bit_length: 8, is_test: true } },
    { type: 'conv2d', inputs: { Input: ['x.quantized'], Filter: ['w'] }, outputs: { Output: ['c'] }, attrs: { strides: [1, 1], paddings: [0, 0], dilations: [1, 1], groups: 1 } },
    { type: 'fake_channel_wise_dequantize_max_abs', inputs: { X: ['c'], Scales: ['w@scale', 'x@scale'] }, outputs: { Out: ['c.dequantized'] }, attrs: { quant_bits: [8, 8], quant_axis: 0 } },
    { type: 'elementwise_add', inputs: { X: ['c.dequantized'], Y: ['b'] }, outputs: { Out: ['a'] }, attrs: { axis: 1 } },
    { type: 'relu', inputs: { X: ['a'] }, outputs: { Out: ['r'] }, attrs: { out_threshold: 3.0 } },
    { type: 'fetch', inputs: { X: ['r'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ], params, { x: [-1, 1, 2, 2] });
  const dir = join(tmp, `quant${n++}`);
  saveGraph(g, dir);
  return dir;
}

function convert(argv: string[]): void {
  const r = convertCommand.run(parseCommandArgs(convertCommand, argv));
  assert.not.ok(r instanceof Promise);
}

function expectError(argv: string[], re: RegExp, out: string): void {
  try {
    convert(argv);
    assert.unreachable('no error');
  } catch (e) {
    if (!(e instanceof QdeployError)) throw e;
    assert.match(e.message, re);
    assert.not.match(e.message, /\n/);
  }
  assert.not.ok(existsSync(out), `${out} must not exist`);
  assert.equal(readdirSync(tmp).filter((f) => f.includes('.tmp-')), [], 'no temp dirs left');
}

const quiet = <T>(fn: () => T): T => {
  const w = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try { return fn(); } finally { process.stdout.write = w; }
};

test('a frozen QAT model converts; the saved program carries Paddle\'s INT8 attributes with Paddle\'s types', () => {
  const q = quantModel();
  const out = join(tmp, 'int8_ok');
  quiet(() => convert(['--quant_model_path', q, '--int8-model-save-path', out]));
  const g = loadGraph(out);
  // ids as loaded (graph.ts numbering): feed 0, fake quant 3, conv 7, …, fetch 18, counter 20 → quantize is 20.
  // The dequantize before fetch is squashed into the conv (force_fp32_output); Scale_out stays as Paddle leaves it.
  const sw1 = Math.fround(127 / Math.fround((64 / 127) * 0.25));
  assert.equal(show(g, ['Scale', 'is_negative_input', 'Scale_in', 'Scale_weights', 'Scale_out', 'force_fp32_output', 'fuse_activation', 'mkldnn_data_type']), [
    'feed(X=feed) -> (Out=x)',
    'quantize(Input=x) -> (Output=quantize/out_20) Scale=63.5 is_negative_input=true',
    `conv2d(Input=quantize/out_20; Filter=w; Bias=b) -> (Output=r) Scale_in=63.5 Scale_weights=[254,${Number(sw1.toPrecision(6))}] Scale_out=42.3333 force_fp32_output=true fuse_activation=relu mkldnn_data_type=int8`,
    'fetch(X=r) -> (Out=fetch)',
  ]);
  const conv = g.ops[2];
  const type = (name: string) => conv.attrRecord(name)!.type;
  assert.equal([type('Scale_in'), type('Scale_out'), type('Scale_weights'), type('fuse_activation'), type('mkldnn_data_type'), type('use_quantizer')], [1, 1, 4, 2, 2, 6]);
  assert.equal(Array.from(g.param('w')!.data as Float32Array), [0.5, Math.fround(-64 / 127 * 0.25)]);
  assert.equal(readdirSync(out).sort(), ['__model__', 'b', 'w']);
});

test('--int8_weights and a combined layout: the filter is an int8 tensor', () => {
  const q = quantModel();
  const out = join(tmp, 'int8_w');
  quiet(() => convert(['--quant_model_path', q, '--int8_model_save_path', out, '--int8_weights', '--save_model_filename', 'model.pdmodel', '--save_params_filename', 'model.pdiparams']));
  assert.equal(readdirSync(out).sort(), ['model.pdiparams', 'model.pdmodel']);
  const g = loadGraph(out);
  assert.is(g.param('w')!.dtype, 'int8');
  assert.equal(Array.from(g.param('w')!.data as Int8Array), [127, -127]); // each channel's max maps to ±127
});

test('--int8_weights runs bit-identically to the fp32-weight INT8 model, and both stay within one quantization step of the quant model', () => {
  registerFakeKernels();
  const q = quantModel();
  const a = join(tmp, 'int8_a'), b = join(tmp, 'int8_b');
  quiet(() => convert(['--quant_model_path', q, '--int8_model_save_path', a]));
  quiet(() => convert(['--quant_model_path', q, '--int8_model_save_path', b, '--int8_weights']));
  const x = Float32Array.of(1.5, -0.25, 0.7, -2.5);
  const run = (dir: string) => Array.from(compile(loadGraph(dir), referenceBackend()).run([x])[0].data as Float32Array);
  const ya = run(a), yb = run(b), yq = run(q);
  assert.equal(ya, yb);
  // one input step (x threshold 2 → 2/127) through a weight ≤ 0.5, plus the output rounding of the relu fp32 path
  for (let i = 0; i < yq.length; i++) assert.ok(Math.abs(ya[i] - yq[i]) <= 0.5 * (2 / 127) + 1e-6, `${i}: ${ya[i]} vs ${yq[i]}`);
});

test('bad scale vars: missing, NaN, zero', () => {
  expectError(['--quant_model_path', quantModel({ xScale: null }), '--int8_model_save_path', join(tmp, 'e1')], /op fake_quantize_moving_average_abs_max\(3\): scale var 'x@scale' \(slot InScale\) is missing from the model/, join(tmp, 'e1'));
  expectError(['--quant_model_path', quantModel({ xScale: [NaN] }), '--int8_model_save_path', join(tmp, 'e2')],
    /op fake_quantize_moving_average_abs_max\(3\): scale var 'x@scale' holds NaN/, join(tmp, 'e2'));
  expectError(['--quant_model_path', quantModel({ xScale: [0] }), '--int8_model_save_path', join(tmp, 'e3')],
    /op fake_quantize_moving_average_abs_max\(3\): scale var 'x@scale' holds 0/, join(tmp, 'e3'));
});

test('unknown dialect; --op_ids_to_skip with ids that do not exist; a non-integer id', () => {
  expectError(['--quant_model_path', quantModel({ fakeType: 'fake_quantize_power_of_two' }), '--int8_model_save_path', join(tmp, 'e4')],
    /op fake_quantize_power_of_two\(3\): unknown fake-quant dialect/, join(tmp, 'e4'));
  expectError(['--quant_model_path', quantModel(), '--int8_model_save_path', join(tmp, 'e5'), '--op_ids_to_skip', '7,777'],
    /--op_ids_to_skip: no op with id 777 at cpu_quantize_placement_pass/, join(tmp, 'e5'));
  expectError(['--quant_model_path', quantModel(), '--int8_model_save_path', join(tmp, 'e6'), '--op_ids_to_skip', 'conv'],
    /--op_ids_to_skip expects op ids \(integers\), got 'conv'/, join(tmp, 'e6'));
});

test('an existing non-empty output dir is refused unless --overwrite, and kept intact on refusal', () => {
  const q = quantModel();
  const out = join(tmp, 'busy');
  mkdirSync(out);
  writeFileSync(join(out, 'keep.txt'), 'mine');
  try {
    convert(['--quant_model_path', q, '--int8_model_save_path', out]);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /output dir .*busy exists and is not empty \(pass --overwrite to replace it\)/);
  }
  assert.equal(readdirSync(out), ['keep.txt']);
  quiet(() => convert(['--quant_model_path', q, '--int8_model_save_path', out, '--overwrite', '--op_ids_to_skip', '7']));
  const g = loadGraph(out);
  assert.equal(g.opHistogram().get('quantize'), undefined); // conv2d(7) skipped: nothing quantized
  assert.is(g.ops.find((o) => o.type === 'conv2d')!.str('mkldnn_data_type', ''), '');
});

test('--debug writes int8_<k>_<pass>.dot after every pass, with op ids as labels', () => {
  const q = quantModel();
  const dots = join(tmp, 'dots');
  quiet(() => convert(['--quant_model_path', q, '--int8_model_save_path', join(tmp, 'dbg'), '--debug', '--debug_dir', dots]));
  const files = readdirSync(dots);
  assert.ok(files.includes('int8_21_cpu_quantize_placement_pass.dot'), files.join(' '));
  assert.is(files.length, 25);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
