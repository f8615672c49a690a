/**
 * Decodes the records of RecordBatch v2 batches into kafkajs-shaped messages: the consume hot
 * path. Input is untrusted (it may come from a socket or a damaged file), so every length and
 * count is checked against the bytes that remain before anything is allocated or looped over;
 * malformed input ends in a BrokerError, never an out-of-bounds read, a hang or a huge buffer.
 * key and value are zero-copy views of the input (or of the decompressed records).
 *
 * Batch header: see batch-header.ts. After it, the records (one compressed blob when
 * attributes bits 0-2 name a codec):
 *
 *   Record
 *     length          varint   bytes of the rest of this record (must match what the fields use)
 *     attributes      int8     unused
 *     timestampDelta  varlong  added to baseTimestamp (CreateTime)
 *     offsetDelta     varint   added to baseOffset
 *     keyLength       varint   -1 = null key
 *     key             bytes
 *     valueLength     varint   -1 = null value
 *     value           bytes
 *     headersCount    varint
 *     headers         [keyLength varint (>= 0), key utf8, valueLength varint (-1 = null), value bytes]
 *
 * The CRC is not checked by default: storage verifies it when bytes enter or leave the log.
 */
import { decompress } from '../compression/index.js'
import { BrokerError, isBrokerError } from '../errors.js'
import {
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD,
  COMPRESSION,
  COMPRESSION_MASK,
  OFFSET,
  batchCrcMatches,
  readBatchHeader,
  type BatchHeader,
} from './batch-header.js'
import { DecimalFormatter, HeaderKeyCache } from './record-decode-caches.js'
import { readVarint, readVarlong, type ReadCursor } from './varint.js'

export interface FetchedRecord {
  /** Decimal string, as kafkajs delivers it. */
  offset: string
  /** Milliseconds since the epoch as a decimal string. */
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  /** A key that occurs more than once maps to an array of its values, in order. */
  headers: Record<string, Buffer | null | Array<Buffer | null>>
}

export interface DecodeOptions {
  /** Records with a smaller offset are skipped (a fetch may start inside a batch). */
  fromOffset?: number
  /** Ceiling for a compressed batch's decompressed records; default 16 MiB. */
  maxDecompressedBytes?: number
  /** Check each batch's CRC-32C first (storage already does; off by default). */
  verifyCrc?: boolean
}

/** 16x Kafka's default max.message.bytes: room for batches that compress well, yet a bound per batch. */
const DEFAULT_MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
/** length, attributes, timestampDelta, offsetDelta, keyLength, valueLength, headersCount: >= 1 byte each. */
const MIN_RECORD_BYTES = 7
/** A header is at least its key length and its value length. */
const MIN_HEADER_BYTES = 2
const ATTRIBUTE_LOG_APPEND_TIME = 0x08
const ATTRIBUTE_CONTROL = 0x20
const TWO_POW_32 = 0x100000000

// Shared by every decode: decoding is synchronous and calls no user code, so one of each suffices
// and a fetch of many small batches does not pay for new ones per batch.
const offsetDigits = new DecimalFormatter()
const timestampDigits = new DecimalFormatter()
const headerKeyCache = new HeaderKeyCache()

/** One class for every record keeps the objects on one V8 shape. */
class DecodedRecord implements FetchedRecord {
  constructor(
    public offset: string,
    public timestamp: string,
    public key: Buffer | null,
    public value: Buffer | null,
    public headers: Record<string, Buffer | null | Array<Buffer | null>>,
  ) {}
}

function corrupt(message: string, details: Record<string, unknown> = {}): BrokerError {
  return new BrokerError('CORRUPT_MESSAGE', message, details)
}

/** Decodes the records of the one whole batch at `position`. Control batches give no records. */
export function decodeBatchRecords(bytes: Buffer, position: number, options: DecodeOptions = {}): FetchedRecord[] {
  const available = bytes.length - position
  if (position < 0 || available < BATCH_HEADER_BYTES) throw corrupt(`record batch at byte ${position} is truncated`, { position })
  const sizeBytes = bytes.readInt32BE(position + OFFSET.batchLength) + BATCH_LOG_OVERHEAD
  if (sizeBytes < BATCH_HEADER_BYTES) throw corrupt(`record batch at byte ${position} has a bad length`, { position })
  if (sizeBytes > available) throw corrupt(`record batch at byte ${position} is truncated`, { position })
  const out: FetchedRecord[] = []
  decodeBatchInto(bytes, position, sizeBytes, options, out)
  return out
}

