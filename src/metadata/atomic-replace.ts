/**
 * The durable replace of a small file: write `<name>.tmp` → fsync it → rename over `<name>` →
 * fsync the directory. A reader (after any crash) sees either the old file or the new one,
 * complete; and once this returns, the new one survives power loss (reliability.md A8).
 */
import { join } from 'node:path'
import { storageError } from '../errors.js'
import { fsyncDirectory, writeFully, type FsLike } from '../storage/fs.js'

/** Files of the data directory are private to the broker (reliability.md B5). */
const FILE_MODE = 0o600

export function tmpNameOf(name: string): string {
  return `${name}.tmp`
}

/**
 * Throws STORAGE_ERROR if any step fails. A failure before the rename leaves `<name>` as it
 * was; a failure of the directory fsync after the rename leaves it indeterminate (old or new,
 * both complete), like a timed-out request. The fsync is never retried on the same file: a
 * later call writes and fsyncs a fresh temp file (fsyncgate, reliability.md A8).
 */
export function replaceFileDurably(fs: FsLike, dir: string, name: string, bytes: Uint8Array): void {
  const target = join(dir, name)
  const tmp = join(dir, tmpNameOf(name))
  let step = 'unlink stale temp file'
  let fd: number | undefined
  try {
    // A leftover temp file is from an interrupted write. It is removed, not reused, and the new
    // one is created exclusively, so a symlink planted at that name is never followed.
    removeIfPresent(fs, tmp)
    step = 'create temp file'
    fd = fs.openSync(tmp, 'wx', FILE_MODE)
    step = 'write temp file'
    writeFully(fs, fd, bytes, 0)
    step = 'fsync temp file'
    fs.fsyncSync(fd)
    step = 'close temp file'
    const closing = fd
    fd = undefined
    fs.closeSync(closing)
    step = 'rename temp file'
    fs.renameSync(tmp, target)
    step = 'fsync directory'
    fsyncDirectory(fs, dir)
  } catch (error) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd)
      } catch {
        // Already failing; the first error is the one to report.
      }
    }
    if (step !== 'fsync directory') {
      try {
        removeIfPresent(fs, tmp)
      } catch {
        // Best effort: the next write or open removes it.
      }
    }
    throw storageError(`metadata ${step} (${target})`, error, { path: target, step })
  }
}

function removeIfPresent(fs: FsLike, path: string): void {
  try {
    fs.unlinkSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
