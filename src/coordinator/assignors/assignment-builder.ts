/**
 * What the three assignors share: input checks, Kafka's member order, and building the result in
 * the sorted shape the `Assignor` contract promises.
 */
import { BrokerError } from '../../errors.js'
import type { AssignorMember, TopicPartitions } from './types.js'

/** Java's `String.compareTo`: UTF-16 code units, not locale order, so every client sorts alike. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Kafka's `AbstractPartitionAssignor.MemberInfo` order, used by range and roundrobin: static
 * members (with a group instance id) first, sorted by that id, so a restarted static member keeps
 * its place and its partitions; then dynamic members by member id.
 */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  const aStatic = a.groupInstanceId != null
  const bStatic = b.groupInstanceId != null
  if (aStatic && bStatic) return compareStrings(a.groupInstanceId!, b.groupInstanceId!)
  if (aStatic) return -1
  if (bStatic) return 1
  return compareStrings(a.memberId, b.memberId)
}

/**
 * Rejects input no coordinator should hand over: two members with one id would silently merge,
 * and a fractional or negative partition count would invent or hide partitions.
 */
export function checkAssignorInput(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): void {
  const seen = new Set<string>()
  for (const member of members) {
    if (seen.has(member.memberId)) {
      throw new BrokerError('INVALID_REQUEST', `member ${member.memberId} appears twice in one assignment`, { memberId: member.memberId })
    }
    seen.add(member.memberId)
  }
  for (const [topic, count] of partitionsPerTopic) {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new BrokerError('INVALID_REQUEST', `topic ${topic} has an invalid partition count ${count}`, { topic, count })
    }
  }
}

/** Collects (member, topic, partition) triples and returns the contract's sorted shape. */
export class AssignmentBuilder {
  private readonly byMember = new Map<string, Map<string, number[]>>()

  constructor(members: readonly AssignorMember[]) {
    for (const member of members) this.byMember.set(member.memberId, new Map())
  }

  add(memberId: string, topic: string, partition: number): void {
    const topics = this.byMember.get(memberId)!
    let partitions = topics.get(topic)
    if (partitions === undefined) topics.set(topic, (partitions = []))
    partitions.push(partition)
  }

  build(): Map<string, TopicPartitions[]> {
    const result = new Map<string, TopicPartitions[]>()
    for (const [memberId, topics] of this.byMember) {
      const list = [...topics]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([topic, partitions]) => ({ topic, partitions: partitions.sort((x, y) => x - y) }))
      result.set(memberId, list)
    }
    return result
  }
}
