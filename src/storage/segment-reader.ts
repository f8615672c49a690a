/**
 * The read path inside one segment: find the batch holding an offset (offset-index lookup, then
 * a short walk), return whole CRC-checked batches from there, and never serve a corrupt batch.
 * Damage met on the way is measured (resync to the next sound batch) and recorded, so a read
 * inside a damaged range keeps failing with CORRUPT_MESSAGE and a read past it works.
 */
import { BATCH_LOG_OVERHEAD, OFFSET, batchCrcMatches } from '../protocol/batch-header.js'
import { findNextBatch, inspectBatch, isFault, type BatchFault, type BatchInfo } from './batch-inspect.js'
import { corruptRangeError, type DamagedRange, type DamagedRanges } from './damaged-ranges.js'
import { FileWindow } from './file-window.js'
import type { FsLike } from './fs.js'
import type { Segment } from './segment.js'

/** How many index entries below the lookup result are tried before walking from the segment start. */
const INDEX_START_ATTEMPTS = 3

export interface SegmentRead {
  fs: FsLike
  /** Ready to read: a descriptor open and its indexes in memory. */
  segment: Segment
  /** Exclusive end of the segment's offsets (next segment's base, or the log end). */
  endOffset: number
  damaged: DamagedRanges
}

/**
 * Whole batches from the one holding `offset`, up to `maxBytes` (at least one batch), none
 * starting at or past `limitOffset`. The caller checked that `offset` < min(limitOffset, endOffset).
 */
export function readBatches(read: SegmentRead, offset: number, maxBytes: number, limitOffset: number, indexIntervalBytes: number): Buffer {
  const chunkBytes = Math.max(64 * 1024, Math.min(maxBytes, 8 << 20) + indexIntervalBytes + 16 * 1024)
  const window = new FileWindow(read.fs, read.segment.fd, read.segment.sizeBytes, chunkBytes)
  const first = locate(read, window, offset)
  let end = first.position + first.sizeBytes
  let total = first.sizeBytes
  let expected = first.lastOffset + 1
  while (end < window.end && expected < limitOffset) {
    if (read.damaged.atPosition(read.segment.logFile, end) !== undefined) break
    const next = inspectBatch(window, end, expected, false)
    if (isFault(next) || total + next.sizeBytes > maxBytes) break
    const bytes = window.view(end, next.sizeBytes)
    // A bad batch later in the buffer: return the good ones before it; a read at it reports it.
    if (bytes === null || !batchCrcMatches(bytes, 0, next.sizeBytes)) break
    total += next.sizeBytes
    end += next.sizeBytes
    expected = next.lastOffset + 1
  }
  const out = Buffer.allocUnsafeSlow(total)
  const bytes = window.view(first.position, total)
  if (bytes === null) throw new Error(`segment ${read.segment.logFile} shrank while being read`)
  bytes.copy(out)
  return out
}

/** The sound (CRC-checked) batch holding `offset`; throws CORRUPT_MESSAGE when it is damaged. */
function locate(read: SegmentRead, window: FileWindow, offset: number): BatchInfo {
  const index = read.segment.offsetIndex!
  const entry = index.floor(offset)
  // An index entry is only a hint: its batch must be sound and end at the entry's offset.
  for (let i = entry; i >= 0 && i > entry - INDEX_START_ATTEMPTS; i--) {
    const position = index.positionAt(i)
    if (read.damaged.atPosition(read.segment.logFile, position) !== undefined) continue
    const batch = inspectBatch(window, position, null, true)
    if (isFault(batch) || batch.lastOffset !== index.offsetAt(i)) continue
    if (batch.lastOffset >= offset) return batch
    return walkTo(read, window, offset, batch.position + batch.sizeBytes, batch.lastOffset + 1)
  }
  return walkTo(read, window, offset, 0, read.segment.baseOffset)
}

