/**
 * Kafka's `range` assignor (eager). Per topic, the topic's subscribers in Kafka's member order
 * split its partitions into contiguous ranges; the first `partitions % subscribers` of them get
 * one extra. Topics are independent, which is why range co-locates partition i of co-partitioned
 * topics on one member (and also why the first members get the extras of every topic).
 *
 * Example (Kafka's): members C0, C1; topics t0, t1 with 3 partitions each
 *   C0 = [t0p0, t0p1, t1p0, t1p1]   C1 = [t0p2, t1p2]
 */
import { AssignmentBuilder, checkAssignorInput, compareMembers } from './assignment-builder.js'
import type { Assignor, AssignorMember } from './types.js'

export const rangeAssignor: Assignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    checkAssignorInput(members, partitionsPerTopic)
    const builder = new AssignmentBuilder(members)
    const subscribersByTopic = new Map<string, AssignorMember[]>()
    for (const member of members) {
      for (const topic of new Set(member.topics)) {
        if (!partitionsPerTopic.has(topic)) continue
        let subscribers = subscribersByTopic.get(topic)
        if (subscribers === undefined) subscribersByTopic.set(topic, (subscribers = []))
        subscribers.push(member)
      }
    }
    for (const [topic, subscribers] of subscribersByTopic) {
      subscribers.sort(compareMembers)
      const partitionCount = partitionsPerTopic.get(topic)!
      const perMember = Math.floor(partitionCount / subscribers.length)
      const withExtra = partitionCount % subscribers.length
      for (let i = 0; i < subscribers.length; i++) {
        const start = perMember * i + Math.min(i, withExtra)
        const length = perMember + (i < withExtra ? 1 : 0)
        for (let partition = start; partition < start + length; partition++) builder.add(subscribers[i].memberId, topic, partition)
      }
    }
    return builder.build()
  },
}
