/**
 * Consumer groups inside the broker: the group coordinator, the committed-offsets store on the
 * internal `__consumer_offsets` topic (created on first use, like Kafka's), the embedded
 * consumers, and the group admin. It is what the consumers and the admin see of the broker.
 */
import { EventEmitter } from 'node:events'
import type { Broker, FetchChunk, FetchRequest, FetchResult } from './broker.js'
import { GroupCoordinator } from './coordinator/group-coordinator.js'
import type { CoordinatorOptions } from './coordinator/group-types.js'
import { OffsetStore, type OffsetLog } from './coordinator/offset-store.js'
import { Consumer, type ConsumerHost, type ConsumerOptions } from './consumer/consumer.js'
import { GroupAdmin, type GroupAdminHost } from './group-admin.js'

/** Kafka's name for the internal offsets topic. */
export const OFFSETS_TOPIC = '__consumer_offsets'
/** Small segments so the offsets log's snapshots can drop old segments soon. */
const OFFSETS_SEGMENT_BYTES = String(1 << 20)

export class GroupServices implements ConsumerHost, GroupAdminHost {
  readonly coordinator: GroupCoordinator
  readonly admin: GroupAdmin
  private store: Promise<OffsetStore> | null = null
  private readonly consumers = new Set<Consumer>()
  private readonly partitionChanges = new EventEmitter()

  constructor(private readonly broker: Broker, options: CoordinatorOptions = {}) {
    this.coordinator = new GroupCoordinator(options)
    this.admin = new GroupAdmin(this)
  }

  consumer(options: ConsumerOptions): Consumer {
    const consumer = new Consumer(this, options)
    this.consumers.add(consumer)
    return consumer
  }

  /** Stops every running consumer cleanly (they commit and leave), then the coordinator. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((consumer) => consumer.stop()))
    this.coordinator.close()
  }

  offsetStore(): Promise<OffsetStore> {
    if (!this.store) {
      this.store = this.openStore()
      this.store.catch(() => {
        this.store = null
      })
    }
    return this.store
  }

  partitionCount(topic: string): number | undefined {
    return typeof topic === 'string' ? this.broker.metadata.getTopic(topic)?.partitions : undefined
  }

  topicNames(): string[] {
    return this.broker.metadata.listTopics().map((topic) => topic.name)
  }

  async createTopic(topic: string): Promise<void> {
    await this.broker.admin().createTopics({ topics: [{ topic, numPartitions: this.broker.defaultPartitions }] })
  }

  partitionOffsets(topic: string, partition: number) {
    return this.broker.partitionOffsets(topic, partition)
  }

  fetch(request: FetchRequest): Promise<FetchResult> {
    return this.broker.fetch(request)
  }

  fetchChunk(request: FetchRequest): Promise<FetchChunk> {
    return this.broker.fetchChunk(request)
  }

  now(): number {
    return this.broker.clock()
  }

  assertOpen(): void {
    this.broker.assertOpen()
  }

  onPartitionsChanged(listener: (topic: string) => void): () => void {
    this.partitionChanges.on('changed', listener)
    return () => this.partitionChanges.off('changed', listener)
  }

  /** The admin added partitions to `topic`: subscribed groups rebalance to take them. */
  partitionsChanged(topic: string): void {
    this.partitionChanges.emit('changed', topic)
  }

  private async openStore(): Promise<OffsetStore> {
    if (!this.broker.metadata.getTopic(OFFSETS_TOPIC)) {
      await this.broker.admin().createTopics({
        topics: [{ topic: OFFSETS_TOPIC, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: OFFSETS_SEGMENT_BYTES }] }],
      })
    }
    return OffsetStore.open(offsetLogOn(this.broker, OFFSETS_TOPIC))
  }
}

/** The offsets store's view of partition 0 of `topic`: durable appends, replay, DeleteRecords. */
export function offsetLogOn(broker: Broker, topic: string): OffsetLog {
  return {
    append: async (batch) => (await broker.appendBatch(topic, 0, batch, -1)).baseOffset,
    async *replay() {
      const { highWatermark, logStartOffset } = await broker.partitionOffsets(topic, 0)
      let offset = logStartOffset
      while (offset < highWatermark) {
        const { records } = await broker.fetch({ topic, partition: 0, offset })
        if (records.length === 0) break
        for (const record of records) yield record
        offset = Number(records[records.length - 1].offset) + 1
      }
    },
    deleteRecordsBefore: async (offset) => {
      await broker.deleteRecordsBefore(topic, 0, offset)
    },
  }
}
