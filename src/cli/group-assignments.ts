/** Which member of a consumer group owns which partitions, decoded from DescribeGroups. */
import { AssignerProtocol, type GroupDescription, type MemberDescription } from 'kafkajs'
import { topicPartitionKey } from './cluster-offsets.js'

export interface AssignedPartition {
  topic: string
  partition: number
  member: MemberDescription
}

/** Assignments of a `consumer` group's members; other protocol types carry no readable assignment. */
export function assignedPartitions(group: GroupDescription): Map<string, AssignedPartition> {
  const owners = new Map<string, AssignedPartition>()
  if (group.protocolType !== 'consumer') return owners
  for (const member of group.members) {
    if (member.memberAssignment.length === 0) continue
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)
    for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
      for (const partition of partitions) owners.set(topicPartitionKey(topic, partition), { topic, partition, member })
    }
  }
  return owners
}
