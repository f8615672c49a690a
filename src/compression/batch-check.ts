/**
 * Checks the records of one whole RecordBatch v2 without building them: the compressed blob
 * decompresses within the bound, exactly `recordsCount` records parse (layout in
 * protocol/record-decoder.ts), their offset deltas are 0..n-1 in order with lastOffsetDelta =
 * n - 1, and no byte is left over. The broker stores compressed batches as they arrive, so this
 * is the one look inside before a consumer meets them. Runs in the batch-check pool's worker;
 * synchronous and pure so it can also run (and be tested) anywhere.
 */
import { BrokerError } from '../errors.js'
import { BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD, COMPRESSION, COMPRESSION_MASK, OFFSET } from '../protocol/batch-header.js'
import { readVarint, readVarlong, type ReadCursor } from '../protocol/varint.js'
import { decompress } from './index.js'

export interface BatchCheckLimits {
  /** Ceiling for the decompressed records; see decompressedLimitFor. */
  maxDecompressedBytes: number
}

/** length, attributes, timestampDelta, offsetDelta, keyLength, valueLength, headersCount: >= 1 byte each. */
const MIN_RECORD_BYTES = 7
/** A header is at least its key length and its value length. */
const MIN_HEADER_BYTES = 2

function corrupt(message: string, details: Record<string, unknown> = {}): BrokerError {
  return new BrokerError('CORRUPT_MESSAGE', message, details)
}

/** Throws CORRUPT_MESSAGE or RECORD_LIST_TOO_LARGE; returns when the records are sound. */
export function checkBatchRecords(batch: Buffer, limits: BatchCheckLimits): void {
  if (batch.length < BATCH_HEADER_BYTES) throw corrupt(`record batch of ${batch.length} bytes is shorter than its header`)
  const sizeBytes = batch.readInt32BE(OFFSET.batchLength) + BATCH_LOG_OVERHEAD
  if (sizeBytes !== batch.length) throw corrupt(`record batch length says ${sizeBytes} bytes, ${batch.length} were given`)
  const magic = batch.readInt8(OFFSET.magic)
  if (magic !== 2) throw corrupt(`record batch has magic ${magic}, only 2 is supported`)
  const count = batch.readInt32BE(OFFSET.recordsCount)
  const lastOffsetDelta = batch.readInt32BE(OFFSET.lastOffsetDelta)
  if (count < 1 || lastOffsetDelta !== count - 1) {
    throw corrupt(`record batch claims ${count} records with lastOffsetDelta ${lastOffsetDelta}`, { count, lastOffsetDelta })
  }
  const codec = batch.readInt16BE(OFFSET.attributes) & COMPRESSION_MASK
  const payload = batch.subarray(BATCH_HEADER_BYTES)
  const records = codec === COMPRESSION.none ? payload : decompress(codec, payload, limits.maxDecompressedBytes)
  if (count > records.length / MIN_RECORD_BYTES) {
    throw corrupt(`record batch claims ${count} records in ${records.length} bytes`, { count })
  }
  checkRecords(records, count)
}

function checkRecords(records: Buffer, count: number): void {
  const end = records.length
  const cursor: ReadCursor = { position: 0 }
  for (let i = 0; i < count; i++) {
    const length = readVarint(records, cursor, end)
    const bodyStart = cursor.position
    if (length < MIN_RECORD_BYTES - 1 || length > end - bodyStart) {
      throw corrupt(`record ${i} has a bad length ${length}`, { record: i })
    }
    const recordEnd = bodyStart + length
    cursor.position = bodyStart + 1 // attributes: unused in v2
    readVarlong(records, cursor, recordEnd) // timestampDelta
    const offsetDelta = readVarint(records, cursor, recordEnd)
    if (offsetDelta !== i) throw corrupt(`record ${i} has offsetDelta ${offsetDelta}`, { record: i, offsetDelta })
    skipNullableBytes(records, cursor, recordEnd) // key
    skipNullableBytes(records, cursor, recordEnd) // value
    const headers = readVarint(records, cursor, recordEnd)
    if (headers < 0 || headers > (recordEnd - cursor.position) / MIN_HEADER_BYTES) {
      throw corrupt(`record ${i} claims ${headers} headers`, { record: i })
    }
    for (let h = 0; h < headers; h++) {
      const keyLength = readVarint(records, cursor, recordEnd)
      if (keyLength < 0 || keyLength > recordEnd - cursor.position) throw corrupt(`record ${i} has a header key length ${keyLength}`, { record: i })
      cursor.position += keyLength
      skipNullableBytes(records, cursor, recordEnd)
    }
    if (cursor.position !== recordEnd) {
      throw corrupt(`record ${i} declares ${length} bytes but uses ${cursor.position - bodyStart}`, { record: i })
    }
  }
  if (cursor.position !== end) {
    throw corrupt(`record batch has ${end - cursor.position} bytes after its ${count} records`, { leftover: end - cursor.position })
  }
}

function skipNullableBytes(bytes: Buffer, cursor: ReadCursor, end: number): void {
  const length = readVarint(bytes, cursor, end)
  if (length === -1) return
  if (length < 0 || length > end - cursor.position) throw corrupt(`length ${length} at byte ${cursor.position} is invalid`)
  cursor.position += length
}
