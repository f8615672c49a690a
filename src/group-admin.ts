/**
 * The consumer-group half of the admin client (kafkajs shapes): list, describe and delete groups,
 * read and set their committed offsets, and the lag figures monitoring shows — per partition the
 * committed offset, the high watermark, the lag and how old the oldest unconsumed record is.
 */
import { BrokerError } from './errors.js'
import { decodeAssignment } from './coordinator/consumer-protocol.js'
import type { GroupCoordinator } from './coordinator/group-coordinator.js'
import type { OffsetStore } from './coordinator/offset-store.js'
import { parseOffset, type OffsetInput } from './offsets.js'
import type { FetchRequest, FetchResult } from './broker.js'

export interface GroupAdminHost {
  readonly coordinator: GroupCoordinator
  offsetStore(): Promise<OffsetStore>
  topicNames(): string[]
  partitionCount(topic: string): number | undefined
  partitionOffsets(topic: string, partition: number): Promise<{ logStartOffset: number; highWatermark: number }>
  fetch(request: FetchRequest): Promise<FetchResult>
  now(): number
}

export interface PartitionLag {
  topic: string
  partition: number
  /** -1 when the group has committed nothing for the partition. */
  committedOffset: number
  highWatermark: number
  /** Records not yet consumed: highWatermark - committed (all of the log when nothing is committed). */
  lag: number
  /** Age of the oldest unconsumed record, null when there is none. */
  oldestUnconsumedAgeMs: number | null
}

export class GroupAdmin {
  constructor(private readonly host: GroupAdminHost) {}

  async listGroups(): Promise<{ groups: Array<{ groupId: string; protocolType: string; state: string }> }> {
    const store = await this.host.offsetStore()
    const live = this.host.coordinator.listGroups()
    const known = new Set(live.map((group) => group.groupId))
    // Groups with committed offsets but no members are Empty groups, as Kafka lists them.
    const idle = store.groupIds().filter((groupId) => !known.has(groupId)).map((groupId) => ({ groupId, protocolType: 'consumer', state: 'Empty' }))
    return { groups: [...live, ...idle].sort((a, b) => a.groupId.localeCompare(b.groupId)) }
  }

  async describeGroups(groupIds: string[]) {
    const store = await this.host.offsetStore()
    return {
      groups: groupIds.map((groupId) => {
        let described
        try {
          described = this.host.coordinator.describeGroup(groupId)
        } catch {
          described = null
        }
        if (!described) {
          const state = store.list(groupId).length > 0 ? 'Empty' : 'Dead'
          return { errorCode: 0, groupId, state, protocol: '', protocolType: state === 'Empty' ? 'consumer' : '', members: [] }
        }
        return {
          errorCode: 0,
          groupId,
          state: described.state,
          protocol: described.protocol,
          protocolType: described.protocolType,
          members: described.members.map((member) => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            clientId: member.clientId,
            clientHost: member.clientHost,
            memberMetadata: member.metadata,
            memberAssignment: member.assignment,
            assignment: member.assignment.length > 0 ? decodeAssignment(member.assignment).assignment : [],
          })),
        }
      }),
    }
  }

  async fetchOffsets({ groupId, topics }: { groupId: string; topics?: string[] }) {
    const store = await this.host.offsetStore()
    const names = topics ?? [...new Set(store.list(groupId).map((entry) => entry.topic))]
    return names.map((topic) => ({
      topic,
      partitions: Array.from({ length: this.requirePartitions(topic) }, (_, partition) => {
        const committed = store.get(groupId, topic, partition)
        return { partition, offset: String(committed?.offset ?? -1), metadata: committed ? committed.metadata : null }
      }),
    }))
  }

  /** Sets a group's offsets for a topic; the group must have no active members (Kafka's rule). */
  async setOffsets({ groupId, topic, partitions }: { groupId: string; topic: string; partitions: Array<{ partition: number; offset: OffsetInput }> }): Promise<void> {
    this.requireInactive(groupId)
    const count = this.requirePartitions(topic)
    const commits = []
    for (const { partition, offset } of partitions) {
      if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
        throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} has no partition ${partition}`, { topic, partition })
      }
      const target = parseOffset(offset)
      const { logStartOffset, highWatermark } = await this.host.partitionOffsets(topic, partition)
      if (target < logStartOffset || target > highWatermark) {
        throw new BrokerError('OFFSET_OUT_OF_RANGE', `offset ${target} is outside ${topic}/${partition}'s log [${logStartOffset}, ${highWatermark}]`, { topic, partition, logStartOffset, highWatermark })
      }
      commits.push({ topic, partition, offset: target })
    }
    await (await this.host.offsetStore()).commit(groupId, commits, this.host.now())
  }

  /** Moves a group to the latest (default) or earliest offsets of a topic. */
  async resetOffsets({ groupId, topic, earliest = false }: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    const count = this.requirePartitions(topic)
    const partitions = []
    for (let partition = 0; partition < count; partition++) {
      const { logStartOffset, highWatermark } = await this.host.partitionOffsets(topic, partition)
      partitions.push({ partition, offset: earliest ? logStartOffset : highWatermark })
    }
    await this.setOffsets({ groupId, topic, partitions })
  }

  async deleteGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    const store = await this.host.offsetStore()
    const results = []
    for (const groupId of groupIds) {
      this.requireInactive(groupId)
      if (store.list(groupId).length === 0 && !this.host.coordinator.listGroups().some((group) => group.groupId === groupId)) {
        throw new BrokerError('GROUP_ID_NOT_FOUND', `group ${groupId} does not exist`, { groupId })
      }
      try {
        this.host.coordinator.deleteGroup(groupId)
      } catch {
        // A group known only by its committed offsets has no coordinator state to drop.
      }
      await store.deleteGroup(groupId, this.host.now())
      results.push({ groupId, errorCode: 0 })
    }
    return results
  }

  /** Per partition of every topic the group has committed to (or `topics`): committed, high watermark, lag, oldest unconsumed age. */
  async fetchGroupLag(groupId: string, topics?: string[]): Promise<PartitionLag[]> {
    const store = await this.host.offsetStore()
    const names = topics ?? [...new Set(store.list(groupId).map((entry) => entry.topic))].sort()
    const result: PartitionLag[] = []
    for (const topic of names) {
      for (let partition = 0; partition < this.requirePartitions(topic); partition++) {
        const committedOffset = store.get(groupId, topic, partition)?.offset ?? -1
        const { logStartOffset, highWatermark } = await this.host.partitionOffsets(topic, partition)
        const next = Math.max(committedOffset, logStartOffset)
        const lag = highWatermark - next
        let oldestUnconsumedAgeMs: number | null = null
        if (lag > 0) {
          const { records } = await this.host.fetch({ topic, partition, offset: next, maxBytes: 1 })
          const first = records.find((record) => Number(record.offset) >= next)
          if (first) oldestUnconsumedAgeMs = Math.max(0, this.host.now() - Number(first.timestamp))
        }
        result.push({ topic, partition, committedOffset, highWatermark, lag, oldestUnconsumedAgeMs })
      }
    }
    return result
  }

  private requirePartitions(topic: string): number {
    const count = this.host.partitionCount(topic)
    if (count === undefined) throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} does not exist`, { topic })
    return count
  }

  private requireInactive(groupId: string): void {
    const live = this.host.coordinator.listGroups().find((group) => group.groupId === groupId)
    if (live && live.state !== 'Empty' && live.state !== 'Dead') {
      throw new BrokerError('NON_EMPTY_GROUP', `group ${groupId} has active members (${live.state}); stop its consumers first`, { groupId })
    }
  }
}
