/**
 * Walking a segment's batches from a known boundary: to recover a tail (CRC-checked, stopping at
 * the first bad batch), to rebuild indexes (headers only, resyncing past lost framing and
 * recording the damage), and to check that a loaded index agrees with the log.
 */
import { findNextBatch, inspectBatch, isFault, type BatchFault } from './batch-inspect.js'
import type { DamagedRange } from './damaged-ranges.js'
import type { FileWindow } from './file-window.js'
import type { OffsetIndex } from './offset-index.js'
import type { Segment } from './segment.js'
import type { TimeIndex } from './time-index.js'

export interface ScanOptions {
  /** Check every batch's CRC (recovery of unverified bytes) or only its header (index rebuild). */
  verifyCrc: boolean
  /** Stop at the first bad batch (a torn tail, to be truncated) instead of resyncing past it. */
  stopAtFault: boolean
  /** Exclusive upper bound of the segment's offsets (the next segment's base), for resync. */
  endOffset: number
  indexIntervalBytes: number
}

export interface ScanResult {
  /** End of the last sound batch reached (with stopAtFault: where the bad tail starts). */
  position: number
  nextOffset: number
  fault: BatchFault | null
  damaged: DamagedRange[]
}

/**
 * Walks batches from `fromPosition` (a boundary whose batch starts at `fromOffset`) to the end of
 * `window`, feeding each sound batch to `segment.trackBatch`. The segment's indexes must be
 * loaded; its size and end offset are left to the caller.
 */
export function scanSegment(window: FileWindow, segment: Segment, fromPosition: number, fromOffset: number, options: ScanOptions): ScanResult {
  const damaged: DamagedRange[] = []
  let position = fromPosition
  let expected = fromOffset
  while (position < window.end) {
    const batch = inspectBatch(window, position, expected, options.verifyCrc)
    if (!isFault(batch)) {
      segment.trackBatch(position, batch, options.indexIntervalBytes)
      position += batch.sizeBytes
      expected = batch.lastOffset + 1
      continue
    }
    if (options.stopAtFault) return { position, nextOffset: expected, fault: batch, damaged }
    const next = findNextBatch(window, position + 1, expected - 1, options.endOffset)
    const lastOffset = (next === null ? options.endOffset : next.baseOffset) - 1
    if (lastOffset >= expected) {
      damaged.push({
        segment: segment.logFile,
        startPosition: position,
        endPosition: next === null ? window.end : next.position,
        firstOffset: expected,
        lastOffset,
        reason: `${batch} (found by ${options.verifyCrc ? 'recovery scan' : 'index rebuild'})`,
      })
    }
    if (next === null) return { position, nextOffset: expected, fault: batch, damaged }
    position = next.position
    expected = next.baseOffset
    segment.forceIndexEntry()
  }
  if (!options.stopAtFault && expected < options.endOffset && Number.isFinite(options.endOffset)) {
    // The file ends before the offsets the next segment's name promises: they are missing.
    damaged.push({
      segment: segment.logFile,
      startPosition: position,
      endPosition: position,
      firstOffset: expected,
      lastOffset: options.endOffset - 1,
      reason: 'missing (segment ends early)',
    })
  }
  return { position, nextOffset: expected, fault: null, damaged }
}

/**
 * Cheap evidence that loaded indexes belong to this log (they passed the structural checks):
 *   - the last offset-index entry points at a batch ending at its offset;
 *   - the last time-index entry names a batch that ends at its offset and carries its timestamp;
 *   - for a sealed segment (`sealedIntervalBytes` given), the index reaches the end of the log:
 *     every batch more than one index interval past the last entry would have had an entry (an
 *     index cut short still looks well formed), and the time index holds the segment's largest
 *     timestamp, at least as large as those of the batches after the last entry.
 * Reads about one index interval of log. Null when they agree. A segment written with a larger
 * interval than today's may be flagged: that only costs a rebuild.
 */
export function indexesDisagree(window: FileWindow, baseOffset: number, offsetIndex: OffsetIndex, timeIndex: TimeIndex, sealedIntervalBytes: number | null): string | null {
  let tailPosition = 0
  let tailExpected: number | null = baseOffset
  if (offsetIndex.size > 0) {
    const last = offsetIndex.size - 1
    const batch = inspectBatch(window, offsetIndex.positionAt(last), null, false)
    if (isFault(batch) || batch.lastOffset !== offsetIndex.offsetAt(last)) {
      return `last offset-index entry (offset ${offsetIndex.offsetAt(last)} at ${offsetIndex.positionAt(last)}) does not match the log`
    }
    tailPosition = batch.position
    tailExpected = batch.baseOffset
  }
  if (timeIndex.size > 0) {
    const last = timeIndex.size - 1
    const problem = timeEntryProblem(window, baseOffset, offsetIndex, timeIndex.offsetAt(last), timeIndex.timestampAt(last))
    if (problem !== null) return problem
  }
  if (sealedIntervalBytes === null) return null
  // Walk from the last entry to the end; damage met on the way ends the check (reads report it).
  for (let position = tailPosition, expected = tailExpected; position < window.end; ) {
    const batch = inspectBatch(window, position, expected, false)
    if (isFault(batch)) return null
    if (position - tailPosition > sealedIntervalBytes) return `offset index ends early: no entry for the batch at ${position}`
    if (batch.maxTimestamp > timeIndex.lastTimestamp) return `time index lacks the segment's largest timestamp ${batch.maxTimestamp}`
    position += batch.sizeBytes
    expected = batch.lastOffset + 1
  }
  return null
}

function timeEntryProblem(window: FileWindow, baseOffset: number, offsetIndex: OffsetIndex, offset: number, timestamp: number): string | null {
  const from = offsetIndex.floor(offset)
  let position = from === -1 ? 0 : offsetIndex.positionAt(from)
  let expected: number | null = from === -1 ? baseOffset : null
  for (;;) {
    const batch = inspectBatch(window, position, expected, false)
    if (isFault(batch) || batch.lastOffset > offset) return `last time-index entry (offset ${offset}) is not a batch end in the log`
    if (batch.lastOffset === offset) {
      return batch.maxTimestamp === timestamp ? null : `last time-index entry's timestamp ${timestamp} differs from the batch's ${batch.maxTimestamp}`
    }
    position += batch.sizeBytes
    expected = batch.lastOffset + 1
  }
}
