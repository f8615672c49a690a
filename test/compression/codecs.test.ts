import test from 'ava'
import { readFileSync, readdirSync } from 'node:fs'
import { compress, decompress, decompressedLimitFor } from '../../src/compression/index.js'
import { isBrokerError, type BrokerErrorCode } from '../../src/errors.js'
import { LIMITS } from '../../src/limits.js'
import { BATCH_HEADER_BYTES, COMPRESSION, readBatchHeader } from '../../src/protocol/batch-header.js'
import { decodeBatchRecords } from '../../src/protocol/record-batch.js'
import { fixtureLikeBatch, seededBytes, withRecords, xerial, zstdRleBomb } from './compressed-batch.js'

const FIXTURES = new URL('../fixtures/kafka-wire/', import.meta.url)
const readFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES))

interface ManifestRecord { offsetDelta: number; timestampDelta: number; key: string; value: string; headers: Array<[string, string]> }
interface ManifestBatch { baseOffset: number; baseTimestamp: number; codec: string; uncompressedRecordBytes: number; records: ManifestRecord[] }
const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURES), 'utf8')) as Array<{ file: string; batches?: ManifestBatch[] }>

const CODECS = [
  ['gzip', COMPRESSION.gzip],
  ['snappy', COMPRESSION.snappy],
  ['lz4', COMPRESSION.lz4],
  ['zstd', COMPRESSION.zstd],
] as const
const MiB = 1024 * 1024

/** Runs `fn` and returns the BrokerError code it threw; fails the test on success or another error type. */
function codeOf(fn: () => unknown): BrokerErrorCode | 'no error' | 'untyped error' {
  try {
    fn()
    return 'no error'
  } catch (error) {
    return isBrokerError(error) ? error.code : 'untyped error'
  }
}

// Text-like records plus incompressible stretches: more than one 64 KiB lz4 block, real matches.
const MIXED = Buffer.concat(Array.from({ length: 40 }, (_, i) => Buffer.concat([Buffer.from(`record ${i} `.repeat(200)), seededBytes(3000, i)])))

for (const [name, codec] of [['none', COMPRESSION.none] as const, ...CODECS]) {
  test(`${name}: compress then decompress gives every input back, and the bound is exact`, (t) => {
    for (const input of [Buffer.alloc(0), Buffer.from('x'), fixtureLikeBatch().subarray(BATCH_HEADER_BYTES), MIXED, Buffer.alloc(MiB)]) {
      const compressed = compress(codec, input)
      // Buffer.equals: ava's deepEqual renders a diff of megabyte buffers slowly.
      t.true(decompress(codec, compressed, input.length).equals(input), `${input.length} bytes`)
      if (input.length > 0) t.is(codeOf(() => decompress(codec, compressed, input.length - 1)), 'RECORD_LIST_TOO_LARGE', `${input.length} bytes, bound one short`)
    }
  })
}

// Real client batches: every codec the fixtures have, decoded to the exact records of the manifest.
const batchFiles = readdirSync(FIXTURES).filter((file) => /^batch-.*\.bin$/.test(file)).sort()

test('the fixtures hold a batch of every codec', (t) => {
  const codecs = new Set(batchFiles.map((file) => file.replace(/^batch-.*-(\w+)\.bin$/, '$1')))
  t.deepEqual([...codecs].sort(), ['gzip', 'lz4', 'none', 'snappy', 'zstd'])
})

for (const file of batchFiles) {
  test(`${file}: decodes to exactly the records in the manifest`, (t) => {
    const bytes = readFixture(file)
    const expected = manifest.find((entry) => entry.file === file)?.batches?.[0]
    if (expected === undefined) return t.fail('not in manifest.json')
    const records = decodeBatchRecords(bytes, 0, { verifyCrc: true, maxDecompressedBytes: decompressedLimitFor(bytes.length - 12) })
    t.deepEqual(
      records.map((record) => ({
        offset: record.offset,
        timestamp: record.timestamp,
        key: record.key?.toString() ?? null,
        value: record.value?.toString() ?? null,
        headers: Object.entries(record.headers).map(([key, value]) => [key, (value as Buffer).toString()]),
      })),
      expected.records.map((record) => ({
        offset: String(expected.baseOffset + record.offsetDelta),
        timestamp: String(expected.baseTimestamp + record.timestampDelta),
        key: record.key,
        value: record.value,
        headers: record.headers,
      })),
    )
    const codec = readBatchHeader(bytes).attributes & 0x07
    t.is(decompress(codec, bytes.subarray(BATCH_HEADER_BYTES), expected.uncompressedRecordBytes).length, expected.uncompressedRecordBytes)
  })
}

