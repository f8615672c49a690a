import test from 'ava'
import fc from 'fast-check'
import { gzipSync } from 'node:zlib'
import { isBrokerError } from '../../src/errors.js'
import { CRC_START, OFFSET, checkBatch, writeBaseOffset } from '../../src/protocol/batch-header.js'
import { crc32c } from '../../src/protocol/crc32c.js'
import { DecimalFormatter } from '../../src/protocol/record-decode-caches.js'
import {
  RecordBatchBuilder,
  decodeBatchRecords,
  decodeRecordSet,
  iterateBatches,
  type FetchedRecord,
  type RecordHeaders,
} from '../../src/protocol/record-batch.js'

const seed = Number(process.env.FC_SEED ?? Date.now() % 0x7fffffff)
const numRuns = 200

interface InputRecord {
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeaders | null
  timestampMs: number
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((array) => Buffer.from(array))
const nullableBytes = (maxLength: number) => fc.option(bytes(maxLength), { nil: null, freq: 4 })
// A small pool of keys makes repeats likely; the others cover multi-byte UTF-8 and awkward names.
const headerKey = fc.oneof(
  fc.constantFrom('h', 'trace-id', '', '__proto__', 'constructor', '1'),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }),
)
const headers = fc.option(fc.array(fc.tuple(headerKey, nullableBytes(20)), { maxLength: 6 }), { nil: null, freq: 3 })
const timestamp = fc.oneof(
  fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_100 }),
  fc.integer({ min: -1, max: 2 ** 45 }),
)
const inputRecord: fc.Arbitrary<InputRecord> = fc.record({ key: nullableBytes(40), value: nullableBytes(300), headers, timestampMs: timestamp })
const recordList = fc.array(inputRecord, { minLength: 1, maxLength: 40 })

function build(records: InputRecord[]): Buffer {
  const builder = new RecordBatchBuilder({ initialCapacityBytes: 64 })
  for (const record of records) builder.append(record.key, record.value, record.headers, record.timestampMs)
  if (builder.count !== records.length) throw new Error('count mismatch')
  const sizeBytes = builder.sizeBytes
  const batch = builder.finish()
  if (batch.length !== sizeBytes) throw new Error('sizeBytes mismatch')
  return batch
}

/** The same batch with its records gzipped, as a compressing client would send it. */
function gzipped(batch: Buffer): Buffer {
  const out = Buffer.concat([batch.subarray(0, 61), gzipSync(batch.subarray(61))])
  out.writeInt32BE(out.length - 12, OFFSET.batchLength)
  out.writeInt16BE(1, OFFSET.attributes)
  out.writeUInt32BE(crc32c(out.subarray(CRC_START)), OFFSET.crc)
  return out
}

type Plain = Array<[string, string | null | Array<string | null>]>
const hex = (buffer: Buffer | null) => (buffer === null ? null : buffer.toString('hex'))

/** Headers as sorted entries (object key order puts integer-like keys first, whatever the input order). */
function plainHeaders(record: FetchedRecord['headers']): Plain {
  return Object.keys(record).sort().map((key) => {
    const value = record[key]
    return [key, Array.isArray(value) ? value.map(hex) : hex(value)]
  })
}

function expectedHeaders(input: RecordHeaders | null): Plain {
  const grouped = new Map<string, Array<Buffer | null>>()
  for (const [key, value] of input ?? []) grouped.set(key, [...(grouped.get(key) ?? []), value])
  return [...grouped.keys()].sort().map((key) => {
    const values = grouped.get(key) as Array<Buffer | null>
    return [key, values.length === 1 ? hex(values[0]) : values.map(hex)]
  })
}

function sameRecords(decoded: FetchedRecord[], input: InputRecord[], baseOffset: number): boolean {
  if (decoded.length !== input.length) return false
  return decoded.every((record, i) =>
    record.offset === String(baseOffset + i) &&
    record.timestamp === String(input[i].timestampMs) &&
    hex(record.key) === hex(input[i].key) &&
    hex(record.value) === hex(input[i].value) &&
    JSON.stringify(plainHeaders(record.headers)) === JSON.stringify(expectedHeaders(input[i].headers)))
}

