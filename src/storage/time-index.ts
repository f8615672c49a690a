/**
 * The sparse time index of one segment (`<baseOffset>.timeindex`), Kafka's layout:
 *
 *   TimeIndex = Entry*                        file size = entries * 12
 *     Entry
 *       timestamp       int64   largest batch maxTimestamp seen so far in the segment
 *       relativeOffset  int32   last offset of the batch that carried it, minus the base offset
 *
 * An entry is added at an offset-index point when the largest timestamp grew since the last
 * entry, and once more when the segment is sealed, so the last entry holds the segment's
 * largest timestamp. Every record before an entry's batch has a smaller timestamp.
 */
import { EntryBuffer } from './index-file.js'

export const TIME_INDEX_ENTRY_BYTES = 12

export class TimeIndex {
  readonly entries: EntryBuffer

  constructor(readonly baseOffset: number, bytes?: Buffer) {
    this.entries = new EntryBuffer(TIME_INDEX_ENTRY_BYTES, bytes)
  }

  get size(): number {
    return this.entries.length
  }

  timestampAt(i: number): number {
    return Number(this.entries.raw.readBigInt64BE(i * TIME_INDEX_ENTRY_BYTES))
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.entries.raw.readInt32BE(i * TIME_INDEX_ENTRY_BYTES + 8)
  }

  /** The last entry's timestamp, or -1 for an empty index. */
  get lastTimestamp(): number {
    return this.size === 0 ? -1 : this.timestampAt(this.size - 1)
  }

  /** Adds an entry when `timestamp` is above the last one; offsets never go backwards. */
  maybeAppend(timestamp: number, offset: number): void {
    const n = this.size
    if (n > 0 && timestamp <= this.timestampAt(n - 1)) return
    if (n > 0 && offset < this.offsetAt(n - 1)) {
      throw new Error(`time index append out of order: offset ${offset} before ${this.offsetAt(n - 1)}`)
    }
    const at = this.entries.push()
    this.entries.raw.writeBigInt64BE(BigInt(timestamp), at)
    this.entries.raw.writeInt32BE(offset - this.baseOffset, at + 8)
  }

  /** Index of the largest entry whose timestamp is <= `timestamp`, or -1. */
  floor(timestamp: number): number {
    let lo = 0
    let hi = this.size - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.timestampAt(mid) <= timestamp) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }

  /** Drops every entry whose offset is at or beyond `offset`. */
  dropFrom(offset: number): void {
    let keep = this.size
    while (keep > 0 && this.offsetAt(keep - 1) >= offset) keep -= 1
    this.entries.truncate(keep)
  }

  /**
   * Why `bytes` cannot be this segment's time index, or null: whole entries, timestamps
   * strictly increasing, offsets never decreasing and inside the segment.
   */
  static problem(bytes: Buffer, endRelativeOffset: number): string | null {
    if (bytes.length % TIME_INDEX_ENTRY_BYTES !== 0) return `size ${bytes.length} is not a multiple of ${TIME_INDEX_ENTRY_BYTES}`
    let lastTimestamp = -Infinity
    let lastOffset = 0
    for (let at = 0; at < bytes.length; at += TIME_INDEX_ENTRY_BYTES) {
      const timestamp = Number(bytes.readBigInt64BE(at))
      const relativeOffset = bytes.readInt32BE(at + 8)
      const entry = at / TIME_INDEX_ENTRY_BYTES
      if (timestamp <= lastTimestamp) return `entry ${entry}: timestamp ${timestamp} not above ${lastTimestamp}`
      if (relativeOffset < lastOffset) return `entry ${entry}: offset ${relativeOffset} below ${lastOffset}`
      if (relativeOffset >= endRelativeOffset) return `entry ${entry}: offset ${relativeOffset} beyond the segment end`
      lastTimestamp = timestamp
      lastOffset = relativeOffset
    }
    return null
  }
}
