/** The topic admin APIs driven by kafkajs's admin client, as an application would use them. */
import { readdirSync } from 'node:fs'
import test, { type ExecutionContext } from 'ava'
import type { Admin } from 'kafkajs'
import { ConfigResourceTypes } from '../../src/admin.js'
import { listeningBroker, type ListeningBroker } from '../helpers/wire.js'

async function adminOf(t: ExecutionContext, listening: ListeningBroker): Promise<Admin> {
  const admin = listening.kafka().admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  return admin
}

/** [topic, error type] of each KafkaJSCreateTopicError in kafkajs's aggregate error, sorted. */
function topicErrors(error: unknown): Array<[string, string]> {
  const { errors } = error as { errors: Array<{ topic: string; type: string }> }
  return errors.map(({ topic, type }): [string, string] => [topic, type]).sort()
}

/** What kafkajs's admin reports for a partition of brook's node `nodeId`. */
function partitionsOn(nodeId: number, count: number) {
  return Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: nodeId, replicas: [nodeId], isr: [nodeId], offlineReplicas: [] }))
}

test('createTopics creates each topic with its partitions and configs; listTopics and fetchTopicMetadata show them', async (t) => {
  const listening = await listeningBroker(t, {}, { numPartitions: 2 })
  const admin = await adminOf(t, listening)
  const created = await admin.createTopics({
    topics: [
      { topic: 'orders', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'compression.type', value: 'producer' }, { name: 'min.insync.replicas', value: '1' }] },
      { topic: 'server-default' },
      { topic: 'one-replica', numPartitions: 1, replicationFactor: 1 },
    ],
  })
  t.true(created)
  t.deepEqual((await admin.listTopics()).sort(), ['one-replica', 'orders', 'server-default'])
  const { topics } = await admin.fetchTopicMetadata({ topics: ['orders', 'server-default', 'one-replica'] })
  t.deepEqual(
    topics.sort((a, b) => a.name.localeCompare(b.name)),
    [
      { name: 'one-replica', partitions: partitionsOn(1, 1) },
      { name: 'orders', partitions: partitionsOn(1, 3) },
      { name: 'server-default', partitions: partitionsOn(1, 2) },
    ],
  )
  t.deepEqual({ ...listening.broker.metadata.getTopic('orders')!.configs }, { 'retention.ms': '3600000', 'compression.type': 'producer', 'min.insync.replicas': '1' })
  t.false(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 5 }] }), 'an existing topic is left as it is')
  t.is(listening.broker.metadata.getTopic('orders')!.partitions, 3)
})

test('createTopics reports each bad topic on its own and creates the good ones', async (t) => {
  const listening = await listeningBroker(t)
  const admin = await adminOf(t, listening)
  await admin.createTopics({ topics: [{ topic: 'existing' }] })
  const error = await t.throwsAsync(
    admin.createTopics({
      topics: [
        { topic: 'good' },
        { topic: 'bad/name' },
        { topic: 'three-replicas', replicationFactor: 3 },
        { topic: 'unknown-config', configEntries: [{ name: 'flush.ms', value: '1' }] },
        { topic: 'gzip-recompression', configEntries: [{ name: 'compression.type', value: 'gzip' }] },
        { topic: 'existing' },
      ],
    }),
  )
  t.deepEqual(topicErrors(error), [
    ['bad/name', 'INVALID_TOPIC_EXCEPTION'],
    ['existing', 'TOPIC_ALREADY_EXISTS'],
    ['gzip-recompression', 'INVALID_CONFIG'],
    ['three-replicas', 'INVALID_REPLICATION_FACTOR'],
    ['unknown-config', 'INVALID_CONFIG'],
  ])
  t.deepEqual((await admin.listTopics()).sort(), ['existing', 'good'])

  const duplicate = await t.throwsAsync(admin.createTopics({ topics: [{ topic: 'twice' }, { topic: 'twice' }] }))
  t.regex(duplicate!.message, /multiple entries for the same topic/, 'kafkajs refuses duplicates itself; the broker does too (raw tests)')
})

