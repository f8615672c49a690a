import test from 'ava'
import { isBrokerError, type Broker, type RetentionReport } from '../../src/index.js'
import { openBroker, readAll } from '../helpers/broker.js'

const HOUR = 3_600_000
const START = 1_800_000_000_000

/** Sends one batch per call (each awaited), so 1 KiB segments roll every few sends. */
async function produce(broker: Broker, topic: string, count: number, timestampMs: number, tag: string): Promise<number[]> {
  const producer = broker.producer({ acks: -1 })
  const offsets: number[] = []
  for (let i = 0; i < count; i++) {
    const [result] = await producer.send({ topic, messages: [{ value: `${tag}-${i}-${'x'.repeat(200)}`, timestamp: timestampMs + i, partition: 0 }] })
    offsets.push(Number(result!.baseOffset))
  }
  await producer.disconnect()
  return offsets
}

async function offsetsOf(broker: Broker, topic: string) {
  const [offsets] = await broker.admin().fetchTopicOffsets(topic)
  return { low: Number(offsets!.low), high: Number(offsets!.high) }
}

test('retention through the broker: old segments go, fetchTopicOffsets shows the new low, newer records all stay', async (t) => {
  let now = START
  const broker = await openBroker(t, { workers: 1, clock: () => now })
  const admin = broker.admin()
  await admin.createTopics({
    topics: [{ topic: 'events', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1024' }, { name: 'retention.ms', value: String(HOUR) }] }],
  })
  const old = await produce(broker, 'events', 12, now - 10 * HOUR, 'old')
  const fresh = await produce(broker, 'events', 6, now - 60_000, 'new')
  t.deepEqual(old, Array.from({ length: 12 }, (_, i) => i))
  t.is(fresh[0], 12)

  const [before] = await admin.describeRetention('events')
  t.true(before!.deletableSegments >= 2, 'several old segments are due')
  t.true(before!.segments.filter((segment) => segment.deletion !== null).every((segment) => segment.deletion === 'time' && segment.expiresAtMs! < now))
  const expectedLow = before!.logStartOffsetAfter
  t.true(expectedLow > 0 && expectedLow <= 12)

  const report = await broker.runRetention()
  t.is(report.nowMs, now)
  t.is(report.deletedSegments, before!.deletableSegments)
  t.is(report.partitions[0]!.logStartOffset, expectedLow)
  t.true(report.partitions[0]!.deletedSegments.every((segment) => segment.maxTimestamp < now - HOUR))

  t.deepEqual(await offsetsOf(broker, 'events'), { low: expectedLow, high: 18 })
  const error = await t.throwsAsync(broker.fetch({ topic: 'events', partition: 0, offset: expectedLow - 1 }))
  t.true(isBrokerError(error) && error.code === 'OFFSET_OUT_OF_RANGE', String(error))
  const fetched = await broker.fetch({ topic: 'events', partition: 0, offset: expectedLow })
  t.is(fetched.logStartOffset, String(expectedLow))
  const records = await readAll(broker, 'events', 0, expectedLow)
  t.deepEqual(
    records.map((record) => Number(record.offset)),
    Array.from({ length: 18 - expectedLow }, (_, i) => expectedLow + i),
  )
  for (let i = 0; i < 6; i++) t.true(records.find((record) => record.offset === String(12 + i))!.value!.toString().startsWith(`new-${i}-`))

  const [after] = await admin.describeRetention('events')
  t.is(after!.deletableSegments, 0)
  t.is(after!.logStartOffset, expectedLow)
  t.true(after!.segments.every((segment) => segment.kept === 'active segment' || segment.kept!.startsWith('newer than retention.ms')), JSON.stringify(after!.segments))

  // Two hours on, everything is expired: the active segment is rolled and goes too.
  now += 2 * HOUR
  const all = await broker.runRetention()
  t.true(all.deletedSegments > 0)
  t.deepEqual(await offsetsOf(broker, 'events'), { low: 18, high: 18 })
  const [next] = await produce(broker, 'events', 1, now, 'later')
  t.is(next, 18, 'offsets continue densely after the log emptied')
  t.deepEqual(
    (await readAll(broker, 'events', 0, 18)).map((record) => record.offset),
    ['18'],
  )
})

test('compact-only topics are left alone; retention.ms -1 keeps everything', async (t) => {
  const now = START
  const broker = await openBroker(t, { workers: 1, clock: () => now })
  const admin = broker.admin()
  await admin.createTopics({
    topics: [
      { topic: 'compacted', configEntries: [{ name: 'segment.bytes', value: '1024' }, { name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '1' }] },
      { topic: 'forever', configEntries: [{ name: 'segment.bytes', value: '1024' }, { name: 'retention.ms', value: '-1' }] },
    ],
  })
  await produce(broker, 'compacted', 8, now - 10 * HOUR, 'c')
  await produce(broker, 'forever', 8, 0, 'f')
  const report = await broker.runRetention()
  t.deepEqual(report.skippedTopics, ['compacted'])
  t.is(report.deletedSegments, 0)
  t.deepEqual(await offsetsOf(broker, 'compacted'), { low: 0, high: 8 })
  t.deepEqual(await offsetsOf(broker, 'forever'), { low: 0, high: 8 })
  const [compacted] = await admin.describeRetention('compacted')
  t.is(compacted!.cleanupPolicy, 'compact')
  t.true(compacted!.segments.every((segment) => segment.kept!.includes('cleanup.policy is compact')))
  const [forever] = await admin.describeRetention('forever')
  t.true(forever!.segments.filter((segment) => !segment.active).every((segment) => segment.kept!.startsWith('retention.ms is -1')))
})

test('the periodic task applies retention on its own (awaited through the retention event)', async (t) => {
  const now = START
  const broker = await openBroker(t, { workers: 1, clock: () => now, retentionCheckIntervalMs: 10 })
  const admin = broker.admin()
  await admin.createTopics({ topics: [{ topic: 'ticks', configEntries: [{ name: 'segment.bytes', value: '1024' }] }] })
  await produce(broker, 'ticks', 9, now - 10 * HOUR, 'old')
  await produce(broker, 'ticks', 3, now, 'new')
  // Nothing is due under the default 7 days; shortening retention.ms makes the old segments due.
  t.is((await offsetsOf(broker, 'ticks')).low, 0)
  // Listening before the change, so a run that ends while alterConfigs resolves is not missed.
  const deletedSomething = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no retention run deleted anything within 10 s')), 10_000)
    const listener = (report: RetentionReport) => {
      if (report.deletedSegments === 0) return
      clearTimeout(timer)
      broker.off('retention', listener)
      resolve()
    }
    broker.on('retention', listener)
  })
  await admin.alterConfigs({ resources: [{ type: 2, name: 'ticks', configEntries: [{ name: 'retention.ms', value: String(HOUR) }] }] })
  await deletedSomething
  const { low, high } = await offsetsOf(broker, 'ticks')
  t.true(low > 0 && low <= 9, `low ${low}`)
  t.is(high, 12)
})

test('retention options are validated at open', async (t) => {
  const error = await t.throwsAsync(openBroker(t, { retentionCheckIntervalMs: 0 }))
  t.true(isBrokerError(error) && error.code === 'INVALID_REQUEST')
})
