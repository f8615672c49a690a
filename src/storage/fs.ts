/**
 * The file-system seam: every file operation of the storage engine and the metadata store goes
 * through an `FsLike`, so fault tests can fail the Nth write or fsync, short-write, or answer
 * ENOSPC without touching the code under test. Writes and reads are synchronous because each
 * partition actor is the only user of its files on its own thread; fsync is asynchronous so
 * appends keep flowing while a group commit runs on the libuv pool.
 */
import * as nodeFs from 'node:fs'
import { promisify } from 'node:util'

export interface FsLike {
  openSync(path: string, flags: string, mode?: number): number
  closeSync(fd: number): void
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number
  fstatSync(fd: number): { size: number }
  ftruncateSync(fd: number, length: number): void
  /** Flushes a file's data (fdatasync). */
  fdatasync(fd: number): Promise<void>
  /** Synchronous fsync, used for directories and small metadata files. */
  fsyncSync(fd: number): void
  renameSync(from: string, to: string): void
  unlinkSync(path: string): void
  rmSync(path: string, options: { recursive: boolean; force: boolean }): void
  mkdirSync(path: string, options: { recursive: boolean; mode?: number }): void
  readdirSync(path: string): string[]
  existsSync(path: string): boolean
  readFileSync(path: string): Buffer
}

const fdatasyncAsync = promisify(nodeFs.fdatasync)

export const realFs: FsLike = {
  openSync: (path, flags, mode) => nodeFs.openSync(path, flags, mode),
  closeSync: (fd) => nodeFs.closeSync(fd),
  writeSync: (fd, buffer, offset, length, position) => nodeFs.writeSync(fd, buffer, offset, length, position),
  readSync: (fd, buffer, offset, length, position) => nodeFs.readSync(fd, buffer, offset, length, position),
  fstatSync: (fd) => nodeFs.fstatSync(fd),
  ftruncateSync: (fd, length) => nodeFs.ftruncateSync(fd, length),
  fdatasync: (fd) => fdatasyncAsync(fd),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  renameSync: (from, to) => nodeFs.renameSync(from, to),
  unlinkSync: (path) => nodeFs.unlinkSync(path),
  rmSync: (path, options) => nodeFs.rmSync(path, options),
  mkdirSync: (path, options) => void nodeFs.mkdirSync(path, options),
  readdirSync: (path) => nodeFs.readdirSync(path),
  existsSync: (path) => nodeFs.existsSync(path),
  readFileSync: (path) => nodeFs.readFileSync(path),
}

/** Makes a directory entry (a new or renamed file in it) durable. */
export function fsyncDirectory(fs: FsLike, dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Writes all of `buffer` at `position`, looping over short writes. */
export function writeFully(fs: FsLike, fd: number, buffer: Uint8Array, position: number): void {
  let done = 0
  while (done < buffer.length) {
    const written = fs.writeSync(fd, buffer, done, buffer.length - done, position + done)
    if (written <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' })
    done += written
  }
}

/** Reads up to `length` bytes at `position`; returns the bytes actually read (shorter at end of file). */
export function readAt(fs: FsLike, fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const read = fs.readSync(fd, buffer, done, length - done, position + done)
    if (read === 0) break
    done += read
  }
  return done === length ? buffer : buffer.subarray(0, done)
}

export type FaultKind = 'write' | 'fdatasync' | 'fsync' | 'open' | 'rename'

export interface FaultRule {
  kind: FaultKind
  /** Fails the nth call of this kind (1-based) counted from when the rule was installed. */
  nth: number
  /** errno to raise, e.g. 'ENOSPC', 'EIO'. */
  errno: string
  /** For writes: write this many bytes first, then fail (a short write). */
  shortWriteBytes?: number
  /** Keep failing every call after the nth (a disk that stays full). */
  sticky?: boolean
}

/**
 * A test double built on the real file system that injects faults by rule. Production code
 * never constructs it; tests pass it to `PartitionLog.open` or the metadata store.
 */
export function faultyFs(rules: FaultRule[], base: FsLike = realFs): FsLike & { calls: Record<FaultKind, number>; rules: FaultRule[] } {
  const calls: Record<FaultKind, number> = { write: 0, fdatasync: 0, fsync: 0, open: 0, rename: 0 }
  const fail = (errno: string): never => {
    throw Object.assign(new Error(`${errno}: injected fault`), { code: errno })
  }
  const ruleFor = (kind: FaultKind): FaultRule | undefined => {
    calls[kind] += 1
    return rules.find((rule) => rule.kind === kind && (calls[kind] === rule.nth || (rule.sticky === true && calls[kind] > rule.nth)))
  }
  return {
    ...base,
    calls,
    rules,
    openSync(path, flags, mode) {
      const rule = ruleFor('open')
      if (rule) fail(rule.errno)
      return base.openSync(path, flags, mode)
    },
    writeSync(fd, buffer, offset, length, position) {
      const rule = ruleFor('write')
      if (rule) {
        if (rule.shortWriteBytes !== undefined && rule.shortWriteBytes > 0) {
          base.writeSync(fd, buffer, offset, Math.min(length, rule.shortWriteBytes), position)
        }
        fail(rule.errno)
      }
      return base.writeSync(fd, buffer, offset, length, position)
    },
    async fdatasync(fd) {
      const rule = ruleFor('fdatasync')
      if (rule) fail(rule.errno)
      return base.fdatasync(fd)
    },
    fsyncSync(fd) {
      const rule = ruleFor('fsync')
      if (rule) fail(rule.errno)
      base.fsyncSync(fd)
    },
    renameSync(from, to) {
      const rule = ruleFor('rename')
      if (rule) fail(rule.errno)
      base.renameSync(from, to)
    },
  }
}
