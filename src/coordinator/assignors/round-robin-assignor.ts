/**
 * Kafka's `roundrobin` assignor (eager). Every subscribed partition, sorted by topic then
 * partition, is dealt to the next member of a circle in Kafka's member order; members not
 * subscribed to the partition's topic are skipped (the circle still advances past them).
 *
 * Example (Kafka's): members C0, C1; topics t0, t1 with 3 partitions each
 *   C0 = [t0p0, t0p2, t1p1]   C1 = [t0p1, t1p0, t1p2]
 */
import { AssignmentBuilder, checkAssignorInput, compareMembers, compareStrings } from './assignment-builder.js'
import type { Assignor } from './types.js'

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    checkAssignorInput(members, partitionsPerTopic)
    const builder = new AssignmentBuilder(members)
    const circle = [...members].sort(compareMembers).map((member) => ({ memberId: member.memberId, topics: new Set(member.topics) }))
    const topics = [...new Set(members.flatMap((member) => member.topics))]
      .filter((topic) => partitionsPerTopic.has(topic))
      .sort(compareStrings)
    let next = 0
    for (const topic of topics) {
      const partitionCount = partitionsPerTopic.get(topic)!
      for (let partition = 0; partition < partitionCount; partition++) {
        // Terminates: the topic came from some member's subscription.
        while (!circle[next].topics.has(topic)) next = (next + 1) % circle.length
        builder.add(circle[next].memberId, topic, partition)
        next = (next + 1) % circle.length
      }
    }
    return builder.build()
  },
}

/**
 * The same assignor under kafkajs's name for its round-robin assigner, whose subscription and
 * assignment are Kafka's ConsumerProtocol v0. A group selects a protocol every member offers, so
 * an embedded consumer offering this name can share a group with kafkajs consumers (whichever
 * member leads, each decodes the other's assignment).
 */
export const kafkajsRoundRobinAssignor: Assignor = { ...roundRobinAssignor, name: 'RoundRobinAssigner' }
