import test from 'ava'
import { Broker, isBrokerError, type BrokerError, type BrokerErrorCode } from '../../src/index.js'
import { openBroker, readAll } from '../helpers/broker.js'
import { tempDir } from '../helpers/temp-dir.js'

async function rejectsWith(t: import('ava').ExecutionContext, promise: Promise<unknown> | (() => unknown), code: BrokerErrorCode) {
  const error = await t.throwsAsync(async () => (typeof promise === 'function' ? promise() : promise))
  t.true(isBrokerError(error), `expected a BrokerError, got ${String(error)}`)
  t.is((error as BrokerError).code, code, (error as Error).message)
}

test('unknown topics and partitions are typed errors', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'known', numPartitions: 2 }] })
  await rejectsWith(t, broker.producer().send({ topic: 'missing', messages: [{ value: 'x' }] }), 'UNKNOWN_TOPIC_OR_PARTITION')
  await rejectsWith(t, broker.producer().send({ topic: 'known', messages: [{ value: 'x', partition: 2 }] }), 'UNKNOWN_TOPIC_OR_PARTITION')
  await rejectsWith(t, broker.producer().send({ topic: 'known', messages: [{ value: 'x', partition: -1 }] }), 'UNKNOWN_TOPIC_OR_PARTITION')
  await rejectsWith(t, broker.fetch({ topic: 'known', partition: 7, offset: 0 }), 'UNKNOWN_TOPIC_OR_PARTITION')
  await rejectsWith(t, broker.fetch({ topic: 'missing', partition: 0, offset: 0 }), 'UNKNOWN_TOPIC_OR_PARTITION')
  await rejectsWith(t, broker.admin().fetchTopicOffsets('missing'), 'UNKNOWN_TOPIC_OR_PARTITION')
  await rejectsWith(t, broker.admin().deleteTopics({ topics: ['missing'] }), 'UNKNOWN_TOPIC_OR_PARTITION')
})

test('invalid topic names are refused before they become paths', async (t) => {
  const broker = await openBroker(t)
  for (const topic of ['', '.', '..', '../escape', 'a/b', 'spaces here', 'x'.repeat(250), 'ünïcode']) {
    await rejectsWith(t, broker.admin().createTopics({ topics: [{ topic, numPartitions: 1 }] }), 'INVALID_TOPIC_NAME')
  }
  t.deepEqual(await broker.admin().listTopics(), [])
  t.true(await broker.admin().createTopics({ topics: [{ topic: 'x'.repeat(249), numPartitions: 1 }] }))
})

