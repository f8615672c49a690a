import test from 'ava'
import { Broker } from '../../src/index.js'
import { tempDir } from '../helpers/temp-dir.js'
import { kafkaClient } from '../helpers/wire.js'

/** Opens a broker on `dataDir` listening on a free port; returns it with its bootstrap address. */
async function serve(dataDir: string) {
  const broker = await Broker.open({ dataDir, workers: 1 })
  const { port } = await broker.listen({ port: 0 })
  return { broker, bootstrap: `127.0.0.1:${port}` }
}

/** A kafkajs group member that reads until it has `count` records, then leaves (committing). */
async function consumeInGroup(bootstrap: string, count: number): Promise<string[]> {
  const consumer = kafkaClient(bootstrap).consumer({ groupId: 'resumers', sessionTimeout: 6_000, heartbeatInterval: 500 })
  await consumer.connect()
  await consumer.subscribe({ topic: 'durable', fromBeginning: true })
  const values: string[] = []
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value!.toString())
        if (values.length === count) resolve()
      },
    })
  })
  await consumer.disconnect()
  return values
}

test('a kafkajs group resumes from its committed offsets after the broker restarts', async (t) => {
  const dataDir = tempDir(t)
  const first = await serve(dataDir)
  await first.broker.admin().createTopics({ topics: [{ topic: 'durable', numPartitions: 2 }] })
  const producer = kafkaClient(first.bootstrap).producer()
  await producer.connect()
  await producer.send({ topic: 'durable', acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 5}`, value: `first-${i}` })) })
  await producer.disconnect()
  const before = await consumeInGroup(first.bootstrap, 100)
  t.is(new Set(before).size, 100)
  await first.broker.close()

  const second = await serve(dataDir)
  t.teardown(() => second.broker.close())
  const committed = await second.broker.admin().fetchOffsets({ groupId: 'resumers', topics: ['durable'] })
  t.is(committed[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0), 100, 'the commits survived the restart')
  const again = kafkaClient(second.bootstrap).producer()
  await again.connect()
  await again.send({ topic: 'durable', acks: -1, messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 5}`, value: `second-${i}` })) })
  await again.disconnect()
  const after = await consumeInGroup(second.bootstrap, 50)
  t.deepEqual([...after].sort(), Array.from({ length: 50 }, (_, i) => `second-${i}`).sort(), 'only the records after the commits, none again')
})
