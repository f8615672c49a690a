/**
 * The sparse offset index of one segment (`<baseOffset>.index`), Kafka's layout:
 *
 *   OffsetIndex = Entry*                      file size = entries * 8
 *     Entry
 *       relativeOffset  int32   last offset of an indexed batch, minus the segment's base offset
 *       position        int32   byte position of that batch in the .log file
 *
 * One entry is added per `indexIntervalBytes` of log. A lookup gives the largest entry whose
 * offset is <= the target: the batch at its position ends at or before the target, so the batch
 * holding the target is found by scanning forward from there.
 */
import { EntryBuffer } from './index-file.js'

export const OFFSET_INDEX_ENTRY_BYTES = 8

export class OffsetIndex {
  readonly entries: EntryBuffer

  constructor(readonly baseOffset: number, bytes?: Buffer) {
    this.entries = new EntryBuffer(OFFSET_INDEX_ENTRY_BYTES, bytes)
  }

  get size(): number {
    return this.entries.length
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.entries.raw.readInt32BE(i * OFFSET_INDEX_ENTRY_BYTES)
  }

  positionAt(i: number): number {
    return this.entries.raw.readInt32BE(i * OFFSET_INDEX_ENTRY_BYTES + 4)
  }

  append(offset: number, position: number): void {
    const n = this.size
    if (n > 0 && (offset <= this.offsetAt(n - 1) || position <= this.positionAt(n - 1))) {
      throw new Error(`offset index append out of order: ${offset}@${position} after ${this.offsetAt(n - 1)}@${this.positionAt(n - 1)}`)
    }
    const at = this.entries.push()
    this.entries.raw.writeInt32BE(offset - this.baseOffset, at)
    this.entries.raw.writeInt32BE(position, at + 4)
  }

  /** Index of the largest entry whose offset is <= `offset`, or -1. */
  floor(offset: number): number {
    let lo = 0
    let hi = this.size - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.offsetAt(mid) <= offset) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }

  /** Drops every entry at or beyond `position` or `offset` (a truncated or unverified tail). */
  dropFrom(position: number, offset: number): void {
    let keep = this.size
    while (keep > 0 && (this.positionAt(keep - 1) >= position || this.offsetAt(keep - 1) >= offset)) keep -= 1
    this.entries.truncate(keep)
  }

  /**
   * Why `bytes` cannot be this segment's offset index, or null when it passes: whole entries,
   * offsets and positions strictly increasing, the first offset above the base offset (Kafka's
   * "last offset is no greater than the base offset" rule: the first batch is never indexed),
   * positions inside the log file and offsets below the segment's end offset.
   */
  static problem(bytes: Buffer, logSizeBytes: number, endRelativeOffset: number): string | null {
    if (bytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) return `size ${bytes.length} is not a multiple of ${OFFSET_INDEX_ENTRY_BYTES}`
    let lastOffset = 0
    let lastPosition = -1
    for (let at = 0; at < bytes.length; at += OFFSET_INDEX_ENTRY_BYTES) {
      const relativeOffset = bytes.readInt32BE(at)
      const position = bytes.readInt32BE(at + 4)
      if (relativeOffset <= lastOffset) return `entry ${at / OFFSET_INDEX_ENTRY_BYTES}: offset ${relativeOffset} not above ${lastOffset}`
      if (position <= lastPosition) return `entry ${at / OFFSET_INDEX_ENTRY_BYTES}: position ${position} not above ${lastPosition}`
      if (position >= logSizeBytes) return `entry ${at / OFFSET_INDEX_ENTRY_BYTES}: position ${position} beyond the log (${logSizeBytes} bytes)`
      if (relativeOffset >= endRelativeOffset) return `entry ${at / OFFSET_INDEX_ENTRY_BYTES}: offset ${relativeOffset} beyond the segment end`
      lastOffset = relativeOffset
      lastPosition = position
    }
    return null
  }
}