/**
 * Walks concatenated batches (a fetch response's records, a log segment) and yields each whole
 * one. Stops quietly at a trailing partial batch: Kafka fetches are cut at a byte limit and may
 * end with one.
 */
export function* iterateBatches(bytes: Buffer): Generator<{ position: number; header: BatchHeader }> {
  let position = 0
  for (;;) {
    const sizeBytes = wholeBatchSizeAt(bytes, position)
    if (sizeBytes < 0) return
    yield { position, header: readBatchHeader(bytes, position) }
    position += sizeBytes
  }
}

/** All records of all whole batches in `bytes`, in order, without those before `fromOffset`. */
export function decodeRecordSet(bytes: Buffer, options: DecodeOptions = {}): FetchedRecord[] {
  const out: FetchedRecord[] = []
  let position = 0
  for (;;) {
    const sizeBytes = wholeBatchSizeAt(bytes, position)
    if (sizeBytes < 0) return out
    decodeBatchInto(bytes, position, sizeBytes, options, out)
    position += sizeBytes
  }
}

/** Size of the batch at `position`, or -1 when the bytes end there or in a partial batch. */
function wholeBatchSizeAt(bytes: Buffer, position: number): number {
  const available = bytes.length - position
  if (available < BATCH_LOG_OVERHEAD) return -1
  const sizeBytes = bytes.readInt32BE(position + OFFSET.batchLength) + BATCH_LOG_OVERHEAD
  if (sizeBytes < BATCH_HEADER_BYTES) throw corrupt(`record batch at byte ${position} has a bad length ${sizeBytes}`, { position })
  if (sizeBytes > available) return -1
  const magic = bytes[position + OFFSET.magic]
  if (magic !== 2) throw corrupt(`record batch at byte ${position} has magic ${magic}, only 2 is supported`, { position })
  return sizeBytes
}

/** Reads a big-endian int64 that must be a safe integer (offsets and timestamps are). */
function readSafeInt64(bytes: Buffer, position: number, field: string): number {
  const value = bytes.readInt32BE(position) * TWO_POW_32 + bytes.readUInt32BE(position + 4)
  if (!Number.isSafeInteger(value)) throw corrupt(`record batch ${field} is outside the safe integer range`, { position })
  return value
}

