/**
 * The offsets of one partition a consumer group has seen, in memory that does not grow with the
 * run: everything below `low` has been seen (consumers read in order, so this is nearly always
 * the whole story); offsets seen above it — only while a gap is open, e.g. a record lost — sit in
 * a sparse bitset of 32 Ki-offset chunks, dropped as `low` passes them.
 */
const CHUNK_BITS = 15
const CHUNK = 1 << CHUNK_BITS

export class OffsetSet {
  /** Every offset below this has been seen. */
  low = 0
  private readonly chunks = new Map<number, Uint32Array>()

  has(offset: number): boolean {
    if (offset < this.low) return true
    const chunk = this.chunks.get(Math.floor(offset / CHUNK))
    if (chunk === undefined) return false
    const bit = offset % CHUNK
    return (chunk[bit >>> 5]! & (1 << (bit & 31))) !== 0
  }

  /** Adds an offset; true if it was not there yet. */
  add(offset: number): boolean {
    if (offset === this.low && this.chunks.size === 0) {
      // The common case, a read in order with no gap open: O(1), no bitset.
      this.low++
      return true
    }
    if (this.has(offset)) return false
    if (offset === this.low) {
      this.low++
      while (this.chunks.size > 0 && this.takeLow()) this.low++
      return true
    }
    const index = Math.floor(offset / CHUNK)
    let chunk = this.chunks.get(index)
    if (chunk === undefined) this.chunks.set(index, chunk = new Uint32Array(CHUNK / 32))
    const bit = offset % CHUNK
    chunk[bit >>> 5]! |= 1 << (bit & 31)
    return true
  }

  /** Whether `low` is set in the bitset; drops chunks `low` has left behind. */
  private takeLow(): boolean {
    const index = Math.floor(this.low / CHUNK)
    for (const key of this.chunks.keys()) if (key < index) this.chunks.delete(key)
    const chunk = this.chunks.get(index)
    if (chunk === undefined) return false
    const bit = this.low % CHUNK
    return (chunk[bit >>> 5]! & (1 << (bit & 31))) !== 0
  }
}
