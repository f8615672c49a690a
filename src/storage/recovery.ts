/**
 * Opening a partition directory: load every segment, validate (or rebuild) every index, and after
 * an unclean shutdown recover the tail (P3).
 *
 * What is scanned when:
 *   - sealed segments: never CRC-scanned. The log fsyncs a segment before rolling away from it,
 *     so they are durable; corruption there is caught on the read path. Their indexes are
 *     validated (structure, plus their last entries and coverage against the log).
 *   - clean shutdown (a valid `clean-shutdown` checkpoint matching the active segment): nothing
 *     is scanned; the active segment's indexes are validated against the checkpoint.
 *   - unclean, with a valid `recovery-point` inside the active segment: CRC scan from it to the
 *     end; the bytes before it were durable and verified at append.
 *   - unclean, no usable recovery point: CRC scan of the active segment from its start.
 * At the first bad or torn batch of the active segment the file is truncated there: that tail
 * was never acknowledged (acks follow an fdatasync, and the recovery point only moves after one).
 * Nothing else is ever truncated or deleted, except the `.deleted` files of segments retention
 * had already renamed away when it was interrupted (retention.ts).
 */
import { storageError } from '../errors.js'
import { join } from 'node:path'
import type { DamagedRange } from './damaged-ranges.js'
import { FileWindow } from './file-window.js'
import { fsyncDirectory, type FsLike } from './fs.js'
import { CLEAN_SHUTDOWN_FILE, RECOVERY_POINT_FILE, readCheckpoint, type SegmentCheckpoint } from './recovery-point.js'
import { Segment, parseLogFileName } from './segment.js'
import { loadIndexes, rebuildIndexes } from './segment-indexes.js'
import { scanSegment } from './segment-scan.js'

export interface RecoveryReport {
  cleanShutdown: boolean
  /** Bytes CRC-scanned by recovery. */
  scannedBytes: number
  /** Bytes cut from the active segment's torn tail. */
  truncatedBytes: number
  /** Index files found missing or damaged and rebuilt from their log. */
  rebuiltIndexes: string[]
  durationMs: number
}

export interface RecoveredLog {
  /** Sorted by base offset. The last is active: open for writing, indexes in memory. */
  segments: Segment[]
  report: RecoveryReport
  damaged: DamagedRange[]
  /** A clean-shutdown marker was removed: the next sync must make that durable (directory fsync). */
  markerRemoved: boolean
}

interface Context {
  fs: FsLike
  indexIntervalBytes: number
  rebuilt: string[]
  damaged: DamagedRange[]
}

/** Interrupted writes (`.tmp`, `.swap`) and segments retention renamed away before a crash (`.deleted`). */
const LEFTOVER = /\.(tmp|swap|deleted)$/

export function recoverLog(fs: FsLike, dir: string, indexIntervalBytes: number, nowMs: number): RecoveredLog {
  const startedMs = performance.now()
  const ctx: Context = { fs, indexIntervalBytes, rebuilt: [], damaged: [] }
  const names = fs.readdirSync(dir)
  for (const name of names) {
    if (LEFTOVER.test(name)) fs.rmSync(join(dir, name), { recursive: true, force: true })
  }
  const markerPath = join(dir, CLEAN_SHUTDOWN_FILE)
  const marker = readCheckpoint(fs, markerPath, 'clean-shutdown')
  const markerRemoved = fs.existsSync(markerPath)
  if (markerRemoved) {
    try {
      fs.unlinkSync(markerPath)
    } catch (error) {
      throw storageError('remove clean-shutdown marker', error, { dir })
    }
  }
  const recoveryPoint = readCheckpoint(fs, join(dir, RECOVERY_POINT_FILE), 'recovery-point')

  const baseOffsets = names.map(parseLogFileName).filter((base): base is number => base !== null).sort((a, b) => a - b)
  if (baseOffsets.length === 0) return freshLog(fs, dir, markerRemoved, startedMs)

  const segments = baseOffsets.map((base) => new Segment(dir, base))
  segments.forEach((segment, i) => {
    if (i + 1 < segments.length) segment.nextOffset = baseOffsets[i + 1]!
  })
  const active = segments[segments.length - 1]!
  let activeSize: number
  try {
    active.writeFd = fs.openSync(active.logPath, 'r+')
    activeSize = fs.fstatSync(active.writeFd).size
  } catch (error) {
    throw storageError('open active segment', error, { segment: active.logPath })
  }

  let result: { clean: boolean; scannedBytes: number; truncatedBytes: number }
  try {
    result = recoverSegments(ctx, segments, marker, recoveryPoint, activeSize, nowMs)
  } catch (error) {
    fs.closeSync(active.writeFd)
    active.writeFd = null
    throw error
  }
  const { clean, scannedBytes, truncatedBytes } = result

  return {
    segments,
    report: {
      cleanShutdown: clean,
      scannedBytes,
      truncatedBytes,
      rebuiltIndexes: [...new Set(ctx.rebuilt)],
      durationMs: performance.now() - startedMs,
    },
    damaged: ctx.damaged,
    markerRemoved,
  }
}

