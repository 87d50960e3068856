// Node's fs errors in words for users: a path the user gave that cannot be read or written is their mistake to
// fix, so it is reported as an io error naming the path ("cannot write out/m: out is a file, not a directory"),
// never as Node's "ENOTDIR: not a directory, mkdir '...'" or as an internal error.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { QdeployError } from './errors';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the directory is not empty',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EXDEV: 'it is on another file system',
  EBUSY: 'it is busy',
  EIO: 'an input/output error (a failing disk?)',
  EFBIG: 'the file is too large for the file system',
};

/** Node's fs errors: a code, the path, and for rename/copy the destination */
type FsError = NodeJS.ErrnoException & { dest?: string };

const errno = (e: unknown): FsError | undefined =>
  e instanceof Error && typeof (e as FsError).code === 'string' && (e as FsError).code! in REASONS ? (e as FsError) : undefined;

/** the nearest existing ancestor of `path` when it is a file (what ENOTDIR is about), else undefined */
function fileInPath(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      return statSync(p).isDirectory() ? undefined : p;
    } catch {
      if (dirname(p) === p) return undefined;
    }
  }
}

/** what an fs error means, in words; undefined when `e` is not one */
export function fsErrorReason(e: unknown): string | undefined {
  const x = errno(e);
  if (!x) return undefined;
  // mkdir of a dir that exists as a file
  if (x.code === 'EEXIST' && x.syscall === 'mkdir' && x.path && fileInPath(x.path) === x.path) return `${x.path} is a file, not a directory`;
  if (x.code === 'ENOTDIR' && x.path) {
    const f = fileInPath(x.dest ?? x.path) ?? fileInPath(x.path);
    if (f) return `${f} is a file, not a directory`;
  }
  return REASONS[x.code!];
}

/** `<what>: <reason>` as an io error when `e` is an fs error, else undefined (the caller rethrows) */
export function userFsError(e: unknown, what: string): QdeployError | undefined {
  const reason = fsErrorReason(e);
  return reason === undefined ? undefined : new QdeployError('io', `${what}: ${reason}`);
}

/** the path an fs error is about (the target of a rename), for errors caught far from the call */
export function fsErrorPath(e: unknown): string | undefined {
  const x = errno(e);
  return x ? (x.dest ?? x.path) : undefined;
}
