import test from 'ava'
import { readFileSync, readdirSync } from 'node:fs'
import { checkBatch, readBatchHeader } from '../../src/protocol/batch-header.js'
import { RecordBatchBuilder, decodeBatchRecords, decodeRecordSet, iterateBatches } from '../../src/protocol/record-batch.js'

// CI clones the repo with shared/ beside it: the same relative layout as /work/main and /work/shared.
// Real client frames and batches, copied from shared/fixtures/kafka-wire (see its README).
const FIXTURES = new URL('../fixtures/kafka-wire/', import.meta.url)
const readFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES))

interface ManifestBatch {
  baseOffset: number
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  crc: string
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}
const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURES), 'utf8')) as Array<{ file: string; batches?: ManifestBatch[] }>

// The table in fixtures/kafka-wire/README.md: crc, attributes, batchLength, base/max timestamp.
const README_TABLE: Record<string, [crc: number, attributes: number, batchLength: number, baseTimestamp: number, maxTimestamp: number]> = {
  'batch-kcat-none.bin': [0xdb672e4d, 0, 199, 1795535517193, 1795535517193],
  'batch-kcat-gzip.bin': [0x42b7737c, 1, 145, 1795535517401, 1795535517401],
  'batch-kcat-snappy.bin': [0x5613ab48, 2, 162, 1795535517608, 1795535517608],
  'batch-kcat-lz4.bin': [0xa8d26522, 3, 176, 1795535517816, 1795535517816],
  'batch-kcat-zstd.bin': [0x66fe7df8, 4, 141, 1795535522385, 1795535522385],
  'batch-kafkajs-none.bin': [0x15947f9b, 0, 199, 1700000000000, 1700000000009],
  'batch-kafkajs-gzip.bin': [0x5613800c, 1, 150, 1700000000000, 1700000000009],
  'batch-kafka-python-none.bin': [0x67ed4c30, 0, 199, 1700000000000, 1700000000009],
  'batch-kafka-python-gzip.bin': [0x7071d7ca, 1, 150, 1700000000000, 1700000000009],
}

const batchFiles = readdirSync(FIXTURES).filter((name) => /^batch-.*\.bin$/.test(name)).sort()

test('all nine batch fixtures are present', (t) => {
  t.deepEqual(batchFiles, Object.keys(README_TABLE).sort())
})

for (const file of batchFiles) {
  test(`${file}: sound batch whose header matches the README and the manifest`, (t) => {
    const bytes = readFixture(file)
    t.is(checkBatch(bytes, 0, 1_048_588), null)
    const header = readBatchHeader(bytes, 0)
    const [crc, attributes, batchLength, baseTimestamp, maxTimestamp] = README_TABLE[file]
    t.is(header.crc, crc)
    t.is(header.attributes, attributes)
    t.is(header.sizeBytes, batchLength + 12)
    t.is(header.sizeBytes, bytes.length)
    t.is(header.baseTimestamp, baseTimestamp)
    t.is(header.maxTimestamp, maxTimestamp)
    t.is(header.recordsCount, 10)
    t.is(header.lastOffsetDelta, 9)
    const expected = manifest.find((entry) => entry.file === file)?.batches?.[0]
    if (expected === undefined) return t.fail('not in manifest.json')
    t.is(`0x${header.crc.toString(16).padStart(8, '0')}`, expected.crc)
    t.is(header.baseOffset, expected.baseOffset)
    t.is(bytes.readInt32BE(12), expected.partitionLeaderEpoch)
    t.is(header.producerId, expected.producerId)
    t.is(header.producerEpoch, expected.producerEpoch)
    t.is(header.baseSequence, expected.baseSequence)
    t.deepEqual([...iterateBatches(bytes)].map((batch) => batch.position), [0])
  })

  test(`${file}: decodes to k0..k9 / v0..v9 / h=1 at offsets 0..9`, (t) => {
    const bytes = readFixture(file)
    const [, , , baseTimestamp] = README_TABLE[file]
    const perRecordTimestamps = !file.startsWith('batch-kcat-')
    const records = decodeRecordSet(bytes, { verifyCrc: true })
    t.is(records.length, 10)
    records.forEach((record, i) => {
      t.is(record.offset, String(i))
      t.is(record.timestamp, String(baseTimestamp + (perRecordTimestamps ? i : 0)))
      t.is(record.key?.toString(), `k${i}`)
      t.is(record.value?.toString(), `v${i}`)
      t.deepEqual(Object.keys(record.headers), ['h'])
      t.is((record.headers.h as Buffer).toString(), '1')
    })
    t.deepEqual(decodeBatchRecords(bytes, 0).map((record) => record.offset), records.map((record) => record.offset))
  })
}

test('the builder reproduces kafka-python\'s uncompressed batch byte for byte', (t) => {
  const fixture = readFixture('batch-kafka-python-none.bin')
  // kafka-python (like kafkajs and librdkafka) sends partitionLeaderEpoch 0: the builder's default.
  t.is(fixture.readInt32BE(12), 0)
  const builder = new RecordBatchBuilder({ producerId: -1, producerEpoch: -1, baseSequence: -1 })
  for (let i = 0; i < 10; i++) builder.append(Buffer.from(`k${i}`), Buffer.from(`v${i}`), [['h', Buffer.from('1')]], 1700000000000 + i)
  t.is(builder.count, 10)
  t.is(builder.sizeBytes, fixture.length)
  t.deepEqual(builder.finish(), fixture)
})

test('the builder reproduces kafkajs\' uncompressed batch given its producer fields', (t) => {
  const fixture = readFixture('batch-kafkajs-none.bin')
  const builder = new RecordBatchBuilder({ producerId: -1, producerEpoch: 0, baseSequence: 0 })
  for (let i = 0; i < 10; i++) builder.append(Buffer.from(`k${i}`), Buffer.from(`v${i}`), [['h', Buffer.from('1')]], 1700000000000 + i)
  t.deepEqual(builder.finish(), fixture)
})

test('a Fetch response ending in a partial batch yields only the whole ones', (t) => {
  const none = readFixture('batch-kafkajs-none.bin')
  const gzip = Buffer.from(readFixture('batch-kafkajs-gzip.bin'))
  gzip.writeBigInt64BE(10n, 0) // the offset the broker assigned (outside the CRC)
  const records = decodeRecordSet(Buffer.concat([none, gzip, none.subarray(0, 100)]), { fromOffset: 7 })
  t.deepEqual(records.map((record) => record.offset), ['7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19'])
  t.is(records[12].key?.toString(), 'k9')
})
