/**
 * Kafka's default partitioner, identical to the Java client's so a key lands on the same
 * partition number as with Java, kafkajs or librdkafka (murmur2_random): an explicit partition
 * wins; a key goes to `toPositive(murmur2(key)) % numPartitions`; records without a key go
 * round-robin, or stick to one partition per batch (KIP-480) when asked.
 */
import { partitionForKey } from './murmur2.js'

export type NullKeyStrategy = 'round-robin' | 'sticky'

export class Partitioner {
  private readonly roundRobin = new Map<string, number>()
  private readonly sticky = new Map<string, number>()

  constructor(private readonly nullKeyStrategy: NullKeyStrategy = 'round-robin') {}

  partition(topic: string, numPartitions: number, key: Buffer | null, explicit: number | undefined): number {
    if (explicit !== undefined) return explicit
    if (key !== null) return partitionForKey(key, numPartitions)
    if (this.nullKeyStrategy === 'sticky') {
      const current = this.sticky.get(topic)
      if (current !== undefined && current < numPartitions) return current
      const chosen = this.nextRoundRobin(topic, numPartitions)
      this.sticky.set(topic, chosen)
      return chosen
    }
    return this.nextRoundRobin(topic, numPartitions)
  }

  /** Sticky partitioning moves on once the batch it filled has been sent. */
  batchSent(topic: string, partition: number): void {
    if (this.sticky.get(topic) === partition) this.sticky.delete(topic)
  }

  private nextRoundRobin(topic: string, numPartitions: number): number {
    const next = this.roundRobin.get(topic) ?? Math.floor(Math.random() * numPartitions)
    this.roundRobin.set(topic, (next + 1) % numPartitions)
    return next % numPartitions
  }
}
