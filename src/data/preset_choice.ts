// Which preprocessing preset a JPEG folder goes through for a model, and the line that says so. A preset the
// model's input size rules out is refused before any image is read; with no --preset, the choice is named as
// the default it is (Paddle's ImageNet preprocessing) together with how to choose another, because a model trained
// with other preprocessing (the Caffe-converted MobileNets: BGR, 0..255 means) silently loses accuracy otherwise.
import { QdeployError } from '../util/errors';
import { PRESETS, PRESET_NAMES, describePreprocess, preprocessOptions, type PreprocessOptions, type PresetName } from './preprocess';

export const DEFAULT_PRESET: PresetName = 'imagenet';

export interface PresetChoice {
  name: PresetName;
  options: PreprocessOptions;
  /** no --preset was given and more than one preset fits: the default was taken */
  guessed: boolean;
  /** the presets the model input admits */
  fitting: PresetName[];
  /** `preprocess: preset …`: what is used and why */
  line: string;
}

const dimsText = (d: readonly number[]) => `[${d.join(',')}]`;

/**
 * Why preset `name` cannot make images of `imageDims` ([C,H,W]), or undefined when it can. The resize + centre crop
 * presets give any square 3-channel size (the crop follows the model, as Paddle's --data_dim does); ppocr_cls gives
 * its fixed 3x48x192 only.
 */
export function presetMismatch(name: PresetName, imageDims: readonly number[]): string | undefined {
  const base = PRESETS[name];
  const [c, h, w] = imageDims;
  if (imageDims.length !== 3 || c !== 3) return `it makes 3-channel images, the model input is ${dimsText(imageDims)}`;
  if (base.layout === 'resize_crop') return h === w ? undefined : `it makes square images (a centre crop), the model input is ${dimsText(imageDims)}`;
  return h === base.height && w === base.width ? undefined : `it makes 3x${base.height}x${base.width} images, the model input is ${dimsText(imageDims)}`;
}

function optionsFor(name: PresetName, imageDims: readonly number[]): PreprocessOptions {
  const base = PRESETS[name];
  const h = imageDims[1];
  if (base.layout === 'resize_crop' && h !== base.height) return preprocessOptions(name, { dataDim: h, resizeShort: Math.max(base.resizeShort, h) });
  return preprocessOptions(name);
}

/** The preset for a model input `imageDims` ([C,H,W]); `preset` as given on the command line (undefined: none). */
export function choosePreset(preset: string | undefined, imageDims: readonly number[]): PresetChoice {
  const fitting = PRESET_NAMES.filter((n) => !presetMismatch(n, imageDims));
  if (preset !== undefined) {
    if (!PRESET_NAMES.includes(preset as PresetName)) {
      throw new QdeployError('usage', `unknown --preset '${preset}' (one of ${PRESET_NAMES.join('|')})`);
    }
    const name = preset as PresetName;
    const why = presetMismatch(name, imageDims);
    if (why) {
      throw new QdeployError('shape', `--preset ${name} does not fit this model: ${why}` +
        (fitting.length ? ` (presets that fit: ${fitting.join('|')})` : '; no preset fits it: give a dataset .bin of such images'));
    }
    const options = optionsFor(name, imageDims);
    return { name, options, guessed: false, fitting, line: `preprocess: preset ${name} (--preset): ${describePreprocess(options)}` };
  }
  if (fitting.length === 0) {
    throw new QdeployError('shape', `no preprocessing preset makes images of the model input ${dimsText(imageDims)} (${PRESET_NAMES.join('|')}); give a dataset .bin of such images`);
  }
  const name = fitting.includes(DEFAULT_PRESET) ? DEFAULT_PRESET : fitting[0];
  const options = optionsFor(name, imageDims);
  const guessed = fitting.length > 1;
  const why = guessed
    ? `the default, as no --preset was given; a model trained with other preprocessing needs its own: --preset ${fitting.join('|')}`
    : `no --preset given; the only preset that makes ${dimsText(imageDims)} images`;
  return { name, options, guessed, fitting, line: `preprocess: preset ${name} (${why}): ${describePreprocess(options)}` };
}
