/** DeleteTopics (v0, v3) and CreatePartitions (v0) byte by byte. */
import { readdirSync } from 'node:fs'
import test from 'ava'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { listeningBroker, RawClient } from '../helpers/wire.js'

const DELETE_TOPICS = 20
const CREATE_PARTITIONS = 37

function deleteTopicsBody(names: string[]): Buffer {
  return new Writer().array(names, (w, name) => w.string(name)).int32(30_000).toBuffer()
}

/** v0: [name, error_code]; v1–3: throttle_time_ms first. */
function decodeDeleteTopics(body: Buffer, version: number): { throttleTimeMs?: number; topics: Array<[string, number]> } {
  const reader = new Reader(body)
  const throttleTimeMs = version >= 1 ? reader.int32() : undefined
  const topics = reader.array((r): [string, number] => [r.string(), r.int16()], 4)
  reader.expectEnd('DeleteTopics response')
  return version >= 1 ? { throttleTimeMs, topics } : { topics }
}

function createPartitionsBody(topics: Array<[string, number, number[][] | null]>, validateOnly: boolean): Buffer {
  return new Writer()
    .array(topics, (w, [name, count, assignments]) => w.string(name).int32(count).nullableArray(assignments, (a, brokerIds) => a.array(brokerIds, (b, id) => b.int32(id))))
    .int32(30_000)
    .boolean(validateOnly)
    .toBuffer()
}

function decodeCreatePartitions(body: Buffer): { throttleTimeMs: number; topics: Array<[string, number, string | null]> } {
  const reader = new Reader(body)
  const throttleTimeMs = reader.int32()
  const topics = reader.array((r): [string, number, string | null] => [r.string(), r.int16(), r.nullableString()], 6)
  reader.expectEnd('CreatePartitions response')
  return { throttleTimeMs, topics }
}

test('DeleteTopics v0 and v3: a code per topic; unknown, duplicated and internal topics are not deleted', async (t) => {
  const { broker, port } = await listeningBroker(t)
  const admin = broker.admin()
  await admin.createTopics({ topics: [{ topic: 'gone', numPartitions: 2 }, { topic: 'doubled' }, { topic: 'later' }, { topic: '__consumer_offsets' }] })
  const raw = await RawClient.open(t, port)

  const v0 = decodeDeleteTopics(await raw.request(DELETE_TOPICS, 0, deleteTopicsBody(['gone', 'missing', '__consumer_offsets', 'doubled', 'doubled'])), 0)
  t.deepEqual(v0, {
    topics: [
      ['gone', 0],
      ['missing', 3],
      ['__consumer_offsets', 29],
      ['doubled', 42],
    ],
  })
  t.deepEqual(broker.metadata.listTopics().map((topic) => topic.name), ['__consumer_offsets', 'doubled', 'later'])
  t.deepEqual(readdirSync(broker.dataDir).filter((name) => name.startsWith('gone-')), [])

  const v3 = decodeDeleteTopics(await raw.request(DELETE_TOPICS, 3, deleteTopicsBody(['later', 'bad/name'])), 3)
  t.deepEqual(v3, { throttleTimeMs: 0, topics: [['later', 0], ['bad/name', 3]] })
  t.deepEqual(broker.metadata.listTopics().map((topic) => topic.name), ['__consumer_offsets', 'doubled'])
})

test('CreatePartitions v0: grows each topic on its own, with or without an assignment; validate_only changes nothing', async (t) => {
  const { broker, port } = await listeningBroker(t)
  await broker.admin().createTopics({
    topics: ['grow', 'grow-assigned', 'wrong-count', 'other-node', 'shrink', 'same'].map((topic) => ({ topic, numPartitions: topic.startsWith('s') ? 2 : 1 })),
  })
  const raw = await RawClient.open(t, port)
  const grown = decodeCreatePartitions(
    await raw.request(
      CREATE_PARTITIONS,
      0,
      createPartitionsBody(
        [
          ['grow', 3, null],
          ['grow-assigned', 3, [[1], [1]]],
          ['wrong-count', 3, [[1]]],
          ['other-node', 2, [[2]]],
          ['shrink', 1, null],
          ['same', 2, null],
          ['missing', 2, null],
          ['grow', 4, null],
        ],
        false,
      ),
    ),
  )
  t.deepEqual(grown, {
    throttleTimeMs: 0,
    topics: [
      ['grow', 42, 'Duplicate topic name.'],
      ['grow-assigned', 0, null],
      ['wrong-count', 39, 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.'],
      ['other-node', 39, 'The manual partition assignment includes broker 2, but no such broker is registered.'],
      ['shrink', 37, 'Topic currently has 2 partitions, which is higher than the requested 1.'],
      ['same', 37, 'Topic already has 2 partitions.'],
      ['missing', 3, "The topic 'missing' does not exist."],
    ],
  })
  const counts = () => Object.fromEntries(broker.metadata.listTopics().map((topic) => [topic.name, topic.partitions]))
  t.deepEqual(counts(), { grow: 1, 'grow-assigned': 3, 'wrong-count': 1, 'other-node': 1, shrink: 2, same: 2 })

  const dryRun = decodeCreatePartitions(await raw.request(CREATE_PARTITIONS, 1, createPartitionsBody([['grow', 10, null]], true)))
  t.deepEqual(dryRun, { throttleTimeMs: 0, topics: [['grow', 0, null]] })
  t.is(counts().grow, 1)
  const real = decodeCreatePartitions(await raw.request(CREATE_PARTITIONS, 1, createPartitionsBody([['grow', 10, null]], false)))
  t.deepEqual(real.topics, [['grow', 0, null]])
  t.is(counts().grow, 10)
  t.is((await broker.admin().fetchTopicOffsets('grow')).length, 10)
})
