// The headline architectures with the Paddle model zoo's layer structure and parameter names
// (PaddlePaddle/models: PaddleCV/image_classification/models/{resnet.py, mobilenet.py, mobilenet_v2.py}),
// built with deterministic synthetic weights. Input `image` [-1,3,S,S]; output softmax probabilities [N,1000].
import type { Graph } from '../graph/graph';
import type { Backends } from '../runtime/compile';
import { NetBuilder, type T } from './builder';
import { calibrateClassifier } from './fc_calibrate';

export const ZOO_MODELS = ['resnet50', 'mobilenet_v1', 'mobilenet_v2'] as const;
export type ZooModel = (typeof ZOO_MODELS)[number];

export interface ZooOptions {
  /** generated images to standardise the classifier's input on (calibrateClassifier); none: random fc */
  fcCalibration?: { images: Float32Array[]; backend: Backends };
  seed?: number;
  /** input height = width (224 in the zoo; smaller for quick tests, multiple of 32) */
  imageSize?: number;
  classes?: number;
}

function resnet50(b: NetBuilder, x: T, classes: number): T {
  // conv_bn_layer(name) → weights `<name>_weights`, BN `bn_conv1` / `bn<name minus 'res'>`
  const bnName = (n: string) => (n === 'conv1' ? 'bn_conv1' : `bn${n.slice(3)}`);
  const convBn = (t: T, name: string, oc: number, k: number, stride: number, act: 'relu' | '', gamma = 1) =>
    b.convBn(t, { name, bn: bnName(name), oc, k, stride, pad: (k - 1) >> 1, act, gamma });
  let t = convBn(x, 'conv1', 64, 7, 2, 'relu');
  t = b.pool(t, { type: 'max', k: 3, stride: 2, pad: 1 });
  const depth = [3, 4, 6, 3], filters = [64, 128, 256, 512];
  for (let block = 0; block < depth.length; block++) {
    for (let i = 0; i < depth[block]; i++) {
      const name = `res${block + 2}${String.fromCharCode(97 + i)}`;
      const stride = i === 0 && block !== 0 ? 2 : 1;
      const nf = filters[block];
      const c0 = convBn(t, `${name}_branch2a`, nf, 1, 1, 'relu');
      const c1 = convBn(c0, `${name}_branch2b`, nf, 3, stride, 'relu');
      // the last BN of a residual branch starts small (as zero-γ init does), so 16 residual adds stay bounded
      const c2 = convBn(c1, `${name}_branch2c`, nf * 4, 1, 1, '', 0.35);
      const short = t.shape[0] !== nf * 4 || stride !== 1 ? convBn(t, `${name}_branch1`, nf * 4, 1, stride, '') : t;
      t = b.add(short, c2, 'relu');
    }
  }
  t = b.pool(t, { type: 'avg', global: true });
  return b.softmax(b.fc(t, { w: 'fc_0.w_0', b: 'fc_0.b_0', out: classes }));
}

function mobilenetV1(b: NetBuilder, x: T, classes: number): T {
  const convBn = (t: T, name: string, oc: number, k: number, stride: number, groups = 1) =>
    b.convBn(t, { name, bn: `${name}_bn`, oc, k, stride, pad: (k - 1) >> 1, groups, act: 'relu' });
  const sep = (t: T, f1: number, f2: number, groups: number, stride: number, name: string) =>
    convBn(convBn(t, `${name}_dw`, f1, 3, stride, groups), `${name}_sep`, f2, 1, 1);
  let t = convBn(x, 'conv1', 32, 3, 2);
  t = sep(t, 32, 64, 32, 1, 'conv2_1');
  t = sep(t, 64, 128, 64, 2, 'conv2_2');
  t = sep(t, 128, 128, 128, 1, 'conv3_1');
  t = sep(t, 128, 256, 128, 2, 'conv3_2');
  t = sep(t, 256, 256, 256, 1, 'conv4_1');
  t = sep(t, 256, 512, 256, 2, 'conv4_2');
  for (let i = 1; i <= 5; i++) t = sep(t, 512, 512, 512, 1, `conv5_${i}`);
  t = sep(t, 512, 1024, 512, 2, 'conv5_6');
  t = sep(t, 1024, 1024, 1024, 1, 'conv6');
  t = b.pool(t, { type: 'avg', global: true });
  return b.softmax(b.fc(t, { w: 'fc7_weights', b: 'fc7_offset', out: classes }));
}

function mobilenetV2(b: NetBuilder, x: T, classes: number): T {
  const convBn = (t: T, name: string, oc: number, k: number, stride: number, groups: number, act: boolean, gamma = 1) =>
    b.convBn(t, { name, bn: `${name}_bn`, oc, k, stride, pad: (k - 1) >> 1, groups, act: act ? 'relu6' : '', gamma });
  const unit = (t: T, inC: number, c: number, shortcut: boolean, stride: number, expansion: number, name: string): T => {
    const e = Math.round(inC * expansion);
    const expand = convBn(t, `${name}_expand`, e, 1, 1, 1, true);
    const dw = convBn(expand, `${name}_dwise`, e, 3, stride, e, true);
    const linear = convBn(dw, `${name}_linear`, c, 1, 1, 1, false, shortcut ? 0.5 : 1);
    return shortcut ? b.add(t, linear) : linear;
  };
  let t = convBn(x, 'conv1_1', 32, 3, 2, 1, true);
  let inC = 32;
  const params: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  params.forEach(([tExp, c, n, s], i) => {
    const name = `conv${i + 2}`;
    t = unit(t, inC, c, false, s, tExp, `${name}_1`);
    for (let j = 1; j < n; j++) t = unit(t, c, c, true, 1, tExp, `${name}_${j + 1}`);
    inC = c;
  });
  t = convBn(t, 'conv9', 1280, 1, 1, 1, true);
  t = b.pool(t, { type: 'avg', global: true });
  return b.softmax(b.fc(t, { w: 'fc10_weights', b: 'fc10_offset', out: classes }));
}

const BUILDERS: Record<ZooModel, (b: NetBuilder, x: T, classes: number) => T> = {
  resnet50, mobilenet_v1: mobilenetV1, mobilenet_v2: mobilenetV2,
};

/** the default seeds make each architecture's bytes fixed */
const SEEDS: Record<ZooModel, number> = { resnet50: 50, mobilenet_v1: 1, mobilenet_v2: 2 };

export function buildZooModel(model: ZooModel, opts: ZooOptions = {}): Graph {
  const size = opts.imageSize ?? 224;
  const b = new NetBuilder(opts.seed ?? SEEDS[model]);
  const x = b.input('image', [3, size, size]);
  const y = BUILDERS[model](b, x, opts.classes ?? 1000);
  b.output(y);
  b.g.source = `zoo:${model}`;
  if (opts.fcCalibration) calibrateClassifier(b.g, opts.fcCalibration.images, opts.fcCalibration.backend);
  return b.g;
}
