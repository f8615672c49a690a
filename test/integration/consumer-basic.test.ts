import test from 'ava'
import { openBroker } from '../helpers/broker.js'

test('one consumer reads every record of every partition in order, commits, and a restart resumes from the commit', async (t) => {
  const broker = await openBroker(t)
  const admin = broker.admin()
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] })
  const producer = broker.producer()
  await producer.send({ topic: 'orders', messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}` })) })

  const consumer = broker.consumer({ groupId: 'billing', heartbeatIntervalMs: 100 })
  await consumer.subscribe({ topics: ['orders'], fromBeginning: true })
  const seen: string[] = []
  let done!: () => void
  const allSeen = new Promise<void>((resolve) => (done = resolve))
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      seen.push(`${partition}:${message.offset}:${message.value}`)
      if (seen.length === 30) done()
    },
  })
  await allSeen
  await consumer.disconnect()
  t.is(seen.length, 30)
  for (let partition = 0; partition < 3; partition++) {
    const offsets = seen.filter((entry) => entry.startsWith(`${partition}:`)).map((entry) => Number(entry.split(':')[1]))
    t.deepEqual(offsets, offsets.map((_, index) => index))
  }
  const committed = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] })
  const highs = await admin.fetchTopicOffsets('orders')
  t.deepEqual(committed[0].partitions.map((p) => p.offset), highs.map((h) => h.high))
  t.deepEqual(await admin.fetchGroupLag('billing'), highs.map((h) => ({ topic: 'orders', partition: h.partition, committedOffset: Number(h.high), highWatermark: Number(h.high), lag: 0, oldestUnconsumedAgeMs: null })))

  // More records, a new consumer in the same group: only the new ones arrive.
  await producer.send({ topic: 'orders', messages: [{ key: 'k1', value: 'late' }] })
  const again = broker.consumer({ groupId: 'billing', heartbeatIntervalMs: 100 })
  await again.subscribe({ topics: ['orders'] })
  const late: string[] = []
  let gotLate!: () => void
  const lateSeen = new Promise<void>((resolve) => (gotLate = resolve))
  await again.run({ eachMessage: async ({ message }) => { late.push(String(message.value)); gotLate() } })
  await lateSeen
  await again.disconnect()
  t.deepEqual(late, ['late'])
})
