/**
 * A kafkajs partition assigner that gives one chosen partition of a topic to the group's first
 * member: how `brook consume --partition N` reads a single partition (kafkajs has no assign()).
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs'

const NAME = 'BrookSinglePartition'

export function singlePartitionAssigner(topic: string, partition: number): PartitionAssigner {
  return ({ cluster }) => ({
    name: NAME,
    version: 0,
    async assign({ members }) {
      const known = cluster.findTopicPartitionMetadata(topic).map((entry) => entry.partitionId)
      if (!known.includes(partition)) throw new Error(`topic ${topic} has no partition ${partition} (it has ${known.length})`)
      return [...members]
        .sort((a, b) => a.memberId.localeCompare(b.memberId))
        .map((member, index) => ({
          memberId: member.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment: index === 0 ? { [topic]: [partition] } : {},
            userData: Buffer.alloc(0),
          }),
        }))
    },
    protocol({ topics }) {
      return { name: NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) }
    },
  })
}
