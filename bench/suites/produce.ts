/**
 * Embedded produce throughput over the matrix acks 0/1/-1 × 100 B, 1 KiB and 10 KiB values × 1, 6
 * and 24 partitions, each cell on a fresh broker. Record counts shrink as values grow (1,000,000,
 * 200,000 and 30,000 at scale 1) so every cell writes a similar number of bytes, and a send carries
 * at most 256 KiB of values so one partition's batch stays under the 1 MiB message limit.
 * acks=0 does not wait for the append, so its figure is how fast sends are accepted.
 *
 * Rows, one per cell: { name, acks, valueBytes, partitions, records, sendSize,
 *   recordsPerSecond: Summary, mbPerSecond: Summary (MB/s of values) }
 */
import { formatSummary, summarize } from '../stats.js'
import { produce, withBroker } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

/** Value size → records at scale 1. */
const SIZES: Array<[valueBytes: number, records: number]> = [
  [100, 1_000_000],
  [1024, 200_000],
  [10 * 1024, 30_000],
]
const PARTITIONS = [1, 6, 24]
const ACKS = [0, 1, -1] as const
const SEND_BYTES = 256 * 1024

export async function produceSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const rows: unknown[] = []
  for (const acks of ACKS) {
    for (const [valueBytes, fullRecords] of SIZES) {
      const records = Math.max(1, Math.round(fullRecords * scale))
      const sendSize = Math.min(1000, Math.floor(SEND_BYTES / valueBytes))
      for (const partitions of PARTITIONS) {
        const rates: number[] = []
        // Round -1 warms the JIT up and is not counted.
        for (let round = -1; round < rounds; round++) {
          const elapsed = await withBroker(async (broker) => {
            await broker.admin().createTopics({ topics: [{ topic: 'bench', numPartitions: partitions }] })
            return produce(broker, { topic: 'bench', records, valueBytes, acks, sendSize })
          })
          if (round >= 0) rates.push((records / elapsed) * 1000)
        }
        const recordsPerSecond = summarize(rates)
        const mbPerSecond = summarize(rates.map((rate) => (rate * valueBytes) / 1e6))
        const name = `produce acks=${acks}, ${valueBytes} B values, ${partitions} partition(s)`
        print(`${name}: ${formatSummary(recordsPerSecond, 'records/s')}, ${mbPerSecond.median.toFixed(1)} MB/s of values`)
        rows.push({ name, acks, valueBytes, partitions, records, sendSize, recordsPerSecond, mbPerSecond })
      }
    }
  }
  return { name: 'produce', rows }
}
