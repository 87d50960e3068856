// qdeploy info <model>: what a model dir holds — inputs/outputs with shapes, op histogram, parameter count and
// bytes, the quantization ops found (which dialect), and the program's format version.
import { formatTable } from '../report/table';
import { QdeployError, fail } from '../util/errors';
import { modelInfo, type ModelInfo } from '../app/info';
import type { CommandSpec } from './args';

const mb = (b: number) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

export function formatInfo(i: ModelInfo): string {
  const dims = (d: number[]) => `[${d.join(',')}]`;
  const lines = [
    `model: ${i.path}`,
    `layout: ${i.layout} (program ${i.modelFile}${i.paramsFile ? `, params ${i.paramsFile}` : ''})`,
    `format version: ${i.version === null ? 'none (Fluid 1.x program, no version field)' : i.version}${i.opVersions ? `, op_version_map: ${i.opVersions} ops` : ''}`,
    '',
    'inputs:',
    ...i.inputs.map((v) => `  ${v.name}  ${v.dtype}  ${dims(v.dims)}`),
    'outputs:',
    ...i.outputs.map((v) => `  ${v.name}  ${v.dtype}  ${dims(v.inferred ?? v.dims)}${v.inferred && dims(v.inferred) !== dims(v.dims) ? `  (declared ${dims(v.dims)})` : ''}`),
  ];
  if (i.shapeNote) lines.push(`  note: ${i.shapeNote}`);
  lines.push('', `parameters: ${i.params.count} tensors, ${i.params.elements.toLocaleString('en-US')} values, ${i.params.bytes.toLocaleString('en-US')} bytes (${mb(i.params.bytes)})` +
    (Object.keys(i.params.byDtype).length ? `; ${Object.entries(i.params.byDtype).map(([k, v]) => `${v} ${k}`).join(', ')}` : ''));
  lines.push(`quantization: ${i.quant.dialect}`);
  if (i.quant.ops.length) lines.push(`  quant ops: ${i.quant.ops.map(([t, n]) => `${t} ${n}`).join(', ')}`);
  if (i.quant.int8Ops) lines.push(`  ops marked int8: ${i.quant.int8Ops}`);
  lines.push('', `ops: ${i.ops}`);
  const text = formatTable(['op type', 'count'], i.histogram.map(([t, n]) => [t, n]), { indent: '  ' });
  return lines.join('\n') + '\n' + text;
}

export const infoCommand: CommandSpec = {
  name: 'info',
  summary: 'inputs, outputs, op histogram, parameters and quantization of a model',
  usage: 'qdeploy info <model> [--json]',
  flags: {
    json: { type: 'boolean', help: 'print the same as JSON' },
  },
  run(args) {
    if (args.positionals.length !== 1) fail('usage', `info: expects one model path, got ${args.positionals.length} (see qdeploy info --help)`);
    const i = modelInfo(args.positionals[0]);
    process.stdout.write(args.bool('json') ? JSON.stringify(i, null, 2) + '\n' : formatInfo(i));
    if (i.error) throw new QdeployError(i.errorCode ?? 'format', i.error);
  },
};
