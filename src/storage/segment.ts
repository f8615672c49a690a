/**
 * One segment of a partition log: `<baseOffset, 20 digits>.log` holding RecordBatch v2 bytes,
 * with its sparse `.index` and `.timeindex` beside it (Kafka's layout). This class holds the
 * segment's state (size, end offset, index-building state, file descriptors) and the rule that
 * decides which batches get index entries; it does not decide when to roll or sync.
 */
import { join } from 'node:path'
import type { FsLike } from './fs.js'
import { flushIndexEntries, writeIndexFile } from './index-file.js'
import { OffsetIndex } from './offset-index.js'
import type { SegmentCheckpoint } from './recovery-point.js'
import { TimeIndex } from './time-index.js'

export const LOG_SUFFIX = '.log'
export const INDEX_SUFFIX = '.index'
export const TIME_INDEX_SUFFIX = '.timeindex'

/** Forces an index entry at the next batch (used after a damaged range, so reads can start past it). */
const INDEX_NEXT_BATCH = Number.MAX_SAFE_INTEGER

export function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0')
}

/** The base offset of a `<20 digits>.log` file name, or null for any other name. */
export function parseLogFileName(name: string): number | null {
  const match = /^(\d{20})\.log$/.exec(name)
  if (match === null) return null
  const baseOffset = Number(match[1])
  return Number.isSafeInteger(baseOffset) ? baseOffset : null
}

export interface TrackedBatch {
  lastOffset: number
  sizeBytes: number
  maxTimestamp: number
}

export class Segment {
  readonly name: string
  readonly logFile: string
  readonly logPath: string
  readonly indexPath: string
  readonly timeIndexPath: string
  /** Bytes of the .log file that hold batches (the file is truncated to this on recovery). */
  sizeBytes = 0
  /** The offset after the segment's last batch. */
  nextOffset: number
  /** In memory for the active segment; loaded on demand (and dropped again) for sealed ones. */
  offsetIndex: OffsetIndex | null = null
  timeIndex: TimeIndex | null = null
  /** Largest batch maxTimestamp in the segment (-1 none), and the last offset of its batch. */
  maxTimestamp = -1
  offsetOfMaxTimestamp = -1
  bytesSinceIndexEntry = 0
  /** When this segment's age for `segmentMs` starts (injected clock), null while empty. */
  rollStartMs: number | null = null
  /** Open for writing: the active segment, and a sealed one until a sync has covered it. */
  writeFd: number | null = null
  /** Opened on demand to read a sealed segment. */
  readFd: number | null = null

  constructor(dir: string, readonly baseOffset: number) {
    this.name = segmentName(baseOffset)
    this.logFile = this.name + LOG_SUFFIX
    this.logPath = join(dir, this.logFile)
    this.indexPath = join(dir, this.name + INDEX_SUFFIX)
    this.timeIndexPath = join(dir, this.name + TIME_INDEX_SUFFIX)
    this.nextOffset = baseOffset
  }

  get indexFiles(): string[] {
    return [this.name + INDEX_SUFFIX, this.name + TIME_INDEX_SUFFIX]
  }

  /** The descriptor reads use; the caller made sure one is open. */
  get fd(): number {
    const fd = this.writeFd ?? this.readFd
    if (fd === null) throw new Error(`segment ${this.logFile} has no open file`)
    return fd
  }

  /** Starts empty indexes and index-building state (before a scan or for a new segment). */
  resetIndexes(): void {
    this.offsetIndex = new OffsetIndex(this.baseOffset)
    this.timeIndex = new TimeIndex(this.baseOffset)
    this.maxTimestamp = -1
    this.offsetOfMaxTimestamp = -1
    this.bytesSinceIndexEntry = 0
  }

  /**
   * Accounts for the batch stored at `position`. As Kafka does: an offset-index entry (the
   * batch's last offset) once more than `indexIntervalBytes` were written since the last one,
   * and at the same point a time-index entry if the largest timestamp grew.
   */
  trackBatch(position: number, batch: TrackedBatch, indexIntervalBytes: number): void {
    const offsetIndex = this.offsetIndex
    const timeIndex = this.timeIndex
    if (offsetIndex === null || timeIndex === null) throw new Error(`segment ${this.logFile} indexes are not loaded`)
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp
      this.offsetOfMaxTimestamp = batch.lastOffset
    }
    if (this.bytesSinceIndexEntry > indexIntervalBytes) {
      offsetIndex.append(batch.lastOffset, position)
      if (this.maxTimestamp >= 0) timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
      this.bytesSinceIndexEntry = 0
    }
    this.bytesSinceIndexEntry += batch.sizeBytes
  }

  /** The next batch gets an index entry whatever the interval. */
  forceIndexEntry(): void {
    this.bytesSinceIndexEntry = INDEX_NEXT_BATCH
  }

  /** Seals the time index: its last entry then holds the segment's largest timestamp. */
  sealTimeIndex(): void {
    if (this.timeIndex !== null && this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
  }

  /** The segment's state now, at its end. */
  checkpoint(): SegmentCheckpoint {
    return {
      baseOffset: this.baseOffset,
      position: this.sizeBytes,
      nextOffset: this.nextOffset,
      offsetIndexEntries: this.offsetIndex?.size ?? 0,
      timeIndexEntries: this.timeIndex?.size ?? 0,
      maxTimestamp: this.maxTimestamp,
      offsetOfMaxTimestamp: this.offsetOfMaxTimestamp,
      bytesSinceIndexEntry: Math.min(this.bytesSinceIndexEntry, INDEX_NEXT_BATCH),
      rollStartMs: this.rollStartMs ?? -1,
    }
  }

  /** Restores the index-building state recorded in a checkpoint of this segment. */
  restoreState(checkpoint: SegmentCheckpoint): void {
    this.sizeBytes = checkpoint.position
    this.nextOffset = checkpoint.nextOffset
    this.maxTimestamp = checkpoint.maxTimestamp
    this.offsetOfMaxTimestamp = checkpoint.offsetOfMaxTimestamp
    this.bytesSinceIndexEntry = checkpoint.bytesSinceIndexEntry
    this.rollStartMs = checkpoint.rollStartMs >= 0 ? checkpoint.rollStartMs : null
  }

  /** Rewrites both index files whole; `durable` fsyncs them (clean close). */
  writeIndexes(fs: FsLike, durable = false): void {
    if (this.offsetIndex === null || this.timeIndex === null) return
    writeIndexFile(fs, this.indexPath, this.offsetIndex.entries.bytes, durable)
    this.offsetIndex.entries.flushedEntries = this.offsetIndex.size
    writeIndexFile(fs, this.timeIndexPath, this.timeIndex.entries.bytes, durable)
    this.timeIndex.entries.flushedEntries = this.timeIndex.size
  }

  /** Appends the index entries added since the last write to the files. */
  flushIndexes(fs: FsLike): void {
    if (this.offsetIndex !== null) flushIndexEntries(fs, this.indexPath, this.offsetIndex.entries)
    if (this.timeIndex !== null) flushIndexEntries(fs, this.timeIndexPath, this.timeIndex.entries)
  }

  dropIndexes(): void {
    this.offsetIndex = null
    this.timeIndex = null
  }
}
