/** Embedded produce throughput: 100-byte values, 1 and 6 partitions, acks 1 and -1. */
import { formatSummary, summarize } from '../stats.js'
import { produce, withBroker } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

export async function produceSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const records = Math.round(1_000_000 * scale)
  const valueBytes = 100
  const rows: unknown[] = []
  for (const partitions of [1, 6]) {
    for (const acks of [1, -1] as const) {
      const rates: number[] = []
      // Round 0 warms the JIT up and is not counted.
      for (let round = -1; round < rounds; round++) {
        const elapsed = await withBroker(async (broker) => {
          await broker.admin().createTopics({ topics: [{ topic: 'bench', numPartitions: partitions }] })
          return produce(broker, { topic: 'bench', records, valueBytes, acks })
        })
        if (round >= 0) rates.push((records / elapsed) * 1000)
      }
      const summary = summarize(rates)
      const mbPerSecond = (summary.median * valueBytes) / 1e6
      print(`produce ${partitions} partition(s), acks=${acks}: ${formatSummary(summary, 'records/s')}, ${mbPerSecond.toFixed(1)} MB/s of values`)
      rows.push({ partitions, acks, valueBytes, records, recordsPerSecond: summary, mbPerSecond })
    }
  }
  return { name: 'produce', rows }
}
