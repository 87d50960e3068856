// qdeploy quantize: post-training quantization of an FP32 Paddle model into a PaddleSlim-format quant model
// (fake quantize/dequantize ops + scales), with PaddleSlim quant_post_static's flags and defaults
// (PaddlePaddle/PaddleSlim:paddleslim/quant/quanter.py). The work is in src/quant and src/app/quantize.ts; this file reads flags and prints.
import { QdeployError } from '../util/errors';
import { ACTIVATION_QUANTIZE_TYPES, DEFAULT_QUANTIZABLE_OP_TYPES, WEIGHT_QUANTIZE_TYPES, checkAlgo } from '../quant';
import type { ActivationQuantizeType, WeightQuantizeType } from '../quant/layout';
import { quantizeModel } from '../app/quantize';
import type { CommandSpec } from './args';
import { algoFlag, backendFlag, batchSizeFlag, numThreadsFlag, presetFlag } from './shared_flags';

export const quantizeCommand: CommandSpec = {
  name: 'quantize',
  summary: 'FP32 model → PaddleSlim-format quant model (post-training quantization, calibrated on images)',
  usage: 'qdeploy quantize --model_dir FP32 --data <dataset.bin | image dir with val_list.txt> --save_dir OUT [--algo hist|KL|abs_max|avg|mse]',
  flags: {
    model_dir: { type: 'string', help: 'the FP32 model (dir, or program file); legacy 8-bit programs are turned back to FP32 first' },
    model_filename: { type: 'string', help: 'program file name inside --model_dir' },
    params_filename: { type: 'string', help: 'combined params file name inside --model_dir' },
    data: { type: 'string', help: 'calibration data: a Paddle dataset .bin, or a folder with val_list.txt and images' },
    save_dir: { type: 'string', help: 'output dir of the quant model (PaddleSlim: quantize_model_path); written whole or not at all' },
    quantize_model_path: { type: 'string', help: 'same as --save_dir (PaddleSlim\'s name)' },
    save_model_filename: { type: 'string', help: 'program file name of the quant model', default: 'model.pdmodel' },
    save_params_filename: { type: 'string', help: 'combined params file name of the quant model', default: 'model.pdiparams' },
    algo: algoFlag('activation calibration', 'hist'),
    hist_percent: { type: 'float', help: 'percentile of the hist algo', default: 0.9999 },
    batch_size: batchSizeFlag(1, 'images per calibration batch'),
    batch_nums: { type: 'int', min: 1, help: 'calibration batches (absent: all the data)' },
    quantizable_op_type: { type: 'list', help: 'op types to quantize', default: DEFAULT_QUANTIZABLE_OP_TYPES.join(',') },
    weight_quantize_type: { type: 'string', help: 'weight scales', choices: WEIGHT_QUANTIZE_TYPES, default: 'channel_wise_abs_max' },
    activation_quantize_type: { type: 'string', help: 'fake quantize op of activations', choices: ACTIVATION_QUANTIZE_TYPES, default: 'range_abs_max' },
    onnx_format: { type: 'boolean', help: 'write quantize_linear/dequantize_linear pairs and int8 weights, as PaddleSlim does by default; --onnx_format=false: the classic fake-op layout', default: true },
    preset: presetFlag('preprocessing preset when --data is an image folder (absent: imagenet where it fits, said as the default)'),
    backend: backendFlag('backend running the calibration'),
    num_threads: numThreadsFlag(undefined, 1),
    overwrite: { type: 'boolean', help: 'replace a non-empty output dir' },
  },
  details: `
Output: the FP32 program with fake ops as PaddleSlim's PTQ writes them. By default (PaddleSlim's own default,
onnx_format=True): quantize_linear/dequantize_linear pairs on activations (Scale = the threshold in <act>@scale,
ZeroPoint 0), int8 weights read by dequantize_linear (per-channel Scale, quant_axis 0 for conv, 1 for mul/matmul),
and an observer pair after every output of Paddle's quantizable and observer tables. --onnx_format=false: the
classic QuantizationFreezePass layout: act → fake_quantize_<activation_quantize_type> (scale var <act>@scale) → op
with integer-valued weights → fake_channel_wise_dequantize_max_abs (channel_scale_<k>, <act>@scale) → …, plus
out_threshold / <Slot><i>_threshold / quantization_type=post_<algo> on the table ops. qdeploy convert reads both
and gives the same INT8 model for the same thresholds.
hist and KL read the data twice (min/max, then 2048-bin histograms); the others once.
Example: qdeploy quantize --model_dir squeezenet/ --data val/ --preset caffe_squeezenet --batch_size 4 --batch_nums 4 --algo KL --save_dir quant/
Then:    qdeploy convert --quant_model_path quant/ --int8_model_save_path int8/`,
  async run(args) {
    const modelDir = args.reqStr('model_dir');
    const out = args.str('save_dir') ?? args.str('quantize_model_path');
    if (!out) throw new QdeployError('usage', 'quantize: --save_dir is required (see qdeploy quantize --help)');
    const dataPath = args.reqStr('data');
    const algo = checkAlgo(args.str('algo') ?? 'hist');
    const batchSize = args.num('batch_size') ?? 1;
    const batchNums = args.num('batch_nums');
    if (batchSize < 1) throw new QdeployError('usage', `quantize: --batch_size must be at least 1, got ${batchSize}`);
    if (batchNums !== undefined && batchNums < 1) throw new QdeployError('usage', `quantize: --batch_nums must be at least 1, got ${batchNums}`);
    const histPercent = args.num('hist_percent') ?? 0.9999;
    if (!(histPercent > 0 && histPercent <= 1)) throw new QdeployError('usage', `quantize: --hist_percent must be in (0, 1], got ${histPercent}`);
    const overwrite = args.bool('overwrite');
    const log = (l: string) => process.stdout.write(l + '\n');
    await quantizeModel(modelDir, out, {
      data: dataPath, batchSize, batchNums, preset: args.str('preset'),
      backend: args.str('backend') ?? 'auto', threads: args.num('num_threads') ?? 1,
      load: { modelFilename: args.str('model_filename'), paramsFilename: args.str('params_filename') },
      save: { modelFilename: args.str('save_model_filename') ?? 'model.pdmodel', paramsFilename: args.str('save_params_filename') ?? 'model.pdiparams', overwrite },
      algo, histPercent,
      quantizableOpTypes: args.list('quantizable_op_type') ?? DEFAULT_QUANTIZABLE_OP_TYPES,
      activationQuantizeType: (args.str('activation_quantize_type') ?? 'range_abs_max') as ActivationQuantizeType,
      weightQuantizeType: (args.str('weight_quantize_type') ?? 'channel_wise_abs_max') as WeightQuantizeType,
      onnxFormat: args.bool('onnx_format'), // default true (the flag's default)
      log,
    });
    log(`quant model written to ${out}`);
  },
};
