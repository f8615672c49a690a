/**
 * Rebalance time of a group of 10 embedded consumers on a 24-partition topic when one member
 * goes: after its clean disconnect (it sends LeaveGroup), and after its crash (heartbeats just
 * stop, as when a process is killed) with the broker's shortest session timeout, 1 s — there the
 * time is mostly that timeout. Timed from the member going until the 9 others have all rejoined
 * and own the 24 partitions between them. Members heartbeat every 20 ms, since a rebalance
 * reaches a member through its heartbeat.
 *
 * Rows: { name, departure ('clean' | 'crash'), membersBefore, partitions, sessionTimeoutMs,
 *   ms: Summary }
 */
import { once } from 'node:events'
import { CONSUMER_EVENTS, type Broker, type Consumer } from '../../src/index.js'
import { LIMITS } from '../../src/limits.js'
import { formatSummary, summarize } from '../stats.js'
import { withBroker } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

const MEMBERS = 10
const PARTITIONS = 24
const HEARTBEAT_MS = 20

type Departure = 'clean' | 'crash'

export async function rebalanceSuite({ rounds, print }: SuiteContext): Promise<SuiteResult> {
  const rows: unknown[] = []
  await withBroker(async (broker) => {
    await broker.admin().createTopics({ topics: [{ topic: 'bench', numPartitions: PARTITIONS }] })
    for (const departure of ['clean', 'crash'] as const) {
      // A crash is found by the session timeout: the shortest the coordinator accepts; a clean leave keeps the default.
      const sessionTimeoutMs = departure === 'crash' ? LIMITS.groupMinSessionTimeoutMs : LIMITS.consumerSessionTimeoutMs
      const times: number[] = []
      for (let round = 0; round < rounds; round++) times.push(await rebalanceAfter(broker, departure, sessionTimeoutMs, `rebalance-${departure}-${round}`))
      const ms = summarize(times)
      const name = `rebalance of a group of ${MEMBERS} after one member's ${departure === 'clean' ? 'clean disconnect' : `crash (session timeout ${sessionTimeoutMs} ms)`}`
      print(`${name}: ${formatSummary(ms, 'ms', 1)}`)
      rows.push({ name, departure, membersBefore: MEMBERS, partitions: PARTITIONS, sessionTimeoutMs, ms })
    }
  })
  return { name: 'rebalance', rows }
}

async function rebalanceAfter(broker: Broker, departure: Departure, sessionTimeoutMs: number, groupId: string): Promise<number> {
  const members: Consumer[] = []
  for (let i = 0; i < MEMBERS; i++) {
    const consumer = broker.consumer({ groupId, partitionAssigners: ['range'], heartbeatIntervalMs: HEARTBEAT_MS, sessionTimeoutMs })
    consumer.setMaxListeners(50)
    await consumer.subscribe({ topics: ['bench'], fromBeginning: false })
    await consumer.run({ eachBatch: async () => undefined })
    members.push(consumer)
  }
  await settled(members)
  const [leaver, ...rest] = members
  const rejoined = Promise.all(rest.map((member) => once(member, CONSUMER_EVENTS.GROUP_JOIN)))
  const started = performance.now()
  if (departure === 'clean') await leaver.disconnect()
  else await leaver.crashForTest()
  await rejoined
  await settled(rest)
  const elapsed = performance.now() - started
  await Promise.all(rest.map((member) => member.disconnect()))
  return elapsed
}

/** Resolves once every member has partitions and together they own them all. */
async function settled(members: Consumer[]): Promise<void> {
  const owned = () => members.reduce((sum, member) => sum + member.assignment().reduce((n, entry) => n + entry.partitions.length, 0), 0)
  while (owned() !== PARTITIONS || members.some((member) => member.assignment().length === 0)) {
    await Promise.race(members.map((member) => once(member, CONSUMER_EVENTS.GROUP_JOIN)))
  }
}
