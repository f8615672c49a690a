/**
 * The admin client, shaped like kafkajs's `admin()`: topics, partitions, configs and offsets.
 * Every change is validated in full before anything is written, then made durable in the
 * metadata store, then applied to the partition actors.
 */
import type { Broker } from './broker.js'
import { BrokerError } from './errors.js'
import { describeTopicConfig, parseTopicConfig } from './metadata/topic-config.js'
import { validateTopicName } from './metadata/topic-name.js'
import type { TopicRecord } from './metadata/metadata-store.js'
import { parseOffset } from './offsets.js'
import { describeTopicRetention, type TopicPartitionRetention } from './retention-task.js'

export interface ConfigEntry {
  name: string
  value: string
}

export interface ITopicConfig {
  topic: string
  numPartitions?: number
  replicationFactor?: number
  configEntries?: ConfigEntry[]
}

export interface PartitionMetadata {
  partitionErrorCode: number
  partitionId: number
  leader: number
  replicas: number[]
  isr: number[]
  offlineReplicas: number[]
}

export interface TopicOffsets {
  partition: number
  /** The high watermark, as kafkajs reports it. */
  offset: string
  high: string
  low: string
}

/** kafkajs's ConfigResourceTypes. */
export const ConfigResourceTypes = { UNKNOWN: 0, TOPIC: 2, BROKER: 4 } as const

/** brook is one broker: node 0 leads every partition. */
const NODE_ID = 0

export class Admin {
  constructor(private readonly broker: Broker) {}

  /** kafkajs compatibility: the embedded admin needs no connection. */
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  async listTopics(): Promise<string[]> {
    this.broker.assertOpen()
    return this.broker.metadata.listTopics().map((topic) => topic.name)
  }

  /** Creates the topics; resolves false if some already existed (those are left as they are), like kafkajs. */
  async createTopics({ topics, validateOnly = false }: { topics: ITopicConfig[]; validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number }): Promise<boolean> {
    this.broker.assertOpen()
    if (!Array.isArray(topics) || topics.length === 0) throw new BrokerError('INVALID_REQUEST', 'createTopics needs a non-empty topics array')
    const seen = new Set<string>()
    for (const entry of topics) {
      const name = validateTopicName(entry?.topic)
      if (seen.has(name)) throw new BrokerError('INVALID_REQUEST', `topic ${name} appears twice in one createTopics call`)
      seen.add(name)
      checkPartitionCount(entry.numPartitions ?? 1, name)
      if (entry.replicationFactor !== undefined && entry.replicationFactor !== -1 && entry.replicationFactor !== 1) {
        throw new BrokerError('INVALID_REQUEST', `topic ${name}: replicationFactor ${entry.replicationFactor} is impossible on a single broker (use 1)`)
      }
      parseTopicConfig(entry.configEntries)
    }
    const fresh = topics.filter((entry) => !this.broker.metadata.getTopic(entry.topic))
    if (validateOnly) return fresh.length === topics.length
    for (const entry of fresh) {
      const numPartitions = entry.numPartitions === undefined || entry.numPartitions === -1 ? 1 : entry.numPartitions
      const record = this.broker.metadata.createTopic({ name: entry.topic, partitions: numPartitions, configs: entry.configEntries })
      await this.broker.openPartitions(record, 0)
    }
    return fresh.length === topics.length
  }

  async deleteTopics({ topics }: { topics: string[]; timeout?: number }): Promise<void> {
    this.broker.assertOpen()
    if (!Array.isArray(topics) || topics.length === 0) throw new BrokerError('INVALID_REQUEST', 'deleteTopics needs a non-empty topics array')
    for (const name of topics) this.topic(name)
    for (const name of topics) {
      this.broker.metadata.deleteTopic(name)
      await this.broker.closeTopicPartitions(name, true)
    }
  }

  async createPartitions({ topicPartitions, validateOnly = false }: { topicPartitions: Array<{ topic: string; count: number }>; validateOnly?: boolean; timeout?: number }): Promise<boolean> {
    this.broker.assertOpen()
    if (!Array.isArray(topicPartitions) || topicPartitions.length === 0) throw new BrokerError('INVALID_REQUEST', 'createPartitions needs a non-empty topicPartitions array')
    for (const { topic, count } of topicPartitions) {
      const record = this.topic(topic)
      checkPartitionCount(count, topic)
      if (count <= record.partitions) {
        throw new BrokerError('INVALID_PARTITIONS', `topic ${topic} has ${record.partitions} partitions; the new count ${count} must be larger`, { topic })
      }
    }
    if (validateOnly) return true
    for (const { topic, count } of topicPartitions) {
      const before = this.topic(topic).partitions
      const record = this.broker.metadata.setPartitionCount(topic, count)
      await this.broker.openPartitions(record, before)
      this.broker.groups.partitionsChanged(topic)
    }
    return true
  }

  async fetchTopicMetadata({ topics }: { topics?: string[] } = {}): Promise<{ topics: Array<{ name: string; partitions: PartitionMetadata[] }> }> {
    this.broker.assertOpen()
    const records = topics === undefined || topics.length === 0 ? this.broker.metadata.listTopics() : topics.map((name) => this.topic(name))
    return {
      topics: records.map((record) => ({
        name: record.name,
        partitions: Array.from({ length: record.partitions }, (_, partitionId) => ({
          partitionErrorCode: 0,
          partitionId,
          leader: NODE_ID,
          replicas: [NODE_ID],
          isr: [NODE_ID],
          offlineReplicas: [],
        })),
      })),
    }
  }

