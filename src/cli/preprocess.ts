// qdeploy preprocess: a folder of JPEGs + val_list.txt → Paddle's ImageNet dataset .bin (spec §5), with the flags
// of PaddlePaddle/Paddle: paddle/fluid/inference/tests/api/full_ILSVRC2012_val_preprocess.py (--local mode only;
// qdeploy never downloads ImageNet) plus presets for the Caffe-converted models and PaddleOCR's classifier.
import { availableParallelism } from 'node:os';
import {
  Preprocessor, configureThreads, defaultWorkers, describePreprocess, joinLikePython, jpegDecoderImpl, preprocessOptions, readValList,
  writeDatasetFromImages, type ChannelOrder, type PresetName, type ResampleImpl,
} from '../data';
import { createProgress } from '../util/progress';
import { QdeployError } from '../util/errors';
import { checkOutputFile } from '../util/fs_atomic';
import type { CommandSpec, ParsedArgs } from './args';
import { numThreadsFlag, presetFlag } from './shared_flags';

function numbers(args: ParsedArgs, name: string): number[] | undefined {
  const l = args.list(name);
  if (!l) return undefined;
  return l.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new QdeployError('usage', `preprocess: --${name} expects numbers, got '${s}'`);
    return v;
  });
}

export const preprocessCommand: CommandSpec = {
  name: 'preprocess',
  summary: 'JPEG folder + val_list.txt → Paddle ImageNet dataset .bin (as full_ILSVRC2012_val_preprocess.py)',
  usage: 'qdeploy preprocess --local --data_dir D [--label_list val_list.txt] [--output_file imagenet_small.bin] [--preset imagenet] [--limit N]',
  flags: {
    local: { type: 'boolean', help: 'convert a local dataset (required: qdeploy does not download ImageNet)' },
    data_dir: { type: 'string', help: 'dataset root holding the images and the list' },
    label_list: { type: 'string', help: 'list of "<path> <label>" lines, relative to --data_dir', default: 'val_list.txt' },
    output_file: { type: 'string', help: 'output .bin, relative to --data_dir (as Paddle joins it)', default: 'imagenet_small.bin' },
    preset: presetFlag('preprocessing preset', 'imagenet'),
    data_dim: { type: 'int', min: 1, help: 'crop size (preset default: 224; caffe_squeezenet 227)' },
    resize_short: { type: 'int', min: 1, help: 'short side before the centre crop (preset default 256)' },
    mean: { type: 'list', help: 'per-channel mean in the --scale units, in output channel order (preset default)' },
    std: { type: 'list', help: 'per-channel std (preset default; 1 for no division)' },
    scale: { type: 'float', help: 'pixels are divided by this before mean/std: 255 (Paddle) or 1 (Caffe)' },
    channel_order: { type: 'string', help: 'output channel order (preset default)', choices: ['rgb', 'bgr'] },
    resample: { type: 'string', help: 'pil: PIL-identical Lanczos (wasm SIMD128, the default); sharp: libvips Lanczos (within 0.004 of PIL)', choices: ['sharp', 'pil'] },
    on_error: { type: 'string', help: 'unreadable or missing image: skip it with a warning, or fail', choices: ['skip', 'fail'], default: 'fail' },
    limit: { type: 'int', min: 0, help: 'only the first N list entries (0: all)', default: 0 },
    num_threads: numThreadsFlag('preprocessing threads; 0 = all cores; from 2, whole images in worker threads (QDEPLOY_PREPROCESS_WORKERS=0: decodes only) (default: all cores)'),
    quiet: { type: 'boolean', help: 'no progress output' },
  },
  details: `
Per image (Paddle's process_image): resize the short side to --resize_short with Lanczos (new size
round(side·256/short)), centre crop --data_dim (offset (W-crop)//2, (H-crop)//2), RGB, then per channel
((x / scale) - mean) / std, CHW float32. Output layout (little endian): int64 N, N float32 C×H×W images,
N int64 labels. The file appears only when complete; any failure leaves no output.

Presets:
  imagenet          Paddle default: crop 224, RGB, mean 0.485,0.456,0.406, std 0.229,0.224,0.225, scale 255
  caffe_squeezenet  crop 227, BGR, mean 104,117,124 (0..255), no std, scale 1
  caffe_mobilenet   crop 224, BGR, mean 103.94,116.78,123.68, Caffe scale 0.017 (= std 58.82), scale 1
  ppocr_cls         PaddleOCR text-direction classifier: 3x48x192, height 48 keeping the ratio (linear),
                    zero padding on the right, BGR, (x/255 - 0.5)/0.5

Differences from Paddle's script: --data_dim sets the crop (Paddle only checks it and always crops 224); a
missing image is an error (or skipped with --on_error skip) instead of a hole of garbage in the file; with
--on_error skip the header counts the images actually written.

Examples:
  qdeploy preprocess --local --data_dir ~/ILSVRC2012 --output_file int8_full_val.bin
  qdeploy preprocess --local --data_dir data --preset caffe_squeezenet --limit 100 --output_file /tmp/sq100.bin`,

  async run(args) {
    if (!args.bool('local')) {
      throw new QdeployError('usage', 'preprocess: pass --local with --data_dir (qdeploy does not download ImageNet)');
    }
    const dataDir = args.reqStr('data_dir');
    const threads = configureThreads(args.num('num_threads'));
    const opts = preprocessOptions(args.str('preset') as PresetName, {
      dataDim: args.num('data_dim'),
      resizeShort: args.num('resize_short'),
      mean: numbers(args, 'mean'),
      std: numbers(args, 'std'),
      scale: args.num('scale'),
      channelOrder: args.str('channel_order') as ChannelOrder | undefined,
      resample: args.str('resample') as ResampleImpl | undefined,
    });
    const limit = args.num('limit') ?? 0;
    if (limit < 0) throw new QdeployError('usage', `preprocess: --limit must be ≥ 0, got ${limit}`);
    const labelList = args.str('label_list') ?? 'val_list.txt';
    const listFile = joinLikePython(dataDir, labelList);
    const entries = readValList(dataDir, labelList, { limit });
    const target = joinLikePython(dataDir, args.str('output_file') ?? 'imagenet_small.bin');
    checkOutputFile(target);
    const pre = new Preprocessor(opts);
    const quiet = args.bool('quiet');
    const log = (l: string) => { if (!quiet) process.stderr.write(l + '\n'); };
    log(`preprocess: ${entries.length} images from ${listFile} → ${target}`);
    log(`preprocess: ${describePreprocess(opts)}; ${threads} of ${availableParallelism()} threads`);
    // which JPEG decoder runs (and why sharp does, where the addon is absent): only the resize_crop path uses it
    if (opts.layout === 'resize_crop' && opts.resample === 'pil') log(`preprocess: JPEG decode: ${jpegDecoderImpl()}`);
    const progress = createProgress('preprocess', entries.length, { unit: 'img', quiet });
    // Ctrl-C: the temp file is removed by the writer's exit hook; make the signal go through 'exit'.
    const onSig = () => { progress.stop(); process.stderr.write('qdeploy: interrupted; no output written\n'); process.exit(130); };
    process.once('SIGINT', onSig);
    process.once('SIGTERM', onSig);
    try {
      const r = await writeDatasetFromImages(entries, target, pre, {
        onError: (args.str('on_error') ?? 'fail') as 'skip' | 'fail',
        listFile,
        onProgress: () => progress.tick(),
        onWarning: (m) => progress.log(`qdeploy: warning: ${m}`),
      });
      progress.stop();
      const [c, h, w] = pre.shape;
      process.stdout.write(
        `wrote ${target}: ${r.n} images ${c}x${h}x${w} float32 + labels, ${r.bytes} bytes` +
        `${r.skipped ? `, ${r.skipped} skipped` : ''} (${r.seconds.toFixed(1)} s, ${(r.n / r.seconds).toFixed(1)} img/s` +
        `${r.inWorkers ? `; ${r.inWorkers} in ${defaultWorkers()} worker threads` : ''})\n`);
      return 0;
    } finally {
      progress.stop(false);
      process.removeListener('SIGINT', onSig);
      process.removeListener('SIGTERM', onSig);
    }
  },
};
