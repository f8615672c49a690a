/** brook's side of the peer rows: embedded, one partition, the same record counts and sizes. */
import { Broker, type Acks } from '../../src/index.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { produce, withBroker } from '../workload.js'
import { VALUE_BYTES, type E2eSide } from './e2e.js'

const TOPIC = 'bench'
/** Same shape as the peers get: sends of 1,000 records, 4 in flight. */
const SEND = { sendSize: 1000, inFlight: 4 }

/** Records per second producing `records` 100-byte values. */
export async function brookProduce(acks: Acks, records: number): Promise<number> {
  const elapsed = await withBroker(async (broker) => {
    await broker.admin().createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] })
    return produce(broker, { topic: TOPIC, records, valueBytes: VALUE_BYTES, acks, ...SEND })
  })
  return (records / elapsed) * 1000
}

/** Records per second reading every record with `readBatches`, after an acks=-1 load. */
export async function brookConsumeReadBatches(records: number): Promise<number> {
  return withBroker(async (broker) => {
    await broker.admin().createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] })
    await produce(broker, { topic: TOPIC, records, valueBytes: VALUE_BYTES, acks: -1, ...SEND })
    const started = performance.now()
    let count = 0
    let bytes = 0
    for await (const batch of broker.readBatches({ topic: TOPIC, partition: 0, fromOffset: 0, maxBytes: 1 << 20 })) {
      for (const record of batch.records) bytes += record.value!.length
      count += batch.records.length
      if (count >= records) break
    }
    const elapsed = performance.now() - started
    if (bytes !== records * VALUE_BYTES) throw new Error(`brook readBatches saw ${bytes} value bytes, expected ${records * VALUE_BYTES}`)
    return (records / elapsed) * 1000
  })
}

/**
 * Records per second through a consumer group of one (eachBatch, offsets committed — the
 * counterpart of XACK and JetStream acks). Timed from run() so joining the group counts.
 */
export async function brookConsumeGroup(records: number): Promise<number> {
  return withBroker(async (broker) => {
    await broker.admin().createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] })
    await produce(broker, { topic: TOPIC, records, valueBytes: VALUE_BYTES, acks: -1, ...SEND })
    const consumer = broker.consumer({ groupId: 'bench' })
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true })
    let count = 0
    let bytes = 0
    let finished!: () => void
    const done = new Promise<void>((resolve) => (finished = resolve))
    const started = performance.now()
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
        for (const message of batch.messages) bytes += message.value!.length
        count += batch.messages.length
        resolveOffset(batch.lastOffset())
        await commitOffsetsIfNecessary()
        if (count >= records) finished()
      },
    })
    await done
    const elapsed = performance.now() - started
    await consumer.disconnect()
    if (bytes !== records * VALUE_BYTES) throw new Error(`brook group saw ${bytes} value bytes, expected ${records * VALUE_BYTES}`)
    return (records / elapsed) * 1000
  })
}

/** acks=-1 producer and a `readBatches` follower: a reader only sees records after their fsync. */
export async function brookE2eSide(): Promise<E2eSide> {
  const dataDir = mkdtempSync(join(tmpdir(), 'brook-bench-'))
  const broker = await Broker.open({ dataDir })
  await broker.admin().createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] })
  const producer = broker.producer({ acks: -1 })
  const abort = new AbortController()
  let reading: Promise<void> = Promise.resolve()
  return {
    async subscribe(deliver) {
      reading = (async () => {
        for await (const batch of broker.readBatches({ topic: TOPIC, partition: 0, fromOffset: 0, maxBytes: 1 << 20, signal: abort.signal })) {
          for (const record of batch.records) deliver(record.value!)
        }
      })()
    },
    async send(values) {
      await producer.send({ topic: TOPIC, messages: values.map((value) => ({ value })) })
    },
    async close() {
      abort.abort()
      await producer.disconnect()
      await broker.close()
      await reading
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
