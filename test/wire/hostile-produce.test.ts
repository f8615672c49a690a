/**
 * B4 (reliability.md C3), the data path: a produced batch with a bad CRC, one above
 * max.message.bytes and a gzip bomb are refused with Kafka's error codes and append nothing;
 * topic names that are not Kafka names (`../x`, `.`, `..`, 250 characters, a NUL byte) asked for
 * through Metadata are INVALID_TOPIC_EXCEPTION (17) and create no directory anywhere.
 */
import test, { type ExecutionContext } from 'ava'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { CRC_START, OFFSET } from '../../src/protocol/batch-header.js'
import { crc32c } from '../../src/protocol/crc32c.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { tempDir } from '../helpers/temp-dir.js'
import { listeningBroker, RawClient } from '../helpers/wire.js'
import { API, batchOf, parseProduceResponse, produceBody } from '../helpers/wire-requests.js'

const CORRUPT_MESSAGE = 2
const MESSAGE_TOO_LARGE = 10
const INVALID_TOPIC_EXCEPTION = 17
const RECORD_LIST_TOO_LARGE = 18

async function produceOne(client: RawClient, topic: string, batch: Buffer) {
  const [answer] = parseProduceResponse(await client.request(API.Produce, 3, produceBody(topic, 0, batch)), 3)
  return answer!
}

async function setUp(t: ExecutionContext, topic: string) {
  // The data dir sits alone inside a fresh directory, so `..` from it lands somewhere only this test writes.
  const root = tempDir(t)
  const dataDir = join(root, 'data')
  mkdirSync(dataDir)
  const { broker, port } = await listeningBroker(t, { dataDir })
  await broker.admin().createTopics({ topics: [{ topic, numPartitions: 1 }] })
  const client = await RawClient.open(t, port)
  t.is((await client.request(API.ApiVersions, 0, Buffer.alloc(0))).readInt16BE(0), 0)
  return { broker, client, dataDir, root }
}

test('a produced batch with a bad CRC gets CORRUPT_MESSAGE (2) and nothing is appended', async (t) => {
  const { broker, client } = await setUp(t, 'crc')
  for (const at of [OFFSET.crc, OFFSET.attributes + 1, 70]) {
    const batch = Buffer.from(batchOf(['a', 'b', 'c']))
    batch[at]! ^= 0x01
    const answer = await produceOne(client, 'crc', batch)
    t.is(answer.errorCode, CORRUPT_MESSAGE, `flip at byte ${at}`)
    t.is(answer.baseOffset, -1)
  }
  t.is((await broker.partitionOffsets('crc', 0)).highWatermark, 0)
  // The connection and the partition work on: the next good batch is offset 0.
  const good = await produceOne(client, 'crc', batchOf(['a']))
  t.is(good.errorCode, 0)
  t.is(good.baseOffset, 0)
})

test('a batch larger than max.message.bytes gets MESSAGE_TOO_LARGE (10) and nothing is appended', async (t) => {
  const { broker, client } = await setUp(t, 'large')
  const builder = new RecordBatchBuilder()
  builder.append(null, Buffer.alloc(1_048_588, 0x61), null, 1_700_000_000_000)
  const batch = builder.finish()
  t.true(batch.length > 1_048_588)
  const answer = await produceOne(client, 'large', batch)
  t.is(answer.errorCode, MESSAGE_TOO_LARGE)
  t.is((await broker.partitionOffsets('large', 0)).highWatermark, 0)
  t.is((await produceOne(client, 'large', batchOf(['small']))).baseOffset, 0)
})

test('a gzip bomb (17 KiB inflating to 17 MiB) is refused at the decompression cap and nothing is appended', async (t) => {
  const { broker, client } = await setUp(t, 'bomb')
  const builder = new RecordBatchBuilder()
  builder.append(null, Buffer.alloc(17 * 1024 * 1024), null, 1_700_000_000_000)
  const plain = builder.finish()
  const batch = Buffer.concat([plain.subarray(0, 61), gzipSync(plain.subarray(61), { level: 9 })])
  batch.writeInt32BE(batch.length - 12, OFFSET.batchLength)
  batch.writeInt16BE(1, OFFSET.attributes)
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)), OFFSET.crc)
  t.true(batch.length < 64 * 1024, `${batch.length} bytes on the wire`)
  const answer = await produceOne(client, 'bomb', batch)
  t.is(answer.errorCode, RECORD_LIST_TOO_LARGE)
  t.is((await broker.partitionOffsets('bomb', 0)).highWatermark, 0)
})

/** Metadata v1 for `names`; returns each topic's error code by name. */
async function metadataErrors(client: RawClient, names: string[]): Promise<Map<string, number>> {
  const body = new Writer().array(names, (writer, name) => writer.string(name)).toBuffer()
  const reader = new Reader(await client.request(API.Metadata, 1, body))
  reader.array((broker) => [broker.int32(), broker.string(), broker.int32(), broker.nullableString()], 10)
  reader.int32() // controller
  const errors = new Map<string, number>()
  reader.array((topic) => {
    const errorCode = topic.int16()
    const name = topic.string()
    topic.boolean()
    topic.array((p) => [p.int16(), p.int32(), p.int32(), p.array((r) => r.int32(), 4), p.array((r) => r.int32(), 4)], 18)
    errors.set(name, errorCode)
  }, 7)
  reader.expectEnd('Metadata v1 response')
  return errors
}

function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
}

test('topic names ../x, ., .., 250 chars and a NUL byte asked for via Metadata are INVALID_TOPIC_EXCEPTION (17), creating no path', async (t) => {
  const { client, dataDir, root } = await setUp(t, 'existing')
  const before = tree(dataDir)
  const outside = [resolve(dataDir, '../x'), resolve(dataDir, '../x-0'), resolve(dataDir, '../../etc'), resolve(dataDir, '../../etc-0')]
  const existed = outside.map((path) => existsSync(path))
  const bad = ['../x', '.', '..', 'a'.repeat(250), 'nul\u0000byte', '../../etc', 'a/b', 'x\\y', ' ', '']
  const errors = await metadataErrors(client, bad)
  for (const name of bad) t.is(errors.get(name), INVALID_TOPIC_EXCEPTION, JSON.stringify(name))
  // Produce to them is refused too (no auto-creation through another door).
  for (const name of ['../x', '..', 'nul\u0000byte']) t.not((await produceOne(client, name, batchOf(['v']))).errorCode, 0)
  t.deepEqual(tree(dataDir), before, 'nothing was created in the data directory')
  t.deepEqual(readdirSync(root), ['data'], 'nothing was created next to the data directory')
  t.deepEqual(outside.map((path) => existsSync(path)), existed, 'nothing was created outside it')
  // Vacuity guard: the longest legal name (249) is created by the same request path.
  const longest = 'b'.repeat(249)
  t.is((await metadataErrors(client, [longest])).get(longest), 0)
})
