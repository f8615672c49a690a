/**
 * Consumer groups: a group of 3 consuming 1,000,000 records (eachBatch and eachMessage, auto-commit
 * on) and the latency of committing one partition's offset (fsync included). Rebalance times are
 * the `rebalance` suite's.
 */
import { groupConsume } from '../group-consume.js'
import { formatSummary, summarize } from '../stats.js'
import { produce, withBroker } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

export async function groupsSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const records = Math.round(1_000_000 * scale)
  const rows: unknown[] = []
  await withBroker(async (broker) => {
    await broker.admin().createTopics({ topics: [{ topic: 'bench', numPartitions: 24 }] })
    await produce(broker, { topic: 'bench', records, valueBytes: 100, acks: -1 })
    for (const mode of ['eachBatch', 'eachMessage'] as const) {
      const rates: number[] = []
      for (let round = -1; round < rounds; round++) {
        const { elapsedMs } = await groupConsume(broker, { topic: 'bench', groupId: `consume-${mode}-${round}`, members: 3, records, mode })
        if (round >= 0) rates.push((records / elapsedMs) * 1000)
      }
      const summary = summarize(rates)
      print(`group of 3 consuming ${records.toLocaleString('en-US')} records (24 partitions, ${mode}, auto-commit): ${formatSummary(summary, 'records/s')}`)
      rows.push({ kind: 'group-consume', mode, records, recordsPerSecond: summary })
    }

    const committer = broker.consumer({ groupId: 'commit-latency' })
    const latencies: number[] = []
    for (let i = 0; i < 2000; i++) {
      const started = performance.now()
      await committer.commitOffsets([{ topic: 'bench', partition: 0, offset: i % 1000 }])
      latencies.push(performance.now() - started)
    }
    const sorted = [...latencies].sort((a, b) => a - b)
    const p50 = sorted[Math.floor(sorted.length * 0.5)]
    const p99 = sorted[Math.floor(sorted.length * 0.99)]
    print(`commitOffsets of one partition (fsynced), 2,000 sequential: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`)
    rows.push({ kind: 'commit', count: 2000, p50Ms: p50, p99Ms: p99 })
  })
  return { name: 'groups', rows }
}
