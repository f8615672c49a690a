import test from 'ava'
import { readFileSync } from 'node:fs'
import { BatchCheckPool, decompressedLimitFor } from '../../src/compression/batch-check-pool.js'
import { compress } from '../../src/compression/index.js'
import { isBrokerError, type BrokerError } from '../../src/errors.js'
import { BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD, COMPRESSION, OFFSET } from '../../src/protocol/batch-header.js'
import { fixtureLikeBatch, resealed, seededBytes, withRecords } from './compressed-batch.js'

const FIXTURES = new URL('../fixtures/kafka-wire/', import.meta.url)
const readFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES))
const CODECS = [['gzip', COMPRESSION.gzip], ['snappy', COMPRESSION.snappy], ['lz4', COMPRESSION.lz4], ['zstd', COMPRESSION.zstd]] as const

// One pool for the file, as the broker keeps one: also checks that a thread serves many checks.
const pool = BatchCheckPool.create()
test.after.always(() => pool.close())

const limitsFor = (batch: Buffer) => ({ maxDecompressedBytes: decompressedLimitFor(batch.length - BATCH_LOG_OVERHEAD) })

/** The uncompressed records of a 10-record batch, compressed into a batch of `codec`. */
function compressedBatch(codec: number, records = fixtureLikeBatch().subarray(BATCH_HEADER_BYTES), header = fixtureLikeBatch()): Buffer {
  return withRecords(header, codec, compress(codec, records))
}

async function rejection(promise: Promise<void>): Promise<BrokerError> {
  try {
    await promise
  } catch (error) {
    if (!isBrokerError(error)) throw new Error(`not a BrokerError: ${String(error)}`)
    return error
  }
  throw new Error('the check passed')
}

for (const file of ['batch-kcat-gzip.bin', 'batch-kcat-snappy.bin', 'batch-kcat-lz4.bin', 'batch-kcat-zstd.bin', 'batch-kafkajs-gzip.bin', 'batch-kafka-python-gzip.bin']) {
  test(`${file} passes`, async (t) => {
    const batch = readFixture(file)
    await t.notThrowsAsync(pool.check(batch, limitsFor(batch)))
  })
}

for (const [name, codec] of CODECS) {
  test(`${name}: brook's own compressed batches pass, the caller's buffer is left intact`, async (t) => {
    const batch = compressedBatch(codec)
    const copy = Buffer.from(batch)
    await t.notThrowsAsync(pool.check(batch, limitsFor(batch)))
    t.deepEqual(batch, copy)
    const many = new Array(500).fill(null).map((_, i) => [Buffer.from(`key-${i}`), seededBytes(i % 50, i)] as const)
    const records = many.map(([key, value], i) => recordBytes(i, key, value))
    const big = withHeaderCount(compressedBatch(codec, Buffer.concat(records)), many.length)
    await t.notThrowsAsync(pool.check(big, limitsFor(big)))
  })

  test(`${name}: a recordsCount that disagrees with the records is CORRUPT_MESSAGE`, async (t) => {
    for (const count of [9, 11]) {
      const batch = withHeaderCount(compressedBatch(codec), count)
      const error = await rejection(pool.check(batch, limitsFor(batch)))
      t.is(error.code, 'CORRUPT_MESSAGE', `count ${count}`)
    }
    // lastOffsetDelta must be count - 1.
    const skewed = compressedBatch(codec)
    skewed.writeInt32BE(8, OFFSET.lastOffsetDelta)
    t.is((await rejection(pool.check(resealed(skewed), limitsFor(skewed)))).code, 'CORRUPT_MESSAGE')
  })

  test(`${name}: offset deltas out of order are CORRUPT_MESSAGE`, async (t) => {
    const records = Buffer.from(fixtureLikeBatch().subarray(BATCH_HEADER_BYTES))
    // Record 1 (15 bytes after record 0): length, attributes, timestampDelta 1 (zig-zag 2), offsetDelta 1 (zig-zag 2) -> 2.
    t.is(records[15 + 3], 2)
    records[15 + 3] = 4
    const batch = compressedBatch(codec, records)
    const error = await rejection(pool.check(batch, limitsFor(batch)))
    t.is(error.code, 'CORRUPT_MESSAGE')
    t.is(error.message, 'record 1 has offsetDelta 2')
    t.deepEqual(error.details, { record: 1, offsetDelta: 2 })
  })

  test(`${name}: a bomb is RECORD_LIST_TOO_LARGE`, async (t) => {
    // snappy cannot inflate 64x (about 21x at most): its bomb is a block whose preamble claims 18 MiB.
    const bomb = codec === COMPRESSION.snappy ? Buffer.from([0x80, 0x80, 0x80, 0x09, 0x00]) : compress(codec, Buffer.alloc(1024 * 1024))
    const batch = withRecords(fixtureLikeBatch(), codec, bomb)
    const limits = limitsFor(batch)
    t.true(limits.maxDecompressedBytes < 1024 * 1024)
    const error = await rejection(pool.check(batch, limits))
    t.is(error.code, 'RECORD_LIST_TOO_LARGE')
    t.is(error.kafkaErrorCode, 18)
    t.is(error.message, `${name} records decompress to more than ${limits.maxDecompressedBytes} bytes`)
  })

  test(`${name}: garbage records are CORRUPT_MESSAGE`, async (t) => {
    for (const garbage of [seededBytes(200, 3), Buffer.from('not compressed at all')]) {
      const batch = withRecords(fixtureLikeBatch(), codec, garbage)
      t.is((await rejection(pool.check(batch, limitsFor(batch)))).code, 'CORRUPT_MESSAGE')
    }
    // Sound compression around bytes that are not records.
    const batch = withRecords(fixtureLikeBatch(), codec, compress(codec, seededBytes(300, 9)))
    t.is((await rejection(pool.check(batch, limitsFor(batch)))).code, 'CORRUPT_MESSAGE')
  })
}

