// Where the native addons (native/build/*.node, built by scripts/build-native.mjs) are, and loading one once per
// process. Every addon is optional: a loader returns the reason it is unavailable instead of throwing, and the
// caller falls back (image decoding to sharp). Lives in src/util beside wasm_build.ts because src/data uses it and
// may not import src/backends (ARCHITECTURE's folder table); the oneDNN backend's loader can share the lookup.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** the JPEG decoder on the system libjpeg-turbo (native/src/jpeg_decode.cc) */
export const JPEG_ADDON_FILE = 'qdeploy_jpeg.node';

export interface DecodedRgb {
  width: number;
  height: number;
  /** width·height·3 bytes of interleaved RGB: a view of the `out` array passed in, or a new Buffer */
  data: Uint8Array;
}

/** The addon's API (native/src/jpeg_decode.cc). Errors carry a `code`: see JPEG_ERR. */
export interface JpegAddon {
  /** decodes on libuv's thread pool */
  decode(input: Uint8Array, out?: Uint8Array): Promise<DecodedRgb>;
  decodeSync(input: Uint8Array, out?: Uint8Array): DecodedRgb;
  libjpegVersion: string;
}

export const JPEG_ERR = {
  /** CMYK/YCCK, other component counts, 12-bit: decode another way */
  unsupported: 'ERR_QDEPLOY_JPEG_UNSUPPORTED',
  /** `out` smaller than width·height·3 */
  buffer: 'ERR_QDEPLOY_JPEG_BUFFER',
  /** broken or truncated data (libjpeg's message) */
  corrupt: 'ERR_QDEPLOY_JPEG_CORRUPT',
} as const;

function metaDir(): string | undefined {
  try {
    // ESM bundle (dist/qdeploy.mjs): import.meta.url is the bundle; under esbuild-register (CJS) it is empty
    const u = (import.meta as { url?: string }).url;
    return u ? dirname(fileURLToPath(u)) : undefined;
  } catch { return undefined; }
}

/** where the addons are: $QDEPLOY_NATIVE_DIR, next to the bundle (../native/build), next to the sources, or up from cwd */
export function nativeBuildDir(file: string): string | undefined {
  const cands: string[] = [];
  if (process.env.QDEPLOY_NATIVE_DIR) cands.push(resolve(process.env.QDEPLOY_NATIVE_DIR));
  const rel = (d: string) => [join(d, '..', 'native', 'build'), join(d, '..', '..', 'native', 'build'), join(d, '..', '..', '..', 'native', 'build')];
  const md = metaDir();
  if (md) cands.push(...rel(md));
  if (typeof __dirname !== 'undefined') cands.push(...rel(__dirname));
  let d = process.cwd();
  for (let i = 0; i < 6; i++) { cands.push(join(d, 'native', 'build')); d = dirname(d); }
  return cands.find((c) => existsSync(join(c, file)));
}

const loaded = new Map<string, { addon?: unknown; reason?: string }>();

/**
 * The addon native/build/<file>, loaded once per process, or undefined with the reason: turned off by
 * QDEPLOY_NO_NATIVE=1, not built (no compiler or headers when `npm run build` ran), or failing to load.
 */
export function loadNativeBuild<T>(file: string): { addon?: T; reason?: string } {
  let r = loaded.get(file);
  if (!r) {
    if (process.env.QDEPLOY_NO_NATIVE === '1') {
      r = { reason: 'turned off by QDEPLOY_NO_NATIVE=1' };
    } else {
      const dir = nativeBuildDir(file);
      if (!dir) {
        r = { reason: `native/build/${file} not built (\`npm run build\` needs g++ and the library's headers; it printed why)` };
      } else {
        const path = join(dir, file);
        try {
          // createRequire works the same from the ESM bundle and from the CJS sources; .node files load through it
          r = { addon: createRequire(path)(path) };
        } catch (e) {
          r = { reason: `${path}: cannot load: ${String((e as Error).message).split('\n')[0]}` };
        }
      }
    }
    loaded.set(file, r);
  }
  return r as { addon?: T; reason?: string };
}

/** The JPEG decoder addon, or the reason it is unavailable. */
export const loadJpegAddon = () => loadNativeBuild<JpegAddon>(JPEG_ADDON_FILE);
