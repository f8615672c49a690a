/**
 * Embedded consume throughput from the page cache: every record of 1 and 6 partitions, read
 * three ways by one consumer — `readBatches` (chunks, the actor reading ahead), `read` (record by
 * record) and a plain `fetch` loop — and, on 6 partitions, by a consumer group of 3 (eachBatch,
 * auto-commit on, timed from the first join), with every value's length summed so nothing is
 * left undecoded.
 *
 * Last, Kafka's classic "producer and consumer together" on 6 partitions.
 *
 * Rows: { name, partitions, mode ('readBatches' | 'read' | 'fetch' | 'group of 3' | 'together'), valueBytes,
 *   records, recordsPerSecond: Summary, mbPerSecond: Summary (MB/s of values) }
 */
import type { Broker } from '../../src/index.js'
import { groupConsume } from '../group-consume.js'
import { formatSummary, summarize } from '../stats.js'
import { produce, withBroker } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

type ReadMode = 'readBatches' | 'read' | 'fetch'

const FETCH_BYTES = 1 << 20

/** Reads partition `partition` from 0 to `high`; returns the value bytes seen. */
async function consumePartition(broker: Broker, mode: ReadMode, topic: string, partition: number, high: number): Promise<number> {
  let bytes = 0
  let count = 0
  if (mode === 'readBatches') {
    for await (const batch of broker.readBatches({ topic, partition, fromOffset: 0, maxBytes: FETCH_BYTES })) {
      for (const record of batch.records) bytes += record.value!.length
      count += batch.records.length
      if (count >= high) break
    }
  } else if (mode === 'read') {
    for await (const record of broker.read({ topic, partition, fromOffset: 0, maxBytes: FETCH_BYTES })) {
      bytes += record.value!.length
      if (++count >= high) break
    }
  } else {
    while (count < high) {
      const { records } = await broker.fetch({ topic, partition, offset: count, maxBytes: FETCH_BYTES })
      for (const record of records) bytes += record.value!.length
      count += records.length
    }
  }
  return bytes
}

type Mode = ReadMode | 'group of 3'

export async function consumeSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const records = Math.round(1_000_000 * scale)
  const valueBytes = 100
  const rows: unknown[] = []
  for (const partitions of [1, 6]) {
    await withBroker(async (broker) => {
      await broker.admin().createTopics({ topics: [{ topic: 'bench', numPartitions: partitions }] })
      // acks=-1 so every record is below the high watermark when reading starts.
      await produce(broker, { topic: 'bench', records, valueBytes, acks: -1 })
      const highs = (await broker.admin().fetchTopicOffsets('bench')).map((entry) => Number(entry.high))
      /** One pass over every record; returns its elapsed ms and the value bytes seen. */
      const pass = async (mode: Mode, round: number): Promise<{ elapsedMs: number; valueBytes: number }> => {
        if (mode === 'group of 3') return groupConsume(broker, { topic: 'bench', groupId: `consume-${round}`, members: 3, records, mode: 'eachBatch' })
        const started = performance.now()
        const bytes = await Promise.all(highs.map((high, partition) => consumePartition(broker, mode, 'bench', partition, high)))
        return { elapsedMs: performance.now() - started, valueBytes: bytes.reduce((sum, value) => sum + value, 0) }
      }
      const modes: Mode[] = partitions > 1 ? ['readBatches', 'read', 'fetch', 'group of 3'] : ['readBatches', 'read', 'fetch']
      for (const mode of modes) {
        const rates: number[] = []
        // Round -1 warms the JIT up and is not counted.
        for (let round = -1; round < rounds; round++) {
          const { elapsedMs, valueBytes: seen } = await pass(mode, round)
          if (seen !== records * valueBytes) throw new Error(`${mode} consumed ${seen} value bytes, expected ${records * valueBytes}`)
          if (round >= 0) rates.push((records / elapsedMs) * 1000)
        }
        const recordsPerSecond = summarize(rates)
        const mbPerSecond = summarize(rates.map((rate) => (rate * valueBytes) / 1e6))
        const name = `consume ${partitions} partition(s) with ${mode}`
        print(`${name}: ${formatSummary(recordsPerSecond, 'records/s')}, ${mbPerSecond.median.toFixed(1)} MB/s of values`)
        rows.push({ name, partitions, mode, valueBytes, records, recordsPerSecond, mbPerSecond })
      }
    })
  }
  rows.push(await produceAndConsumeTogether({ rounds, print, scale }, records, valueBytes))
  return { name: 'consume', rows }
}

/**
 * Kafka's classic "producer and consumer together" row: one producer (acks 1) and one reader
 * per partition of a 6-partition topic running at once, timed until the last record is read.
 */
async function produceAndConsumeTogether({ rounds, print }: SuiteContext, records: number, valueBytes: number) {
  const partitions = 6
  const rates: number[] = []
  for (let round = -1; round < rounds; round++) {
    const elapsedMs = await withBroker(async (broker) => {
      await broker.admin().createTopics({ topics: [{ topic: 'bench', numPartitions: partitions }] })
      const started = performance.now()
      let seen = 0
      let allRead!: () => void
      const done = new Promise<void>((resolve) => (allRead = resolve))
      const readers = Array.from({ length: partitions }, async (_, partition) => {
        for await (const batch of broker.readBatches({ topic: 'bench', partition, fromOffset: 0, maxBytes: FETCH_BYTES })) {
          seen += batch.records.length
          if (seen >= records) allRead()
          if (seen >= records) return
        }
      })
      await produce(broker, { topic: 'bench', records, valueBytes, acks: 1 })
      await done
      const elapsed = performance.now() - started
      await broker.close() // ends the other readers' waits
      await Promise.all(readers)
      return elapsed
    })
    if (round >= 0) rates.push((records / elapsedMs) * 1000)
  }
  const recordsPerSecond = summarize(rates)
  const mbPerSecond = summarize(rates.map((rate) => (rate * valueBytes) / 1e6))
  const name = `produce and consume together, ${partitions} partitions`
  print(`${name}: ${formatSummary(recordsPerSecond, 'records/s')}, ${mbPerSecond.median.toFixed(1)} MB/s of values`)
  return { name, partitions, mode: 'together', valueBytes, records, recordsPerSecond, mbPerSecond }
}
