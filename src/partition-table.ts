/**
 * The main thread's view of every open partition: which shard hosts it, the offsets its actor
 * last published, and the readers waiting for it to grow (long poll). Partitions are spread
 * over the shards like Kafka spreads them over brokers: each new partition goes to the shard
 * holding the fewest.
 */
import { BrokerError } from './errors.js'
import type { PartitionOffsets } from './shard-protocol.js'
import type { Shard } from './shard.js'

export interface PartitionState {
  readonly topic: string
  readonly partition: number
  /** `<topic>-<partition>`: the actor's address and its directory name. */
  readonly key: string
  readonly dir: string
  readonly shard: Shard
  offsets: PartitionOffsets
  readonly waiters: Set<() => void>
  /** Settles once the actor has opened (and recovered) the partition's log. */
  opened: Promise<void>
}

export class PartitionTable {
  private readonly byKey = new Map<string, PartitionState>()
  private readonly byTopic = new Map<string, PartitionState[]>()

  constructor(private readonly shards: Shard[]) {}

  /** The shard with the fewest partitions, lowest index first. */
  leastLoadedShard(): Shard {
    return this.shards.reduce((best, shard) => (shard.partitionCount < best.partitionCount ? shard : best))
  }

  add(state: PartitionState): void {
    this.byKey.set(state.key, state)
    const list = this.byTopic.get(state.topic) ?? []
    list[state.partition] = state
    this.byTopic.set(state.topic, list)
  }

  removeTopic(topic: string): PartitionState[] {
    const list = this.byTopic.get(topic) ?? []
    this.byTopic.delete(topic)
    for (const state of list) {
      this.byKey.delete(state.key)
      wake(state)
    }
    return list
  }

  get(topic: string, partition: number): PartitionState {
    const state = this.byTopic.get(topic)?.[partition]
    if (!state) {
      const known = this.byTopic.get(topic)
      const reason = known ? `topic ${topic} has ${known.length} partitions` : `topic ${topic} does not exist`
      throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `unknown partition ${topic}/${String(partition)}: ${reason}`, { topic, partition })
    }
    return state
  }

  partitionsOf(topic: string): PartitionState[] {
    return this.byTopic.get(topic) ?? []
  }

  all(): IterableIterator<PartitionState> {
    return this.byKey.values()
  }

  /** An actor published new offsets: keep the newest and wake the readers waiting on it. */
  publish(key: string, offsets: PartitionOffsets): void {
    const state = this.byKey.get(key)
    if (!state) return
    if (offsets.highWatermark >= state.offsets.highWatermark || offsets.logStartOffset > state.offsets.logStartOffset) {
      state.offsets = offsets
      wake(state)
    }
  }

  wakeAll(): void {
    for (const state of this.byKey.values()) wake(state)
  }
}

function wake(state: PartitionState): void {
  const waiters = [...state.waiters]
  state.waiters.clear()
  for (const waiter of waiters) waiter()
}