test('bad partition counts and configs are refused and nothing is created', async (t) => {
  const broker = await openBroker(t)
  const admin = broker.admin()
  await rejectsWith(t, admin.createTopics({ topics: [{ topic: 'p0', numPartitions: 0 }] }), 'INVALID_PARTITIONS')
  await rejectsWith(t, admin.createTopics({ topics: [{ topic: 'p1', numPartitions: 1.5 }] }), 'INVALID_PARTITIONS')
  await rejectsWith(t, admin.createTopics({ topics: [{ topic: 'c1', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }), 'INVALID_CONFIG')
  await rejectsWith(t, admin.createTopics({ topics: [{ topic: 'c2', configEntries: [{ name: 'no.such.config', value: '1' }] }] }), 'INVALID_CONFIG')
  await rejectsWith(t, admin.createTopics({ topics: [{ topic: 'ok' }, { topic: 'bad name' }] }), 'INVALID_TOPIC_NAME')
  t.deepEqual(await admin.listTopics(), [])
  await admin.createTopics({ topics: [{ topic: 'ok', numPartitions: 3 }] })
  await rejectsWith(t, admin.createPartitions({ topicPartitions: [{ topic: 'ok', count: 2 }] }), 'INVALID_PARTITIONS')
})

test('values that are not a Buffer, string or null are refused and nothing of the send is written', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'vals', numPartitions: 1 }] })
  const producer = broker.producer()
  for (const value of [42, { a: 1 }, [1, 2], true, Symbol('s')]) {
    await rejectsWith(t, producer.send({ topic: 'vals', messages: [{ value: 'fine' }, { value: value as never }] }), 'INVALID_RECORD')
  }
  await rejectsWith(t, producer.send({ topic: 'vals', messages: [{ key: 12 as never, value: 'x' }] }), 'INVALID_RECORD')
  await rejectsWith(t, producer.send({ topic: 'vals', messages: [{ value: 'x', headers: { h: 5 as never } }] }), 'INVALID_RECORD')
  await rejectsWith(t, producer.send({ topic: 'vals', messages: [{ value: 'x', timestamp: 'yesterday' }] }), 'INVALID_RECORD')
  await rejectsWith(t, producer.send({ topic: 'vals', messages: [] }), 'INVALID_REQUEST')
  await rejectsWith(t, producer.send({ topic: 'vals', messages: [{ value: 'x' }], acks: 2 as never }), 'INVALID_REQUEST')
  t.is((await broker.admin().fetchTopicOffsets('vals'))[0].high, '0')
  await producer.send({ topic: 'vals', messages: [{ value: Buffer.from('ok') }, { value: new Uint8Array([1, 2]) }, { value: null }] })
  t.is((await readAll(broker, 'vals', 0)).length, 3)
})

test('a message larger than max.message.bytes is refused whole', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'size', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] }] })
  await rejectsWith(t, broker.producer().send({ topic: 'size', messages: [{ value: 'small' }, { value: Buffer.alloc(2000) }] }), 'MESSAGE_TOO_LARGE')
  t.is((await broker.admin().fetchTopicOffsets('size'))[0].high, '0')
})

test('bad fetch arguments are typed errors', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'f', numPartitions: 1 }] })
  await broker.producer().send({ topic: 'f', messages: [{ value: 'a' }] })
  await rejectsWith(t, broker.fetch({ topic: 'f', partition: 0, offset: -1 }), 'INVALID_REQUEST')
  await rejectsWith(t, broker.fetch({ topic: 'f', partition: 0, offset: 'abc' }), 'INVALID_REQUEST')
  await rejectsWith(t, broker.fetch({ topic: 'f', partition: 0, offset: 5 }), 'OFFSET_OUT_OF_RANGE')
})

test('every call after close() rejects with BROKER_CLOSED and the data stays', async (t) => {
  const dataDir = tempDir(t)
  const broker = await Broker.open({ dataDir, workers: 1 })
  await broker.admin().createTopics({ topics: [{ topic: 'c', numPartitions: 1 }] })
  const producer = broker.producer()
  await producer.send({ topic: 'c', messages: [{ value: 'kept' }] })
  const admin = broker.admin()
  await broker.close()
  await rejectsWith(t, producer.send({ topic: 'c', messages: [{ value: 'x' }] }), 'BROKER_CLOSED')
  await rejectsWith(t, broker.fetch({ topic: 'c', partition: 0, offset: 0 }), 'BROKER_CLOSED')
  await rejectsWith(t, admin.listTopics(), 'BROKER_CLOSED')
  await rejectsWith(t, () => broker.producer(), 'BROKER_CLOSED')
  await rejectsWith(t, () => broker.admin(), 'BROKER_CLOSED')
  const reopened = await Broker.open({ dataDir, workers: 1 })
  t.teardown(() => reopened.close())
  t.deepEqual((await readAll(reopened, 'c', 0)).map((r) => r.value!.toString()), ['kept'])
})

test('Broker.open refuses bad options', async (t) => {
  await rejectsWith(t, Broker.open({} as never), 'INVALID_REQUEST')
  await rejectsWith(t, Broker.open({ dataDir: tempDir(t), workers: 0 }), 'INVALID_REQUEST')
})