test('kcat\'s snappy is a raw block and its lz4 a frame with independent 64 KiB blocks, as the README says', (t) => {
  t.deepEqual(readFixture('batch-kcat-snappy.bin').subarray(BATCH_HEADER_BYTES, BATCH_HEADER_BYTES + 2), Buffer.from([0x96, 0x01]))
  t.deepEqual(readFixture('batch-kcat-lz4.bin').subarray(BATCH_HEADER_BYTES, BATCH_HEADER_BYTES + 6), Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]))
})

for (const [name, codec] of CODECS) {
  test(`${name}: a batch brook compresses decodes like the uncompressed one`, (t) => {
    const plain = fixtureLikeBatch()
    const compressed = withRecords(plain, codec, compress(codec, plain.subarray(BATCH_HEADER_BYTES)))
    const strip = (records: ReturnType<typeof decodeBatchRecords>) => records.map((r) => [r.offset, r.timestamp, r.key?.toString(), r.value?.toString()])
    t.deepEqual(strip(decodeBatchRecords(compressed, 0, { verifyCrc: true })), strip(decodeBatchRecords(plain, 0)))
  })
}

// Bombs: a few KiB that inflate past the bound.
for (const [name, codec] of [['gzip', COMPRESSION.gzip], ['lz4', COMPRESSION.lz4], ['zstd', COMPRESSION.zstd]] as const) {
  test(`${name}: a bomb of a few KiB is refused with RECORD_LIST_TOO_LARGE at 64x its size`, (t) => {
    const bomb = compress(codec, Buffer.alloc(MiB))
    t.true(bomb.length <= 8 * 1024, `${bomb.length} bytes`)
    const limit = decompressedLimitFor(bomb.length)
    t.true(limit < MiB)
    t.is(codeOf(() => decompress(codec, bomb, limit)), 'RECORD_LIST_TOO_LARGE')
    const batch = withRecords(fixtureLikeBatch(), codec, bomb)
    const error = t.throws(() => decodeBatchRecords(batch, 0, { maxDecompressedBytes: limit }))
    t.is((error as { code?: string }).code, 'RECORD_LIST_TOO_LARGE')
    t.regex(error!.message, new RegExp(`^record batch at byte 0: ${name} records decompress to more than ${limit} bytes$`))
  })
}

test('snappy: a few bytes announcing 4 GiB are refused from the preamble, before any output exists', (t) => {
  const bomb = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00])
  t.is(codeOf(() => decompress(COMPRESSION.snappy, bomb, LIMITS.maxDecompressedBatchBytes)), 'RECORD_LIST_TOO_LARGE')
  t.is(codeOf(() => decompress(COMPRESSION.snappy, xerial([bomb]), LIMITS.maxDecompressedBatchBytes)), 'RECORD_LIST_TOO_LARGE')
})

test('snappy: xerial chunks are refused once their sum passes the bound', (t) => {
  const chunk = compress(COMPRESSION.snappy, Buffer.alloc(64 * 1024))
  const framed = xerial([chunk, chunk, chunk, chunk])
  t.true(framed.length < 16 * 1024)
  t.is(decompress(COMPRESSION.snappy, framed, 256 * 1024).length, 256 * 1024)
  t.is(codeOf(() => decompress(COMPRESSION.snappy, framed, 256 * 1024 - 1)), 'RECORD_LIST_TOO_LARGE')
})

