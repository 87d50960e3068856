// Wherever images are preprocessed (bench, compare, quantize, run), the preset used is printed (`preprocess: preset
// NAME (...)`), and with no --preset the line says it is the default and how to choose another. A preset the model's
// input size rules out is refused before any image is read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { choosePreset } from '../../src/data';
import { QdeployError } from '../../src/util/errors';
import { oneLineError, qd, type CliResult } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'qdeploy-preset-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const fp32 = join(dir, 'mv1');
const int8 = join(dir, 'mv1-int8'); // compare takes a converted model as --int8_model (an FP32 one is refused)
const images = join(dir, 'images');

const presetLines = (r: CliResult) => r.stderr.split('\n').filter((l) => l.startsWith('preprocess: preset '));

test('choosePreset: the default is named as such; a size that admits one preset takes it; ruled-out presets are refused', () => {
  const d = choosePreset(undefined, [3, 224, 224]);
  assert.is(d.name, 'imagenet');
  assert.ok(d.guessed);
  assert.match(d.line, /^preprocess: preset imagenet \(the default, as no --preset was given; .* --preset imagenet\|caffe_squeezenet\|caffe_mobilenet\): resize short side to 256 .*centre crop 224x224, RGB/);
  const m = choosePreset('caffe_mobilenet', [3, 224, 224]);
  assert.not.ok(m.guessed);
  assert.match(m.line, /^preprocess: preset caffe_mobilenet \(--preset\): .*BGR/);
  assert.equal([m.options.height, m.options.width], [224, 224]);
  // the crop follows a square model input (as Paddle's --data_dim)
  assert.equal([choosePreset('caffe_squeezenet', [3, 32, 32]).options.height, choosePreset(undefined, [3, 300, 300]).options.resizeShort], [32, 300]);
  const ocr = choosePreset(undefined, [3, 48, 192]);
  assert.is(ocr.name, 'ppocr_cls');
  assert.not.ok(ocr.guessed);
  assert.match(ocr.line, /only preset that makes \[3,48,192\] images/);
  const refused = (p: string | undefined, dims: number[], re: RegExp) => {
    try { choosePreset(p, dims); assert.unreachable(`${p} on [${dims}] should be refused`); } catch (e) {
      assert.instance(e, QdeployError);
      assert.is((e as QdeployError).code, 'shape');
      assert.match((e as Error).message, re);
    }
  };
  refused('ppocr_cls', [3, 224, 224], /^--preset ppocr_cls does not fit this model: it makes 3x48x192 images, the model input is \[3,224,224\] \(presets that fit: imagenet\|caffe_squeezenet\|caffe_mobilenet\)$/);
  refused('imagenet', [3, 48, 192], /^--preset imagenet does not fit this model: it makes square images .*\[3,48,192\] \(presets that fit: ppocr_cls\)$/);
  refused(undefined, [1, 28, 28], /^no preprocessing preset makes images of the model input \[1,28,28\]/);
  assert.throws(() => choosePreset('imagenett', [3, 224, 224]), /unknown --preset 'imagenett'/);
});

test('setup: a 32x32 MobileNetV1 and a folder of 4 JPEGs with val_list.txt', async () => {
  const z = qd(['zoo', '--model', 'mobilenet_v1', '--out', fp32, '--image_size', '32', '--fc_calib_images', '2']);
  assert.is(z.code, 0, z.stderr);
  const quant = join(dir, 'mv1-quant');
  const zq = qd(['zoo', '--model', 'mobilenet_v1', '--out', quant, '--image_size', '32', '--fc_calib_images', '2', '--quant']);
  assert.is(zq.code, 0, zq.stderr);
  const c = qd(['convert', '--quant_model_path', quant, '--int8_model_save_path', int8]);
  assert.is(c.code, 0, c.stderr);
  mkdirSync(join(images, 'val'), { recursive: true });
  const list: string[] = [];
  for (let i = 0; i < 4; i++) {
    const f = `val/img${i}.jpg`;
    await sharp({ create: { width: 48 + 8 * i, height: 40, channels: 3, background: { r: 40 * i, g: 200 - 30 * i, b: 90 } } }).jpeg().toFile(join(images, f));
    list.push(`${f} ${i}`);
  }
  writeFileSync(join(images, 'val_list.txt'), list.join('\n') + '\n');
});

test('no --preset: bench, compare, quantize and run each print the preset as the default and how to choose', () => {
  const runs: Record<string, CliResult> = {
    bench: qd(['bench', '--infer_model', fp32, '--infer_data', images, '--batch_size', '2']),
    compare: qd(['compare', '--fp32_model', fp32, '--int8_model', int8, '--infer_data', images, '--batch_size', '2', '--warmup', '0']),
    quantize: qd(['quantize', '--model_dir', fp32, '--data', images, '--save_dir', join(dir, 'q-default'), '--algo', 'abs_max', '--batch_size', '2', '--batch_nums', '1']),
    run: qd(['run', fp32, '--input', join(images, 'val', 'img0.jpg'), '--top_k', '1']),
  };
  for (const [cmd, r] of Object.entries(runs)) {
    assert.is(r.code, 0, `${cmd}: ${r.stderr}`);
    const lines = presetLines(r);
    assert.is(lines.length, 1, `${cmd} prints the preset once:\n${r.stderr}`);
    assert.match(lines[0], /^preprocess: preset imagenet \(the default, as no --preset was given; .*--preset imagenet\|caffe_squeezenet\|caffe_mobilenet\): .*centre crop 32x32, RGB/, cmd);
  }
});

test('--preset NAME: printed as chosen, not as a default', () => {
  const r = qd(['bench', '--infer_model', fp32, '--infer_data', images, '--batch_size', '2', '--preset', 'caffe_mobilenet']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(presetLines(r).length, 1);
  assert.match(presetLines(r)[0], /^preprocess: preset caffe_mobilenet \(--preset\): .*centre crop 32x32, BGR/);
  assert.not.match(r.stderr, /default/);
  const run = qd(['run', fp32, '--input', join(images, 'val', 'img1.jpg'), '--preset', 'caffe_squeezenet', '--top_k', '1']);
  assert.is(run.code, 0, run.stderr);
  assert.match(presetLines(run)[0], /^preprocess: preset caffe_squeezenet \(--preset\)/);
});

test('a preset the model input rules out: one error line before anything runs, in every command', () => {
  const q = join(dir, 'q-ocr');
  const runs: Record<string, CliResult> = {
    bench: qd(['bench', '--infer_model', fp32, '--infer_data', images, '--preset', 'ppocr_cls']),
    compare: qd(['compare', '--fp32_model', fp32, '--int8_model', int8, '--infer_data', images, '--preset', 'ppocr_cls']),
    quantize: qd(['quantize', '--model_dir', fp32, '--data', images, '--save_dir', q, '--preset', 'ppocr_cls']),
    run: qd(['run', fp32, '--input', join(images, 'val', 'img0.jpg'), '--preset', 'ppocr_cls']),
  };
  for (const [cmd, r] of Object.entries(runs)) {
    assert.is(r.code, 1, `${cmd}: ${r.stderr}`);
    assert.is(oneLineError(r), 'qdeploy: error: --preset ppocr_cls does not fit this model: it makes 3x48x192 images, the model input is [3,32,32] (presets that fit: imagenet|caffe_squeezenet|caffe_mobilenet)', cmd);
    assert.not.match(r.stdout, /Model:|Top1|top-1|quantized/, `${cmd} ran nothing`);
  }
  assert.not.ok(existsSync(q));
});

test.run();
