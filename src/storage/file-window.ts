/**
 * A sliding read window over a segment file: scans read the file in large chunks instead of one
 * small read per batch header. Views handed out stay valid after the window moves (each chunk is
 * a fresh buffer), so callers may keep them.
 */
import { readAt, type FsLike } from './fs.js'

export const SCAN_CHUNK_BYTES = 1 << 20

export class FileWindow {
  private start = 0
  private bytes: Buffer = Buffer.alloc(0)
  /** Bytes read from the file so far. */
  readBytes = 0

  /**
   * @param end the logical end of the file: nothing at or past it is read.
   * @param chunkBytes how much to read at a time.
   */
  constructor(
    private readonly fs: FsLike,
    private readonly fd: number,
    readonly end: number,
    private readonly chunkBytes = SCAN_CHUNK_BYTES,
  ) {}

  /** The bytes [position, position + length), or null when they pass the end (or the file is shorter). */
  view(position: number, length: number): Buffer | null {
    if (position < 0 || length < 0 || position + length > this.end) return null
    const from = position - this.start
    if (from >= 0 && from + length <= this.bytes.length) return this.bytes.subarray(from, from + length)
    const size = Math.min(Math.max(length, this.chunkBytes), this.end - position)
    this.bytes = readAt(this.fs, this.fd, position, size)
    this.start = position
    this.readBytes += this.bytes.length
    return this.bytes.length >= length ? this.bytes.subarray(0, length) : null
  }
}