  async fetchTopicOffsets(topic: string): Promise<TopicOffsets[]> {
    this.broker.assertOpen()
    this.topic(topic)
    return Promise.all(
      this.broker.partitions.partitionsOf(topic).map(async (state) => {
        await state.opened
        const offsets = await state.shard.offsets(state.key)
        const high = String(offsets.highWatermark)
        return { partition: state.partition, offset: high, high, low: String(offsets.logStartOffset) }
      }),
    )
  }

  /** Per partition, the first offset whose timestamp is at or after `timestamp`; the high watermark when none is. */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<Array<{ partition: number; offset: string }>> {
    this.broker.assertOpen()
    this.topic(topic)
    const timestampMs = timestamp === undefined ? Date.now() : parseOffset(timestamp, 'timestamp')
    return Promise.all(
      this.broker.partitions.partitionsOf(topic).map(async (state) => {
        await state.opened
        const found = await state.shard.offsetForTimestamp(state.key, timestampMs)
        const offset = found ?? (await state.shard.offsets(state.key)).highWatermark
        return { partition: state.partition, offset: String(offset) }
      }),
    )
  }

  /** kafkajs's describeConfigs for TOPIC resources: every known key with its value and whether it is the default. */
  async describeConfigs({ resources }: { resources: Array<{ type: number; name: string; configNames?: string[] }>; includeSynonyms?: boolean }) {
    this.broker.assertOpen()
    return {
      throttleTime: 0,
      resources: resources.map(({ type, name, configNames }) => {
        if (type !== ConfigResourceTypes.TOPIC) throw new BrokerError('INVALID_REQUEST', `only TOPIC (${ConfigResourceTypes.TOPIC}) config resources are supported, got ${type}`)
        const record = this.topic(name)
        const wanted = configNames && configNames.length > 0 ? new Set(configNames) : null
        return {
          errorCode: 0,
          errorMessage: null,
          resourceName: name,
          resourceType: type,
          configEntries: describeTopicConfig(record.configs)
            .filter((entry) => wanted === null || wanted.has(entry.name))
            .map((entry) => ({ configName: entry.name, configValue: entry.value, isDefault: entry.isDefault, configSource: entry.isDefault ? 5 : 1, isSensitive: false, readOnly: false, configSynonyms: [] })),
        }
      }),
    }
  }

  async alterConfigs({ resources, validateOnly = false }: { resources: Array<{ type: number; name: string; configEntries: ConfigEntry[] }>; validateOnly?: boolean }) {
    this.broker.assertOpen()
    for (const { type, name, configEntries } of resources) {
      if (type !== ConfigResourceTypes.TOPIC) throw new BrokerError('INVALID_REQUEST', `only TOPIC (${ConfigResourceTypes.TOPIC}) config resources are supported, got ${type}`)
      this.topic(name)
      parseTopicConfig(configEntries)
    }
    if (!validateOnly) {
      for (const { name, configEntries } of resources) {
        const record = this.broker.metadata.alterConfigs(name, configEntries)
        await this.broker.applyTopicConfig(record)
      }
    }
    return { throttleTime: 0, resources: resources.map(({ type, name }) => ({ errorCode: 0, errorMessage: null, resourceName: name, resourceType: type })) }
  }

  /** brook's own: damaged offset ranges found in a topic's logs (reported, never served). */
  async describeDamage(topic: string) {
    this.broker.assertOpen()
    this.topic(topic)
    return Promise.all(
      this.broker.partitions.partitionsOf(topic).map(async (state) => ({ partition: state.partition, damaged: await state.shard.damagedRanges(state.key) })),
    )
  }

  /**
   * brook's own: per partition, a dry run of retention as of the broker's clock: every segment
   * with its offsets, size, largest timestamp and when it expires, and why it is kept (or that
   * the next run deletes it).
   */
  async describeRetention(topic: string): Promise<TopicPartitionRetention[]> {
    this.broker.assertOpen()
    return describeTopicRetention(this.broker, this.topic(topic))
  }

  // Consumer groups (kafkajs shapes); see group-admin.ts.

  listGroups() {
    this.broker.assertOpen()
    return this.broker.groups.admin.listGroups()
  }

  describeGroups(groupIds: string[]) {
    this.broker.assertOpen()
    return this.broker.groups.admin.describeGroups(groupIds)
  }

  fetchOffsets(request: { groupId: string; topics?: string[] }) {
    this.broker.assertOpen()
    return this.broker.groups.admin.fetchOffsets(request)
  }

  setOffsets(request: { groupId: string; topic: string; partitions: Array<{ partition: number; offset: string | number }> }) {
    this.broker.assertOpen()
    return this.broker.groups.admin.setOffsets(request)
  }

  resetOffsets(request: { groupId: string; topic: string; earliest?: boolean }) {
    this.broker.assertOpen()
    return this.broker.groups.admin.resetOffsets(request)
  }

  deleteGroups(groupIds: string[]) {
    this.broker.assertOpen()
    return this.broker.groups.admin.deleteGroups(groupIds)
  }

  /** Per partition: committed offset, high watermark, lag, and the age of the oldest unconsumed record. */
  fetchGroupLag(groupId: string, topics?: string[]) {
    this.broker.assertOpen()
    return this.broker.groups.admin.fetchGroupLag(groupId, topics)
  }

  private topic(name: string): TopicRecord {
    const record = this.broker.metadata.getTopic(validateTopicName(name))
    if (!record) throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`, { topic: name })
    return record
  }
}

function checkPartitionCount(count: unknown, topic: string): void {
  if (count === -1) return
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new BrokerError('INVALID_PARTITIONS', `topic ${topic}: the partition count must be a positive integer, got ${String(count)}`, { topic })
  }
}
