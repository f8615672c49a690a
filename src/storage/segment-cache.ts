/**
 * The few sealed segments of a partition that are ready to read: a read descriptor and the
 * indexes in memory, least recently used first out. With 1,000 partitions per broker this keeps
 * open files at the active segment plus `capacity` per partition, and index memory bounded.
 */
import type { DamagedRange } from './damaged-ranges.js'
import { FileWindow } from './file-window.js'
import type { FsLike } from './fs.js'
import type { Segment } from './segment.js'
import { loadIndexes, rebuildIndexes } from './segment-indexes.js'

export class SealedSegmentCache {
  /** Insertion order is recency order: the first key is the least recently used. */
  private readonly held = new Set<Segment>()

  constructor(
    private readonly fs: FsLike,
    private readonly capacity: number,
    private readonly indexIntervalBytes: () => number,
    private readonly onDamage: (ranges: DamagedRange[]) => void,
  ) {}

  /** Makes `segment` readable (descriptor open, indexes loaded, rebuilt if damaged). */
  acquire(segment: Segment): void {
    // A segment rolled away from reads through its write descriptor until a sync closes that.
    if (segment.writeFd === null && segment.readFd === null) segment.readFd = this.fs.openSync(segment.logPath, 'r')
    if (this.held.has(segment)) {
      this.held.delete(segment)
      this.held.add(segment)
      return
    }
    try {
      if (segment.offsetIndex === null || segment.timeIndex === null) this.loadIndexes(segment)
    } catch (error) {
      this.release(segment)
      throw error
    }
    this.held.add(segment)
    for (const oldest of this.held) {
      if (this.held.size <= this.capacity) break
      this.release(oldest)
    }
  }

  /** Adds a segment that already has its indexes in memory (the one just rolled away from). */
  adopt(segment: Segment): void {
    this.held.add(segment)
    for (const oldest of this.held) {
      if (this.held.size <= this.capacity) break
      this.release(oldest)
    }
  }

  /** Forgets a segment that is being deleted: closes its read descriptor and drops its indexes. */
  evict(segment: Segment): void {
    this.release(segment)
  }

  closeAll(): void {
    for (const segment of [...this.held]) this.release(segment)
  }

  private release(segment: Segment): void {
    this.held.delete(segment)
    if (segment.readFd !== null) {
      try {
        this.fs.closeSync(segment.readFd)
      } catch {
        // Closing a read-only descriptor cannot lose data; nothing to do.
      }
      segment.readFd = null
    }
    segment.dropIndexes()
  }

  private loadIndexes(segment: Segment): void {
    const window = new FileWindow(this.fs, segment.fd, segment.sizeBytes, 64 * 1024)
    const loaded = loadIndexes(this.fs, segment, window, { endOffset: segment.nextOffset, sealedIntervalBytes: this.indexIntervalBytes() })
    if (!('problem' in loaded)) return
    const full = new FileWindow(this.fs, segment.fd, segment.sizeBytes)
    this.onDamage(rebuildIndexes(segment, full, segment.nextOffset, this.indexIntervalBytes()))
    segment.sealTimeIndex()
    try {
      segment.writeIndexes(this.fs)
    } catch {
      // Best effort: the indexes in memory are right; a bad file is rebuilt again next time.
    }
  }
}
