import test from 'ava'
import { once } from 'node:events'
import { isBrokerError, type BrokerError } from '../../src/index.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch.js'
import type { Shard } from '../../src/shard.js'
import { openBroker, readAll } from '../helpers/broker.js'

test('a crashed worker fails its in-flight requests, restarts with recovery, and keeps the data', async (t) => {
  const broker = await openBroker(t, { workers: 1 })
  await broker.admin().createTopics({ topics: [{ topic: 'w', numPartitions: 2 }] })
  const producer = broker.producer()
  await producer.send({ topic: 'w', messages: [{ value: 'before', partition: 0 }] })
  const restarted = once(broker, 'worker.restart')
  const crashed = once(broker, 'worker.crash')
  const shard = (broker as unknown as { shards: Shard[] }).shards[0]
  const builder = new RecordBatchBuilder()
  builder.append(null, Buffer.from('during'), null, Date.now())
  shard.crashForTest()
  // Posted in the same turn, so it is queued behind the crash on the thread: in flight when it dies.
  const inFlight = shard.append('w-1', builder.finish(), -1)
  const error = await t.throwsAsync(inFlight)
  t.true(isBrokerError(error))
  t.is((error as BrokerError).code, 'WORKER_CRASHED')
  t.true((error as BrokerError).retriable)
  await crashed
  const [restart] = await restarted
  t.is(restart.partitions, 2)
  await producer.send({ topic: 'w', messages: [{ value: 'after', partition: 0 }] })
  t.deepEqual((await readAll(broker, 'w', 0)).map((r) => `${r.offset}:${r.value}`), ['0:before', '1:after'])
})

test('repeated crashes stop the restarts and surface PARTITION_OFFLINE', async (t) => {
  const broker = await openBroker(t, { workers: 1 })
  await broker.admin().createTopics({ topics: [{ topic: 'doomed', numPartitions: 1 }] })
  const failed = once(broker, 'worker.failed')
  for (let crash = 1; crash <= 3; crash++) {
    const next = crash < 3 ? once(broker, 'worker.restart') : failed
    broker.crashWorkerForTest(0)
    await next
  }
  const error = await t.throwsAsync(broker.producer().send({ topic: 'doomed', messages: [{ value: 'x' }] }))
  t.is((error as BrokerError).code, 'PARTITION_OFFLINE')
})
