/** CreateTopics byte by byte: v0 and v4 layouts, per-topic errors, and a hostile array count. */
import test from 'ava'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { frameRequest, listeningBroker, RawClient } from '../helpers/wire.js'

const CREATE_TOPICS = 19

interface NewTopic {
  name: string
  numPartitions?: number
  replicationFactor?: number
  assignments?: Array<[number, number[]]>
  configs?: Array<[string, string | null]>
}

function createTopicsBody(topics: NewTopic[], version: number, validateOnly = false): Buffer {
  const body = new Writer().array(topics, (w, topic) => {
    w.string(topic.name).int32(topic.numPartitions ?? -1).int16(topic.replicationFactor ?? -1)
    w.array(topic.assignments ?? [], (a, [partition, brokerIds]) => a.int32(partition).array(brokerIds, (b, id) => b.int32(id)))
    w.array(topic.configs ?? [], (c, [name, value]) => c.string(name).nullableString(value))
  })
  body.int32(30_000)
  if (version >= 1) body.boolean(validateOnly)
  return body.toBuffer()
}

/** Every field of a response: [name, error_code] (v0) or throttle and [name, error_code, error_message] (v2+). */
function decodeV0(body: Buffer): Array<[string, number]> {
  const reader = new Reader(body)
  const topics = reader.array((r): [string, number] => [r.string(), r.int16()], 4)
  reader.expectEnd('CreateTopics v0 response')
  return topics
}

function decodeV4(body: Buffer): { throttleTimeMs: number; topics: Array<[string, number, string | null]> } {
  const reader = new Reader(body)
  const throttleTimeMs = reader.int32()
  const topics = reader.array((r): [string, number, string | null] => [r.string(), r.int16(), r.nullableString()], 6)
  reader.expectEnd('CreateTopics v4 response')
  return { throttleTimeMs, topics }
}

test('CreateTopics v0: one error code per topic, in request order; the valid topics are created', async (t) => {
  const { broker, port } = await listeningBroker(t)
  const raw = await RawClient.open(t, port)
  const response = await raw.request(
    CREATE_TOPICS,
    0,
    createTopicsBody(
      [
        { name: 'counted', numPartitions: 2, replicationFactor: 1 },
        { name: 'assigned', assignments: [[1, [1]], [0, [1]]], configs: [['cleanup.policy', 'compact']] },
        { name: 'twice' },
        { name: 'three-replicas', numPartitions: 1, replicationFactor: 3 },
        { name: 'bad name!' },
        { name: 'other-node', assignments: [[0, [2]]] },
        { name: 'twice', numPartitions: 2 },
      ],
      0,
    ),
  )
  t.deepEqual(decodeV0(response), [
    ['counted', 0],
    ['assigned', 0],
    ['twice', 42],
    ['three-replicas', 38],
    ['bad name!', 17],
    ['other-node', 39],
  ])
  t.deepEqual(broker.metadata.listTopics().map((topic) => [topic.name, topic.partitions, { ...topic.configs }]), [
    ['assigned', 2, { 'cleanup.policy': 'compact' }],
    ['counted', 2, {}],
  ])
})

test('CreateTopics v4: throttle time, and per topic the error code and Kafka\'s message', async (t) => {
  const { broker, port } = await listeningBroker(t, {}, { numPartitions: 3 })
  await broker.admin().createTopics({ topics: [{ topic: 'existing' }, { topic: 'a.b' }] })
  const raw = await RawClient.open(t, port)
  const created = decodeV4(
    await raw.request(
      CREATE_TOPICS,
      4,
      createTopicsBody(
        [
          { name: 'server-defaults' },
          { name: 'existing' },
          { name: 'a_b' },
          { name: 'null-config', configs: [['retention.ms', null]] },
          { name: 'inert-configs', configs: [['min.insync.replicas', '1'], ['unclean.leader.election.enable', 'TRUE']] },
          { name: 'two-insync', configs: [['min.insync.replicas', '2']] },
          { name: 'zero-partitions', numPartitions: 0 },
          { name: 'too-many', numPartitions: 10_001 },
          { name: 'zero-replicas', replicationFactor: 0 },
          { name: 'both', numPartitions: 1, assignments: [[0, [1]]] },
          { name: 'gap', assignments: [[0, [1]], [2, [1]]] },
          { name: 'same-broker-twice', assignments: [[0, [1, 1]]] },
          { name: 'no-replicas', assignments: [[0, []]] },
        ],
        4,
      ),
    ),
  )
  t.deepEqual(created, {
    throttleTimeMs: 0,
    topics: [
      ['server-defaults', 0, null],
      ['existing', 36, "Topic 'existing' already exists."],
      ['a_b', 17, "Topic 'a_b' collides with existing topic: a.b"],
      ['null-config', 40, 'Null value not supported for topic configs: retention.ms'],
      ['inert-configs', 0, null],
      ['two-insync', 40, 'Invalid value "2" for configuration min.insync.replicas: value must be no more than 1'],
      ['zero-partitions', 37, 'Number of partitions was set to an invalid non-positive value.'],
      ['too-many', 37, 'Number of partitions must be an integer from 1 to 10000, got 10001'],
      ['zero-replicas', 38, 'Replication factor must be larger than 0, or -1 to use the default value.'],
      ['both', 42, 'A manual partition assignment was specified, but numPartitions was not set to -1.'],
      ['gap', 39, 'partitions should be a consecutive 0-based integer sequence'],
      ['same-broker-twice', 39, 'The manual partition assignment includes the broker 1 more than once.'],
      ['no-replicas', 39, 'The manual partition assignment includes an empty replica list.'],
    ],
  })
  t.is(broker.metadata.getTopic('server-defaults')!.partitions, 3, 'num_partitions -1 is the listener\'s num.partitions')
  t.deepEqual({ ...broker.metadata.getTopic('inert-configs')!.configs }, { 'min.insync.replicas': '1', 'unclean.leader.election.enable': 'true' })

  const dryRun = decodeV4(
    await raw.request(CREATE_TOPICS, 4, createTopicsBody([{ name: 'dry', numPartitions: 4 }, { name: 'dry-flush', configs: [['flush.ms', '1']] }], 4, true)),
  )
  t.deepEqual(dryRun.topics, [
    ['dry', 0, null],
    ['dry-flush', 40, 'Unknown topic config name: "flush.ms"'],
  ])
  t.is(broker.metadata.getTopic('dry'), undefined, 'validate_only creates nothing')
})

test('a CreateTopics v0 body claiming 2^31-1 topics in 10 bytes closes the connection, and the broker still serves others', async (t) => {
  const { broker, port } = await listeningBroker(t)
  const hostile = await RawClient.open(t, port)
  const body = Buffer.alloc(10)
  body.writeInt32BE(0x7fffffff, 0)
  hostile.write(frameRequest(CREATE_TOPICS, 0, 1, body))
  await hostile.closed
  t.deepEqual(broker.metadata.listTopics(), [])

  const next = await RawClient.open(t, port)
  t.deepEqual(decodeV0(await next.request(CREATE_TOPICS, 0, createTopicsBody([{ name: 'after', numPartitions: 1 }], 0))), [['after', 0]])
})

test('a CreateTopics body with bytes after validate_only closes the connection', async (t) => {
  const { port } = await listeningBroker(t)
  const raw = await RawClient.open(t, port)
  raw.write(frameRequest(CREATE_TOPICS, 1, 1, Buffer.concat([createTopicsBody([{ name: 'x' }], 1), Buffer.from([0])])))
  await raw.closed
  t.pass()
})
