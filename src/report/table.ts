// Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned.
export type Cell = string | number;

export interface TableOptions {
  /** per column: 'l' or 'r' (default: numbers and numeric-looking strings right, text left) */
  align?: ('l' | 'r')[];
  indent?: string;
}

const numeric = (s: string) => /^[-+]?[\d.,]+(e[-+]?\d+)?\s*(%|ms|x|×|MB|KB|B)?$/i.test(s.trim());

export function formatTable(header: string[], rows: Cell[][], opts: TableOptions = {}): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? String(c) : c)));
  const ncol = Math.max(header.length, ...cells.map((r) => r.length));
  const width = Array.from({ length: ncol }, (_, i) => Math.max(header[i]?.length ?? 0, ...cells.map((r) => (r[i] ?? '').length)));
  const align = (i: number, s: string) => opts.align?.[i] ?? (numeric(s) ? 'r' : 'l');
  const pad = (s: string, i: number, a: 'l' | 'r') => (a === 'r' ? s.padStart(width[i]) : s.padEnd(width[i]));
  const colAlign = Array.from({ length: ncol }, (_, i) => opts.align?.[i] ?? (cells.length && cells.every((r) => r[i] === undefined || r[i] === '' || numeric(r[i])) ? 'r' : 'l'));
  const ind = opts.indent ?? '';
  const line = (r: string[]) => ind + r.map((s, i) => pad(s ?? '', i, colAlign[i] ?? align(i, s ?? ''))).join('  ').trimEnd();
  return [line(header), ind + width.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

export const fixed = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
export const pct = (x: number, d = 2): string => (Number.isFinite(x) ? `${(x * 100).toFixed(d)}%` : String(x));
export const signedPct = (x: number, d = 2): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(d)}%` : String(x));
export function sci(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? x.toPrecision(3) : x.toExponential(2);
}
