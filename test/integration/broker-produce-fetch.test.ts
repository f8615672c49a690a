import test from 'ava'
import { Broker, partitionForKey } from '../../src/index.js'
import { openBroker, readAll } from '../helpers/broker.js'
import { tempDir } from '../helpers/temp-dir.js'

test('a keyed send lands on the murmur2 partition and reads back exactly', async (t) => {
  const broker = await openBroker(t)
  const admin = broker.admin()
  t.true(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6 }] }))
  t.deepEqual(await admin.listTopics(), ['orders'])
  const producer = broker.producer()
  const result = await producer.send({
    topic: 'orders',
    messages: [{ key: 'user-1', value: 'hello', headers: { source: 'web', tags: ['a', 'b'] }, timestamp: '1700000000000' }],
  })
  const partition = partitionForKey(Buffer.from('user-1'), 6)
  t.deepEqual(result, [{ topicName: 'orders', partition, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' }])
  const fetched = await broker.fetch({ topic: 'orders', partition, offset: 0, maxBytes: 1 << 20, maxWaitMs: 0 })
  t.is(fetched.highWatermark, '1')
  t.is(fetched.records.length, 1)
  const [record] = fetched.records
  t.is(record.offset, '0')
  t.is(record.timestamp, '1700000000000')
  t.deepEqual(record.key, Buffer.from('user-1'))
  t.deepEqual(record.value, Buffer.from('hello'))
  t.deepEqual(record.headers, { source: Buffer.from('web'), tags: [Buffer.from('a'), Buffer.from('b')] })
})

test('null keys spread round-robin, an explicit partition wins, null values are kept', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'rr', numPartitions: 3 }] })
  const producer = broker.producer()
  const result = await producer.send({ topic: 'rr', messages: Array.from({ length: 6 }, (_, i) => ({ value: `v${i}` })) })
  t.deepEqual(result.map((entry) => entry.partition).sort(), [0, 1, 2])
  const offsets = await broker.admin().fetchTopicOffsets('rr')
  t.deepEqual(offsets.map((entry) => entry.high), ['2', '2', '2'])
  await producer.send({ topic: 'rr', messages: [{ key: 'any', value: null, partition: 2 }] })
  const records = await readAll(broker, 'rr', 2)
  t.is(records.length, 3)
  t.is(records[2].value, null)
  t.deepEqual(records[2].key, Buffer.from('any'))
})

test('sticky null-key partitioning puts one send on one partition', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'sticky', numPartitions: 4 }] })
  const producer = broker.producer({ nullKeyPartitioning: 'sticky' })
  const result = await producer.send({ topic: 'sticky', messages: Array.from({ length: 50 }, (_, i) => ({ value: `v${i}` })) })
  t.is(result.length, 1)
  t.is((await readAll(broker, 'sticky', result[0].partition)).length, 50)
})

test('concurrent producers keep per-partition order with dense offsets', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'dense', numPartitions: 3 }] })
  const producers = Array.from({ length: 4 }, (_, index) => ({ index, producer: broker.producer({ acks: index % 2 === 0 ? -1 : 1 }) }))
  const perProducer = 50
  await Promise.all(
    producers.map(async ({ index, producer }) => {
      for (let seq = 0; seq < perProducer; seq++) {
        await producer.send({ topic: 'dense', messages: [{ key: `k${seq % 7}`, value: `${index}:${seq}` }, { key: `k${(seq + 3) % 7}`, value: `${index}:${seq}b` }] })
      }
    }),
  )
  let total = 0
  for (let partition = 0; partition < 3; partition++) {
    const records = await readAll(broker, 'dense', partition)
    total += records.length
    records.forEach((record, offset) => t.is(record.offset, String(offset)))
    // Each producer's records on this partition appear in the order it sent them.
    const lastSeq = new Map<string, number>()
    for (const record of records) {
      const [producer, rest] = record.value!.toString().split(':')
      const seq = Number.parseInt(rest, 10) * 2 + (rest.endsWith('b') ? 1 : 0)
      t.true(seq > (lastSeq.get(producer) ?? -1), `producer ${producer} out of order on partition ${partition}`)
      lastSeq.set(producer, seq)
    }
  }
  t.is(total, producers.length * perProducer * 2)
})

test('acks 0, 1 and -1 all store the records; acks 0 reports offset -1', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'acks', numPartitions: 1 }] })
  const zero = await broker.producer({ acks: 0 }).send({ topic: 'acks', messages: [{ value: 'a' }] })
  t.is(zero[0].baseOffset, '-1')
  const one = await broker.producer({ acks: 1 }).send({ topic: 'acks', messages: [{ value: 'b' }] })
  t.is(one[0].baseOffset, '1')
  const all = await broker.producer({ acks: -1 }).send({ topic: 'acks', messages: [{ value: 'c' }] })
  t.is(all[0].baseOffset, '2')
  t.deepEqual((await readAll(broker, 'acks', 0)).map((record) => record.value!.toString()), ['a', 'b', 'c'])
})

test('large sends split into batches below max.message.bytes and stay in order', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'big', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '10000' }] }] })
  const value = Buffer.alloc(900, 7)
  const result = await broker.producer().send({ topic: 'big', messages: Array.from({ length: 100 }, () => ({ value })) })
  t.is(result[0].baseOffset, '0')
  const records = await readAll(broker, 'big', 0)
  t.is(records.length, 100)
  t.deepEqual(records.map((record) => record.offset), Array.from({ length: 100 }, (_, i) => String(i)))
})