/**
 * Validates the sealed segments' indexes, then recovers the active segment: from the clean
 * marker (nothing scanned), from the recovery point, or from its start.
 */
function recoverSegments(
  ctx: Context,
  segments: Segment[],
  marker: SegmentCheckpoint | null,
  recoveryPoint: SegmentCheckpoint | null,
  activeSize: number,
  nowMs: number,
): { clean: boolean; scannedBytes: number; truncatedBytes: number } {
  const { fs, indexIntervalBytes } = ctx
  const active = segments[segments.length - 1]!
  const fd = active.writeFd!
  // Every sealed segment was fsynced when the log rolled away from it: trusted, not scanned.
  for (const segment of segments.slice(0, -1)) loadSealed(ctx, segment)

  const clean = marker !== null && marker.baseOffset === active.baseOffset && marker.position === activeSize
  const usablePoint =
    recoveryPoint !== null && recoveryPoint.baseOffset === active.baseOffset && recoveryPoint.position <= activeSize ? recoveryPoint : null
  const checkpoint = clean ? marker : usablePoint
  let indexFilesExact = false
  if (checkpoint !== null) indexFilesExact = startFromCheckpoint(ctx, active, fd, checkpoint, clean)
  else active.resetIndexes()

  let scannedBytes = 0
  let truncatedBytes = 0
  if (!clean) {
    const from = checkpoint?.position ?? 0
    const loaded = checkpoint === null ? existingIndexBytes(fs, active) : null
    const scan = scanSegment(new FileWindow(fs, fd, activeSize), active, from, checkpoint?.nextOffset ?? active.baseOffset, {
      verifyCrc: true,
      stopAtFault: true,
      endOffset: Number.POSITIVE_INFINITY,
      indexIntervalBytes,
    })
    scannedBytes = activeSize - from
    active.sizeBytes = scan.position
    active.nextOffset = scan.nextOffset
    if (scan.fault !== null && scan.position < activeSize) {
      truncatedBytes = activeSize - scan.position
      truncateTail(fs, fd, active, scan.position)
    }
    if (loaded !== null && !matchesComputed(active, loaded)) ctx.rebuilt.push(...active.indexFiles)
    // What recovery keeps may never have been fsynced (a SIGKILL keeps the page cache): make it
    // durable now, so every offset served from here on also survives a power cut.
    fs.fsyncSync(fd)
    indexFilesExact = indexFilesExact && scan.position === from
  }
  // The segment's age survives a restart through the checkpoint; without one it restarts now.
  if (active.sizeBytes === 0) active.rollStartMs = null
  else if (checkpoint === null || active.rollStartMs === null) active.rollStartMs = nowMs
  if (!indexFilesExact) rewriteIndexes(fs, active)
  return { clean, scannedBytes, truncatedBytes }
}

/** A new partition: its first segment, made durable in the directory (P1). */
function freshLog(fs: FsLike, dir: string, markerRemoved: boolean, startedMs: number): RecoveredLog {
  const segment = new Segment(dir, 0)
  try {
    segment.writeFd = fs.openSync(segment.logPath, 'wx+', 0o600)
    fsyncDirectory(fs, dir)
  } catch (error) {
    if (segment.writeFd !== null) fs.closeSync(segment.writeFd)
    throw storageError('create first segment', error, { segment: segment.logPath })
  }
  segment.resetIndexes()
  return {
    segments: [segment],
    report: { cleanShutdown: false, scannedBytes: 0, truncatedBytes: 0, rebuiltIndexes: [], durationMs: performance.now() - startedMs },
    damaged: [],
    markerRemoved,
  }
}

