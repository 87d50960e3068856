// Where the native addons (native/build/*.node, built by scripts/build-native.mjs) are, and loading one once per
// process. Every addon is optional: a loader returns the reason it is unavailable instead of throwing, and the
// caller falls back (image decoding to sharp). Lives in src/util beside wasm_build.ts because src/data uses it and
// may not import src/backends (ARCHITECTURE's folder table); the oneDNN backend's loader can share the lookup.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findBuildDir } from './build_dir';

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

/** where the addons are: $QDEPLOY_NATIVE_DIR, next to the bundle or the sources, or up from cwd */
export function nativeBuildDir(file: string): string | undefined {
  return findBuildDir(join('native', 'build'), file, 'QDEPLOY_NATIVE_DIR');
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
