import * as nodeFs from 'node:fs'
import * as path from 'node:path'
import test from 'ava'
import { isBrokerError } from '../../src/errors.js'
import { LIMITS } from '../../src/limits.js'
import { MetadataStore } from '../../src/metadata/metadata-store.js'
import { contentOf, tempDir } from './helpers.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return isBrokerError(error) ? error.code : `not a BrokerError: ${String(error)}`
  }
  return undefined
}

test('a fresh data directory opens empty at generation 0 and is created with mode 0700', (t) => {
  const dataDir = path.join(tempDir(t), 'nested', 'data')
  const store = MetadataStore.open(dataDir)
  t.is(store.generation, 0)
  t.deepEqual(store.listTopics(), [])
  t.deepEqual(store.recoveryNotes(), [])
  t.is(nodeFs.statSync(dataDir).mode & 0o777, 0o700)
  // Nothing is written until the first mutation.
  t.deepEqual(nodeFs.readdirSync(dataDir), [])
})

test('create, list, get, delete, grow and alter survive a reopen with equal content', (t) => {
  const dataDir = tempDir(t)
  const store = MetadataStore.open(dataDir)
  const orders = store.createTopic({ name: 'orders', partitions: 3, configs: [{ name: 'retention.ms', value: '86400000' }] })
  t.is(orders.name, 'orders')
  t.is(orders.partitions, 3)
  t.regex(orders.topicId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  t.deepEqual({ ...orders.configs }, { 'retention.ms': '86400000' })
  t.true(Number.isSafeInteger(orders.createdAtMs))
  store.createTopic({ name: 'events', partitions: 1 })
  store.createTopic({ name: 'doomed', partitions: 2 })
  t.is(store.generation, 3)

  t.deepEqual(store.listTopics().map((topic) => topic.name), ['doomed', 'events', 'orders'])
  t.is(store.getTopic('orders'), orders)
  t.is(store.getTopic('missing'), undefined)

  t.is(store.deleteTopic('doomed').name, 'doomed')
  const grown = store.setPartitionCount('events', 4)
  t.is(grown.partitions, 4)
  t.is(grown.topicId, store.getTopic('events')!.topicId)
  const altered = store.alterConfigs('orders', [{ name: 'cleanup.policy', value: 'compact' }])
  // Kafka's AlterConfigs replaces the whole set of overrides.
  t.deepEqual({ ...altered.configs }, { 'cleanup.policy': 'compact' })
  t.is(altered.topicId, orders.topicId)
  t.is(store.generation, 6)

  const reopened = MetadataStore.open(dataDir)
  t.is(reopened.generation, 6)
  t.deepEqual(contentOf(reopened.listTopics()), contentOf(store.listTopics()))
  t.deepEqual(reopened.recoveryNotes(), [])
  // Two generation files, no temp files, all private.
  t.deepEqual(nodeFs.readdirSync(dataDir).sort(), ['metadata.0', 'metadata.1'])
  for (const file of ['metadata.0', 'metadata.1']) t.is(nodeFs.statSync(path.join(dataDir, file)).mode & 0o777, 0o600)
})

test('incrementalAlterConfigs sets and deletes single keys', (t) => {
  const dataDir = tempDir(t)
  const store = MetadataStore.open(dataDir)
  store.createTopic({ name: 't', partitions: 1, configs: [{ name: 'retention.ms', value: '1000' }, { name: 'segment.ms', value: '5000' }] })
  const record = store.incrementalAlterConfigs('t', [
    { name: 'retention.ms', op: 'delete' },
    { name: 'max.message.bytes', op: 'set', value: '2048' },
  ])
  t.deepEqual({ ...record.configs }, { 'segment.ms': '5000', 'max.message.bytes': '2048' })
  t.deepEqual({ ...MetadataStore.open(dataDir).getTopic('t')!.configs }, { 'segment.ms': '5000', 'max.message.bytes': '2048' })
  t.is(codeOf(() => store.incrementalAlterConfigs('t', [{ name: 'nope', op: 'delete' }])), 'INVALID_CONFIG')
  t.is(codeOf(() => store.incrementalAlterConfigs('t', [{ name: 'segment.ms', op: 'set', value: '0' }])), 'INVALID_CONFIG')
  t.is(codeOf(() => store.incrementalAlterConfigs('t', [{ name: 'segment.ms', op: 'append' } as never])), 'INVALID_CONFIG')
  t.is(codeOf(() => store.incrementalAlterConfigs('t', [{ name: 'segment.ms', op: 'delete' }, { name: 'segment.ms', op: 'delete' }])), 'INVALID_CONFIG')
  t.deepEqual({ ...store.getTopic('t')!.configs }, { 'segment.ms': '5000', 'max.message.bytes': '2048' })
})

test('a topic deleted and re-created gets a new topic id', (t) => {
  const store = MetadataStore.open(tempDir(t))
  const first = store.createTopic({ name: 'a', partitions: 1 })
  store.deleteTopic('a')
  const second = store.createTopic({ name: 'a', partitions: 1 })
  t.not(second.topicId, first.topicId)
})

test('records handed out are frozen', (t) => {
  const store = MetadataStore.open(tempDir(t))
  const record = store.createTopic({ name: 'a', partitions: 1, configs: [{ name: 'segment.ms', value: '10' }] })
  t.true(Object.isFrozen(record))
  t.true(Object.isFrozen(record.configs))
  t.throws(() => {
    ;(record as { partitions: number }).partitions = 99
  })
  t.is(store.getTopic('a')!.partitions, 1)
})

test('validation errors are typed and change nothing', (t) => {
  const dataDir = tempDir(t)
  const store = MetadataStore.open(dataDir)
  store.createTopic({ name: 'a.b', partitions: 2 })
  const before = contentOf(store.listTopics())

  t.is(codeOf(() => store.createTopic({ name: '../x', partitions: 1 })), 'INVALID_TOPIC_NAME')
  t.is(codeOf(() => store.createTopic({ name: '..', partitions: 1 })), 'INVALID_TOPIC_NAME')
  t.is(codeOf(() => store.createTopic({ name: 'a.b', partitions: 1 })), 'TOPIC_ALREADY_EXISTS')
  // Kafka: a name equal to an existing one once '.' becomes '_' collides.
  t.is(codeOf(() => store.createTopic({ name: 'a_b', partitions: 1 })), 'INVALID_TOPIC_NAME')
  for (const partitions of [0, -1, 1.5, NaN, LIMITS.maxPartitionsPerTopic + 1, '3', undefined]) {
    t.is(codeOf(() => store.createTopic({ name: 'c', partitions: partitions as number })), 'INVALID_PARTITIONS', String(partitions))
  }
  t.is(codeOf(() => store.createTopic({ name: 'c', partitions: 1, configs: [{ name: 'retention.ms', value: 'x' }] })), 'INVALID_CONFIG')
  t.is(codeOf(() => store.createTopic({ name: 'c', partitions: 1, configs: [{ name: 'bogus', value: '1' }] })), 'INVALID_CONFIG')
  t.is(codeOf(() => store.createTopic(null as never)), 'INVALID_REQUEST')
  t.is(codeOf(() => store.createTopic('c' as never)), 'INVALID_REQUEST')

  t.is(codeOf(() => store.deleteTopic('missing')), 'UNKNOWN_TOPIC_OR_PARTITION')
  t.is(codeOf(() => store.deleteTopic(undefined as never)), 'UNKNOWN_TOPIC_OR_PARTITION')
  t.is(codeOf(() => store.setPartitionCount('missing', 3)), 'UNKNOWN_TOPIC_OR_PARTITION')
  t.is(codeOf(() => store.alterConfigs('missing', [])), 'UNKNOWN_TOPIC_OR_PARTITION')
  t.is(codeOf(() => store.alterConfigs('a.b', [{ name: 'segment.bytes', value: '1' }])), 'INVALID_CONFIG')

  const decrease = t.throws(() => store.setPartitionCount('a.b', 1))
  t.is((decrease as { code?: string }).code, 'INVALID_PARTITIONS')
  t.is(decrease!.message, 'Topic currently has 2 partitions, which is higher than the requested 1.')
  const same = t.throws(() => store.setPartitionCount('a.b', 2))
  t.is(same!.message, 'Topic already has 2 partitions.')
  t.is(codeOf(() => store.setPartitionCount('a.b', LIMITS.maxPartitionsPerTopic + 1)), 'INVALID_PARTITIONS')
  t.is(codeOf(() => store.setPartitionCount('a.b', 2.5)), 'INVALID_PARTITIONS')

  t.is(store.generation, 1)
  t.deepEqual(contentOf(store.listTopics()), before)
  t.deepEqual(contentOf(MetadataStore.open(dataDir).listTopics()), before)
})

test('validateOnly checks everything and writes nothing', (t) => {
  const dataDir = tempDir(t)
  const store = MetadataStore.open(dataDir)
  store.createTopic({ name: 'a', partitions: 1 })
  const wouldBe = store.createTopic({ name: 'b', partitions: 2 }, { validateOnly: true })
  t.is(wouldBe.partitions, 2)
  t.is(store.setPartitionCount('a', 5, { validateOnly: true }).partitions, 5)
  t.deepEqual({ ...store.alterConfigs('a', [{ name: 'segment.ms', value: '9' }], { validateOnly: true }).configs }, { 'segment.ms': '9' })
  t.is(codeOf(() => store.createTopic({ name: 'a', partitions: 1 }, { validateOnly: true })), 'TOPIC_ALREADY_EXISTS')
  t.is(store.generation, 1)
  t.deepEqual(store.listTopics().map((topic) => [topic.name, topic.partitions, { ...topic.configs }]), [['a', 1, {}]])
})

test('generations alternate between the two files and the other file keeps the previous one', (t) => {
  const dataDir = tempDir(t)
  const store = MetadataStore.open(dataDir)
  for (let i = 1; i <= 5; i += 1) {
    store.createTopic({ name: `t${i}`, partitions: 1 })
    const header = (file: string) => nodeFs.readFileSync(path.join(dataDir, file), 'latin1').split('\n', 1)[0]
    t.regex(header(`metadata.${(i - 1) % 2}`), new RegExp(`^BROOKMETA 1 ${i} \\d+ [0-9a-f]{8}$`))
    if (i > 1) t.regex(header(`metadata.${i % 2}`), new RegExp(`^BROOKMETA 1 ${i - 1} `))
  }
})

test('two hundred topics reopen intact', (t) => {
  const dataDir = tempDir(t)
  const store = MetadataStore.open(dataDir)
  for (let i = 0; i < 200; i += 1) store.createTopic({ name: `topic-${String(i).padStart(5, '0')}`, partitions: 1 + (i % 8) })
  const reopened = MetadataStore.open(dataDir)
  t.is(reopened.generation, 200)
  t.deepEqual(contentOf(reopened.listTopics()), contentOf(store.listTopics()))
})
