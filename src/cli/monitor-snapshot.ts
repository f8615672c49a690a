/** What `brook monitor` shows: offsets of every partition and every group's commits at one moment, and rates between two such moments. */
import type { Admin } from 'kafkajs'
import { committedOffsets, partitionOffsets, topicPartitionKey, type CommittedOffset, type PartitionOffsets } from './cluster-offsets.js'
import { formatTable } from './table.js'

export interface Snapshot {
  /** When it was taken (performance.now()). */
  atMs: number
  takenAt: Date
  partitions: PartitionOffsets[]
  groups: Array<{ groupId: string; committed: CommittedOffset[] }>
}

export interface Rates {
  /** Records per second appended (sum over partitions of the change in high watermarks). */
  produce: number
  /** Records per second consumed (sum over groups of the change in committed offsets). */
  consume: number
}

/** `topics` limits the view; all topics but internal ones (__consumer_offsets) when undefined. */
export async function takeSnapshot(admin: Admin, topics: readonly string[] | undefined): Promise<Snapshot> {
  const atMs = performance.now()
  const takenAt = new Date()
  const names = topics ?? (await admin.listTopics()).filter((name) => !isInternalTopic(name))
  const [partitions, { groups }] = await Promise.all([partitionOffsets(admin, names), admin.listGroups()])
  const wanted = new Set(names)
  const groupIds = groups.map((group) => group.groupId).sort()
  const committed = await Promise.all(groupIds.map((groupId) => committedOffsets(admin, groupId)))
  return {
    atMs,
    takenAt,
    partitions,
    groups: groupIds.map((groupId, index) => ({ groupId, committed: committed[index]!.filter((entry) => wanted.has(entry.topic)) })),
  }
}

function isInternalTopic(name: string): boolean {
  return name.startsWith('__')
}

export function ratesBetween(before: Snapshot, after: Snapshot): Rates {
  const seconds = Math.max(after.atMs - before.atMs, 1) / 1000
  const highs = new Map(before.partitions.map((entry) => [topicPartitionKey(entry.topic, entry.partition), entry.high]))
  let produced = 0n
  for (const entry of after.partitions) {
    const previous = highs.get(topicPartitionKey(entry.topic, entry.partition))
    if (previous !== undefined && entry.high > previous) produced += entry.high - previous
  }
  const commits = new Map(before.groups.flatMap(({ groupId, committed }) => committed.map((entry) => [`${groupId}\u0000${topicPartitionKey(entry.topic, entry.partition)}`, entry.offset])))
  let consumed = 0n
  for (const { groupId, committed } of after.groups) {
    for (const entry of committed) {
      const previous = commits.get(`${groupId}\u0000${topicPartitionKey(entry.topic, entry.partition)}`)
      if (previous !== undefined && entry.offset > previous) consumed += entry.offset - previous
    }
  }
  return { produce: Number(produced) / seconds, consume: Number(consumed) / seconds }
}

/** The text block of one snapshot; rates are '-' until two snapshots exist. */
export function renderSnapshot(snapshot: Snapshot, rates: Rates | undefined, title: string): string {
  const rate = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1))
  const highs = new Map(snapshot.partitions.map((entry) => [topicPartitionKey(entry.topic, entry.partition), entry.high]))
  const groupRows = snapshot.groups.flatMap(({ groupId, committed }) =>
    committed.map(({ topic, partition, offset }) => {
      const high = highs.get(topicPartitionKey(topic, partition))
      return [groupId, topic, partition, offset, high ?? '-', high === undefined ? '-' : high - offset]
    }),
  )
  return [
    `${title}  ${snapshot.takenAt.toISOString()}`,
    `produce: ${rate(rates?.produce)} records/s  consume: ${rate(rates?.consume)} records/s`,
    '',
    formatTable(['TOPIC', 'PARTITION', 'LOG-START-OFFSET', 'LOG-END-OFFSET'], snapshot.partitions.map((p) => [p.topic, p.partition, p.low, p.high])),
    '',
    formatTable(['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED-OFFSET', 'LOG-END-OFFSET', 'LAG'], groupRows),
  ].join('\n')
}
