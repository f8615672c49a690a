/**
 * Checking what a producer hands to append() and numbering it: every batch is validated before
 * anything is written (an invalid batch means nothing of the call is written), then each gets
 * its base offset written into its header (outside the CRC, so the CRC stays valid).
 */
import { BrokerError } from '../errors.js'
import { assertBatch, writeBaseOffset, type BatchHeader } from '../protocol/batch-header.js'

export interface IncomingBatch {
  /** Byte position in the appended buffer. */
  position: number
  header: BatchHeader
}

export interface CheckedAppend {
  batches: IncomingBatch[]
  /** Offsets the call takes: the sum of recordsCount. */
  records: number
}

/** Validates the concatenated batches: CORRUPT_MESSAGE, MESSAGE_TOO_LARGE or RECORD_LIST_TOO_LARGE. */
export function checkAppend(bytes: Buffer, maxMessageBytes: number, segmentBytes: number): CheckedAppend {
  if (bytes.length === 0) throw new BrokerError('CORRUPT_MESSAGE', 'no record batch to append', { problem: 'empty' })
  const batches: IncomingBatch[] = []
  let records = 0
  for (let position = 0; position < bytes.length; ) {
    const header = assertBatch(bytes, position, maxMessageBytes)
    batches.push({ position, header })
    records += header.lastOffsetDelta + 1
    position += header.sizeBytes
  }
  // As Kafka: one append goes to one segment, so it must fit in one.
  if (bytes.length > segmentBytes) {
    throw new BrokerError('RECORD_LIST_TOO_LARGE', `${bytes.length} bytes in one append exceed segment.bytes ${segmentBytes}`, {
      sizeBytes: bytes.length,
      segmentBytes,
    })
  }
  return { batches, records }
}

/** Writes dense base offsets from `baseOffset` into the batches' headers; returns each batch's last offset. */
export function assignOffsets(bytes: Buffer, batches: IncomingBatch[], baseOffset: number): number[] {
  let next = baseOffset
  return batches.map(({ position, header }) => {
    writeBaseOffset(bytes, position, next)
    next += header.lastOffsetDelta + 1
    return next - 1
  })
}
