/** Embedded consume throughput from the page cache: fetch every record of 1 and 6 partitions. */
import type { Broker } from '../../src/index.js'
import { formatSummary, summarize } from '../stats.js'
import { produce, withBroker } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

async function consumeAll(broker: Broker, topic: string, partitions: number): Promise<number> {
  let total = 0
  await Promise.all(
    Array.from({ length: partitions }, async (_, partition) => {
      let offset = 0
      for (;;) {
        const { records, highWatermark } = await broker.fetch({ topic, partition, offset, maxBytes: 4 << 20 })
        if (records.length === 0) break
        total += records.length
        offset = Number(records[records.length - 1].offset) + 1
        if (offset >= Number(highWatermark)) break
      }
    }),
  )
  return total
}

export async function consumeSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const records = Math.round(1_000_000 * scale)
  const valueBytes = 100
  const rows = []
  for (const partitions of [1, 6]) {
    const rates = await withBroker(async (broker) => {
      await broker.admin().createTopics({ topics: [{ topic: 'bench', numPartitions: partitions }] })
      await produce(broker, { topic: 'bench', records, valueBytes, acks: 1 })
      const result: number[] = []
      for (let round = 0; round < rounds; round++) {
        const started = performance.now()
        const read = await consumeAll(broker, 'bench', partitions)
        const elapsed = performance.now() - started
        if (read !== records) throw new Error(`consumed ${read} records, expected ${records}`)
        result.push((read / elapsed) * 1000)
      }
      return result
    })
    const summary = summarize(rates)
    const mbPerSecond = (summary.median * valueBytes) / 1e6
    print(`consume ${partitions} partition(s): ${formatSummary(summary, 'records/s')}, ${mbPerSecond.toFixed(1)} MB/s of values`)
    rows.push({ partitions, valueBytes, records, recordsPerSecond: summary, mbPerSecond })
  }
  return { name: 'consume', rows }
}