test('close and reopen keeps every record and offsets continue densely', async (t) => {
  const dataDir = tempDir(t)
  const first = await Broker.open({ dataDir, workers: 2 })
  await first.admin().createTopics({ topics: [{ topic: 'keep', numPartitions: 4, configEntries: [{ name: 'segment.bytes', value: '4096' }] }] })
  const producer = first.producer()
  for (let i = 0; i < 40; i++) await producer.send({ topic: 'keep', messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${j}`, value: `v${i}-${j}` })) })
  const before = await first.admin().fetchTopicOffsets('keep')
  const contentBefore = await Promise.all([0, 1, 2, 3].map((p) => readAll(first, 'keep', p)))
  await first.close()

  const second = await Broker.open({ dataDir, workers: 3 })
  t.teardown(() => second.close())
  t.deepEqual(await second.admin().fetchTopicOffsets('keep'), before)
  const contentAfter = await Promise.all([0, 1, 2, 3].map((p) => readAll(second, 'keep', p)))
  t.deepEqual(contentAfter, contentBefore)
  const [next] = await second.producer().send({ topic: 'keep', messages: [{ value: 'after', partition: 0 }] })
  t.is(next.baseOffset, before[0].high)
})

test('fetch long-polls: a waiting fetch is woken by the next append', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'poll', numPartitions: 1 }] })
  const started = performance.now()
  const waiting = broker.fetch({ topic: 'poll', partition: 0, offset: 0, maxWaitMs: 20_000 })
  await broker.producer().send({ topic: 'poll', messages: [{ value: 'wake' }] })
  const result = await waiting
  t.is(result.records.length, 1)
  t.is(result.records[0].value!.toString(), 'wake')
  t.true(performance.now() - started < 20_000)
})

test('a fetch at the end with maxWaitMs 0 returns at once with no records', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'empty', numPartitions: 1 }] })
  const result = await broker.fetch({ topic: 'empty', partition: 0, offset: 0, maxWaitMs: 0 })
  t.deepEqual(result.records, [])
  t.is(result.highWatermark, '0')
})

test('read() follows the tail and ends when the broker closes', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'tail', numPartitions: 1 }] })
  const producer = broker.producer()
  await producer.send({ topic: 'tail', messages: [{ value: 'r0' }, { value: 'r1' }] })
  const seen: string[] = []
  const reading = (async () => {
    for await (const record of broker.read({ topic: 'tail', partition: 0, fromOffset: 1 })) {
      seen.push(`${record.offset}:${record.value}`)
      if (seen.length === 1) await producer.send({ topic: 'tail', messages: [{ value: 'r2' }] })
      if (seen.length === 2) await producer.send({ topic: 'tail', messages: [{ value: 'r3' }] })
      if (seen.length === 3) void broker.close()
    }
  })()
  await reading
  t.deepEqual(seen, ['1:r1', '2:r2', '3:r3'])
})

test('fetchTopicOffsetsByTimestamp finds the first offset at or after a time', async (t) => {
  const broker = await openBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'times', numPartitions: 1 }] })
  const producer = broker.producer()
  for (let i = 0; i < 5; i++) await producer.send({ topic: 'times', messages: [{ value: `t${i}`, timestamp: String(1_000_000 + i * 1000) }] })
  const admin = broker.admin()
  t.deepEqual(await admin.fetchTopicOffsetsByTimestamp('times', 1_002_000), [{ partition: 0, offset: '2' }])
  t.deepEqual(await admin.fetchTopicOffsetsByTimestamp('times', 0), [{ partition: 0, offset: '0' }])
  t.deepEqual(await admin.fetchTopicOffsetsByTimestamp('times', 9_000_000), [{ partition: 0, offset: '5' }])
})

test('createPartitions adds partitions that take records; deleteTopics removes a topic and its data', async (t) => {
  const broker = await openBroker(t)
  const admin = broker.admin()
  await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 2 }] })
  await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 5 }] })
  const metadata = await admin.fetchTopicMetadata({ topics: ['grow'] })
  t.deepEqual(metadata.topics[0].partitions.map((p) => p.partitionId), [0, 1, 2, 3, 4])
  await broker.producer().send({ topic: 'grow', messages: [{ value: 'x', partition: 4 }] })
  t.is((await admin.fetchTopicOffsets('grow'))[4].high, '1')
  await admin.deleteTopics({ topics: ['grow'] })
  t.deepEqual(await admin.listTopics(), [])
  await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] })
  t.is((await admin.fetchTopicOffsets('grow'))[0].high, '0')
  t.false(await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] }))
})

test('describeConfigs shows set and default values; alterConfigs changes them durably', async (t) => {
  const dataDir = tempDir(t)
  const broker = await Broker.open({ dataDir, workers: 1 })
  const admin = broker.admin()
  await admin.createTopics({ topics: [{ topic: 'cfg', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] })
  const described = await admin.describeConfigs({ resources: [{ type: 2, name: 'cfg', configNames: ['retention.ms', 'segment.bytes'] }] })
  const entries = Object.fromEntries(described.resources[0].configEntries.map((entry) => [entry.configName, entry]))
  t.is(entries['retention.ms'].configValue, '86400000')
  t.false(entries['retention.ms'].isDefault)
  t.is(entries['segment.bytes'].configValue, '1073741824')
  t.true(entries['segment.bytes'].isDefault)
  await admin.alterConfigs({ resources: [{ type: 2, name: 'cfg', configEntries: [{ name: 'segment.bytes', value: '2048' }] }] })
  await broker.close()
  const reopened = await Broker.open({ dataDir, workers: 1 })
  t.teardown(() => reopened.close())
  const after = await reopened.admin().describeConfigs({ resources: [{ type: 2, name: 'cfg', configNames: ['segment.bytes'] }] })
  t.is(after.resources[0].configEntries[0].configValue, '2048')
})
