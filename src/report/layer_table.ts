// compare's per-layer table for the terminal. Each row is named by its op, type and id (`conv2d(37)`): short,
// unique, and the id is the one `--op_ids_to_skip` and `qdeploy dot` use. The var name goes in its own column;
// Paddle's names share long tails (`….batch_norm.output.1.tmp_2`), so where the terminal is too narrow the var
// and op-list columns give way (op lists cut at the end first, then the var in the middle) and the label never does.
import type { LayerRow } from './html';
import { fixed, formatTable, sci } from './table';

export interface LayerTableOptions {
  /** terminal columns; undefined: no limit (a pipe or a file gets every name whole) */
  width?: number;
  /** which model the op ids belong to, for the header */
  ids?: string;
}

/** `s` cut to `w` characters around one '…', keeping two thirds head (layer names) and one third tail */
export function cutMiddle(s: string, w: number): string {
  if (s.length <= w) return s;
  if (w <= 1) return '…';
  const head = Math.ceil(((w - 1) * 2) / 3);
  return s.slice(0, head) + '…' + s.slice(s.length - (w - 1 - head));
}

const cutEnd = (s: string, w: number) => (s.length <= w ? s : s.slice(0, Math.max(0, w - 1)) + '…');

const HEADER = ['#', 'layer', 'var', 'FP32 ops', 'INT8 ops', 'dtype', 'FP32 ms', 'INT8 ms', 'rel L2', 'max|Δ|', 'cosine'];
const VAR = 2, OPS = [3, 4];
const MIN_VAR = 10, MIN_OPS = 8;

export function formatLayerTable(rows: LayerRow[], images: number, o: LayerTableOptions = {}): string {
  const cells = rows.map((r, i) => [String(i), r.label, r.var, r.fp32Ops, r.int8Ops, r.int8Dtype, fixed(r.fp32Ms, 3), fixed(r.int8Ms, 3), sci(r.relL2), sci(r.maxAbs), fixed(r.cosine, 5)]);
  const widths = HEADER.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  if (o.width !== undefined) {
    let excess = widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1) - o.width;
    const shrink = (c: number, min: number) => {
      const by = Math.max(0, Math.min(excess, widths[c] - Math.max(min, HEADER[c].length)));
      widths[c] -= by;
      excess -= by;
    };
    for (const c of OPS) shrink(c, MIN_OPS);
    shrink(VAR, MIN_VAR);
    for (const r of cells) {
      r[VAR] = cutMiddle(r[VAR], widths[VAR]);
      for (const c of OPS) r[c] = cutEnd(r[c], widths[c]);
    }
  }
  const ids = o.ids ? `, ${o.ids}` : '';
  return `\nper layer (layer: op type(op id)${ids}; time: ms per batch over the layer's ops; error: INT8 vs FP32 on ${images} image(s), INT8 dequantized):\n` +
    formatTable(HEADER, cells, { align: ['r', 'l', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'] });
}
