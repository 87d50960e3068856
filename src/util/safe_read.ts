// Reading files that come with untrusted input (a model dir, a dataset, an image list):
// - only regular files are read. A FIFO blocks open() and read() until a writer comes (for ever), a device can
//   stream without end, a directory is not a file. Files are opened with O_NONBLOCK (a FIFO's open then returns at
//   once; regular files ignore the flag) and judged by fstat on the open descriptor, so what is checked is what is
//   read;
// - a file that a model dir holds must stay inside it once symlinks are followed (`within`): a link out of the dir
//   is the same escape as a var name with '../' (refused in format/paddle/params.ts). The resolved path is then
//   opened with O_NOFOLLOW, so a link swapped in after the check is not followed either.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { QdeployError, fail } from './errors';

export interface SafeReadOptions {
  /** what the file is, for messages: 'program file', 'parameter file for var w' */
  what: string;
  /** the file must resolve (symlinks followed) to a path inside this dir */
  within?: string;
  /** the message when the file does not exist (default `<file>: <what> not found`) */
  missing?: string;
}

const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** 'a FIFO', 'a directory'… for a file that is not a regular file */
export function fileKind(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function notFound(file: string, o: SafeReadOptions): never {
  fail('io', o.missing ?? `${file}: ${o.what} not found`);
}

/**
 * The real path of `file`, which must lie inside `dir` (both resolved through symlinks); refused as 'unsafe'
 * otherwise, naming the file, what it is and where it leads.
 */
export function resolveInside(file: string, dir: string, o: SafeReadOptions): string {
  let realDir: string, real: string;
  try { realDir = realpathSync(dir); } catch (e) { fail('io', `${dir}: cannot resolve the model dir (${codeOf(e)})`); }
  try { real = realpathSync(file); } catch (e) {
    if (codeOf(e) === 'ENOENT') notFound(file, o); // a dangling link included: there is nothing to read
    fail('io', `${file}: cannot resolve ${o.what} (${codeOf(e)})`);
  }
  const rel = relative(realDir, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    fail('unsafe', `${file}: ${o.what} is a symlink to ${real}, outside the model dir ${dir}; refusing to read it (copy the file into the model dir)`);
  }
  return real;
}

function openFlags(o: SafeReadOptions): number {
  return constants.O_RDONLY | O_NONBLOCK | (o.within ? O_NOFOLLOW : 0);
}

function openError(file: string, o: SafeReadOptions, e: unknown): never {
  const code = codeOf(e);
  if (code === 'ENOENT') notFound(file, o);
  if (code === 'ELOOP') fail('unsafe', `${file}: ${o.what} changed into a symlink while being opened; refusing to follow it`);
  if (code === 'EISDIR') fail('io', `${file}: ${o.what} is a directory, not a regular file`);
  fail('io', `${file}: cannot read ${o.what} (${code})`);
}

/** Open a regular file for reading (checked as above); the caller closes the descriptor. */
export function openRegularFile(file: string, o: SafeReadOptions): { fd: number; size: number } {
  const target = o.within ? resolveInside(file, o.within, o) : file;
  let fd: number;
  try { fd = openSync(target, openFlags(o)); } catch (e) { openError(file, o, e); }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) fail('io', `${file}: ${o.what} is ${fileKind(st)}, not a regular file`);
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The whole of a regular file (see openRegularFile). */
export function readRegularFile(file: string, o: SafeReadOptions): Uint8Array {
  const { fd, size } = openRegularFile(file, o);
  try {
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const got = readSync(fd, buf, off, size - off, off);
      if (got === 0) break;
      off += got;
    }
    if (off !== size) fail('io', `${file}: ${o.what} shrank while being read (${off} of ${size} bytes)`);
    return buf;
  } catch (e) {
    if (e instanceof QdeployError) throw e;
    fail('io', `${file}: cannot read ${o.what} (${codeOf(e)})`);
  } finally {
    closeSync(fd);
  }
}

/** readRegularFile through libuv's thread pool (image streams). */
export async function readRegularFileAsync(file: string, o: SafeReadOptions): Promise<Uint8Array> {
  const target = o.within ? resolveInside(file, o.within, o) : file;
  let h;
  try { h = await open(target, openFlags(o)); } catch (e) { openError(file, o, e); }
  try {
    const st = await h.stat();
    if (!st.isFile()) fail('io', `${file}: ${o.what} is ${fileKind(st)}, not a regular file`);
    return await h.readFile();
  } finally {
    await h.close();
  }
}
