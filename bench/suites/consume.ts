/**
 * Embedded consume throughput from the page cache: every record of 1 and 6 partitions, read
 * three ways — `readBatches` (chunks, the actor reading ahead), `read` (record by record) and a
 * plain `fetch` loop — with every value's length summed so nothing is left undecoded.
 */
import type { Broker } from '../../src/index.js'
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
      for (const mode of ['readBatches', 'read', 'fetch'] as const) {
        const rates: number[] = []
        // Round 0 warms the JIT up and is not counted.
        for (let round = -1; round < rounds; round++) {
          const started = performance.now()
          const bytes = await Promise.all(highs.map((high, partition) => consumePartition(broker, mode, 'bench', partition, high)))
          const elapsed = performance.now() - started
          const total = bytes.reduce((sum, value) => sum + value, 0)
          if (total !== records * valueBytes) throw new Error(`consumed ${total} value bytes, expected ${records * valueBytes}`)
          if (round >= 0) rates.push((records / elapsed) * 1000)
        }
        const summary = summarize(rates)
        const mbPerSecond = (summary.median * valueBytes) / 1e6
        print(`consume ${partitions} partition(s) with ${mode}: ${formatSummary(summary, 'records/s')}, ${mbPerSecond.toFixed(1)} MB/s of values`)
        rows.push({ partitions, mode, valueBytes, records, recordsPerSecond: summary, mbPerSecond })
      }
    })
  }
  return { name: 'consume', rows }
}
