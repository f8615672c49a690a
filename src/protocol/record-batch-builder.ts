/**
 * Builds one uncompressed RecordBatch v2 (magic 2) record by record, straight into a growing
 * buffer: the producer's hot path, so there is no intermediate object, array or Buffer per
 * record. The 61-byte header (layout in batch-header.ts) is reserved up front and filled in by
 * `finish()`, which also computes the CRC-32C over bytes 21..end.
 *
 *   Record                    (each field written in this order, sizes computed first)
 *     length          varint   bytes of the rest of this record
 *     attributes      int8     0
 *     timestampDelta  varlong  timestamp - first record's timestamp (negative when clocks step back)
 *     offsetDelta     varint   index of the record in the batch
 *     keyLength       varint   -1 = null key
 *     key             bytes
 *     valueLength     varint   -1 = null value
 *     value           bytes
 *     headersCount    varint
 *     headers         [keyLength varint, key utf8, valueLength varint (-1 = null), value bytes]
 */
import { BrokerError } from '../errors.js'
import { BATCH_HEADER_BYTES, CRC_START, OFFSET } from './batch-header.js'
import { crc32c } from './crc32c.js'
import { varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js'

export type RecordHeaders = Array<[key: string, value: Buffer | null]>

export interface RecordBatchBuilderOptions {
  /** First buffer size; it doubles when full. The finished batch may sit in a buffer up to twice its size. */
  initialCapacityBytes?: number
  /** -1 unless the producer is idempotent. */
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  /** The broker overwrites it on append; 0 is what kafkajs, librdkafka and kafka-python send. */
  partitionLeaderEpoch?: number
}

const DEFAULT_INITIAL_CAPACITY_BYTES = 16_384
/** batchLength is an int32: the whole batch must stay below 2^31 bytes. */
const MAX_BATCH_BYTES = 0x7fffffff
const TWO_POW_32 = 0x100000000

export class RecordBatchBuilder {
  private buffer: Buffer
  private position = BATCH_HEADER_BYTES
  private recordCount = 0
  private baseTimestamp = 0
  private maxTimestamp = 0
  private finished = false
  private readonly producerId: number
  private readonly producerEpoch: number
  private readonly baseSequence: number
  private readonly partitionLeaderEpoch: number

  constructor(options: RecordBatchBuilderOptions = {}) {
    const capacity = Math.max(options.initialCapacityBytes ?? DEFAULT_INITIAL_CAPACITY_BYTES, 2 * BATCH_HEADER_BYTES)
    // Not from the shared pool: the finished batch may be transferred to a worker thread,
    // which moves the whole underlying ArrayBuffer.
    this.buffer = Buffer.allocUnsafeSlow(capacity)
    this.producerId = options.producerId ?? -1
    this.producerEpoch = options.producerEpoch ?? -1
    this.baseSequence = options.baseSequence ?? -1
    this.partitionLeaderEpoch = options.partitionLeaderEpoch ?? 0
  }

  /** Records appended so far. */
  get count(): number {
    return this.recordCount
  }

  /** Bytes the finished batch will occupy, header included. */
  get sizeBytes(): number {
    return this.position
  }

  append(key: Buffer | null, value: Buffer | null, headers: RecordHeaders | null, timestampMs: number): void {
    if (this.finished) throw new Error('RecordBatchBuilder.append after finish()')
    if (!Number.isSafeInteger(timestampMs)) {
      throw new BrokerError('INVALID_RECORD', `record timestamp ${timestampMs} is not an integer number of milliseconds`)
    }
    const offsetDelta = this.recordCount
    const timestampDelta = offsetDelta === 0 ? 0 : timestampMs - this.baseTimestamp
    if (!Number.isSafeInteger(timestampDelta)) {
      throw new BrokerError('INVALID_RECORD', `record timestamp ${timestampMs} is too far from the batch's first timestamp ${this.baseTimestamp}`)
    }

    const keyLength = key === null ? -1 : key.length
    const valueLength = value === null ? -1 : value.length
    const headerCount = headers === null ? 0 : headers.length
    let headersBytes = 0
    for (let i = 0; i < headerCount; i++) {
      const header = (headers as RecordHeaders)[i]
      const headerKeyLength = utf8Length(header[0])
      const headerValue = header[1]
      const headerValueLength = headerValue === null ? -1 : headerValue.length
      headersBytes += varintSize(headerKeyLength) + headerKeyLength + varintSize(headerValueLength)
      if (headerValueLength > 0) headersBytes += headerValueLength
    }
    let bodyBytes = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta) + varintSize(keyLength) + varintSize(valueLength) + varintSize(headerCount) + headersBytes
    if (keyLength > 0) bodyBytes += keyLength
    if (valueLength > 0) bodyBytes += valueLength
    const recordBytes = varintSize(bodyBytes) + bodyBytes

    if (this.position + recordBytes > this.buffer.length) this.grow(this.position + recordBytes)
    const buffer = this.buffer
    let p = writeVarint(buffer, this.position, bodyBytes)
    buffer[p++] = 0
    p = writeVarlong(buffer, p, timestampDelta)
    p = writeVarint(buffer, p, offsetDelta)
    p = writeVarint(buffer, p, keyLength)
    if (keyLength > 0) {
      buffer.set(key as Buffer, p)
      p += keyLength
    }
    p = writeVarint(buffer, p, valueLength)
    if (valueLength > 0) {
      buffer.set(value as Buffer, p)
      p += valueLength
    }
    p = writeVarint(buffer, p, headerCount)
    for (let i = 0; i < headerCount; i++) {
      const header = (headers as RecordHeaders)[i]
      // Measured again rather than kept from the sizing pass: keeping it would need a per-record array.
      const headerKey = header[0]
      const headerKeyLength = utf8Length(headerKey)
      p = writeVarint(buffer, p, headerKeyLength)
      p = writeUtf8(buffer, p, headerKey, headerKeyLength)
      const headerValue = header[1]
      if (headerValue === null) {
        p = writeVarint(buffer, p, -1)
      } else {
        p = writeVarint(buffer, p, headerValue.length)
        if (headerValue.length > 0) {
          buffer.set(headerValue, p)
          p += headerValue.length
        }
      }
    }
    this.position = p
    this.recordCount = offsetDelta + 1
    // State changes only once the record is written, so a rejected record leaves no trace.
    if (offsetDelta === 0) {
      this.baseTimestamp = timestampMs
      this.maxTimestamp = timestampMs
    } else if (timestampMs > this.maxTimestamp) {
      this.maxTimestamp = timestampMs
    }
  }

  /** Fills in the header and returns the batch (a view of the builder's buffer). */
  finish(): Buffer {
    if (this.finished) throw new Error('RecordBatchBuilder.finish called twice')
    if (this.recordCount === 0) throw new BrokerError('INVALID_RECORD', 'a record batch needs at least one record')
    this.finished = true
    const buffer = this.buffer
    const size = this.position
    writeInt64(buffer, OFFSET.baseOffset, 0)
    buffer.writeInt32BE(size - 12, OFFSET.batchLength)
    buffer.writeInt32BE(this.partitionLeaderEpoch, OFFSET.partitionLeaderEpoch)
    buffer.writeInt8(2, OFFSET.magic)
    buffer.writeInt16BE(0, OFFSET.attributes)
    buffer.writeInt32BE(this.recordCount - 1, OFFSET.lastOffsetDelta)
    writeInt64(buffer, OFFSET.baseTimestamp, this.baseTimestamp)
    writeInt64(buffer, OFFSET.maxTimestamp, this.maxTimestamp)
    writeInt64(buffer, OFFSET.producerId, this.producerId)
    buffer.writeInt16BE(this.producerEpoch, OFFSET.producerEpoch)
    buffer.writeInt32BE(this.baseSequence, OFFSET.baseSequence)
    buffer.writeInt32BE(this.recordCount, OFFSET.recordsCount)
    buffer.writeUInt32BE(crc32c(buffer.subarray(CRC_START, size)), OFFSET.crc)
    return buffer.subarray(0, size)
  }

  private grow(neededBytes: number): void {
    if (neededBytes > MAX_BATCH_BYTES) {
      throw new BrokerError('MESSAGE_TOO_LARGE', `record batch would exceed ${MAX_BATCH_BYTES} bytes`)
    }
    let capacity = this.buffer.length * 2
    while (capacity < neededBytes) capacity *= 2
    const grown = Buffer.allocUnsafeSlow(Math.min(capacity, MAX_BATCH_BYTES))
    this.buffer.copy(grown, 0, 0, this.position)
    this.buffer = grown
  }
}

/** Writes a safe integer as a big-endian int64 without going through BigInt. */
function writeInt64(buffer: Buffer, position: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32)
  buffer.writeInt32BE(high, position)
  buffer.writeUInt32BE(value - high * TWO_POW_32, position + 4)
}

/** Longest string measured and written in JS; longer ones go to Buffer's native UTF-8 code. */
const MAX_INLINE_STRING = 64

/** UTF-8 byte length; short ASCII strings (the usual header key) are measured without a native call. */
function utf8Length(text: string): number {
  const length = text.length
  if (length > MAX_INLINE_STRING) return Buffer.byteLength(text, 'utf8')
  for (let i = 0; i < length; i++) {
    if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8')
  }
  return length
}

/** Writes `text` of `byteLength` UTF-8 bytes at `position`; returns the position after it. */
function writeUtf8(buffer: Buffer, position: number, text: string, byteLength: number): number {
  // Equal lengths mean every character is ASCII: one byte each.
  if (byteLength === text.length && byteLength <= MAX_INLINE_STRING) {
    for (let i = 0; i < byteLength; i++) buffer[position + i] = text.charCodeAt(i)
    return position + byteLength
  }
  return position + buffer.write(text, position, byteLength, 'utf8')
}
