// Flags that several commands take, defined once so that each means the same everywhere: the tester's
// (Slim demo/mkldnn_quant/sample_tester.cc, spec 6.1) batch, iteration, warm-up, thread and analysis flags,
// and the backend. Defaults may differ per command where Paddle's tools differ (sample_tester batches 50,
// PaddleSlim calibrates with batch 1): pass them in.
import { PRESET_NAMES } from '../data';
import { ALGOS, UNSUPPORTED_ALGOS } from '../quant';
import { BACKEND_CHOICES } from '../app/backend_choice';
import type { FlagSpec } from './args';

export const backendFlag = (help = 'backend'): FlagSpec => ({ type: 'string', help, choices: BACKEND_CHOICES, default: 'auto' });

/** 0 = every core, in every command (preprocess always meant that; the runtimes now do too) */
export const numThreadsFlag = (help = 'backend threads; 0 = all cores', dflt?: number): FlagSpec =>
  ({ type: 'threads', help, ...(dflt !== undefined ? { default: dflt } : {}) });

export const batchSizeFlag = (dflt: number, help = 'images per batch'): FlagSpec => ({ type: 'int', min: 1, help, default: dflt });

export const iterationsFlag = (help = 'timed batches; 0 = the whole dataset (N / batch_size)'): FlagSpec => ({ type: 'int', min: 0, help, default: 0 });

/** --warmup and sample_tester's name for it */
export const warmupFlags = (dflt: number, help = 'warm-up batches before timing'): Record<string, FlagSpec> => ({
  warmup: { type: 'int', min: 0, help, default: dflt },
  warmup_iter: { type: 'int', min: 0, help: 'sample_tester\'s name', aliasOf: 'warmup' },
});

/** PaddleSlim's post-training calibration algorithm (quant_post_static's algo), in every command that quantizes */
export const algoFlag = (help: string, dflt: string): FlagSpec => ({
  type: 'string', help, choices: ALGOS, default: dflt,
  choiceNotes: Object.fromEntries(UNSUPPORTED_ALGOS.map((a) => [a, `PaddleSlim's '${a}' is not implemented in qdeploy`])),
});

/** the image preprocessing preset (src/data), where images are read */
export const presetFlag = (help: string, dflt?: string): FlagSpec => ({ type: 'string', help, choices: PRESET_NAMES, ...(dflt !== undefined ? { default: dflt } : {}) });

export const useAnalysisFlag = (help = 'apply the FP32 fuses first, as Paddle\'s AnalysisConfig does (FP32 models)'): FlagSpec => ({ type: 'boolean', help });

export const withAccuracyLayerFlag = (help: string): FlagSpec => ({ type: 'boolean', help });
