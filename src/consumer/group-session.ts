/**
 * One consumer's membership in its group, seen from the member's side of Kafka's protocol:
 * JoinGroup (offering one protocol per assignor, each with a ConsumerProtocol subscription that
 * lists the partitions it owns), the leader computing everybody's assignment, SyncGroup, and
 * heartbeats. The coordinator only passes bytes through, so this is also what a Kafka client does.
 */
import { BrokerError } from '../errors.js'
import type { Assignor, TopicPartitions } from '../coordinator/assignors/types.js'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../coordinator/consumer-protocol.js'
import type { GroupCoordinator } from '../coordinator/group-coordinator.js'

export interface SessionOptions {
  groupId: string
  groupInstanceId: string | null
  clientId: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  assignors: Assignor[]
}

export interface Generation {
  generationId: number
  memberId: string
  leaderId: string
  protocol: string
  assignment: TopicPartitions[]
  isLeader: boolean
}

export class GroupSession {
  memberId = ''
  generationId = -1
  protocol = ''

  constructor(
    private readonly coordinator: GroupCoordinator,
    private readonly options: SessionOptions,
    /** Partition counts of the topics the leader assigns. */
    private readonly partitionCount: (topic: string) => number | undefined,
  ) {}

  /** Joins (or rejoins) the group and returns this member's part of the new generation. */
  async join(topics: string[], owned: TopicPartitions[]): Promise<Generation> {
    const metadata = encodeSubscription({ version: 1, topics, userData: null, ownedPartitions: owned })
    const joined = await this.coordinator.joinGroup({
      groupId: this.options.groupId,
      memberId: this.memberId,
      groupInstanceId: this.options.groupInstanceId,
      clientId: this.options.clientId,
      clientHost: 'embedded',
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
      protocolType: 'consumer',
      protocols: this.options.assignors.map((assignor) => ({ name: assignor.name, metadata })),
    })
    this.memberId = joined.memberId
    this.generationId = joined.generationId
    this.protocol = joined.protocolName
    const isLeader = joined.leaderId === joined.memberId
    const assignments = isLeader ? this.assignAll(joined.protocolName, joined.members) : []
    const { assignment } = await this.coordinator.syncGroup({
      groupId: this.options.groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: this.options.groupInstanceId,
      assignments,
    })
    return {
      generationId: joined.generationId,
      memberId: joined.memberId,
      leaderId: joined.leaderId,
      protocol: joined.protocolName,
      assignment: decodeAssignment(assignment).assignment,
      isLeader,
    }
  }

  heartbeat(): void {
    this.coordinator.heartbeat({ groupId: this.options.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId })
  }

  /** Throws unless a commit now would be accepted for this member's generation. */
  validateCommit(): void {
    this.coordinator.validateCommit({ groupId: this.options.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId })
  }

  leave(): void {
    if (this.memberId === '') return
    try {
      this.coordinator.leaveGroup({ groupId: this.options.groupId, members: [{ memberId: this.memberId, groupInstanceId: this.options.groupInstanceId }] })
    } finally {
      this.memberId = ''
      this.generationId = -1
    }
  }

  /** Forget the member id (after UNKNOWN_MEMBER_ID): the next join starts as a new member. */
  reset(): void {
    this.memberId = ''
    this.generationId = -1
  }

  /** The leader's job: every member's assignment, from their subscriptions, by the chosen assignor. */
  private assignAll(protocol: string, members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>) {
    const assignor = this.options.assignors.find((candidate) => candidate.name === protocol)
    if (!assignor) throw new BrokerError('INCONSISTENT_GROUP_PROTOCOL', `the group chose protocol ${protocol}, which this consumer does not offer`)
    const subscriptions = members.map((member) => ({ member, subscription: decodeSubscription(member.metadata) }))
    const partitionsPerTopic = new Map<string, number>()
    for (const { subscription } of subscriptions) {
      for (const topic of subscription.topics) {
        const count = this.partitionCount(topic)
        if (count !== undefined) partitionsPerTopic.set(topic, count)
      }
    }
    const result = assignor.assign(
      subscriptions.map(({ member, subscription }) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        topics: subscription.topics,
        ownedPartitions: subscription.ownedPartitions ?? [],
      })),
      partitionsPerTopic,
    )
    return members.map(({ memberId }) => ({ memberId, assignment: encodeAssignment({ version: 0, assignment: result.get(memberId) ?? [], userData: null }) }))
  }
}
