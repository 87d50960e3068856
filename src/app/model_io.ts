// Composition of the two lower layers for commands (and tests): a model path → Graph, Graph → model dir.
import { loadModel, saveModel, type LoadModelOptions } from '../format/paddle';
import { Graph } from '../graph/graph';

export interface GraphSaveOptions {
  layout?: 'separate' | 'combined';
  modelFilename?: string;
  paramsFilename?: string;
  overwrite?: boolean;
}

export function loadGraph(path: string, opts: LoadModelOptions = {}): Graph {
  const m = loadModel(path, opts);
  return Graph.fromProgram(m.program, m.params, path);
}

/** write a graph as a model dir (whole or not at all); only params still used by the program are kept */
export function saveGraph(g: Graph, dir: string, opts: GraphSaveOptions = {}): void {
  const program = g.toProgram();
  const persist = new Set(program.blocks[0].vars.filter((v) => v.persistable).map((v) => v.name));
  const params = new Map([...g.params].filter(([k]) => persist.has(k)));
  saveModel(dir, { program, params }, opts);
}
