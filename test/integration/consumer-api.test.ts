import test from 'ava'
import { once } from 'node:events'
import { Broker, CONSUMER_EVENTS, isBrokerError, type BrokerError } from '../../src/index.js'
import { openBroker } from '../helpers/broker.js'
import { Recorder, produceNumbered, startMember } from '../helpers/group.js'
import { tempDir } from '../helpers/temp-dir.js'

const code = (error: unknown) => (isBrokerError(error) ? (error as BrokerError).code : `not a BrokerError: ${String(error)}`)

test('bad input: unknown topic, empty groupId, commit beyond the high watermark', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'real', numPartitions: 1 }] })
  t.is(code(t.throws(() => broker.consumer({ groupId: '' }))), 'INVALID_GROUP_ID')
  t.is(code(t.throws(() => broker.consumer({ groupId: 42 as never }))), 'INVALID_GROUP_ID')
  const consumer = broker.consumer({ groupId: 'g' })
  t.is(code(await t.throwsAsync(consumer.subscribe({ topics: ['ghost'] }))), 'UNKNOWN_TOPIC_OR_PARTITION')
  const creating = broker.consumer({ groupId: 'g2', allowAutoTopicCreation: true })
  await creating.subscribe({ topics: ['made-on-subscribe'] })
  t.true((await broker.admin().listTopics()).includes('made-on-subscribe'))
  t.is(code(await t.throwsAsync(consumer.commitOffsets([{ topic: 'real', partition: 0, offset: '5' }]))), 'OFFSET_OUT_OF_RANGE')
  t.deepEqual((await broker.admin().fetchOffsets({ groupId: 'g', topics: ['real'] }))[0].partitions, [{ partition: 0, offset: '-1', metadata: null }])
})

test('a handler that keeps throwing is retried, then CRASH; the record is not skipped and its offset not committed', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'poison', numPartitions: 1 }] })
  await broker.producer().send({ topic: 'poison', messages: [{ value: 'ok-0' }, { value: 'bad' }, { value: 'ok-2' }] })
  const consumer = broker.consumer({ groupId: 'careful', retry: { retries: 2, initialRetryTime: 1 } })
  await consumer.subscribe({ topics: ['poison'], fromBeginning: true })
  const attempts: string[] = []
  const crashed = once(consumer, CONSUMER_EVENTS.CRASH)
  await consumer.run({
    eachMessage: async ({ message }) => {
      attempts.push(String(message.value))
      if (String(message.value) === 'bad') throw new Error('cannot handle bad')
    },
  })
  const [event] = await crashed
  t.is(event.payload.error.message, 'cannot handle bad')
  t.deepEqual(attempts, ['ok-0', 'bad', 'bad', 'bad'])
  await consumer.stop()
  const [committed] = (await broker.admin().fetchOffsets({ groupId: 'careful', topics: ['poison'] }))[0].partitions
  t.is(committed.offset, '1', 'the failing record is where the group resumes')
})

test('a zombie whose session expired cannot commit', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'z', numPartitions: 2 }] })
  await produceNumbered(broker, 'z', 0, 20)
  const recorder = new Recorder('g')
  const zombie = await startMember(broker, recorder, 'zombie', 'z', { groupId: 'zg' })
  const survivor = await startMember(broker, recorder, 'survivor', 'z', { groupId: 'zg' })
  await recorder.until(20)
  const moved = once(survivor, CONSUMER_EVENTS.GROUP_JOIN)
  await zombie.crashForTest()
  await moved
  const error = await t.throwsAsync(zombie.commitOffsets([{ topic: 'z', partition: 0, offset: 1 }]))
  t.true(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'].includes(code(error)), code(error))
  await survivor.disconnect()
})

test('two live consumers with one groupInstanceId: the newer fences the older (CRASH with FENCED_INSTANCE_ID)', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'dup', numPartitions: 2 }] })
  const recorder = new Recorder('g')
  const older = await startMember(broker, recorder, 'older', 'dup', { groupId: 'same', groupInstanceId: 'pod-1', sessionTimeoutMs: 5000 })
  while (older.assignment().length === 0) await once(older, CONSUMER_EVENTS.GROUP_JOIN)
  const fenced = once(older, CONSUMER_EVENTS.CRASH)
  const newer = await startMember(broker, recorder, 'newer', 'dup', { groupId: 'same', groupInstanceId: 'pod-1', sessionTimeoutMs: 5000 })
  const [event] = await fenced
  t.is(code(event.payload.error), 'FENCED_INSTANCE_ID')
  await newer.disconnect()
})