test('the 16 MiB ceiling holds for every codec through the record decoder\'s default bound', (t) => {
  const seventeen = Buffer.alloc(17 * MiB)
  const bombs: Array<[string, number, Buffer]> = [
    ['gzip', COMPRESSION.gzip, compress(COMPRESSION.gzip, seventeen)],
    ['snappy', COMPRESSION.snappy, Buffer.from([0x80, 0x80, 0x80, 0x09, 0x00])], // preamble: 18 MiB
    ['lz4', COMPRESSION.lz4, compress(COMPRESSION.lz4, seventeen)],
    ['zstd with a content size', COMPRESSION.zstd, compress(COMPRESSION.zstd, seventeen)],
    ['zstd without one', COMPRESSION.zstd, zstdRleBomb(17 * MiB)],
  ]
  for (const [name, codec, bomb] of bombs) {
    t.is(codeOf(() => decodeBatchRecords(withRecords(fixtureLikeBatch(), codec, bomb), 0)), 'RECORD_LIST_TOO_LARGE', name)
  }
  t.true(zstdRleBomb(17 * MiB).length < 1024)
})

test('zstd: a frame without a content size is bounded as it inflates', (t) => {
  t.is(decompress(COMPRESSION.zstd, zstdRleBomb(MiB), MiB).length, MiB)
  t.is(codeOf(() => decompress(COMPRESSION.zstd, zstdRleBomb(MiB), MiB - 1)), 'RECORD_LIST_TOO_LARGE')
})

test('lz4 and zstd: a declared content size past the bound is refused before decoding', (t) => {
  // An lz4 frame announcing 2^62 bytes, holding no block: refused for its size, not for the lie.
  const lz4 = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0])
  t.is(codeOf(() => decompress(COMPRESSION.lz4, lz4, MiB)), 'RECORD_LIST_TOO_LARGE')
  // A zstd frame announcing 2^40 bytes (8-byte content size), then one raw 1-byte last block.
  const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x58, 0, 0, 0, 0, 0, 1, 0, 0, 0x09, 0, 0, 0x41])
  t.is(codeOf(() => decompress(COMPRESSION.zstd, zstd, MiB)), 'RECORD_LIST_TOO_LARGE')
})

test('lz4: a content size that disagrees with the blocks is corrupt', (t) => {
  const frame = compress(COMPRESSION.lz4, Buffer.from('abcdefghij'))
  const size = Buffer.alloc(8)
  size.writeBigUInt64LE(9n)
  const lying = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18, frame[4] | 0x08, frame[5]]), size, frame.subarray(6)])
  t.is(codeOf(() => decompress(COMPRESSION.lz4, lying, MiB)), 'CORRUPT_MESSAGE')
})

// lz4 frame details librdkafka and kafkajs' plugins may use.
const LINKED_FRAME = Buffer.concat([
  Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x40, 0x40, 0x00]), // FLG 0x40: linked blocks, no checksums; BD 64 KiB; HC
  Buffer.from([0x10, 0x00, 0x00, 0x80]), Buffer.from('0123456789abcdef'), // 16 bytes stored uncompressed
  Buffer.from([0x09, 0x00, 0x00, 0x00, 0x0c, 0x10, 0x00, 0x50]), Buffer.from('XYZWV'), // match 16 back, then 5 literals
  Buffer.from([0, 0, 0, 0]),
])

test('lz4: a linked block copies from the block before it; an independent one may not', (t) => {
  t.is(decompress(COMPRESSION.lz4, LINKED_FRAME, MiB).toString(), '0123456789abcdef0123456789abcdefXYZWV')
  const independent = Buffer.from(LINKED_FRAME)
  independent[4] = 0x60
  t.is(codeOf(() => decompress(COMPRESSION.lz4, independent, MiB)), 'CORRUPT_MESSAGE')
})

test('lz4: an overlapping match repeats its pattern', (t) => {
  const frame = Buffer.concat([
    Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00]),
    Buffer.from([0x08, 0x00, 0x00, 0x00, 0x2f, 0x61, 0x62, 0x02, 0x00, 0x00, 0x10, 0x63]), // "ab", match offset 2 length 19, "c"
    Buffer.from([0, 0, 0, 0]),
  ])
  t.is(decompress(COMPRESSION.lz4, frame, MiB).toString(), 'ab'.repeat(10) + 'ac')
})

test('lz4 and zstd: concatenated frames and skippable frames', (t) => {
  const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3])
  for (const codec of [COMPRESSION.lz4, COMPRESSION.zstd]) {
    const payload = Buffer.concat([compress(codec, Buffer.from('ab')), skippable, compress(codec, Buffer.from('cd'))])
    t.is(decompress(codec, payload, 4).toString(), 'abcd')
    t.is(codeOf(() => decompress(codec, payload, 3)), 'RECORD_LIST_TOO_LARGE')
  }
})

