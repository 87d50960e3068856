// What convert did, from the pass log: per op type how many ops became INT8, which fusions happened, which ops
// stayed FP32 and why, and how many fake ops / quantize pairs went away.
import type { Graph } from '../graph/graph';
import type { LogEntry } from './pass';
import { isInt8 } from './pass';

export interface ConvertSummary {
  /** op type → [int8 ops in the result, ops of that type in the result] */
  int8ByType: [string, number, number][];
  /** pass → number of fusions */
  fused: [string, number][];
  /** op label → reason it stays FP32 */
  skipped: [string, string][];
  /** fake op type → number removed */
  removedFake: [string, number][];
  squashed: number;
  quantizeOps: number;
  dequantizeOps: number;
  requantizeOps: number;
}

const count = <T>(xs: T[]): [T, number][] => {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m];
};

export function summarize(g: Graph, log: readonly LogEntry[]): ConvertSummary {
  const types = new Map<string, [number, number]>();
  for (const op of g.ops) {
    if (['feed', 'fetch', 'quantize', 'dequantize', 'requantize'].includes(op.type)) continue;
    const e = types.get(op.type) ?? [0, 0];
    if (isInt8(op)) e[0]++;
    e[1]++;
    types.set(op.type, e);
  }
  const by = (k: string) => g.ops.filter((o) => o.type === k).length;
  return {
    int8ByType: [...types].map(([t, [i, n]]) => [t, i, n] as [string, number, number]).sort((a, b) => b[2] - a[2]),
    fused: count(log.filter((l) => l.kind === 'fused').map((l) => l.pass)),
    skipped: log.filter((l) => l.kind === 'skipped').map((l) => [l.what, l.detail] as [string, string]),
    removedFake: count(log.filter((l) => l.kind === 'removed').map((l) => l.what.replace(/\(\d+\)$/, ''))),
    squashed: log.filter((l) => l.kind === 'squashed').length,
    quantizeOps: by('quantize'),
    dequantizeOps: by('dequantize'),
    requantizeOps: by('requantize'),
  };
}

export function formatSummary(s: ConvertSummary): string {
  const lines: string[] = [];
  const w = Math.max(8, ...s.int8ByType.map(([t]) => t.length));
  lines.push(`${'op type'.padEnd(w)}  int8 / total`);
  for (const [t, i, n] of s.int8ByType) lines.push(`${t.padEnd(w)}  ${String(i).padStart(4)} / ${n}`);
  lines.push(`inserted: ${s.quantizeOps} quantize, ${s.dequantizeOps} dequantize, ${s.requantizeOps} requantize (after ${s.squashed} squashes)`);
  if (s.removedFake.length) lines.push(`removed fake ops: ${s.removedFake.map(([t, n]) => `${t} ×${n}`).join(', ')}`);
  if (s.fused.length) lines.push(`fused: ${s.fused.map(([p, n]) => `${p} ×${n}`).join(', ')}`);
  if (s.skipped.length) {
    lines.push('kept FP32:');
    for (const [what, why] of s.skipped) lines.push(`  ${what}: ${why}`);
  }
  return lines.join('\n') + '\n';
}
