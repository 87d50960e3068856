// qdeploy save <model> --out DIR: rewrite a model in either Paddle layout (separate: __model__ + one file per
// parameter; combined: model.pdmodel + model.pdiparams), whole or not at all.
import { fail } from '../util/errors';
import { checkOutputDir } from '../util/fs_atomic';
import type { CommandSpec } from './args';
import { loadGraph, saveGraph } from '../app/model_io';
import { saveFileNames } from '../format/paddle';

export const saveCommand: CommandSpec = {
  name: 'save',
  summary: 'write a model again, in the separate or combined layout',
  usage: 'qdeploy save <model> --out DIR [--layout separate|combined] [--model_filename F] [--params_filename P] [--overwrite]',
  flags: {
    out: { type: 'string', help: 'output dir', short: 'o' },
    layout: { type: 'string', help: 'model layout', choices: ['separate', 'combined'], default: 'separate' },
    model_filename: { type: 'string', help: 'program file name (default __model__ / model.pdmodel)' },
    params_filename: { type: 'string', help: 'combined params file name (default model.pdiparams)' },
    overwrite: { type: 'boolean', help: 'replace a non-empty output dir' },
  },
  run(args) {
    if (args.positionals.length !== 1) fail('usage', `save: expects one model path, got ${args.positionals.length} (see qdeploy save --help)`);
    const out = args.reqStr('out');
    checkOutputDir(out, args.bool('overwrite'));
    const layout = args.str('layout') as 'separate' | 'combined';
    const opts = { layout, modelFilename: args.str('model_filename'), paramsFilename: args.str('params_filename'), overwrite: args.bool('overwrite') };
    const names = saveFileNames(opts);
    const g = loadGraph(args.positionals[0]);
    saveGraph(g, out, opts);
    process.stdout.write(`saved ${args.positionals[0]} → ${out} (${names.layout}: ${names.modelFilename}${names.paramsFilename ? ` + ${names.paramsFilename}` : ` + ${g.params.size} parameter files`})\n`);
  },
};
