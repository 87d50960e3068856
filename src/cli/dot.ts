// qdeploy dot <model> -o graph.dot: the program as Graphviz, ops labelled type(id) (the ids --op_ids_to_skip takes).
import { toDot } from '../graph/dot';
import { fail } from '../util/errors';
import { checkOutputFile, writeFileAtomic } from '../util/fs_atomic';
import type { CommandSpec } from './args';
import { loadGraph } from '../app/model_io';

export const dotCommand: CommandSpec = {
  name: 'dot',
  summary: 'write the model graph as Graphviz .dot (ops as type(id))',
  usage: 'qdeploy dot <model> -o graph.dot',
  flags: {
    output: { type: 'string', help: 'the .dot file (- for stdout)', short: 'o' },
  },
  details: 'Render with: dot -Tsvg graph.dot -o graph.svg',
  run(args) {
    if (args.positionals.length !== 1) fail('usage', `dot: expects one model path, got ${args.positionals.length} (see qdeploy dot --help)`);
    const out = args.reqStr('output');
    if (out !== '-') checkOutputFile(out);
    const g = loadGraph(args.positionals[0]);
    const text = toDot(g, args.positionals[0]);
    if (out === '-') { process.stdout.write(text); return; }
    writeFileAtomic(out, text);
    process.stdout.write(`wrote ${out} (${g.ops.length} ops, ${g.vars.size} vars)\n`);
  },
};