test('createTopics with validateOnly checks everything and creates nothing', async (t) => {
  const listening = await listeningBroker(t)
  const admin = await adminOf(t, listening)
  t.true(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-run', numPartitions: 4 }] }))
  const error = await t.throwsAsync(
    admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-bad', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
  )
  t.deepEqual(topicErrors(error), [['dry-bad', 'INVALID_CONFIG']])
  t.deepEqual(await admin.listTopics(), [])
})

test('createPartitions grows a topic, refuses to shrink it, and validateOnly changes nothing', async (t) => {
  const listening = await listeningBroker(t)
  const admin = await adminOf(t, listening)
  await admin.createTopics({ topics: [{ topic: 'growing', numPartitions: 2 }] })
  await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 5 }] })
  t.deepEqual((await admin.fetchTopicMetadata({ topics: ['growing'] })).topics, [{ name: 'growing', partitions: partitionsOn(1, 5) }])
  await listening.broker.producer().send({ topic: 'growing', messages: [{ value: 'to the new partition', partition: 4 }] })
  t.is((await admin.fetchTopicOffsets('growing')).find((p) => p.partition === 4)!.high, '1')

  const shrink = await t.throwsAsync<Error & { type: string }>(admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 3 }] }))
  t.is(shrink!.type, 'INVALID_PARTITIONS')
  await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'growing', count: 9 }] })
  t.is(listening.broker.metadata.getTopic('growing')!.partitions, 5)
})

test('deleteTopics removes the topic and its partition directories', async (t) => {
  const listening = await listeningBroker(t)
  const admin = await adminOf(t, listening)
  await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 3 }, { topic: 'kept' }] })
  await listening.broker.producer().send({ topic: 'doomed', messages: [{ value: 'x', partition: 2 }] })
  const dirsOf = (topic: string) => readdirSync(listening.broker.dataDir).filter((name) => name.startsWith(`${topic}-`)).sort()
  t.deepEqual(dirsOf('doomed'), ['doomed-0', 'doomed-1', 'doomed-2'])
  await admin.deleteTopics({ topics: ['doomed'] })
  t.deepEqual(await admin.listTopics(), ['kept'])
  t.deepEqual(dirsOf('doomed'), [])
  t.deepEqual(dirsOf('kept'), ['kept-0'])
})

test('describeConfigs lists a topic\'s configs and the broker\'s settings', async (t) => {
  const listening = await listeningBroker(t, {}, { numPartitions: 3 })
  const admin = await adminOf(t, listening)
  await admin.createTopics({ topics: [{ topic: 'described', configEntries: [{ name: 'retention.ms', value: '1000' }, { name: 'cleanup.policy', value: 'compact' }] }] })
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: 'described' },
      { type: ConfigResourceTypes.BROKER, name: '1' },
    ],
  })
  const [topic, broker] = resources
  t.like(topic, { errorCode: 0, errorMessage: null, resourceType: ConfigResourceTypes.TOPIC, resourceName: 'described' })
  const entry = (configName: string, configValue: string, isDefault: boolean, readOnly = false) => ({
    configName,
    configValue,
    readOnly,
    isDefault,
    configSource: isDefault ? 5 : readOnly ? 4 : 1,
    isSensitive: false,
    configSynonyms: [],
  })
  t.deepEqual(topic!.configEntries, [
    entry('cleanup.policy', 'compact', false),
    entry('compression.type', 'producer', true),
    entry('index.interval.bytes', '4096', true),
    entry('max.message.bytes', '1048588', true),
    entry('message.timestamp.type', 'CreateTime', true),
    entry('min.insync.replicas', '1', true),
    entry('retention.bytes', '-1', true),
    entry('retention.ms', '1000', false),
    entry('segment.bytes', '1073741824', true),
    entry('segment.ms', '604800000', true),
    entry('unclean.leader.election.enable', 'false', true),
  ])
  t.like(broker, { errorCode: 0, errorMessage: null, resourceType: ConfigResourceTypes.BROKER, resourceName: '1' })
  t.deepEqual(broker!.configEntries, [
    entry('auto.create.topics.enable', 'true', true, true),
    entry('broker.id', '1', true, true),
    entry('compression.type', 'producer', true, true),
    entry('connections.max.idle.ms', '600000', true, true),
    entry('default.replication.factor', '1', true, true),
    entry('log.cleanup.policy', 'delete', true, true),
    entry('log.index.interval.bytes', '4096', true, true),
    entry('log.message.timestamp.type', 'CreateTime', true, true),
    entry('log.retention.bytes', '-1', true, true),
    entry('log.retention.ms', '604800000', true, true),
    entry('log.roll.ms', '604800000', true, true),
    entry('log.segment.bytes', '1073741824', true, true),
    entry('max.connections', '1024', true, true),
    entry('message.max.bytes', '1048588', true, true),
    entry('min.insync.replicas', '1', true, true),
    entry('num.partitions', '3', false, true),
    entry('socket.request.max.bytes', '8388608', true, true),
    entry('unclean.leader.election.enable', 'false', true, true),
  ])
})
