/**
 * Retention (Kafka's model): whole segments are deleted, oldest first, when they are older than
 * `retention.ms` (judged by the segment's largest record timestamp), when the log is larger than
 * `retention.bytes` without them, or when they lie wholly below the log start offset
 * (DeleteRecords). Records are never deleted because they were consumed.
 *
 * Rules the plan keeps:
 *   - only a prefix of the segments is ever deleted: the first kept segment stops the plan;
 *   - a segment goes only once it is wholly below the high watermark (the durable end);
 *   - the active segment is never deleted while active: when it is non-empty and wholly expired
 *     by time, the log rolls first and deletes it as a sealed segment (so time retention is exact
 *     to the segment); size retention only ever deletes sealed segments.
 *
 * Deleting a segment on disk (crash-safe, reliability.md F11):
 *   1. rename `.index`, `.timeindex`, then `.log` to `<name>.deleted` and fsync the directory, one
 *      segment at a time, oldest first: the `.log` rename is the delete, and the fsync keeps the
 *      deleted ones a prefix even after a power cut;
 *   2. persist the new log start offset (log-start-offset.ts);
 *   3. unlink the `.deleted` files.
 * Recovery removes any `*.deleted` file it finds and takes the log start as the larger of the
 * first remaining segment's base offset and the persisted one, so a crash anywhere in between
 * leaves a consistent log start and never serves a half-deleted segment.
 */
import { crashPoint } from '../crash-points.js'
import { BrokerError } from '../errors.js'
import { fsyncDirectory, type FsLike } from './fs.js'
import type { Segment } from './segment.js'

export const DELETED_SUFFIX = '.deleted'

export interface RetentionConfig {
  /** Delete segments whose largest timestamp is older than this; -1 keeps them forever. */
  retentionMs: number
  /** Delete the oldest segments while the rest still hold at least this many bytes; -1 no limit. */
  retentionBytes: number
}

export interface RetentionOptions extends RetentionConfig {
  /** "Now" for time retention (the broker's injectable clock). */
  nowMs: number
}

/** Why a segment is deleted: Kafka's time, size and log-start-offset breaches. */
export type DeleteReason = 'time' | 'size' | 'log-start'

export interface DeletedSegment {
  baseOffset: number
  lastOffset: number
  sizeBytes: number
  maxTimestamp: number
  reason: DeleteReason
}

export interface RetentionResult {
  deletedSegments: DeletedSegment[]
  logStartOffset: number
}

/** One segment in a retention plan: what it holds, and either why it goes or why it is kept. */
export interface SegmentRetention {
  baseOffset: number
  /** baseOffset - 1 for an empty segment. */
  lastOffset: number
  sizeBytes: number
  /** Largest record timestamp in the segment, -1 when it has none. */
  maxTimestamp: number
  active: boolean
  /** When time retention lets it go (maxTimestamp + retention.ms); null when it never will. */
  expiresAtMs: number | null
  /** Set when the next retention run deletes it. */
  deletion: DeleteReason | null
  /** Why it is kept ('active segment', 'newer than retention.ms', 'within retention.bytes', ...); null when it is deleted. */
  kept: string | null
}

export interface RetentionDescription extends RetentionOptions {
  logStartOffset: number
  logEndOffset: number
  highWatermark: number
  totalBytes: number
  /** What the log would hold after a retention run now. */
  keptBytes: number
  deletableSegments: number
  deletableBytes: number
  /** The log start offset after a retention run now. */
  logStartOffsetAfter: number
  segments: SegmentRetention[]
}

export interface PlanBounds {
  logStartOffset: number
  /** The high watermark: nothing at or above it is deleted. */
  durableEndOffset: number
}

const EXPIRED = Symbol('expired')

/** Throws INVALID_REQUEST unless retention.ms and retention.bytes are integers ≥ -1 and nowMs is an integer. */
export function validateRetentionOptions(options: RetentionOptions): void {
  const check = (name: keyof RetentionOptions, min: number): void => {
    const value = options?.[name]
    if (!Number.isSafeInteger(value) || value < min) {
      throw new BrokerError('INVALID_REQUEST', `${name} must be an integer ≥ ${min}, got ${String(value)}`, { name, value })
    }
  }
  check('retentionMs', -1)
  check('retentionBytes', -1)
  check('nowMs', Number.MIN_SAFE_INTEGER)
}

/**
 * Decides, oldest first, which segments a retention run deletes and why each other one is kept.
 * `disabled` (e.g. 'cleanup.policy is compact') keeps everything with that reason.
 */
