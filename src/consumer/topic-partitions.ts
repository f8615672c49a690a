/** Small helpers for sets of topic-partitions. */
import type { TopicPartitions } from '../coordinator/assignors/types.js'

/** A map key for one topic-partition. */
export function slot(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

/** Topic-partition pairs grouped by topic, partitions sorted. */
export function groupByTopic(entries: Array<{ topic: string; partition: number }>): TopicPartitions[] {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of entries) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }))
}