function walkTo(read: SegmentRead, window: FileWindow, offset: number, fromPosition: number, fromOffset: number): BatchInfo {
  let position = fromPosition
  let expected = fromOffset
  for (;;) {
    const known = read.damaged.atPosition(read.segment.logFile, position)
    if (known !== undefined) {
      if (offset <= known.lastOffset) throw corruptRangeError(known)
      position = known.endPosition
      expected = known.lastOffset + 1
      continue
    }
    if (position >= window.end) {
      // The file ends before the offsets this segment must hold: they are missing, not skippable.
      throw corruptRangeError(
        read.damaged.add({
          segment: read.segment.logFile,
          startPosition: position,
          endPosition: position,
          firstOffset: expected,
          lastOffset: read.endOffset - 1,
          reason: 'missing (segment ends early)',
        }),
      )
    }
    const batch = inspectBatch(window, position, expected, true)
    if (!isFault(batch)) {
      if (batch.lastOffset >= offset) return batch
      position += batch.sizeBytes
      expected = batch.lastOffset + 1
      continue
    }
    const range = measureDamage(read, window, position, expected, batch)
    if (offset <= range.lastOffset) throw corruptRangeError(range)
    position = range.endPosition
    expected = range.lastOffset + 1
  }
}

/** Records the damaged range starting with the bad batch at `position` (expected to start at `expected`). */
function measureDamage(read: SegmentRead, window: FileWindow, position: number, expected: number, fault: BatchFault): DamagedRange {
  const lengthField = window.view(position, BATCH_LOG_OVERHEAD)
  const claimedSize = lengthField === null ? 0 : lengthField.readInt32BE(OFFSET.batchLength) + BATCH_LOG_OVERHEAD
  const hint = claimedSize > 0 ? position + claimedSize : undefined
  const next = findNextBatch(window, position + 1, expected - 1, read.endOffset, hint)
  return read.damaged.add({
    segment: read.segment.logFile,
    startPosition: position,
    endPosition: next === null ? window.end : next.position,
    firstOffset: expected,
    lastOffset: (next === null ? read.endOffset : next.baseOffset) - 1,
    reason: fault,
  })
}

/**
 * Kafka's ListOffsets by timestamp inside one segment, at batch granularity: the base offset of
 * the first batch whose maxTimestamp >= `timestampMs` and that starts before `limitOffset`. The
 * time index gives a batch before which every timestamp is smaller; batch headers are walked
 * from there. A damaged range on the way is the answer itself (its timestamps are unknown, so
 * its first offset is the earliest that may qualify; reading it then fails loudly).
 */
export function offsetForTimestampIn(read: SegmentRead, timestampMs: number, limitOffset: number): number | null {
  const segment = read.segment
  const window = new FileWindow(read.fs, segment.fd, segment.sizeBytes, 256 * 1024)
  let position = 0
  let expected = segment.baseOffset
  const timeEntry = segment.timeIndex!.floor(timestampMs)
  const indexEntry = timeEntry === -1 ? -1 : segment.offsetIndex!.floor(segment.timeIndex!.offsetAt(timeEntry))
  if (indexEntry !== -1) {
    const start = inspectBatch(window, segment.offsetIndex!.positionAt(indexEntry), null, false)
    if (!isFault(start) && start.lastOffset === segment.offsetIndex!.offsetAt(indexEntry)) {
      position = start.position
      expected = start.baseOffset
    }
  }
  while (position < window.end && expected < Math.min(limitOffset, read.endOffset)) {
    const known = read.damaged.atPosition(segment.logFile, position)
    if (known !== undefined) return known.firstOffset
    const batch = inspectBatch(window, position, expected, false)
    if (isFault(batch)) return measureDamage(read, window, position, expected, batch).firstOffset
    if (batch.maxTimestamp >= timestampMs) return batch.baseOffset
    position += batch.sizeBytes
    expected = batch.lastOffset + 1
  }
  // The file ended before the segment's offsets did: the missing ones are the earliest candidates.
  return expected < Math.min(limitOffset, read.endOffset) ? expected : null
}
