/**
 * The bytes of a sparse index (offset or time index) held in memory exactly as they are laid
 * out on disk (big-endian fixed-size entries, as Kafka writes them), plus the file operations
 * that persist them. Indexes are rebuildable from the log, so they are never fsynced before an
 * ack: new entries are appended to the file in bulk, and the whole file is rewritten at roll
 * and close.
 */
import { writeFully, type FsLike } from './fs.js'

const INITIAL_ENTRIES = 64

export class EntryBuffer {
  private buffer: Buffer
  private count = 0
  /** Entries already written to the index file (the file may hold more, never fewer, of them). */
  flushedEntries = 0

  constructor(readonly entryBytes: number, initial?: Buffer) {
    const entries = initial === undefined ? 0 : Math.floor(initial.length / entryBytes)
    this.buffer = Buffer.alloc(Math.max(INITIAL_ENTRIES, entries) * entryBytes)
    if (initial !== undefined) initial.copy(this.buffer, 0, 0, entries * entryBytes)
    this.count = entries
  }

  get length(): number {
    return this.count
  }

  /** The live entries, as they belong in the file. A view: valid until the next append. */
  get bytes(): Buffer {
    return this.buffer.subarray(0, this.count * this.entryBytes)
  }

  /** The underlying buffer, for reading entry fields at `i * entryBytes`. */
  get raw(): Buffer {
    return this.buffer
  }

  /** Makes room for one more entry and returns the byte offset to write it at. */
  push(): number {
    if ((this.count + 1) * this.entryBytes > this.buffer.length) {
      const grown = Buffer.alloc(this.buffer.length * 2)
      this.buffer.copy(grown, 0, 0, this.count * this.entryBytes)
      this.buffer = grown
    }
    this.count += 1
    return (this.count - 1) * this.entryBytes
  }

  truncate(entries: number): void {
    if (entries >= this.count) return
    this.count = Math.max(0, entries)
    this.flushedEntries = Math.min(this.flushedEntries, this.count)
  }
}

/** The whole index file, or null when it does not exist. */
export function loadIndexFile(fs: FsLike, path: string): Buffer | null {
  if (!fs.existsSync(path)) return null
  return fs.readFileSync(path)
}

/** Replaces the file's content with `bytes`; `durable` adds an fsync (used only at clean close). */
export function writeIndexFile(fs: FsLike, path: string, bytes: Buffer, durable = false): void {
  const fd = fs.openSync(path, 'w', 0o600)
  try {
    writeFully(fs, fd, bytes, 0)
    if (durable) fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Writes the entries not yet in the file. The file normally holds exactly the flushed entries;
 * if it went missing it is rewritten whole.
 */
export function flushIndexEntries(fs: FsLike, path: string, entries: EntryBuffer): void {
  if (entries.flushedEntries >= entries.length) return
  const all = entries.bytes
  if (!fs.existsSync(path)) {
    writeIndexFile(fs, path, all)
  } else {
    const from = entries.flushedEntries * entries.entryBytes
    const fd = fs.openSync(path, 'r+')
    try {
      writeFully(fs, fd, all.subarray(from), from)
    } finally {
      fs.closeSync(fd)
    }
  }
  entries.flushedEntries = entries.length
}