export function planRetention(segments: readonly Segment[], options: RetentionOptions, bounds: PlanBounds, disabled?: string): SegmentRetention[] {
  let remaining = segments.reduce((sum, segment) => sum + segment.sizeBytes, 0)
  let blocked = false
  return segments.map((segment, i) => {
    const active = i === segments.length - 1
    const verdict = disabled === undefined ? judge(segment, active, remaining, options, bounds) : { kept: disabled }
    const entry: SegmentRetention = {
      baseOffset: segment.baseOffset,
      lastOffset: segment.nextOffset - 1,
      sizeBytes: segment.sizeBytes,
      maxTimestamp: segment.maxTimestamp,
      active,
      expiresAtMs: options.retentionMs >= 0 && segment.maxTimestamp >= 0 ? segment.maxTimestamp + options.retentionMs : null,
      deletion: null,
      kept: null,
    }
    if ('deletion' in verdict && !blocked) {
      entry.deletion = verdict.deletion
      remaining -= segment.sizeBytes
    } else {
      entry.kept = 'kept' in verdict ? verdict.kept : 'an older segment is kept'
      blocked = true
    }
    return entry
  })
}

function judge(segment: Segment, active: boolean, remaining: number, options: RetentionOptions, bounds: PlanBounds): { deletion: DeleteReason } | { kept: string } {
  if (!active && segment.nextOffset <= bounds.logStartOffset) return { deletion: 'log-start' }
  if (active && segment.sizeBytes === 0) return { kept: 'active segment (empty)' }
  if (segment.nextOffset > bounds.durableEndOffset) return { kept: 'not yet below the high watermark' }
  const time = timeVerdict(segment, options)
  if (time === EXPIRED) return { deletion: 'time' }
  if (active) return { kept: 'active segment' }
  let size: string
  if (options.retentionBytes < 0) size = 'retention.bytes is -1'
  else if (remaining - segment.sizeBytes >= options.retentionBytes) return { deletion: 'size' }
  else size = 'within retention.bytes'
  return { kept: `${time}; ${size}` }
}

/** EXPIRED, or why time retention keeps the segment. */
function timeVerdict(segment: Segment, options: RetentionOptions): string | typeof EXPIRED {
  if (options.retentionMs < 0) return 'retention.ms is -1'
  // A sealed segment without batches holds no offsets: nothing in it to keep.
  if (segment.maxTimestamp < 0) return segment.sizeBytes === 0 ? EXPIRED : 'no record timestamps'
  return segment.maxTimestamp < options.nowMs - options.retentionMs ? EXPIRED : 'newer than retention.ms'
}

/** The dry run's totals around a plan. */
export function describePlan(plan: SegmentRetention[], options: RetentionOptions, log: { logStartOffset: number; logEndOffset: number; highWatermark: number }): RetentionDescription {
  const doomed = plan.filter((entry) => entry.deletion !== null)
  const totalBytes = plan.reduce((sum, entry) => sum + entry.sizeBytes, 0)
  const deletableBytes = doomed.reduce((sum, entry) => sum + entry.sizeBytes, 0)
  const firstKept = plan[doomed.length]
  return {
    retentionMs: options.retentionMs,
    retentionBytes: options.retentionBytes,
    nowMs: options.nowMs,
    logStartOffset: log.logStartOffset,
    logEndOffset: log.logEndOffset,
    highWatermark: log.highWatermark,
    totalBytes,
    keptBytes: totalBytes - deletableBytes,
    deletableSegments: doomed.length,
    deletableBytes,
    // Every segment going means the active one is rolled and the log restarts at its end.
    logStartOffsetAfter: Math.max(log.logStartOffset, firstKept?.baseOffset ?? log.logEndOffset),
    segments: plan,
  }
}

/**
 * Step 1 of a delete: renames the files of `doomed` (oldest first) to `.deleted`, one segment at
 * a time, with a directory fsync after each; `release` first closes what the read cache holds of
 * it. Returns how many were renamed (always a prefix) and the error that stopped it, if any.
 */
export function renameToDeleted(fs: FsLike, dir: string, doomed: readonly Segment[], release: (segment: Segment) => void): { renamed: number; error: unknown } {
  let renamed = 0
  try {
    for (const segment of doomed) {
      release(segment)
      renameIfPresent(fs, segment.indexPath)
      renameIfPresent(fs, segment.timeIndexPath)
      fs.renameSync(segment.logPath, segment.logPath + DELETED_SUFFIX)
      renamed += 1
      fsyncDirectory(fs, dir)
      crashPoint('retention-mid-delete')
    }
    return { renamed, error: null }
  } catch (error) {
    return { renamed, error }
  }
}

/** Step 3: unlinks the `.deleted` files (best effort: the next open removes any left). */
export function unlinkDeleted(fs: FsLike, deleted: readonly Segment[]): void {
  for (const segment of deleted) {
    for (const path of [segment.logPath, segment.indexPath, segment.timeIndexPath]) {
      try {
        fs.unlinkSync(path + DELETED_SUFFIX)
      } catch {
        // Already gone, or the disk refuses: recovery removes `.deleted` files at open.
      }
    }
  }
}

function renameIfPresent(fs: FsLike, path: string): void {
  try {
    fs.renameSync(path, path + DELETED_SUFFIX)
  } catch (error) {
    // Index files are written best effort and may not exist.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
