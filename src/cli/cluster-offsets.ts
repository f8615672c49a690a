/** Offsets the admin tools show: each partition's log start and end, and a group's committed offsets. */
import type { Admin } from 'kafkajs'

export interface PartitionOffsets {
  topic: string
  partition: number
  /** Log start offset. */
  low: bigint
  /** Log end offset (high watermark). */
  high: bigint
}

export interface CommittedOffset {
  topic: string
  partition: number
  offset: bigint
}

/** Every partition of `topics`, sorted by topic then partition. */
export async function partitionOffsets(admin: Admin, topics: readonly string[]): Promise<PartitionOffsets[]> {
  const perTopic = await Promise.all(
    [...topics].sort().map(async (topic) =>
      (await admin.fetchTopicOffsets(topic))
        .map(({ partition, low, high }) => ({ topic, partition, low: BigInt(low), high: BigInt(high) }))
        .sort((a, b) => a.partition - b.partition),
    ),
  )
  return perTopic.flat()
}

/** The offsets `groupId` committed (partitions without a commit left out), sorted by topic then partition. */
export async function committedOffsets(admin: Admin, groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]> {
  const fetched = await admin.fetchOffsets({ groupId, ...(topics === undefined ? {} : { topics: [...topics] }) })
  return fetched
    .flatMap(({ topic, partitions }) => partitions.map(({ partition, offset }) => ({ topic, partition, offset: BigInt(offset) })))
    .filter((entry) => entry.offset >= 0n)
    .sort(byTopicPartition)
}

export function byTopicPartition(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
}

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
