// qdeploy convert: a PaddleSlim quant model (fake quantize/dequantize ops) → an INT8 model for CPU, through
// Paddle's Quant2Int8 pass pipeline (src/passes/pipelines.ts). Flags are those of Paddle's save_quant_model.py
// (PaddlePaddle/Paddle:python/paddle/fluid/contrib/slim/tests/save_quant_model.py).
import { formatSummary, summarize } from '../passes/summary';
import { QdeployError } from '../util/errors';
import { checkOutputDir } from '../util/fs_atomic';
import { convertModel } from '../app/convert';
import type { CommandSpec } from './args';

export function parseIds(list: string[] | undefined): number[] {
  return (list ?? []).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new QdeployError('usage', `convert: --op_ids_to_skip expects op ids (integers), got '${s}'`);
    return n;
  });
}

export const convertCommand: CommandSpec = {
  name: 'convert',
  summary: 'quant model (fake quant ops) → INT8 model, with Paddle\'s Quant2Int8 passes',
  usage: 'qdeploy convert --quant_model_path Q --int8_model_save_path OUT [--ops_to_quantize conv2d,pool2d] [--op_ids_to_skip 12,40] [--debug]',
  flags: {
    quant_model_path: { type: 'string', help: 'the quant model (dir, or program file)' },
    quant_model_filename: { type: 'string', help: 'program file name inside the quant model dir' },
    quant_model_params_filename: { type: 'string', help: 'combined params file name inside the quant model dir' },
    int8_model_save_path: { type: 'string', help: 'output dir for the INT8 model (written whole or not at all)' },
    ops_to_quantize: { type: 'list', help: 'op types to quantize, comma-separated (empty: every quantizable type)', default: '' },
    op_ids_to_skip: { type: 'list', help: 'op ids to keep FP32, comma-separated (ids as in the --debug .dot files)', default: '' },
    debug: { type: 'boolean', help: 'write int8_<k>_<pass>.dot after every pass and print per-pass times' },
    debug_dir: { type: 'string', help: 'where --debug writes the .dot files', default: '.' },
    save_model_filename: { type: 'string', help: 'program file name of the INT8 model', default: '__model__' },
    save_params_filename: { type: 'string', help: 'combined params file name (absent: one file per parameter)' },
    overwrite: { type: 'boolean', help: 'replace a non-empty --int8_model_save_path' },
    update_relu_output_scales: { type: 'boolean', help: 'Paddle 2.0: quantize relu outputs u8 at 255/T (finer than the quant model simulated; Paddle 3.x leaves it out)' },
    int8_weights: { type: 'boolean', help: 'store int8 conv/fc weights as int8 tensors (qdeploy only; Paddle expects fp32 weights)' },
  },
  details: `
Pipeline (Paddle's Quant2Int8MkldnnPass order): gather weight and activation scales (fake ops, out_threshold) →
remove fake ops → dequantize weights → FP32 fusions (conv+bn, conv+bias, conv+residual add, conv+activation,
mul/matmul+add → fc) → weight scales → propagate scales → placement → quantize → squash. Relu outputs are u8
tensors at the quant model's scale (127/T); --update_relu_output_scales uses 255/T as Paddle 2.0 did.
Example: qdeploy convert --quant_model_path quant/ --int8_model_save_path int8/ --ops_to_quantize conv2d,pool2d`,
  run(args) {
    const src = args.reqStr('quant_model_path');
    const out = args.reqStr('int8_model_save_path');
    const overwrite = args.bool('overwrite');
    checkOutputDir(out, overwrite);
    if (args.bool('debug')) checkOutputDir(args.str('debug_dir') ?? '.', true);
    const opts = {
      opsToQuantize: args.list('ops_to_quantize') ?? [],
      opIdsToSkip: parseIds(args.list('op_ids_to_skip')),
      int8Weights: args.bool('int8_weights'),
      unsignedReluScales: args.bool('update_relu_output_scales'),
    };
    const log = (l: string) => process.stdout.write(l + '\n');
    const { graph: g, ctx } = convertModel(src, out, opts, {
      load: { modelFilename: args.str('quant_model_filename'), paramsFilename: args.str('quant_model_params_filename') },
      save: { modelFilename: args.str('save_model_filename'), paramsFilename: args.str('save_params_filename'), overwrite },
      debugDir: args.bool('debug') ? args.str('debug_dir') ?? '.' : undefined,
      log,
    });
    process.stdout.write(formatSummary(summarize(g, ctx.log)));
    log(`INT8 model written to ${out}`);
  },
};
