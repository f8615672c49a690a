/**
 * Consumer groups: a group of 3 consuming 1,000,000 records (eachBatch and eachMessage, auto-commit
 * on), the time a group of 10 takes to rebalance after one member's clean disconnect, and the
 * latency of committing one partition's offset (fsync included).
 */
import { once } from 'node:events'
import { CONSUMER_EVENTS, type Broker, type Consumer } from '../../src/index.js'
import { formatSummary, summarize } from '../stats.js'
import { produce, withBroker } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

async function groupConsume(broker: Broker, mode: 'eachBatch' | 'eachMessage', groupId: string, records: number): Promise<number> {
  let seen = 0
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))
  const count = (n: number) => {
    seen += n
    if (seen >= records) done()
  }
  const members: Consumer[] = []
  const started = performance.now()
  for (let i = 0; i < 3; i++) {
    const consumer = broker.consumer({ groupId, partitionAssigners: ['range'] })
    await consumer.subscribe({ topics: ['bench'], fromBeginning: true })
    if (mode === 'eachBatch') await consumer.run({ eachBatch: async ({ batch }) => count(batch.messages.length) })
    else await consumer.run({ eachMessage: async () => count(1) })
    members.push(consumer)
  }
  await finished
  const elapsed = performance.now() - started
  await Promise.all(members.map((member) => member.disconnect()))
  return elapsed
}

async function rebalanceAfterLeave(broker: Broker, groupId: string): Promise<number> {
  const members: Consumer[] = []
  for (let i = 0; i < 10; i++) {
    const consumer = broker.consumer({ groupId, partitionAssigners: ['range'], heartbeatIntervalMs: 20 })
    consumer.setMaxListeners(50)
    await consumer.subscribe({ topics: ['bench'], fromBeginning: false })
    await consumer.run({ eachBatch: async () => undefined })
    members.push(consumer)
  }
  // Settled: every member owns its share of the 24 partitions.
  const owned = () => members.reduce((sum, member) => sum + member.assignment().reduce((n, entry) => n + entry.partitions.length, 0), 0)
  while (owned() !== 24 || members.some((member) => member.assignment().length === 0)) await Promise.race(members.map((member) => once(member, CONSUMER_EVENTS.GROUP_JOIN)))
  const [leaver, ...rest] = members
  const rejoined = Promise.all(rest.map((member) => once(member, CONSUMER_EVENTS.GROUP_JOIN)))
  const started = performance.now()
  await leaver.disconnect()
  await rejoined
  const elapsed = performance.now() - started
  await Promise.all(rest.map((member) => member.disconnect()))
  return elapsed
}

export async function groupsSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const records = Math.round(1_000_000 * scale)
  const rows: unknown[] = []
  await withBroker(async (broker) => {
    await broker.admin().createTopics({ topics: [{ topic: 'bench', numPartitions: 24 }] })
    await produce(broker, { topic: 'bench', records, valueBytes: 100, acks: -1 })
    for (const mode of ['eachBatch', 'eachMessage'] as const) {
      const rates: number[] = []
      for (let round = -1; round < rounds; round++) {
        const elapsed = await groupConsume(broker, mode, `consume-${mode}-${round}`, records)
        if (round >= 0) rates.push((records / elapsed) * 1000)
      }
      const summary = summarize(rates)
      print(`group of 3 consuming ${records.toLocaleString('en-US')} records (24 partitions, ${mode}, auto-commit): ${formatSummary(summary, 'records/s')}`)
      rows.push({ kind: 'group-consume', mode, records, recordsPerSecond: summary })
    }
    const rebalances: number[] = []
    for (let round = 0; round < rounds; round++) rebalances.push(await rebalanceAfterLeave(broker, `rebalance-${round}`))
    const rebalance = summarize(rebalances)
    print(`rebalance of a group of 10 after one clean disconnect: ${formatSummary(rebalance, 'ms', 1)}`)
    rows.push({ kind: 'rebalance', membersBefore: 10, ms: rebalance })

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
