/**
 * One partition's durable log: the only writer of `<dataDir>/<topic>-<partition>/`, used by the
 * partition actor on its worker thread. Appends assign dense offsets and write RecordBatch v2
 * bytes as they are; sync() is a group commit (one fdatasync covers every append before it
 * started); reads serve whole CRC-checked batches up to the durable end; open recovers (P3).
 *
 * Failure policy (P4): a failed write is undone (the file is truncated back) and reported as
 * STORAGE_ERROR, and the log keeps working; a failed fdatasync, fsync (at roll) or undo fences
 * the log (PARTITION_OFFLINE for every later call) until it is reopened, because after a failed
 * fsync nothing written can be trusted to be durable (fsyncgate: never retry and ack).
 *
 * Retention (retention.ts) deletes whole segments from the front and moves the log start offset;
 * reads below it fail with OFFSET_OUT_OF_RANGE.
 */
import { join } from 'node:path'
import { BrokerError, isBrokerError, storageError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { assignOffsets, checkAppend } from './append-batches.js'
import { DamagedRanges, corruptRangeError, type DamagedRange } from './damaged-ranges.js'
import { fsyncDirectory, realFs, writeFully, type FsLike } from './fs.js'
import { GroupCommit, type FlushJob } from './group-commit.js'
import { validateLogConfig, type LogConfig } from './log-config.js'
import { recoverLog, type RecoveryReport } from './recovery.js'
import { CLEAN_SHUTDOWN_FILE, RECOVERY_POINT_FILE, writeCheckpoint, type SegmentCheckpoint } from './recovery-point.js'
import { ensurePartitionDirectory } from './partition-dir.js'
import { readLogStartOffset, writeLogStartOffset } from './log-start-offset.js'
import {
  describePlan,
  planRetention,
  renameToDeleted,
  unlinkDeleted,
  validateRetentionOptions,
  type RetentionDescription,
  type RetentionOptions,
  type RetentionResult,
  type SegmentRetention,
} from './retention.js'
import type { Segment } from './segment.js'
import { SealedSegmentCache } from './segment-cache.js'
import { rollSegment } from './segment-roll.js'
import { offsetForTimestampIn, readBatches, type SegmentRead } from './segment-reader.js'

export type { LogConfig } from './log-config.js'
export type { DamagedRange } from './damaged-ranges.js'
export type { RecoveryReport } from './recovery.js'
export type { DeletedSegment, RetentionConfig, RetentionDescription, RetentionOptions, RetentionResult, SegmentRetention } from './retention.js'

export interface AppendResult {
  baseOffset: number
  lastOffset: number
  logEndOffset: number
  maxTimestamp: number
}

export interface PartitionLogOptions {
  fs?: FsLike
  /** The clock for segment age (`segmentMs`) and the recovery-point interval. */
  now?: () => number
}

export interface PartitionLogStats {
  segments: number
  sizeBytes: number
  logStartOffset: number
  logEndOffset: number
  durableEndOffset: number
  offline: boolean
}

/** Relative offsets in the index are int32: a segment holds at most 2^31 offsets. */
const MAX_RELATIVE_OFFSET = 0x7fffffff

interface SyncJob extends FlushJob {
  readonly segment: Segment
  readonly checkpoint: SegmentCheckpoint
}

export class PartitionLog {
  readonly recovery: RecoveryReport
  private config: LogConfig
  private readonly segments: Segment[]
  private active: Segment
  private durableEnd: number
  /** The first offset readers may ask for: the first segment's base, or above it after DeleteRecords. */
  private startOffset: number
  private offline: BrokerError | null = null
  private closing: Promise<void> | null = null
  private closed = false
  /** Segments rolled away from whose write descriptor a running flush may still be using; closed when it ends. */
  private retired: Segment[] = []
  /** A directory change (the removed clean-shutdown marker) the next flush must make durable. */
  private directoryDirty: boolean
  private lastRecoveryPointMs = Number.NEGATIVE_INFINITY
  private recoveryPointDue = true
  private readonly damaged = new DamagedRanges()
  private readonly cache: SealedSegmentCache
  private readonly commit: GroupCommit

  /** Opens (creating if needed) and recovers the partition directory `dir`. Synchronous. */
  static open(dir: string, config: LogConfig, options: PartitionLogOptions = {}): PartitionLog {
    validateLogConfig(config)
    const fs = options.fs ?? realFs
    const now = options.now ?? Date.now
    try {
      ensurePartitionDirectory(fs, dir)
      return new PartitionLog(dir, { ...config }, fs, now)
    } catch (error) {
      throw storageError('open partition log', error, { dir })
    }
  }

  private constructor(
    private readonly dir: string,
    config: LogConfig,
    private readonly fs: FsLike,
    private readonly now: () => number,
  ) {
    this.config = config
    const recovered = recoverLog(fs, dir, config.indexIntervalBytes, now())
    this.recovery = recovered.report
    this.segments = recovered.segments
    this.active = this.segments[this.segments.length - 1]!
    // Recovery fsynced whatever it kept, so all of it is durable.
    this.durableEnd = this.active.nextOffset
    // Retention renames segments away before it persists the start, so whichever is larger holds.
    this.startOffset = Math.min(Math.max(this.segments[0]!.baseOffset, readLogStartOffset(fs, dir) ?? 0), this.active.nextOffset)
    this.directoryDirty = recovered.markerRemoved
    for (const range of recovered.damaged) this.damaged.add(range)
    this.cache = new SealedSegmentCache(fs, LIMITS.openSealedSegmentsPerPartition, () => this.config.indexIntervalBytes, (ranges) => ranges.forEach((range) => this.damaged.add(range)))
    this.commit = new GroupCommit({
      fenced: () => this.fence(),
      durableEndOffset: () => this.durableEnd,
      hasWritesBeyond: (endOffset) => this.logEndOffset > endOffset,
      startFlush: () => this.startFlush(),
      flushSucceeded: (job) => this.flushSucceeded(job as SyncJob),
      flushFailed: (job, error) => this.flushFailed(job as SyncJob, error),
    })
  }

  get logStartOffset(): number {
    return this.startOffset
  }

  /** The next offset to assign. */
  get logEndOffset(): number {
    return this.active.nextOffset
  }

  /** The end of what a completed fdatasync covers: the high watermark readers see. */
  get durableEndOffset(): number {
    return this.durableEnd
  }

  /**
   * Appends one or more concatenated RecordBatch v2, assigning offsets from the log end (their
   * baseOffset fields are overwritten in `batches`). All batches are validated before anything
   * is written; the bytes go to one segment with one write. Not durable until sync() resolves.
   */
  append(batches: Buffer): AppendResult {
    this.assertUsable()
    const bytes = Buffer.isBuffer(batches) ? batches : Buffer.from((batches as Uint8Array).buffer, (batches as Uint8Array).byteOffset, (batches as Uint8Array).byteLength)
    const checked = checkAppend(bytes, this.config.maxMessageBytes, this.config.segmentBytes)
    const baseOffset = this.logEndOffset
    const lastOffset = baseOffset + checked.records - 1
    if (this.shouldRoll(bytes.length, lastOffset)) this.roll()
    const segment = this.active
    const lastOffsets = assignOffsets(bytes, checked.batches, baseOffset)
    const start = segment.sizeBytes
    try {
      writeFully(this.fs, segment.writeFd!, bytes, start)
    } catch (error) {
      this.undoWrite(segment, start, error)
    }
    segment.sizeBytes += bytes.length
    segment.nextOffset = lastOffset + 1
    let maxTimestamp = -1
    checked.batches.forEach(({ position, header }, i) => {
      segment.trackBatch(start + position, { lastOffset: lastOffsets[i]!, sizeBytes: header.sizeBytes, maxTimestamp: header.maxTimestamp }, this.config.indexIntervalBytes)
      maxTimestamp = Math.max(maxTimestamp, header.maxTimestamp)
    })
    if (segment.rollStartMs === null) segment.rollStartMs = this.now()
    return { baseOffset, lastOffset, logEndOffset: lastOffset + 1, maxTimestamp }
  }

  /** Group commit: resolves with the durable end offset once an fdatasync covering every earlier append completed. */
  sync(): Promise<number> {
    return this.commit.sync()
  }

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` (but at least one batch), none
   * starting at or after `maxOffset` (default: the durable end). Stays inside one segment.
   */
  read(offset: number, maxBytes: number, maxOffset: number = this.durableEnd): Buffer {
    this.assertUsable()
    if (!Number.isSafeInteger(offset) || offset < this.logStartOffset || offset > this.logEndOffset) {
      throw new BrokerError('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [${this.logStartOffset}, ${this.logEndOffset}]`, {
        offset,
        logStartOffset: this.logStartOffset,
        logEndOffset: this.logEndOffset,
      })
    }
    const limit = Math.min(maxOffset, this.logEndOffset)
    if (offset >= limit) return Buffer.alloc(0)
    const known = this.damaged.containing(offset)
    if (known !== undefined) throw corruptRangeError(known)
    const index = this.segmentIndexFor(offset)
    try {
      return readBatches(this.segmentRead(index), offset, maxBytes, limit, this.config.indexIntervalBytes)
    } catch (error) {
      throw isBrokerError(error) ? error : storageError('read', error, { dir: this.dir, offset })
    }
  }

  /** Earliest offset whose batch has a timestamp >= `timestampMs` (batch granularity, as Kafka), below the durable end; null if none. */
  offsetForTimestamp(timestampMs: number): number | null {
    this.assertUsable()
    try {
      for (let i = 0; i < this.segments.length; i++) {
        const segment = this.segments[i]!
        if (segment.baseOffset >= this.durableEnd) break
        if (segment.maxTimestamp < timestampMs) continue
        if (segment.nextOffset <= this.startOffset) continue
        const found = offsetForTimestampIn(this.segmentRead(i), timestampMs, this.durableEnd)
        if (found !== null) return Math.max(found, this.startOffset)
      }
      return null
    } catch (error) {
      throw isBrokerError(error) ? error : storageError('offsetForTimestamp', error, { dir: this.dir })
    }
  }

  /**
   * Deletes the whole segments that retention lets go (see retention.ts), oldest first, and
   * moves the log start offset to the first one kept. Rolls the active segment first when it is
   * wholly expired by time. Synchronous; a failure part way is STORAGE_ERROR after keeping what
   * was already deleted consistent.
   */
  applyRetention(options: RetentionOptions): RetentionResult {
    this.assertUsable()
    validateRetentionOptions(options)
    return this.deletePlanned(planRetention(this.segments, options, this.retentionBounds(this.startOffset)), this.startOffset)
  }

  /**
   * Kafka's DeleteRecords: the log start moves to `offset` (at most the high watermark) and the
   * sealed segments wholly below it are deleted. Offsets below it then read as out of range.
   */
  deleteRecordsBefore(offset: number): RetentionResult {
    this.assertUsable()
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.durableEnd) {
      throw new BrokerError('OFFSET_OUT_OF_RANGE', `cannot delete records before ${offset}: it is outside [0, ${this.durableEnd}] (the high watermark)`, {
        offset,
        highWatermark: this.durableEnd,
      })
    }
    const wanted = Math.max(this.startOffset, offset)
    const plan = planRetention(this.segments, { retentionMs: -1, retentionBytes: -1, nowMs: 0 }, this.retentionBounds(wanted))
    return this.deletePlanned(plan, wanted)
  }

  /** A dry run of applyRetention: every segment with what it holds and why it is kept or would go. */
  describeRetention(options: RetentionOptions, disabled?: string): RetentionDescription {
    this.assertUsable()
    validateRetentionOptions(options)
    const plan = planRetention(this.segments, options, this.retentionBounds(this.startOffset), disabled)
    return describePlan(plan, options, { logStartOffset: this.startOffset, logEndOffset: this.logEndOffset, highWatermark: this.durableEnd })
  }

  damagedRanges(): DamagedRange[] {
    return this.damaged.list()
  }

  stats(): PartitionLogStats {
    return {
      segments: this.segments.length,
      sizeBytes: this.segments.reduce((sum, segment) => sum + segment.sizeBytes, 0),
      logStartOffset: this.logStartOffset,
      logEndOffset: this.logEndOffset,
      durableEndOffset: this.durableEnd,
      offline: this.offline !== null,
    }
  }

  /** Syncs, writes the indexes and the clean-shutdown marker, closes every file. Idempotent; never rejects. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce()
    return this.closing
  }

  /** Takes effect from the next append (roll thresholds, index interval, batch size limit). */
  updateConfig(config: LogConfig): void {
    validateLogConfig(config)
    this.config = { ...config }
  }

  private async closeOnce(): Promise<void> {
    if (this.offline === null) {
      try {
        await this.commit.sync()
      } catch {
        // The failure fenced the log and reached the sync's waiters; close without a marker.
      }
    }
    await this.commit.idle()
    this.closed = true
    if (this.offline === null) {
      try {
        this.active.writeIndexes(this.fs, true)
        writeCheckpoint(this.fs, join(this.dir, CLEAN_SHUTDOWN_FILE), 'clean-shutdown', this.active.checkpoint())
      } catch {
        // No marker: the next open validates by scanning instead.
      }
    }
    this.cache.closeAll()
    this.closeRetired()
    if (this.active.writeFd !== null) this.closeQuietly(this.active.writeFd)
    this.active.writeFd = null
  }

  private fence(): BrokerError | null {
    if (this.offline !== null) return this.offline
    if (this.closed) return new BrokerError('PARTITION_OFFLINE', `partition log ${this.dir} is closed`, { dir: this.dir, closed: true })
    return null
  }

  private assertUsable(): void {
    const fence = this.fence()
    if (fence !== null) throw fence
    if (this.closing !== null) throw new BrokerError('PARTITION_OFFLINE', `partition log ${this.dir} is closing`, { dir: this.dir, closed: true })
  }

  private goOffline(cause: BrokerError): BrokerError {
    this.offline ??= new BrokerError('PARTITION_OFFLINE', `partition log ${this.dir} is offline until reopened: ${cause.message}`, {
      dir: this.dir,
      errno: cause.details['errno'],
    })
    return this.offline
  }

  private shouldRoll(appendBytes: number, lastOffset: number): boolean {
    const segment = this.active
    if (segment.sizeBytes === 0) return false
    if (segment.sizeBytes + appendBytes > this.config.segmentBytes) return true
    if (segment.rollStartMs !== null && this.now() - segment.rollStartMs > this.config.segmentMs) return true
    return lastOffset - segment.baseOffset > MAX_RELATIVE_OFFSET
  }

  /** Starts a new active segment at the log end (see segment-roll.ts). */
  private roll(): void {
    const old = this.active
    const segment = rollSegment(this.fs, this.dir, old, this.logEndOffset, (cause) => this.goOffline(cause))
    this.retire(old)
    this.cache.adopt(old)
    this.segments.push(segment)
    this.active = segment
    this.recoveryPointDue = true
  }

  /** Closes a rolled-away segment's write descriptor, or defers that while a flush may be using it. */
  private retire(segment: Segment): void {
    if (this.commit.flushing) {
      this.retired.push(segment)
    } else {
      this.closeQuietly(segment.writeFd!)
      segment.writeFd = null
    }
  }

  private closeRetired(): void {
    for (const segment of this.retired) {
      if (segment.writeFd !== null) this.closeQuietly(segment.writeFd)
      segment.writeFd = null
    }
    this.retired = []
  }

  /** Puts the file back as it was before a failed write; fences the log if even that fails. */
  private undoWrite(segment: Segment, position: number, error: unknown): never {
    const failure = storageError('append', error, { segment: segment.logFile, position })
    try {
      this.fs.ftruncateSync(segment.writeFd!, position)
    } catch (truncateError) {
      throw this.goOffline(storageError('truncate after failed write', truncateError, { segment: segment.logFile, position }))
    }
    throw failure
  }

  private startFlush(): SyncJob {
    const segment = this.active
    const dirSync = this.directoryDirty
    this.directoryDirty = false
    const fs = this.fs
    const dir = this.dir
    const fd = segment.writeFd!
    return {
      endOffset: this.logEndOffset,
      segment,
      checkpoint: segment.checkpoint(),
      async run() {
        if (dirSync) fsyncDirectory(fs, dir)
        await fs.fdatasync(fd)
      },
    }
  }

  private flushSucceeded(job: SyncJob): number {
    this.closeRetired()
    this.durableEnd = Math.max(this.durableEnd, job.endOffset)
    const due = this.recoveryPointDue || this.now() - this.lastRecoveryPointMs >= LIMITS.recoveryPointIntervalMs
    if (this.offline === null && due && job.segment === this.active) this.recordRecoveryPoint(job)
    return this.durableEnd
  }

  private flushFailed(job: SyncJob, error: unknown): BrokerError {
    this.closeRetired()
    const failure = storageError('fdatasync', error, { dir: this.dir, endOffset: job.endOffset })
    this.goOffline(failure)
    return failure
  }

  /**
   * Records that everything before the flushed position is durable. Best effort (no fsync): a lost
   * or stale file only makes the next recovery scan longer. The index entries the checkpoint
   * counts are written first, so the file never promises entries the index files lack.
   */
  private recordRecoveryPoint(job: SyncJob): void {
    try {
      this.active.flushIndexes(this.fs)
      writeCheckpoint(this.fs, join(this.dir, RECOVERY_POINT_FILE), 'recovery-point', job.checkpoint)
      this.lastRecoveryPointMs = this.now()
      this.recoveryPointDue = false
    } catch {
      // Disk full or similar: try again after the next flush.
    }
  }

  private retentionBounds(logStartOffset: number) {
    return { logStartOffset, durableEndOffset: this.durableEnd }
  }

  /** Deletes the planned prefix: rename away, persist the new start, unlink (retention.ts). */
  private deletePlanned(plan: SegmentRetention[], wantedStart: number): RetentionResult {
    const planned = plan.filter((entry) => entry.deletion !== null)
    // The active segment never goes while active: roll so it is sealed like the others.
    if (planned.length === this.segments.length) this.roll()
    const doomed = this.segments.slice(0, planned.length)
    const { renamed, error } = renameToDeleted(this.fs, this.dir, doomed, (segment) => this.cache.evict(segment))
    const deleted = this.segments.splice(0, renamed)
    for (const segment of deleted) this.damaged.forgetSegment(segment.logFile)
    let failure = error
    const floor = Math.max(this.startOffset, this.segments[0]!.baseOffset)
    const target = failure === null ? Math.max(floor, wantedStart) : floor
    if (target !== this.startOffset) {
      try {
        writeLogStartOffset(this.fs, this.dir, target)
        this.startOffset = target
      } catch (writeError) {
        // Without the file the first segment still bounds the start after a restart.
        failure ??= writeError
        this.startOffset = floor
      }
    }
    unlinkDeleted(this.fs, deleted)
    if (failure !== null) throw storageError('retention delete', failure, { dir: this.dir, deletedSegments: renamed })
    return {
      deletedSegments: planned.slice(0, renamed).map(({ baseOffset, lastOffset, sizeBytes, maxTimestamp, deletion }) => ({ baseOffset, lastOffset, sizeBytes, maxTimestamp, reason: deletion! })),
      logStartOffset: this.startOffset,
    }
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0
    let hi = this.segments.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.segments[mid]!.baseOffset <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Makes segment `i` readable and describes it for the read path. */
  private segmentRead(i: number): SegmentRead {
    const segment = this.segments[i]!
    if (segment !== this.active) this.cache.acquire(segment)
    const endOffset = i + 1 < this.segments.length ? this.segments[i + 1]!.baseOffset : this.logEndOffset
    return { fs: this.fs, segment, endOffset, damaged: this.damaged }
  }

  private closeQuietly(fd: number): void {
    try {
      this.fs.closeSync(fd)
    } catch {
      // Nothing useful to do: the data was flushed (or the log is fenced) already.
    }
  }
}
