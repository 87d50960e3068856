// The flag behaviour through the built CLI: `qdeploy help <command>`, gflags spellings on a real bench run,
// --num_threads 0 (all cores) in bench as in preprocess, the warning beyond the cores, and did-you-mean for a
// mistyped command.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { oneLineError, qd, tmp } from './helpers';

const dir = tmp('flags-cli');
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('exit', cleanup);
test.after(cleanup);

const model = join(dir, 'mv1');
const data = join(dir, 'd.bin');
const S = 32, CHW = 3 * S * S;

test('setup: a 32x32 MobileNetV1 and a 4-image dataset', () => {
  const z = qd(['zoo', '--model', 'mobilenet_v1', '--out', model, '--image_size', String(S), '--fc_calib_images', '0']);
  assert.is(z.code, 0, z.stderr);
  const b = Buffer.alloc(8 + 4 * CHW * 4 + 4 * 8);
  b.writeBigInt64LE(4n, 0);
  for (let i = 0; i < 4 * CHW; i++) b.writeFloatLE(((i * 7919) % 97) / 97 - 0.5, 8 + i * 4);
  writeFileSync(data, b);
});

test('qdeploy help <command> prints that command\'s help, as <command> --help does', () => {
  for (const name of ['bench', 'convert', 'preprocess']) {
    const h = qd(['help', name]);
    const own = qd([name, '--help']);
    assert.is(h.code, 0, h.stderr);
    assert.ok(h.stdout.startsWith(`qdeploy ${name} — `), h.stdout.slice(0, 80));
    assert.is(h.stdout, own.stdout);
  }
  const top = qd(['help']);
  assert.is(top.code, 0);
  assert.match(top.stdout, /^qdeploy — /);
  const bad = qd(['help', 'bnech']);
  assert.is(bad.code, 2);
  assert.match(oneLineError(bad), /unknown command 'bnech'; did you mean bench\?/);
  const bad2 = qd(['comapre', '--fp32_model', 'x']);
  assert.is(bad2.code, 2);
  assert.match(oneLineError(bad2), /unknown command 'comapre'; did you mean compare\?/);
});

test('bench in sample_tester\'s own spelling: -infer_model=..., --use_analysis=false, --with_accuracy_layer=false, --warmup_iter', () => {
  const r = qd(['bench', `-infer_model=${model}`, `-infer_data=${data}`, '-batch_size=2', '--use_analysis=false',
    '--with_accuracy_layer=false', '--warmup_iter=1', '--num_threads=1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /====== batch size: 2, iterations: 2\n/);
});

test('--num_threads 0 runs on all cores in bench (as in preprocess); beyond the cores one warning line', () => {
  const cores = availableParallelism();
  const r = qd(['bench', '--infer_model', model, '--infer_data', data, '--batch_size', '2', '--num_threads', '0']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`====== num of threads: ${cores} ======`));
  assert.not.match(r.stderr, /warning/);
  const over = qd(['run', model, '--input', data, '--top_k', '1', '--num_threads', String(cores + 1)]);
  assert.is(over.code, 0, over.stderr);
  const warnings = over.stderr.split('\n').filter((l) => l.startsWith('qdeploy: warning:'));
  assert.equal(warnings, [`qdeploy: warning: --num_threads ${cores + 1} is more than the ${cores} cores available; threads beyond the cores slow the run down`]);
});

test('a mistyped flag through the CLI: exit 2, one line with did-you-mean (a gflags -verbose=false is a flag too)', () => {
  const r = qd(['bench', '--infer_modle', model, '-verbose=false']);
  assert.is(r.code, 2);
  assert.match(oneLineError(r), /did you mean --infer_model\?/);
});

test.run();