/** A trusted sealed segment: validate its indexes (rebuild them if needed), keep only its largest timestamp. */
function loadSealed(ctx: Context, segment: Segment): void {
  const fd = ctx.fs.openSync(segment.logPath, 'r')
  try {
    segment.sizeBytes = ctx.fs.fstatSync(fd).size
    const window = new FileWindow(ctx.fs, fd, segment.sizeBytes, 64 * 1024)
    const loaded = loadIndexes(ctx.fs, segment, window, { endOffset: segment.nextOffset, sealedIntervalBytes: ctx.indexIntervalBytes })
    if ('problem' in loaded) {
      ctx.damaged.push(...rebuildIndexes(segment, new FileWindow(ctx.fs, fd, segment.sizeBytes), segment.nextOffset, ctx.indexIntervalBytes))
      segment.sealTimeIndex()
      ctx.rebuilt.push(...segment.indexFiles)
      rewriteIndexes(ctx.fs, segment)
    } else if (!loaded.exact) {
      rewriteIndexes(ctx.fs, segment)
    }
    segment.maxTimestamp = segment.timeIndex!.lastTimestamp
    segment.dropIndexes()
  } finally {
    ctx.fs.closeSync(fd)
  }
}

/**
 * Installs the indexes recorded by a checkpoint (their first N entries, validated against the
 * log before the checkpoint's position) and its index-building state; rebuilds them from the
 * log bytes before that position when they do not pass. Returns whether the index files hold
 * exactly the installed entries.
 */
function startFromCheckpoint(ctx: Context, segment: Segment, fd: number, checkpoint: SegmentCheckpoint, clean: boolean): boolean {
  const window = new FileWindow(ctx.fs, fd, checkpoint.position, 64 * 1024)
  const loaded = loadIndexes(ctx.fs, segment, window, {
    endOffset: checkpoint.nextOffset,
    entries: { offsetIndex: checkpoint.offsetIndexEntries, timeIndex: checkpoint.timeIndexEntries },
  })
  if ('problem' in loaded || (clean && !loaded.exact)) {
    const damaged = rebuildIndexes(segment, new FileWindow(ctx.fs, fd, checkpoint.position), checkpoint.nextOffset, ctx.indexIntervalBytes)
    ctx.damaged.push(...damaged)
    ctx.rebuilt.push(...segment.indexFiles)
    segment.sizeBytes = checkpoint.position
    segment.nextOffset = checkpoint.nextOffset
    segment.rollStartMs = checkpoint.rollStartMs >= 0 ? checkpoint.rollStartMs : null
    return false
  }
  segment.restoreState(checkpoint)
  return loaded.exact
}

function existingIndexBytes(fs: FsLike, segment: Segment): { offsetIndex: Buffer | null; timeIndex: Buffer | null } {
  const read = (path: string): Buffer | null => {
    try {
      return fs.existsSync(path) ? fs.readFileSync(path) : null
    } catch {
      return null
    }
  }
  return { offsetIndex: read(segment.indexPath), timeIndex: read(segment.timeIndexPath) }
}

/** Whether index files on disk were a faithful (possibly shorter, not yet flushed) copy of what the scan computed. */
function matchesComputed(segment: Segment, loaded: { offsetIndex: Buffer | null; timeIndex: Buffer | null }): boolean {
  const prefixOf = (file: Buffer | null, computed: Buffer): boolean => file !== null && file.length <= computed.length && computed.subarray(0, file.length).equals(file)
  return prefixOf(loaded.offsetIndex, segment.offsetIndex!.entries.bytes) && prefixOf(loaded.timeIndex, segment.timeIndex!.entries.bytes)
}

function truncateTail(fs: FsLike, fd: number, segment: Segment, position: number): void {
  try {
    fs.ftruncateSync(fd, position)
  } catch (error) {
    throw storageError('truncate torn tail', error, { segment: segment.logPath, position })
  }
  segment.offsetIndex!.dropFrom(position, segment.nextOffset)
  segment.timeIndex!.dropFrom(segment.nextOffset)
}

/** Makes the index files hold exactly the in-memory entries. Index writes are best effort: a bad file is rebuilt at the next open. */
function rewriteIndexes(fs: FsLike, segment: Segment): void {
  try {
    segment.writeIndexes(fs)
  } catch {
    if (segment.offsetIndex !== null) segment.offsetIndex.entries.flushedEntries = 0
    if (segment.timeIndex !== null) segment.timeIndex.entries.flushedEntries = 0
  }
}
