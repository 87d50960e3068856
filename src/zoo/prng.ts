// Deterministic random numbers for the zoo's synthetic weights and generated inputs: mulberry32 (32-bit state,
// full period 2^32) plus Box–Muller normals. The same seed gives the same model bytes on every platform.
export class Rng {
  private s: number;
  private spare: number | undefined;
  constructor(seed: number) { this.s = (seed >>> 0) || 0x9e3779b9; }

  /** uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }

  /** standard normal */
  normal(): number {
    if (this.spare !== undefined) { const v = this.spare; this.spare = undefined; return v; }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  normals(n: number, std: number, mean = 0): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  uniforms(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }
}

/**
 * Generated "images" for calibration and demos: smooth colour fields plus a few blobs and a little noise, in the
 * range a normalized ImageNet input has (about −2..2.6 per channel), CHW float32, one per call.
 */
export function syntheticImage(rng: Rng, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(c * h * w);
  const fx = rng.uniform(0.5, 3), fy = rng.uniform(0.5, 3), ph = rng.uniform(0, 6.3);
  const blobs = Array.from({ length: 3 }, () => ({ x: rng.uniform(0, w), y: rng.uniform(0, h), r: rng.uniform(w / 12, w / 4), a: rng.uniform(-1.5, 1.5) }));
  for (let ch = 0; ch < c; ch++) {
    const base = rng.uniform(-0.8, 0.8), amp = rng.uniform(0.3, 1.0);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let v = base + amp * Math.sin((fx * x) / w * 6.28 + (fy * y) / h * 6.28 + ph + ch);
        for (const b of blobs) {
          const d2 = ((x - b.x) ** 2 + (y - b.y) ** 2) / (b.r * b.r);
          if (d2 < 4) v += b.a * Math.exp(-d2);
        }
        v += 0.1 * rng.normal();
        out[(ch * h + y) * w + x] = Math.max(-2.1, Math.min(2.6, v));
      }
    }
  }
  return out;
}
