import { randomUUID } from 'node:crypto'
import test from 'ava'
import { crc32c } from '../../src/protocol/crc32c.js'
import { decodeMetadataFile, encodeMetadataFile } from '../../src/metadata/metadata-file.js'
import type { TopicRecord } from '../../src/metadata/topic-record.js'

function topics(count: number): TopicRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `topic-${String(i).padStart(5, '0')}`,
    topicId: randomUUID(),
    partitions: 1 + (i % 16),
    configs: i % 3 === 0 ? { 'retention.ms': '86400000', 'cleanup.policy': 'compact,delete' } : ({} as Record<string, string>),
    createdAtMs: 1_700_000_000_000 + i,
  }))
}

test('round trip, header readable as one ASCII line', (t) => {
  const snapshot = { generation: 7, topics: topics(3) }
  const bytes = encodeMetadataFile(snapshot)
  t.regex(bytes.toString('latin1').split('\n', 1)[0]!, /^BROOKMETA 1 7 \d+ [0-9a-f]{8}$/)
  const decoded = decodeMetadataFile(bytes)
  t.true(decoded.ok)
  if (decoded.ok) t.deepEqual(decoded.snapshot, snapshot)
})

test('10,000 topics encode to a small file and decode quickly', (t) => {
  const snapshot = { generation: 1, topics: topics(10_000) }
  const started = performance.now()
  const bytes = encodeMetadataFile(snapshot)
  const decoded = decodeMetadataFile(bytes)
  const elapsedMs = performance.now() - started
  t.true(decoded.ok)
  t.log(`10,000 topics: ${bytes.length} bytes, encode+decode ${elapsedMs.toFixed(1)} ms`)
  t.true(bytes.length < 2 * 1024 * 1024)
})

test('every single-bit flip anywhere in the file is rejected', (t) => {
  const bytes = encodeMetadataFile({ generation: 12, topics: topics(2) })
  let rejected = 0
  for (let offset = 0; offset < bytes.length; offset += 1) {
    for (let bit = 0; bit < 8; bit += 1) {
      const damaged = Buffer.from(bytes)
      damaged[offset]! ^= 1 << bit
      if (!decodeMetadataFile(damaged).ok) rejected += 1
      else t.fail(`flip of bit ${bit} at offset ${offset} was accepted`)
    }
  }
  t.is(rejected, bytes.length * 8)
})

test('every truncation and any appended byte is rejected', (t) => {
  const bytes = encodeMetadataFile({ generation: 3, topics: topics(2) })
  for (let length = 0; length < bytes.length; length += 1) t.false(decodeMetadataFile(bytes.subarray(0, length)).ok, `length ${length}`)
  t.false(decodeMetadataFile(Buffer.concat([bytes, Buffer.from(' ')])).ok)
})

test('a valid checksum over an invalid body is still rejected (schema and generation checks)', (t) => {
  const forge = (generation: number, body: unknown) => {
    // A correct header and checksum around a body the encoder would never write.
    const json = Buffer.from(JSON.stringify(body))
    return Buffer.concat([Buffer.from(`BROOKMETA 1 ${generation} ${json.length} ${crc32c(json).toString(16).padStart(8, '0')}\n`), json])
  }
  const cases: Array<[string, number, unknown, RegExp]> = [
    ['generation mismatch', 5, { generation: 4, topics: [] }, /differs from header generation/],
    ['generation zero', 0, { generation: 0, topics: [] }, /invalid generation/],
    ['no topics', 5, { generation: 5 }, /no topics array/],
    ['bad name', 5, { generation: 5, topics: [{ ...topics(1)[0], name: '../x' }] }, /invalid topic name/],
    ['duplicate', 5, { generation: 5, topics: [topics(1)[0], topics(1)[0]] }, /appears twice/],
    ['bad partitions', 5, { generation: 5, topics: [{ ...topics(1)[0], partitions: 0 }] }, /invalid partition count/],
    ['bad id', 5, { generation: 5, topics: [{ ...topics(1)[0], topicId: 'x' }] }, /invalid topicId/],
    ['bad configs', 5, { generation: 5, topics: [{ ...topics(1)[0], configs: { a: 1 } }] }, /configs must map/],
    ['not an object', 5, 42, /not an object/],
  ]
  for (const [label, generation, body, reason] of cases) {
    const result = decodeMetadataFile(forge(generation, body))
    t.false(result.ok, label)
    if (!result.ok) t.regex(result.reason, reason, label)
  }
})

test('an unknown format version is rejected with its generation known', (t) => {
  const bytes = encodeMetadataFile({ generation: 9, topics: [] })
  const result = decodeMetadataFile(Buffer.concat([Buffer.from('BROOKMETA 2'), bytes.subarray('BROOKMETA 1'.length)]))
  t.false(result.ok)
  if (!result.ok) {
    t.regex(result.reason, /unsupported format version 2/)
    t.is(result.headerGeneration, 9)
  }
})
