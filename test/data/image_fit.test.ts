// A dataset whose images are not the model's input size gets one check and one message from every command that
// reads data (bench, compare, quantize, run): `dataset F: images of [3,40,40] (4800 floats) do not fit the model
// input [3,32,32] (3072 floats)`, exit 1, nothing written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '../../src/format/paddle/dataset_bin';
import { checkImagesFit, openModelDataset } from '../../src/data';
import { QdeployError } from '../../src/util/errors';
import { oneLineError, qd } from '../cli/helpers';

const dir = mkdtempSync(join(tmpdir(), 'qdeploy-image-fit-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function dataset(name: string, n: number, side: number): string {
  const chw = 3 * side * side;
  const images = new Float32Array(n * chw);
  for (let i = 0; i < images.length; i++) images[i] = Math.sin(i * 0.01);
  const p = join(dir, name);
  writeDataset(p, images, Array.from({ length: n }, (_, i) => i % 10), chw);
  return p;
}

const message = (p: string) => `dataset ${p}: images of [3,40,40] (4800 floats) do not fit the model input [3,32,32] (3072 floats)`;

test('the check: equal sizes pass, others throw the one message (shape-coded, naming the source)', () => {
  checkImagesFit('dataset a.bin', { chw: 3072, shape: [3, 32, 32] }, [3, 32, 32]);
  try {
    checkImagesFit('dataset a.bin', { chw: 4800, shape: [3, 40, 40] }, [3, 32, 32]);
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, QdeployError);
    assert.is((e as QdeployError).code, 'shape');
    assert.is((e as Error).message, 'dataset a.bin: images of [3,40,40] (4800 floats) do not fit the model input [3,32,32] (3072 floats)');
  }
  // no square 3-channel shape to show: the float count alone
  assert.throws(() => checkImagesFit('dataset b.bin', { chw: 100 }, [3, 32, 32]), /^dataset b\.bin: images of 100 floats do not fit the model input \[3,32,32\] \(3072 floats\)$/);
  const p = dataset('lib40.bin', 2, 40);
  assert.throws(() => openModelDataset(p, [3, 32, 32]), (e: Error) => e.message === message(p));
  const ok = openModelDataset(dataset('lib32.bin', 2, 32), [3, 32, 32]);
  assert.is(ok.n, 2);
  ok.close();
});

test('bench, compare, quantize and run give the same one-line message for a dataset of the wrong image size', () => {
  const fp32 = join(dir, 'mv1');
  const z = qd(['zoo', '--model', 'mobilenet_v1', '--out', fp32, '--image_size', '32', '--fc_calib_images', '2']);
  assert.is(z.code, 0, z.stderr);
  // compare takes a converted model as --int8_model (an FP32 one is refused before any data is read)
  const quant = join(dir, 'mv1-quant'), int8 = join(dir, 'mv1-int8');
  assert.is(qd(['zoo', '--model', 'mobilenet_v1', '--out', quant, '--image_size', '32', '--fc_calib_images', '2', '--quant']).code, 0);
  assert.is(qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', int8]).code, 0);
  const p = dataset('wrong40.bin', 4, 40);
  const q = join(dir, 'quant-out');
  const runs = {
    bench: qd(['bench', '--infer_model', fp32, '--infer_data', p, '--batch_size', '2']),
    compare: qd(['compare', '--fp32_model', fp32, '--int8_model', int8, '--infer_data', p, '--batch_size', '2']),
    quantize: qd(['quantize', '--model_dir', fp32, '--data', p, '--save_dir', q]),
    run: qd(['run', fp32, '--input', p]),
  };
  for (const [cmd, r] of Object.entries(runs)) {
    assert.is(r.code, 1, `${cmd}: ${r.stderr}`);
    assert.is(oneLineError(r), `qdeploy: error: ${message(p)}`, cmd);
  }
  assert.not.ok(existsSync(q), 'quantize wrote nothing');
  // the right size still runs everywhere (the check does not refuse good data)
  const good = dataset('good32.bin', 4, 32);
  assert.is(qd(['run', fp32, '--input', good, '--top_k', '1']).code, 0);
  assert.is(qd(['bench', '--infer_model', fp32, '--infer_data', good, '--batch_size', '2']).code, 0);
});

test.run();