test('snappy: xerial framing as the Java client writes it', (t) => {
  const framed = xerial([compress(COMPRESSION.snappy, Buffer.from('hello ')), compress(COMPRESSION.snappy, Buffer.from('world'))])
  t.is(decompress(COMPRESSION.snappy, framed, 11).toString(), 'hello world')
  t.is(decompress(COMPRESSION.snappy, xerial([]), 0).length, 0)
  t.is(codeOf(() => decompress(COMPRESSION.snappy, framed.subarray(0, framed.length - 1), 11)), 'CORRUPT_MESSAGE')
  t.is(codeOf(() => decompress(COMPRESSION.snappy, Buffer.concat([framed, Buffer.from([0, 0])]), 11)), 'CORRUPT_MESSAGE')
})

// Malformed input: CORRUPT_MESSAGE, never another error type.
for (const [name, codec] of CODECS) {
  test(`${name}: every truncation of a valid payload is CORRUPT_MESSAGE`, (t) => {
    const valid = compress(codec, Buffer.concat([Buffer.from('a truncated record set '.repeat(20)), seededBytes(200, 7)]))
    for (let length = 0; length < valid.length; length++) {
      t.is(codeOf(() => decompress(codec, valid.subarray(0, length), MiB)), 'CORRUPT_MESSAGE', `cut at ${length} of ${valid.length}`)
    }
  })

  test(`${name}: garbage is CORRUPT_MESSAGE`, (t) => {
    for (const garbage of [Buffer.from('this is not compressed at all'), Buffer.from([0x01]), Buffer.alloc(64, 0xff)]) {
      t.is(codeOf(() => decompress(codec, garbage, MiB)), 'CORRUPT_MESSAGE', garbage.toString('hex'))
    }
  })

  test(`${name}: random bytes and mutated payloads end in a typed error or bounded output`, (t) => {
    const valid = compress(codec, MIXED.subarray(0, 20_000))
    const magic = valid.subarray(0, 4)
    let corrupt = 0
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededBytes(1 + (seed % 97), seed)
      const inputs = [random, Buffer.concat([magic, random])]
      const mutated = Buffer.from(valid)
      for (let i = 0; i < 1 + (seed % 4); i++) mutated[random[i % random.length] * 131 % mutated.length] ^= 1 << (seed % 8)
      inputs.push(mutated)
      for (const input of inputs) {
        try {
          t.true(decompress(codec, input, 64 * 1024).length <= 64 * 1024)
        } catch (error) {
          t.true(isBrokerError(error), String(error))
          const code = (error as { code: string }).code
          t.true(code === 'CORRUPT_MESSAGE' || code === 'RECORD_LIST_TOO_LARGE', code)
          if (code === 'CORRUPT_MESSAGE') corrupt++
        }
      }
    }
    t.true(corrupt > 100, `${corrupt} corrupt`)
  })
}

test('an unknown codec id is CORRUPT_MESSAGE on decompress and UNSUPPORTED_COMPRESSION_TYPE on compress', (t) => {
  for (const codec of [5, 6, 7]) {
    t.is(codeOf(() => decompress(codec, Buffer.from('x'), MiB)), 'CORRUPT_MESSAGE')
    t.is(codeOf(() => compress(codec, Buffer.from('x'))), 'UNSUPPORTED_COMPRESSION_TYPE')
  }
})

test('decompressedLimitFor is min(16 MiB, 64 x compressed size)', (t) => {
  t.is(LIMITS.maxDecompressedBatchBytes, 16 * MiB)
  t.is(LIMITS.maxDecompressionRatio, 64)
  t.is(decompressedLimitFor(100), 6400)
  t.is(decompressedLimitFor(256 * 1024), 16 * MiB)
  t.is(decompressedLimitFor(LIMITS.maxMessageBytes), 16 * MiB)
  t.is(decompressedLimitFor(0), 0)
})

test('a bad bound is a caller bug: RangeError', (t) => {
  t.throws(() => decompress(COMPRESSION.gzip, Buffer.alloc(1), -1), { instanceOf: RangeError })
  t.throws(() => decompress(COMPRESSION.gzip, Buffer.alloc(1), 1.5), { instanceOf: RangeError })
})
