/**
 * The fixed 61-byte header of a Kafka RecordBatch v2 (magic 2), read and checked without
 * touching the records. Storage, the router and the protocol all use these helpers.
 *
 *   RecordBatch                       offset  size
 *     baseOffset            int64        0     8   set by the broker on append
 *     batchLength           int32        8     4   bytes after this field (= total - 12)
 *     partitionLeaderEpoch  int32       12     4   not covered by the CRC
 *     magic                 int8        16     1   2
 *     crc                   uint32      17     4   CRC-32C of bytes 21..end
 *     attributes            int16       21     2   bits 0-2 compression, 3 timestamp type, 4 txn, 5 control
 *     lastOffsetDelta       int32       23     4
 *     baseTimestamp         int64       27     8
 *     maxTimestamp          int64       35     8
 *     producerId            int64       43     8
 *     producerEpoch         int16       51     2
 *     baseSequence          int32       53     4
 *     recordsCount          int32       57     4
 *     records               ...         61
 */
import { BrokerError } from '../errors.js'
import { crc32c } from './crc32c.js'

export const BATCH_HEADER_BYTES = 61
/** baseOffset + batchLength: the bytes before the length's scope starts. */
export const BATCH_LOG_OVERHEAD = 12
export const CRC_START = 21

export const OFFSET = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
} as const

export const COMPRESSION_MASK = 0x07
export const COMPRESSION = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const

export interface BatchHeader {
  baseOffset: number
  /** Whole batch size in bytes, header included (batchLength + 12). */
  sizeBytes: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

/** Reads a header at `position`; the caller has checked that 61 bytes are there. */
export function readBatchHeader(bytes: Buffer, position = 0): BatchHeader {
  return {
    baseOffset: Number(bytes.readBigInt64BE(position + OFFSET.baseOffset)),
    sizeBytes: bytes.readInt32BE(position + OFFSET.batchLength) + BATCH_LOG_OVERHEAD,
    magic: bytes.readInt8(position + OFFSET.magic),
    crc: bytes.readUInt32BE(position + OFFSET.crc),
    attributes: bytes.readInt16BE(position + OFFSET.attributes),
    lastOffsetDelta: bytes.readInt32BE(position + OFFSET.lastOffsetDelta),
    baseTimestamp: Number(bytes.readBigInt64BE(position + OFFSET.baseTimestamp)),
    maxTimestamp: Number(bytes.readBigInt64BE(position + OFFSET.maxTimestamp)),
    producerId: Number(bytes.readBigInt64BE(position + OFFSET.producerId)),
    producerEpoch: bytes.readInt16BE(position + OFFSET.producerEpoch),
    baseSequence: bytes.readInt32BE(position + OFFSET.baseSequence),
    recordsCount: bytes.readInt32BE(position + OFFSET.recordsCount),
  }
}

/** The batch's total size from its length field, or -1 when fewer than 12 bytes are there. */
export function batchSizeAt(bytes: Buffer, position: number): number {
  if (bytes.length - position < BATCH_LOG_OVERHEAD) return -1
  return bytes.readInt32BE(position + OFFSET.batchLength) + BATCH_LOG_OVERHEAD
}

export function writeBaseOffset(bytes: Buffer, position: number, baseOffset: number): void {
  bytes.writeBigInt64BE(BigInt(baseOffset), position + OFFSET.baseOffset)
}

/** True when the CRC-32C stored in the batch at `position` (of `sizeBytes` bytes) matches its content. */
export function batchCrcMatches(bytes: Buffer, position: number, sizeBytes: number): boolean {
  const stored = bytes.readUInt32BE(position + OFFSET.crc)
  return crc32c(bytes.subarray(position + CRC_START, position + sizeBytes)) === stored
}

export type BatchProblem =
  | 'truncated'
  | 'bad-length'
  | 'bad-magic'
  | 'bad-crc'
  | 'bad-count'

/**
 * Checks the batch that starts at `position` without decoding its records: the length is
 * plausible and fits, magic is 2, the CRC matches, and the offset deltas agree with the count.
 * Returns the problem, or null for a sound batch.
 */
export function checkBatch(bytes: Buffer, position: number, maxBatchBytes: number): BatchProblem | null {
  const available = bytes.length - position
  if (available < BATCH_LOG_OVERHEAD) return 'truncated'
  const sizeBytes = batchSizeAt(bytes, position)
  if (sizeBytes < BATCH_HEADER_BYTES || sizeBytes > maxBatchBytes) return 'bad-length'
  if (available < sizeBytes) return 'truncated'
  if (bytes.readInt8(position + OFFSET.magic) !== 2) return 'bad-magic'
  if (!batchCrcMatches(bytes, position, sizeBytes)) return 'bad-crc'
  const count = bytes.readInt32BE(position + OFFSET.recordsCount)
  const lastOffsetDelta = bytes.readInt32BE(position + OFFSET.lastOffsetDelta)
  if (count < 1 || lastOffsetDelta !== count - 1) return 'bad-count'
  return null
}

/** `checkBatch` as a typed error: CORRUPT_MESSAGE, or MESSAGE_TOO_LARGE for an oversized length. */
export function assertBatch(bytes: Buffer, position: number, maxBatchBytes: number): BatchHeader {
  const problem = checkBatch(bytes, position, maxBatchBytes)
  if (problem === 'bad-length' && batchSizeAt(bytes, position) > maxBatchBytes) {
    throw new BrokerError('MESSAGE_TOO_LARGE', `record batch of ${batchSizeAt(bytes, position)} bytes exceeds max.message.bytes ${maxBatchBytes}`)
  }
  if (problem !== null) throw new BrokerError('CORRUPT_MESSAGE', `record batch at byte ${position} is invalid: ${problem}`, { problem, position })
  return readBatchHeader(bytes, position)
}