function decodeBatchInto(bytes: Buffer, position: number, sizeBytes: number, options: DecodeOptions, out: FetchedRecord[]): void {
  const magic = bytes[position + OFFSET.magic]
  if (magic !== 2) throw corrupt(`record batch at byte ${position} has magic ${magic}, only 2 is supported`, { position })
  if (options.verifyCrc === true && !batchCrcMatches(bytes, position, sizeBytes)) {
    throw corrupt(`record batch at byte ${position} fails its CRC-32C check`, { position })
  }
  const attributes = bytes.readInt16BE(position + OFFSET.attributes)
  // Transaction markers: clients never see them as messages.
  if ((attributes & ATTRIBUTE_CONTROL) !== 0) return
  const baseOffset = readSafeInt64(bytes, position + OFFSET.baseOffset, 'baseOffset')
  const fromOffset = options.fromOffset ?? 0
  if (baseOffset + bytes.readInt32BE(position + OFFSET.lastOffsetDelta) < fromOffset) return
  const recordsCount = bytes.readInt32BE(position + OFFSET.recordsCount)
  const baseTimestamp = readSafeInt64(bytes, position + OFFSET.baseTimestamp, 'baseTimestamp')
  const logAppendTimestamp = (attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0
    ? String(readSafeInt64(bytes, position + OFFSET.maxTimestamp, 'maxTimestamp'))
    : null

  let records = bytes
  let start = position + BATCH_HEADER_BYTES
  let end = position + sizeBytes
  const codec = attributes & COMPRESSION_MASK
  if (codec !== COMPRESSION.none) {
    records = decompressRecords(codec, bytes.subarray(start, end), options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES, position)
    start = 0
    end = records.length
  }
  if (recordsCount < 0 || recordsCount > (end - start) / MIN_RECORD_BYTES) {
    throw corrupt(`record batch at byte ${position} claims ${recordsCount} records in ${end - start} bytes`, { position })
  }
  decodeRecords(records, start, end, recordsCount, baseOffset, baseTimestamp, logAppendTimestamp, fromOffset, out)
}

function decompressRecords(codec: number, payload: Buffer, maxBytes: number, position: number): Buffer {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxDecompressedBytes must be a positive integer, got ${maxBytes}`)
  try {
    return decompress(codec, payload, maxBytes)
  } catch (error) {
    // The codecs raise CORRUPT_MESSAGE / RECORD_LIST_TOO_LARGE; add where the batch is.
    if (isBrokerError(error)) throw new BrokerError(error.code, `record batch at byte ${position}: ${error.message}`, { ...error.details, position })
    throw error
  }
}

function decodeRecords(
  bytes: Buffer,
  start: number,
  end: number,
  count: number,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTimestamp: string | null,
  fromOffset: number,
  out: FetchedRecord[],
): void {
  const cursor: ReadCursor = { position: start }
  const offsets = offsetDigits
  const timestamps = timestampDigits
  const headerKeys = headerKeyCache
  headerKeys.reset()
  for (let i = 0; i < count; i++) {
    const length = readVarint(bytes, cursor, end)
    const bodyStart = cursor.position
    if (length < MIN_RECORD_BYTES - 1 || length > end - bodyStart) {
      throw corrupt(`record at byte ${bodyStart} has a bad length ${length}`, { position: bodyStart })
    }
    const recordEnd = bodyStart + length
    cursor.position = bodyStart + 1 // attributes: unused in v2
    const timestampDelta = readVarlong(bytes, cursor, recordEnd)
    const offsetDelta = readVarint(bytes, cursor, recordEnd)
    const key = readNullableBytes(bytes, cursor, recordEnd)
    const value = readNullableBytes(bytes, cursor, recordEnd)
    const headers = readHeaders(bytes, cursor, recordEnd, headerKeys)
    if (cursor.position !== recordEnd) {
      throw corrupt(`record at byte ${bodyStart} declares ${length} bytes but uses ${cursor.position - bodyStart}`, { position: bodyStart })
    }
    const offset = baseOffset + offsetDelta
    if (offset < fromOffset) continue
    out.push(new DecodedRecord(
      offsets.format(offset),
      logAppendTimestamp ?? timestamps.format(baseTimestamp + timestampDelta),
      key,
      value,
      headers,
    ))
  }
  if (cursor.position !== end) {
    throw corrupt(`record batch has ${end - cursor.position} bytes after its ${count} records`, { position: cursor.position })
  }
}

function readNullableBytes(bytes: Buffer, cursor: ReadCursor, end: number): Buffer | null {
  const length = readVarint(bytes, cursor, end)
  const start = cursor.position
  if (length < 0) {
    if (length === -1) return null
    throw corrupt(`negative length ${length} at byte ${start}`, { position: start })
  }
  if (length > end - start) throw corrupt(`length ${length} at byte ${start} runs past the record`, { position: start })
  cursor.position = start + length
  return bytes.subarray(start, start + length)
}

function readHeaders(bytes: Buffer, cursor: ReadCursor, end: number, keys: HeaderKeyCache): Record<string, Buffer | null | Array<Buffer | null>> {
  const count = readVarint(bytes, cursor, end)
  const headers: Record<string, Buffer | null | Array<Buffer | null>> = {}
  if (count === 0) return headers
  if (count < 0 || count > (end - cursor.position) / MIN_HEADER_BYTES) {
    throw corrupt(`record at byte ${cursor.position} claims ${count} headers`, { position: cursor.position })
  }
  for (let i = 0; i < count; i++) {
    const keyLength = readVarint(bytes, cursor, end)
    const keyStart = cursor.position
    if (keyLength < 0 || keyLength > end - keyStart) {
      throw corrupt(`header key length ${keyLength} at byte ${keyStart} is invalid`, { position: keyStart })
    }
    const key = keys.decode(bytes, keyStart, keyLength, i)
    cursor.position = keyStart + keyLength
    const value = readNullableBytes(bytes, cursor, end)
    // The first key cannot repeat one: skip the own-property check on the common path.
    if (i === 0 && key !== '__proto__') headers[key] = value
    else addHeader(headers, key, value)
  }
  return headers
}

/** Repeated keys collect into an array; own-property checks keep `constructor` or `__proto__` keys plain data. */
function addHeader(headers: Record<string, Buffer | null | Array<Buffer | null>>, key: string, value: Buffer | null): void {
  if (!Object.hasOwn(headers, key)) {
    if (key === '__proto__') {
      Object.defineProperty(headers, key, { value, writable: true, enumerable: true, configurable: true })
    } else {
      headers[key] = value
    }
    return
  }
  const previous = headers[key]
  if (Array.isArray(previous)) previous.push(value)
  else headers[key] = [previous, value]
}