test('partitions added to a subscribed topic reach the group without a restart', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'growing', numPartitions: 2 }] })
  const recorder = new Recorder('g')
  const consumer = await startMember(broker, recorder, 'only', 'growing', { groupId: 'grow' })
  while (consumer.assignment().length === 0) await once(consumer, CONSUMER_EVENTS.GROUP_JOIN)
  await broker.admin().createPartitions({ topicPartitions: [{ topic: 'growing', count: 4 }] })
  while (consumer.assignment()[0].partitions.length < 4) await once(consumer, CONSUMER_EVENTS.GROUP_JOIN)
  await broker.producer().send({ topic: 'growing', messages: [{ value: 'to-3', partition: 3 }] })
  await recorder.until(1)
  t.deepEqual(recorder.seen.map((entry) => [entry.partition, entry.value]), [[3, 'to-3']])
  await consumer.disconnect()
})

test('eachBatch, the async iterator, and manual commits with exact lag figures', async (t) => {
  let now = 1_700_000_000_000
  const broker = await openBroker(t, { clock: () => now })
  const admin = broker.admin()
  await admin.createTopics({ topics: [{ topic: 'lag', numPartitions: 1 }] })
  await broker.producer().send({ topic: 'lag', messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, timestamp: String(now - 60_000 + i) })) })

  const batches = broker.consumer({ groupId: 'batcher' })
  await batches.subscribe({ topics: ['lag'], fromBeginning: true })
  const gotBatch = once(batches, CONSUMER_EVENTS.COMMIT_OFFSETS)
  const sizes: number[] = []
  await batches.run({
    autoCommit: true,
    eachBatch: async ({ batch, resolveOffset }) => {
      sizes.push(batch.messages.length)
      // Process only the first four records of the batch.
      for (const message of batch.messages.slice(0, 4)) resolveOffset(message.offset)
    },
    eachBatchAutoResolve: false,
  })
  await gotBatch
  await batches.stop()
  t.true(sizes[0] >= 4)
  const lag = await admin.fetchGroupLag('batcher')
  t.deepEqual(lag, [{ topic: 'lag', partition: 0, committedOffset: 4, highWatermark: 10, lag: 6, oldestUnconsumedAgeMs: 60_000 - 4 }])

  // The iterator resumes from the commit; leaving the loop commits what the loop body finished.
  const iterating = broker.consumer({ groupId: 'batcher' })
  await iterating.subscribe({ topics: ['lag'] })
  const values: string[] = []
  for await (const { message } of iterating) {
    values.push(String(message.value))
    if (values.length === 3) break
  }
  t.deepEqual(values, ['r4', 'r5', 'r6'])
  t.is((await admin.fetchGroupLag('batcher'))[0].committedOffset, 7)
  now += 1000
})

test('committed offsets survive a broker close and reopen', async (t) => {
  const dataDir = tempDir(t)
  const first = await Broker.open({ dataDir, workers: 1 })
  await first.admin().createTopics({ topics: [{ topic: 'keep', numPartitions: 2 }] })
  await produceNumbered(first, 'keep', 0, 50)
  const consumer = first.consumer({ groupId: 'durable' })
  await consumer.commitOffsets([{ topic: 'keep', partition: 0, offset: 7 }, { topic: 'keep', partition: 1, offset: '3' }])
  await first.close()
  const second = await Broker.open({ dataDir, workers: 1 })
  t.teardown(() => second.close())
  const [offsets] = await second.admin().fetchOffsets({ groupId: 'durable', topics: ['keep'] })
  t.deepEqual(offsets.partitions.map((p) => p.offset), ['7', '3'])
  t.deepEqual((await second.admin().listGroups()).groups, [{ groupId: 'durable', protocolType: 'consumer', state: 'Empty' }])
  const admin = second.admin()
  await admin.setOffsets({ groupId: 'durable', topic: 'keep', partitions: [{ partition: 0, offset: 2 }] })
  await admin.resetOffsets({ groupId: 'durable', topic: 'keep', earliest: true })
  t.deepEqual((await admin.fetchOffsets({ groupId: 'durable', topics: ['keep'] }))[0].partitions.map((p) => p.offset), ['0', '0'])
  await admin.deleteGroups(['durable'])
  t.deepEqual((await admin.listGroups()).groups, [])
})
