import test from 'ava'
import { once } from 'node:events'
import { CONSUMER_EVENTS } from '../../src/index.js'
import { OffsetStore } from '../../src/coordinator/offset-store.js'
import { offsetLogOn } from '../../src/group-services.js'
import { openBroker } from '../helpers/broker.js'
import { Recorder, produceNumbered, startMember } from '../helpers/group.js'

test('the offsets log is compacted by snapshot: old segments go, every latest commit survives a replay', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'offsets-log', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '4096' }] }] })
  const log = offsetLogOn(broker, 'offsets-log')
  const store = await OffsetStore.open(log, { snapshotMinRecords: 200 })
  for (let i = 1; i <= 600; i++) await store.commit(`group-${i % 3}`, [{ topic: 'orders', partition: i % 4, offset: i }], 1_000 + i)
  const [{ low, high }] = await broker.admin().fetchTopicOffsets('offsets-log')
  t.true(Number(low) > 0, `log start moved to ${low} (of ${high})`)
  const replayed = await OffsetStore.open(log)
  for (const groupId of ['group-0', 'group-1', 'group-2']) {
    t.deepEqual(
      replayed.list(groupId).map(({ topic, partition, offset }) => ({ topic, partition, offset })).sort((a, b) => a.partition - b.partition),
      store.list(groupId).map(({ topic, partition, offset }) => ({ topic, partition, offset })).sort((a, b) => a.partition - b.partition),
    )
  }
  t.is(replayed.get('group-0', 'orders', 0)?.offset, 600)
})

test('a committed offset that retention left behind: the member resets per policy and says so', async (t) => {
  let now = 2_000_000_000_000
  const broker = await openBroker(t, { clock: () => now })
  const admin = broker.admin()
  await admin.createTopics({ topics: [{ topic: 'old', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '2048' }, { name: 'retention.ms', value: '1000' }] }] })
  const producer = broker.producer()
  for (let i = 0; i < 40; i++) await producer.send({ topic: 'old', messages: [{ value: `old-${i}-${'x'.repeat(50)}`, timestamp: String(now - 10_000) }] })
  await broker.consumer({ groupId: 'late' }).commitOffsets([{ topic: 'old', partition: 0, offset: 2 }])
  await producer.send({ topic: 'old', messages: [{ value: 'fresh', timestamp: String(now) }] })
  await broker.runRetention()
  const [{ low }] = await admin.fetchTopicOffsets('old')
  t.true(Number(low) > 2, `log start ${low}`)
  const recorder = new Recorder('late')
  const consumer = broker.consumer({ groupId: 'late' })
  const reset = once(consumer, CONSUMER_EVENTS.OFFSET_OUT_OF_RANGE)
  await consumer.subscribe({ topics: ['old'], fromBeginning: true })
  await consumer.run({ eachMessage: async ({ partition, message }) => recorder.record('c', 'old', partition, message.offset, message.value) })
  const [event] = await reset
  t.is(event.payload.resetTo, Number(low))
  t.is(event.payload.policy, 'earliest')
  await recorder.until(41 - Number(low))
  t.is(recorder.seen[0].offset, Number(low))
  await consumer.disconnect()
  now += 1
})

test('seek moves a running consumer; the next commit may go backwards only because of it', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'seekable', numPartitions: 1 }] })
  await produceNumbered(broker, 'seekable', 0, 10)
  const recorder = new Recorder('s')
  const consumer = await startMember(broker, recorder, 's', 'seekable', { groupId: 'seeker' })
  await recorder.until(10)
  const committed = once(consumer, CONSUMER_EVENTS.COMMIT_OFFSETS)
  consumer.seek({ topic: 'seekable', partition: 0, offset: '4' })
  await recorder.until(16)
  t.deepEqual(recorder.seen.slice(10).map((entry) => entry.offset), [4, 5, 6, 7, 8, 9])
  await committed
  await consumer.disconnect()
  t.is((await broker.admin().fetchGroupLag('seeker'))[0].committedOffset, 10)
})
