import test from 'ava'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Broker, isBrokerError, type BrokerError } from '../../src/index.js'
import { iterateBatches } from '../../src/protocol/record-batch.js'
import { openBroker, readAll } from '../helpers/broker.js'
import { tempDir } from '../helpers/temp-dir.js'

/** Record counts of the batches stored in a partition's segments, in order. */
function storedBatchSizes(dataDir: string, key: string): number[] {
  const dir = join(dataDir, key)
  return readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort()
    .flatMap((name) => [...iterateBatches(readFileSync(join(dir, name)))].map(({ header }) => header.recordsCount))
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve))

test('lingerMs 0 sends each tick its own batch; lingerMs > 0 gathers sends from several ticks into one', async (t) => {
  const dataDir = tempDir(t)
  const broker = await openBroker(t, { dataDir })
  await broker.admin().createTopics({ topics: [{ topic: 'now', numPartitions: 1 }, { topic: 'later', numPartitions: 1 }] })
  const eager = broker.producer({ lingerMs: 0 })
  const lingering = broker.producer({ lingerMs: 30_000 })
  const eagerSends = [eager.send({ topic: 'now', messages: [{ value: 'a' }, { value: 'b' }] })]
  const lingeringSends = [lingering.send({ topic: 'later', messages: [{ value: 'a' }, { value: 'b' }] })]
  await nextTick()
  eagerSends.push(eager.send({ topic: 'now', messages: [{ value: 'c' }] }))
  lingeringSends.push(lingering.send({ topic: 'later', messages: [{ value: 'c' }] }))
  await Promise.all(eagerSends)
  // The lingering batch goes out at disconnect (flush), long before its 30 s linger would end.
  await lingering.disconnect()
  const [first, second] = await Promise.all(lingeringSends)
  t.is(first[0].baseOffset, '0')
  t.is(second[0].baseOffset, '2')
  await broker.close()
  t.deepEqual(storedBatchSizes(dataDir, 'now-0'), [2, 1])
  t.deepEqual(storedBatchSizes(dataDir, 'later-0'), [3])
})

test('batchBytes caps a batch: a large send is split into several', async (t) => {
  const dataDir = tempDir(t)
  const broker = await openBroker(t, { dataDir })
  await broker.admin().createTopics({ topics: [{ topic: 'split', numPartitions: 1 }] })
  await broker.producer({ batchBytes: 2000 }).send({ topic: 'split', messages: Array.from({ length: 30 }, () => ({ value: Buffer.alloc(200) })) })
  await broker.close()
  const sizes = storedBatchSizes(dataDir, 'split-0')
  t.true(sizes.length >= 3, `batches: ${sizes}`)
  t.is(sizes.reduce((sum, count) => sum + count, 0), 30)
})

test('a flipped bit in a sealed segment: fetch reports the damaged range, never serves it, and later records stay readable', async (t) => {
  const dataDir = tempDir(t)
  const writer = await Broker.open({ dataDir, workers: 1 })
  await writer.admin().createTopics({ topics: [{ topic: 'rot', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '2048' }] }] })
  const producer = writer.producer()
  for (let i = 0; i < 60; i++) await producer.send({ topic: 'rot', messages: [{ value: `value-${i}-${'x'.repeat(60)}` }] })
  await writer.close()

  const segments = readdirSync(join(dataDir, 'rot-0')).filter((name) => name.endsWith('.log')).sort()
  t.true(segments.length >= 4, `${segments.length} segments`)
  const victim = join(dataDir, 'rot-0', segments[1])
  const bytes = readFileSync(victim)
  const [firstBatch] = [...iterateBatches(bytes)]
  const damagedOffset = firstBatch.header.baseOffset
  // A bit inside the first record's value: covered by the CRC, harmless to the framing.
  bytes[firstBatch.position + 61 + 20] ^= 0x10
  writeFileSync(victim, bytes)

  const broker = await Broker.open({ dataDir, workers: 1 })
  t.teardown(() => broker.close())
  const error = await t.throwsAsync(broker.fetch({ topic: 'rot', partition: 0, offset: damagedOffset }))
  t.true(isBrokerError(error))
  t.is((error as BrokerError).code, 'CORRUPT_MESSAGE')
  t.is((error as BrokerError).details.firstOffset, damagedOffset)
  t.is((error as BrokerError).details.lastOffset, damagedOffset)
  const [report] = await broker.admin().describeDamage('rot')
  t.is(report.damaged.length, 1)
  t.is(report.damaged[0].firstOffset, damagedOffset)
  // Everything before and after the damaged batch is served, exactly.
  const before = []
  while (before.length < damagedOffset) {
    const { records } = await broker.fetch({ topic: 'rot', partition: 0, offset: before.length })
    before.push(...records)
  }
  t.deepEqual(before.map((record) => Number(record.offset)), Array.from({ length: damagedOffset }, (_, i) => i))
  const after = await readAll(broker, 'rot', 0, damagedOffset + 1)
  t.is(after.length, 60 - damagedOffset - 1)
  t.is(after[0].value!.toString().split('-')[1], String(damagedOffset + 1))
  // The segment files are all still there, none shortened.
  t.deepEqual(readdirSync(join(dataDir, 'rot-0')).filter((name) => name.endsWith('.log')).sort(), segments)
  t.is(readFileSync(victim).length, bytes.length)
})