/** Runs a decode of damaged bytes: records or a BrokerError are fine, anything else is a bug. */
function survives(run: () => FetchedRecord[]): boolean {
  try {
    return Array.isArray(run())
  } catch (error) {
    if (isBrokerError(error)) return true
    throw error
  }
}

test('property: records survive builder -> decodeRecordSet exactly, and the batch is sound', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(fc.property(recordList, (records) => {
    const batch = build(records)
    const timestamps = records.map((record) => record.timestampMs)
    return checkBatch(batch, 0, 2 ** 30) === null &&
      batch.readBigInt64BE(OFFSET.baseTimestamp) === BigInt(timestamps[0]) &&
      batch.readBigInt64BE(OFFSET.maxTimestamp) === BigInt(Math.max(...timestamps)) &&
      sameRecords(decodeRecordSet(batch), records, 0) &&
      sameRecords(decodeRecordSet(gzipped(batch)), records, 0)
  }), { seed, numRuns })
  t.pass()
})

test('property: concatenated batches decode in order from fromOffset, ignoring a partial tail', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(fc.property(recordList, recordList, fc.nat(100), fc.nat(), (first, second, fromOffset, cut) => {
    const a = build(first)
    const b = gzipped(build(second))
    writeBaseOffset(b, 0, first.length)
    const tail = a.subarray(0, cut % a.length)
    const bytes = Buffer.concat([a, b, tail])
    const positions = [...iterateBatches(bytes)].map((batch) => batch.position)
    const all = [...first, ...second]
    const decoded = decodeRecordSet(bytes, { fromOffset })
    const skipped = Math.min(fromOffset, all.length)
    return JSON.stringify(positions) === JSON.stringify([0, a.length]) &&
      sameRecords(decoded, all.slice(skipped), skipped)
  }), { seed, numRuns: 100 })
  t.pass()
})

test('property: a batch cut at any byte is refused, or skipped as a partial fetch tail', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(fc.property(recordList, fc.nat(), fc.boolean(), (records, cut, compress) => {
    const whole = compress ? gzipped(build(records)) : build(records)
    const length = cut % whole.length
    const truncated = Buffer.from(whole.subarray(0, length))
    if (decodeRecordSet(truncated).length !== 0) return false
    let refused = false
    try {
      decodeBatchRecords(truncated, 0)
    } catch (error) {
      refused = isBrokerError(error)
    }
    // With its length field patched to the cut, the decoder must notice the missing records itself.
    if (length >= 61) truncated.writeInt32BE(length - 12, OFFSET.batchLength)
    let patchedRefused = false
    try {
      decodeBatchRecords(truncated, 0)
    } catch (error) {
      patchedRefused = isBrokerError(error)
    }
    return refused && patchedRefused
  }), { seed, numRuns })
  t.pass()
})

test('property: flipped bytes give records or a BrokerError, never another exception', (t) => {
  t.log(`fast-check seed ${seed}`)
  const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })
  fc.assert(fc.property(recordList, flips, fc.boolean(), (records, changes, compress) => {
    const batch = Buffer.from(compress ? gzipped(build(records)) : build(records))
    for (const [at, xor] of changes) batch[at % batch.length] ^= xor
    return survives(() => decodeRecordSet(batch, { maxDecompressedBytes: 1 << 20 })) &&
      survives(() => decodeRecordSet(batch, { verifyCrc: true })) &&
      survives(() => decodeBatchRecords(batch, 0))
  }), { seed, numRuns })
  t.pass()
})

test('property: random bytes after a valid header give records or a BrokerError', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(fc.property(recordList, fc.uint8Array({ maxLength: 200 }), fc.integer({ min: -5, max: 2 ** 31 - 1 }), (records, noise, count) => {
    const batch = build(records)
    const forged = Buffer.concat([batch.subarray(0, 61), noise])
    forged.writeInt32BE(forged.length - 12, OFFSET.batchLength)
    forged.writeInt32BE(count, OFFSET.recordsCount)
    return survives(() => decodeRecordSet(forged))
  }), { seed, numRuns })
  t.pass()
})

