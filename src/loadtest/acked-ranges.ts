/**
 * The acknowledged offset ranges of one partition, sorted by offset, each with the identity of
 * its first record (producer, sequence; consecutive after that). Ranges every group has read past
 * are pruned, so memory holds only what is still in flight or unread.
 */
export interface StoredRange {
  baseOffset: number
  count: number
  producerId: number
  firstSequence: number
}

export class AckedRanges {
  private ranges: StoredRange[] = []
  /** Ranges before this index are pruned (compacted away in bulk, not shifted one by one). */
  private head = 0
  /** Index of the range the last lookup hit: reads move forward, so the next one is usually there. */
  private hint = 0

  insert(range: StoredRange): void {
    const ranges = this.ranges
    let at = ranges.length
    // Acks from several producers arrive nearly in offset order: search from the end.
    while (at > this.head && ranges[at - 1]!.baseOffset > range.baseOffset) at--
    if (at === ranges.length) ranges.push(range)
    else ranges.splice(at, 0, range)
  }

  /** The range holding `offset`, or undefined. */
  find(offset: number): StoredRange | undefined {
    const ranges = this.ranges
    const hinted = ranges[this.hint]
    if (hinted !== undefined && this.hint >= this.head && contains(hinted, offset)) return hinted
    const next = ranges[this.hint + 1]
    if (next !== undefined && this.hint + 1 >= this.head && contains(next, offset)) return ranges[++this.hint]
    let lo = this.head
    let hi = ranges.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const range = ranges[mid]!
      if (offset < range.baseOffset) hi = mid - 1
      else if (offset >= range.baseOffset + range.count) lo = mid + 1
      else { this.hint = mid; return range }
    }
    return undefined
  }

  /** Drops ranges that end at or below `offset`. */
  pruneBelow(offset: number): void {
    const ranges = this.ranges
    while (this.head < ranges.length && ranges[this.head]!.baseOffset + ranges[this.head]!.count <= offset) this.head++
    if (this.head > 1024 && this.head * 2 > ranges.length) {
      this.ranges = ranges.slice(this.head)
      this.hint = Math.max(0, this.hint - this.head)
      this.head = 0
    }
  }

  /** Live (unpruned) ranges in offset order. */
  *live(): IterableIterator<StoredRange> {
    for (let i = this.head; i < this.ranges.length; i++) yield this.ranges[i]!
  }
}

const contains = (range: StoredRange, offset: number): boolean => offset >= range.baseOffset && offset < range.baseOffset + range.count
