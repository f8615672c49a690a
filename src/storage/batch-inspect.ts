/**
 * Checking stored batches in place, and finding the next sound batch when the framing is lost.
 * A stored batch is sound when its header is plausible (length fits before the segment end,
 * magic 2, recordsCount = lastOffsetDelta + 1), its baseOffset is the one the dense numbering
 * expects (the baseOffset is outside the CRC, so this is its only protection) and, when asked,
 * its CRC-32C matches. The field layout is in `protocol/batch-header.ts`.
 */
import { BATCH_HEADER_BYTES, OFFSET, batchCrcMatches } from '../protocol/batch-header.js'
import type { FileWindow } from './file-window.js'

export interface BatchInfo {
  position: number
  baseOffset: number
  lastOffset: number
  sizeBytes: number
  maxTimestamp: number
}

export type BatchFault = 'truncated' | 'bad-length' | 'bad-magic' | 'bad-count' | 'bad-offset' | 'bad-crc'

/** Inspects the batch at `position`; returns it, or the first problem found (cheap checks first). */
export function inspectBatch(window: FileWindow, position: number, expectedBaseOffset: number | null, verifyCrc: boolean): BatchInfo | BatchFault {
  const header = window.view(position, BATCH_HEADER_BYTES)
  if (header === null) return 'truncated'
  const sizeBytes = header.readInt32BE(OFFSET.batchLength) + 12
  if (sizeBytes < BATCH_HEADER_BYTES) return 'bad-length'
  if (position + sizeBytes > window.end) return 'truncated'
  if (header.readInt8(OFFSET.magic) !== 2) return 'bad-magic'
  const lastOffsetDelta = header.readInt32BE(OFFSET.lastOffsetDelta)
  if (lastOffsetDelta < 0 || header.readInt32BE(OFFSET.recordsCount) !== lastOffsetDelta + 1) return 'bad-count'
  const baseOffset = Number(header.readBigInt64BE(OFFSET.baseOffset))
  if (expectedBaseOffset !== null && baseOffset !== expectedBaseOffset) return 'bad-offset'
  const maxTimestamp = Number(header.readBigInt64BE(OFFSET.maxTimestamp))
  if (verifyCrc) {
    const whole = window.view(position, sizeBytes)
    if (whole === null) return 'truncated'
    if (!batchCrcMatches(whole, 0, sizeBytes)) return 'bad-crc'
  }
  return { position, baseOffset, lastOffset: baseOffset + lastOffsetDelta, sizeBytes, maxTimestamp }
}

export function isFault(result: BatchInfo | BatchFault): result is BatchFault {
  return typeof result === 'string'
}

/**
 * Resync after lost framing: the first position at or after `fromPosition` holding a sound batch
 * (CRC checked) whose baseOffset lies in (afterOffset, endOffset). `hint` (the position the
 * damaged batch's own length points to) is tried first; then every byte position is tried,
 * jumping between candidate magic bytes with a native search. Bounded by the segment end.
 */
export function findNextBatch(window: FileWindow, fromPosition: number, afterOffset: number, endOffset: number, hint?: number): BatchInfo | null {
  const accept = (position: number): BatchInfo | null => {
    const found = inspectBatch(window, position, null, true)
    if (isFault(found) || found.baseOffset <= afterOffset || found.baseOffset >= endOffset) return null
    return found
  }
  if (hint !== undefined && hint >= fromPosition && hint + BATCH_HEADER_BYTES <= window.end) {
    const atHint = accept(hint)
    if (atHint !== null) return atHint
  }
  const chunkBytes = 1 << 16
  let chunkStart = fromPosition
  while (chunkStart + BATCH_HEADER_BYTES <= window.end) {
    // Candidates start in [chunkStart, chunkEnd); the view also covers their magic byte.
    const chunkEnd = Math.min(chunkStart + chunkBytes, window.end - BATCH_HEADER_BYTES + 1)
    const bytes = window.view(chunkStart, chunkEnd - chunkStart + OFFSET.magic)
    if (bytes === null) return null
    let at = bytes.indexOf(2, OFFSET.magic)
    while (at !== -1) {
      const candidate = at - OFFSET.magic
      if (candidate >= chunkEnd - chunkStart) break
      const found = accept(chunkStart + candidate)
      if (found !== null) return found
      at = bytes.indexOf(2, at + 1)
    }
    chunkStart = chunkEnd
  }
  return null
}