test('property: the decimal cache formats like String(n)', (t) => {
  t.log(`fast-check seed ${seed}`)
  const formatter = new DecimalFormatter()
  const near = fc.integer({ min: -2000, max: 2000 })
  fc.assert(fc.property(fc.array(fc.oneof(fc.maxSafeInteger(), near, near.map((n) => 1_700_000_000_000 + n)), { maxLength: 20 }), (values) =>
    values.every((n) => formatter.format(n) === String(n))), { seed, numRuns })
  t.is(formatter.format(Number.MAX_SAFE_INTEGER), String(Number.MAX_SAFE_INTEGER))
})

function corrupted(t: import('ava').ExecutionContext, batch: Buffer, code = 'CORRUPT_MESSAGE'): void {
  const error = t.throws(() => decodeRecordSet(batch))
  t.true(isBrokerError(error), String(error))
  t.is((error as { code?: string }).code, code)
}

function oneRecordBatch(headerList: RecordHeaders | null = null): Buffer {
  const builder = new RecordBatchBuilder()
  builder.append(Buffer.from('key'), Buffer.from('value'), headerList, 1_700_000_000_000)
  return Buffer.from(builder.finish())
}

test('hostile counts and lengths are refused before anything is allocated', (t) => {
  for (const count of [0x7fffffff, -1, 3]) {
    const batch = oneRecordBatch()
    batch.writeInt32BE(count, OFFSET.recordsCount)
    corrupted(t, batch)
    // Refused up front from the byte count, not after looping.
    t.throws(() => decodeRecordSet(batch), { message: new RegExp(`claims ${count} records`) })
  }
  // Record 0 of oneRecordBatch: length at 61, attributes 62, timestampDelta 63, offsetDelta 64,
  // keyLength 65, key 66..68, valueLength 69, value 70..74, headersCount 75.
  const longRecord = oneRecordBatch()
  longRecord[61] = 0x7e // claims 63 bytes
  corrupted(t, longRecord)
  const shortRecord = oneRecordBatch()
  shortRecord[61] -= 2 // one byte less than the fields use
  corrupted(t, shortRecord)
  const hugeKey = oneRecordBatch()
  hugeKey[65] = 0x7e
  corrupted(t, hugeKey)
  const negativeKey = oneRecordBatch()
  negativeKey[65] = 0x03 // -2
  corrupted(t, negativeKey)
  const manyHeaders = oneRecordBatch()
  manyHeaders[75] = 0x7e
  corrupted(t, manyHeaders)
  const nullHeaderKey = oneRecordBatch([['h', null]])
  nullHeaderKey[76] = 0x01 // header key length -1
  corrupted(t, nullHeaderKey)
  const badLength = oneRecordBatch()
  badLength.writeInt32BE(10, OFFSET.batchLength)
  corrupted(t, badLength)
  const badMagic = oneRecordBatch()
  badMagic[OFFSET.magic] = 1
  corrupted(t, badMagic)
  const badCodec = oneRecordBatch()
  badCodec.writeInt16BE(5, OFFSET.attributes)
  corrupted(t, badCodec)
})

test('a record length that disagrees with its fields is refused, even with room to spare', (t) => {
  const builder = new RecordBatchBuilder()
  builder.append(Buffer.from('key'), Buffer.from('value'), null, 0)
  builder.append(Buffer.from('key'), Buffer.from('value'), null, 0)
  const batch = Buffer.from(builder.finish())
  batch[61] += 2 // record 0 claims one byte more than its fields use; record 1 follows
  const error = t.throws(() => decodeRecordSet(batch))
  t.is((error as { code?: string }).code, 'CORRUPT_MESSAGE')
  t.regex((error as Error).message, /declares 15 bytes but uses 14/)
})

test('trailing bytes after the last record are refused', (t) => {
  const batch = oneRecordBatch()
  const padded = Buffer.concat([batch, Buffer.alloc(3)])
  padded.writeInt32BE(padded.length - 12, OFFSET.batchLength)
  corrupted(t, padded)
})

