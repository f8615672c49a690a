/**
 * The contract of a partition assignor. brook's groups use Kafka's client-side assignment: the
 * coordinator only relays member metadata, and the group leader runs one of these over the
 * members' decoded subscriptions, so an embedded consumer and a Kafka client (which runs the
 * Java, librdkafka or kafkajs implementation of the same name) must agree on the result.
 */

/** Some partitions of one topic, as Kafka's ConsumerProtocol carries them. */
export interface TopicPartitions {
  topic: string
  partitions: number[]
}

export interface AssignorMember {
  memberId: string
  /** Static membership (KIP-345): when set, it orders members instead of the member id. */
  groupInstanceId?: string | null
  topics: string[]
  /** What the member consumes now (Subscription v1+); only the sticky assignor reads it. */
  ownedPartitions: TopicPartitions[]
}

export interface Assignor {
  /** The protocol name sent in JoinGroup; Kafka's Java names, so mixed-client groups agree. */
  readonly name: string
  /**
   * eager: members give up everything before each rebalance. cooperative: members keep what they
   * own, and the assignor withholds every partition that changes owner for one round.
   */
  readonly rebalanceProtocol: 'eager' | 'cooperative'
  /**
   * One entry per member, possibly empty; topics sorted, partitions ascending. Topics missing from
   * `partitionsPerTopic` (unknown to the cluster) or without subscribers are ignored.
   */
  assign(members: AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, TopicPartitions[]>
}