test('trailing bytes after the records are CORRUPT_MESSAGE', async (t) => {
  const records = Buffer.concat([fixtureLikeBatch().subarray(BATCH_HEADER_BYTES), Buffer.from([0])])
  const batch = compressedBatch(COMPRESSION.zstd, records)
  const error = await rejection(pool.check(batch, limitsFor(batch)))
  t.is(error.code, 'CORRUPT_MESSAGE')
  t.is(error.message, 'record batch has 1 bytes after its 10 records')
})

test('a batch whose length field disagrees with its bytes is CORRUPT_MESSAGE', async (t) => {
  const batch = compressedBatch(COMPRESSION.gzip)
  t.is((await rejection(pool.check(batch.subarray(0, batch.length - 1), limitsFor(batch)))).code, 'CORRUPT_MESSAGE')
  t.is((await rejection(pool.check(batch.subarray(0, 30), limitsFor(batch)))).code, 'CORRUPT_MESSAGE')
})

test('checks run concurrently and each settles with its own verdict', async (t) => {
  const good = compressedBatch(COMPRESSION.lz4)
  const bad = withHeaderCount(compressedBatch(COMPRESSION.lz4), 11)
  const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => pool.check(i % 2 === 0 ? good : bad, limitsFor(good))))
  t.deepEqual(results.map((result) => result.status), Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'fulfilled' : 'rejected')))
})

test('close lets the checks already asked for finish, is idempotent, and later checks are BROKER_CLOSED', async (t) => {
  const own = BatchCheckPool.create({ threads: 2 })
  const batch = compressedBatch(COMPRESSION.snappy)
  const running = own.check(batch, limitsFor(batch))
  const first = own.close()
  const second = own.close()
  t.is(first, second)
  await t.notThrowsAsync(running)
  await first
  t.is((await rejection(own.check(batch, limitsFor(batch)))).code, 'BROKER_CLOSED')
  await t.notThrowsAsync(own.close())
})

test('a pool that never checked anything closes at once', async (t) => {
  await t.notThrowsAsync(BatchCheckPool.create().close())
})

test('threads must be a positive integer', (t) => {
  for (const threads of [0, -1, 1.5]) t.throws(() => BatchCheckPool.create({ threads }), { instanceOf: RangeError })
})

/** A record with timestampDelta 0, no headers, at `offsetDelta`. */
function recordBytes(offsetDelta: number, key: Buffer, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0, 0]), zigzag(offsetDelta), zigzag(key.length), key, zigzag(value.length), value, zigzag(0)])
  return Buffer.concat([zigzag(body.length), body])
}

function zigzag(value: number): Buffer {
  let n = ((value << 1) ^ (value >> 31)) >>> 0
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return Buffer.from(out)
}

/** The batch with recordsCount = lastOffsetDelta + 1 = `count`, CRC redone. */
function withHeaderCount(batch: Buffer, count: number): Buffer {
  batch.writeInt32BE(count, OFFSET.recordsCount)
  batch.writeInt32BE(count - 1, OFFSET.lastOffsetDelta)
  return resealed(batch)
}
