// qdeploy zoo --model resnet50|mobilenet_v1|mobilenet_v2 --out DIR [--quant]: the headline architectures in
// Paddle's format with the Paddle model zoo's layer structure and deterministic synthetic weights; --quant
// writes a PaddleSlim-style quant model instead: post-training quantization (src/quant, PaddleSlim quant_post_static
// layout and defaults) calibrated on generated inputs.
import { buildZooModel, ZOO_MODELS, type ZooModel } from '../zoo/models';
import { checkAlgo } from '../quant';
import { fail } from '../util/errors';
import { checkOutputDir } from '../util/fs_atomic';
import { chooseBackend } from '../app/backend_choice';
import { saveGraph } from '../app/model_io';
import { DEFAULT_ZOO_ALGO, generatedImages, zooQuantModel } from '../app/zoo';
import type { CommandSpec } from './args';
import { algoFlag } from './shared_flags';

export const zooCommand: CommandSpec = {
  name: 'zoo',
  summary: 'write ResNet50 / MobileNetV1 / MobileNetV2 (Paddle zoo structure, synthetic weights), FP32 or quant',
  usage: 'qdeploy zoo --model resnet50|mobilenet_v1|mobilenet_v2 --out DIR [--quant] [--layout separate|combined] [--seed N]',
  flags: {
    model: { type: 'string', help: 'architecture', choices: [...ZOO_MODELS] },
    out: { type: 'string', help: 'output model dir', short: 'o' },
    quant: { type: 'boolean', help: 'write a PaddleSlim-style quant model (post-training quantization on generated inputs, src/quant)' },
    calib_images: { type: 'int', min: 1, help: 'generated images for --quant calibration', default: 4 },
    algo: algoFlag('--quant activation calibration', DEFAULT_ZOO_ALGO),
    layout: { type: 'string', help: 'model layout', choices: ['separate', 'combined'], default: 'separate' },
    seed: { type: 'int', help: 'weight seed (default: fixed per architecture)' },
    fc_calib_images: { type: 'int', min: 0, help: 'generated images the classifier is standardised on (0: plain random fc)', default: 4 },
    image_size: { type: 'int', min: 32, help: 'input height and width', default: 224 },
    overwrite: { type: 'boolean', help: 'replace a non-empty output dir' },
  },
  details: `
Layer structure and parameter names follow PaddlePaddle/models image_classification (resnet.py, mobilenet.py,
mobilenet_v2.py): conv2d + batch_norm + relu/relu6 blocks, depthwise convs as conv2d with groups, residual
elementwise_add, pool2d, fc as mul + elementwise_add, softmax. Weights are He-normal from a seeded PRNG with BN
statistics that keep activations near unit scale; the classifier is standardised on a few generated images
(data-dependent init) so that predictions depend on the image. The output is softmax probabilities [N,1000].`,
  async run(args) {
    const model = args.reqStr('model') as ZooModel;
    const out = args.reqStr('out');
    checkOutputDir(out, args.bool('overwrite'));
    const size = args.num('image_size')!;
    if (size < 32 || size % 32 !== 0) fail('usage', `zoo: --image_size must be a multiple of 32 (>= 32), got ${size}`);
    const seed = args.num('seed');
    const fcN = args.num('fc_calib_images')!;
    const algo = checkAlgo(args.str('algo') ?? DEFAULT_ZOO_ALGO);
    const choice = chooseBackend('auto', 1);
    const g = buildZooModel(model, {
      imageSize: size, ...(seed !== undefined ? { seed } : {}),
      ...(fcN > 0 ? { fcCalibration: { images: generatedImages(fcN, size, 1234), backend: choice.backends } } : {}),
    });
    let result = g;
    let note = '';
    if (args.bool('quant')) {
      const n = args.num('calib_images')!;
      if (n < 1) fail('usage', `zoo: --calib_images must be >= 1, got ${n}`);
      const r = await zooQuantModel(g, generatedImages(n, size), choice, algo);
      result = r.graph;
      note = ` (quant model: algo ${algo} on ${n} generated image${n === 1 ? '' : 's'}, ${r.summary.quantizedOps} ops quantized)`;
    }
    const layout = args.str('layout') as 'separate' | 'combined';
    saveGraph(result, out, { layout, overwrite: args.bool('overwrite') });
    const params = [...result.params.values()].reduce((a, t) => a + t.data.length, 0);
    process.stdout.write(`wrote ${model}${note} to ${out}: ${result.ops.length} ops, ${result.params.size} parameters (${params.toLocaleString('en-US')} values), input image [-1,3,${size},${size}]\n`);
  },
};
