// qdeploy run <model> --input <file.bin|file.f32|image...>: run a model and print the top-k classes per input
// (with synset names when a labels file is known), optionally writing the raw float32 outputs (one row per
// input, row-major) atomically.
import { topK } from '../report/stats';
import { fail } from '../util/errors';
import { checkOutputFile, writeFileAtomic } from '../util/fs_atomic';
import { backendLine, chooseBackend } from '../app/backend_choice';
import { loadForBench, modelIo } from '../app/model_io';
import { defaultLabels, readInputs, readLabels, runImages } from '../app/run';
import type { CommandSpec } from './args';
import { backendFlag, batchSizeFlag, numThreadsFlag, presetFlag } from './shared_flags';

export function formatTopK(rows: Float32Array[], names: string[], k: number, labels?: string[], truth?: number[]): string {
  const lines: string[] = [];
  let hits = 0;
  rows.forEach((row, i) => {
    const top = topK(row, k);
    const t = truth?.[i];
    if (t !== undefined && top[0] === t) hits++;
    lines.push(`[${i}] ${names[i]}${t !== undefined ? `  label ${t}${labels?.[t] ? ` (${labels[t]})` : ''}` : ''}`);
    top.forEach((c, r) => lines.push(`    ${r + 1}. ${String(c).padStart(4)}  ${row[c].toFixed(6).padStart(11)}${labels?.[c] ? `  ${labels[c]}` : ''}`));
  });
  if (truth) lines.push(`top-1 matches label: ${hits}/${rows.length}`);
  return lines.join('\n') + '\n';
}

export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'run a model on inputs; print top-k classes, optionally write the raw outputs',
  usage: 'qdeploy run <model> --input <file.bin|file.f32|image...> [--output out.f32] [--batch_size 1] [--backend auto] [--top_k 5] [--labels synset_words.txt]',
  flags: {
    input: { type: 'string', help: 'dataset .bin, raw float32 file or image(s); more files may follow as positionals', short: 'i' },
    output: { type: 'string', help: 'write the raw float32 outputs here (one row per input, row-major)', short: 'o' },
    batch_size: batchSizeFlag(1, 'inputs per model run'),
    backend: backendFlag(),
    num_threads: numThreadsFlag(undefined, 1),
    top_k: { type: 'int', min: 0, help: 'classes printed per input', default: 5 },
    labels: { type: 'string', help: 'class names, one per line (default: assets synset_words.txt when the output has 1000 classes)' },
    preset: presetFlag('image preprocessing preset (images only; absent: imagenet where it fits, said as the default)'),
    quiet: { type: 'boolean', help: 'print nothing but errors (with --output)' },
  },
  details: 'Example: qdeploy run squeezenet_v1.1 --input input_16.bin --output logits.f32',
  async run(args) {
    const [model, ...more] = args.positionals;
    if (!model) fail('usage', 'run: expects a model path (see qdeploy run --help)');
    const inputs = [...(args.str('input') ? [args.str('input')!] : []), ...more];
    if (!inputs.length) fail('usage', 'run: --input is required (see qdeploy run --help)');
    if (args.str('output')) checkOutputFile(args.str('output')!);
    const b = args.num('batch_size')!;
    if (b < 1) fail('usage', `run: --batch_size must be >= 1, got ${b}`);
    const k = args.num('top_k')!;
    if (k < 0) fail('usage', `run: --top_k must be >= 0, got ${k}`);
    const choice = chooseBackend(args.str('backend')!, args.num('num_threads')!);
    const g = loadForBench(model, false);
    const io = modelIo(g);
    const data = await readInputs(inputs, io.sampleDims, args.str('preset'));
    if (!data.images.length) fail('data', `no inputs in ${inputs.join(', ')}`);
    let placed: string | undefined;
    const rows = runImages(g, choice, data.images, b, (line) => { placed = line; });
    const out = args.str('output');
    if (out) {
      const w = rows[0].length;
      const all = new Float32Array(rows.length * w);
      rows.forEach((r, i) => all.set(r, i * w));
      writeFileAtomic(out, new Uint8Array(all.buffer));
    }
    if (args.bool('quiet')) return;
    const labels = args.str('labels') ? readLabels(args.str('labels')!) : defaultLabels(rows[0].length);
    process.stdout.write(`model: ${model}  (${backendLine(choice)})\n`);
    if (placed && (args.bool('verbose') || placed.includes('fell back'))) process.stdout.write(`${placed}\n`);
    if (k > 0) process.stdout.write(formatTopK(rows, data.names, k, labels, data.labels));
    if (out) process.stdout.write(`wrote ${rows.length} × ${rows[0].length} float32 to ${out}\n`);
  },
};
