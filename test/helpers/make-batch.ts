/**
 * Builds RecordBatch v2 bytes for storage tests. The records are opaque bytes (storage never
 * decodes them); the header fields storage relies on are real: batchLength, magic 2, CRC-32C of
 * bytes 21..end, lastOffsetDelta = count - 1, timestamps and recordsCount. baseOffset is 0, as
 * a producer sends it.
 */
import { BATCH_HEADER_BYTES, CRC_START, OFFSET } from '../../src/protocol/batch-header.js'
import { crc32c } from '../../src/protocol/crc32c.js'

export interface BatchOptions {
  /** recordsCount (default 1). */
  records?: number
  /** Bytes of record payload in the batch (default 16 per record). */
  payloadBytes?: number
  /** baseTimestamp (default 1_700_000_000_000). */
  timestamp?: number
  /** maxTimestamp (default `timestamp`). */
  maxTimestamp?: number
  /** Seeds the payload bytes, so different batches have different content (default 0). */
  seed?: number
}

export function makeBatch(options: BatchOptions = {}): Buffer {
  const records = options.records ?? 1
  const payloadBytes = options.payloadBytes ?? 16 * records
  const timestamp = options.timestamp ?? 1_700_000_000_000
  const maxTimestamp = options.maxTimestamp ?? timestamp
  const bytes = Buffer.alloc(BATCH_HEADER_BYTES + payloadBytes)
  bytes.writeBigInt64BE(0n, OFFSET.baseOffset)
  bytes.writeInt32BE(bytes.length - 12, OFFSET.batchLength)
  bytes.writeInt32BE(0, OFFSET.partitionLeaderEpoch)
  bytes.writeInt8(2, OFFSET.magic)
  bytes.writeInt16BE(0, OFFSET.attributes)
  bytes.writeInt32BE(records - 1, OFFSET.lastOffsetDelta)
  bytes.writeBigInt64BE(BigInt(timestamp), OFFSET.baseTimestamp)
  bytes.writeBigInt64BE(BigInt(maxTimestamp), OFFSET.maxTimestamp)
  bytes.writeBigInt64BE(-1n, OFFSET.producerId)
  bytes.writeInt16BE(-1, OFFSET.producerEpoch)
  bytes.writeInt32BE(-1, OFFSET.baseSequence)
  bytes.writeInt32BE(records, OFFSET.recordsCount)
  let state = (options.seed ?? 0) * 2654435761 + 1
  for (let i = BATCH_HEADER_BYTES; i < bytes.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    bytes[i] = state >>> 24
  }
  bytes.writeUInt32BE(crc32c(bytes.subarray(CRC_START)), OFFSET.crc)
  return bytes
}

/** A small deterministic PRNG (mulberry32) for seeded random tests. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The batches in `bytes` as [baseOffset, lastOffset, position, size] tuples (for assertions). */
export function listBatches(bytes: Buffer): Array<{ baseOffset: number; lastOffset: number; position: number; sizeBytes: number }> {
  const out = []
  for (let position = 0; position + 12 <= bytes.length; ) {
    const sizeBytes = bytes.readInt32BE(position + OFFSET.batchLength) + 12
    const baseOffset = Number(bytes.readBigInt64BE(position + OFFSET.baseOffset))
    out.push({ baseOffset, lastOffset: baseOffset + bytes.readInt32BE(position + OFFSET.lastOffsetDelta), position, sizeBytes })
    position += sizeBytes
  }
  return out
}
