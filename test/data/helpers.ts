// Shared bits of the data tests: a temp dir with small synthetic images and list files.
import { readdirSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir as testTempDir } from '../tmp';
import sharp from 'sharp';

/** a temp dir removed at exit (test/tmp.ts) */
export function tempDir(tag: string): string {
  return testTempDir(tag);
}

/** A w×h JPEG with a horizontal gradient and a coloured block (so resizing has something to do). */
export async function makeJpeg(path: string, w: number, h: number, quality = 95): Promise<Buffer> {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      px[o] = Math.round((255 * x) / Math.max(1, w - 1));
      px[o + 1] = Math.round((255 * y) / Math.max(1, h - 1));
      px[o + 2] = x > w / 3 && x < w / 2 && y > h / 4 ? 200 : 40;
    }
  }
  const buf = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality }).toBuffer();
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, buf);
  return buf;
}

/** A solid-colour PNG (lossless, for exact value checks). */
export async function makeSolidPng(path: string, w: number, h: number, rgb: [number, number, number]): Promise<void> {
  const buf = await sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, buf);
}

/** The first `frac` of a file's bytes: a truncated image. */
export function truncate(src: string, dst: string, frac = 0.4): void {
  const b = readFileSync(src);
  writeFileSync(dst, b.subarray(0, Math.floor(b.length * frac)));
}

export const tempLeftovers = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.tmp-'));

/** Mean absolute difference of two float arrays (and the max). */
export function mad(a: Float32Array, b: Float32Array): { mad: number; max: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let s = 0, m = 0;
  for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); s += d; if (d > m) m = d; }
  return { mad: s / a.length, max: m };
}
