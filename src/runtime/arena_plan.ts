// Liveness-based placement of tensors in one arena: each buffer lives from the op that writes it to the
// last op that reads it; buffers whose lifetimes do not overlap share bytes (greedy best-fit by size).
export interface Lifetime {
  key: string;
  bytes: number;
  first: number; // step that writes it (-1: before the first op, e.g. feeds)
  last: number;  // last step that reads it (Infinity: graph output)
}

export interface Placement {
  offsets: Map<string, number>;
  total: number;
}

export function planArena(items: Lifetime[], alignment: number, base = 0): Placement {
  const align = (n: number) => Math.ceil(n / alignment) * alignment;
  const sorted = [...items].sort((a, b) => b.bytes - a.bytes || a.first - b.first);
  const placed: { off: number; end: number; first: number; last: number }[] = [];
  const offsets = new Map<string, number>();
  let total = base;
  for (const it of sorted) {
    const size = Math.max(align(it.bytes), alignment);
    // candidate offsets: base and the end of every placed buffer whose lifetime overlaps
    const live = placed.filter((p) => p.first <= it.last && it.first <= p.last).sort((a, b) => a.off - b.off);
    let off = align(base);
    for (const p of live) {
      if (off + size <= p.off) break;
      off = Math.max(off, align(p.end));
    }
    placed.push({ off, end: off + size, first: it.first, last: it.last });
    offsets.set(it.key, off);
    total = Math.max(total, off + size);
  }
  return { offsets, total: align(total) };
}