test('CRC is only checked on request', (t) => {
  const batch = oneRecordBatch()
  batch[OFFSET.crc] ^= 1
  t.is(decodeRecordSet(batch).length, 1)
  const error = t.throws(() => decodeRecordSet(batch, { verifyCrc: true }))
  t.is((error as { code?: string }).code, 'CORRUPT_MESSAGE')
})

test('a gzip bomb stops at maxDecompressedBytes with RECORD_LIST_TOO_LARGE', (t) => {
  const builder = new RecordBatchBuilder()
  builder.append(null, Buffer.alloc(1 << 20), null, 0)
  const batch = gzipped(builder.finish())
  t.true(batch.length < 4096)
  const error = t.throws(() => decodeRecordSet(batch, { maxDecompressedBytes: 64 * 1024 }))
  t.true(isBrokerError(error))
  t.is((error as { code?: string }).code, 'RECORD_LIST_TOO_LARGE')
  t.is(decodeRecordSet(batch)[0].value?.length, 1 << 20)
})

test('garbage in a gzip payload is CORRUPT_MESSAGE', (t) => {
  const batch = gzipped(oneRecordBatch())
  batch.fill(0x55, 61 + 10)
  corrupted(t, batch)
})

test('control batches are skipped and LogAppendTime uses maxTimestamp', (t) => {
  const builder = new RecordBatchBuilder()
  builder.append(null, Buffer.from('a'), null, 100)
  builder.append(null, Buffer.from('b'), null, 300)
  builder.append(null, Buffer.from('c'), null, 200)
  const batch = Buffer.from(builder.finish())
  t.deepEqual(decodeRecordSet(batch).map((record) => record.timestamp), ['100', '300', '200'])
  batch.writeInt16BE(0x08, OFFSET.attributes)
  t.deepEqual(decodeRecordSet(batch).map((record) => record.timestamp), ['300', '300', '300'])
  batch.writeInt16BE(0x20, OFFSET.attributes)
  t.deepEqual(decodeRecordSet(batch), [])
})

test('headers: repeated keys become arrays, odd names stay plain data', (t) => {
  const [record] = decodeRecordSet(oneRecordBatch([
    ['a', Buffer.from('1')], ['__proto__', Buffer.from('2')], ['a', null], ['constructor', null], ['a', Buffer.from('3')],
  ]))
  t.deepEqual(Object.keys(record.headers), ['a', '__proto__', 'constructor'])
  t.deepEqual((record.headers.a as Array<Buffer | null>).map(hex), ['31', null, '33'])
  t.is(hex(Object.getOwnPropertyDescriptor(record.headers, '__proto__')?.value as Buffer), '32')
  t.is(Object.getPrototypeOf(record.headers), Object.prototype)
  t.is(record.headers['constructor'] as unknown, null)
})

test('builder refuses an empty batch and non-integer timestamps', (t) => {
  const error = t.throws(() => new RecordBatchBuilder().finish())
  t.is((error as { code?: string }).code, 'INVALID_RECORD')
  const builder = new RecordBatchBuilder()
  for (const bad of [Number.NaN, 1.5, 2 ** 60]) {
    const refused = t.throws(() => builder.append(null, null, null, bad))
    t.is((refused as { code?: string }).code, 'INVALID_RECORD')
  }
  t.is(builder.count, 0)
  builder.append(null, null, null, Number.MAX_SAFE_INTEGER)
  const tooFar = t.throws(() => builder.append(null, null, null, Number.MIN_SAFE_INTEGER))
  t.is((tooFar as { code?: string }).code, 'INVALID_RECORD')
  t.is(builder.count, 1)
  const [record] = decodeRecordSet(builder.finish())
  t.is(record.timestamp, String(Number.MAX_SAFE_INTEGER))
  t.is(record.key, null)
  t.is(record.value, null)
})

test('iterateBatches refuses a length shorter than a header', (t) => {
  const batch = oneRecordBatch()
  batch.writeInt32BE(3, OFFSET.batchLength)
  const error = t.throws(() => [...iterateBatches(batch)])
  t.is((error as { code?: string }).code, 'CORRUPT_MESSAGE')
  t.deepEqual([...iterateBatches(Buffer.alloc(11))], [])
})
