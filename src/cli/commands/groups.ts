/** `brook groups list|describe`: consumer groups, their members, committed offsets and lag. */
import type { Command } from 'commander'
import type { Admin } from 'kafkajs'
import { byTopicPartition, committedOffsets, partitionOffsets, topicPartitionKey } from '../cluster-offsets.js'
import { assignedPartitions } from '../group-assignments.js'
import { withAdmin } from '../kafka-client.js'
import { withBootstrap, type BootstrapOptions } from '../options.js'
import { formatTable, type Cell } from '../table.js'

export function registerGroups(program: Command): void {
  const groups = program.command('groups').description('list and describe consumer groups')

  withBootstrap(groups.command('list').description('every group with its state and protocol type'))
    .action((options: BootstrapOptions) => withAdmin(options.bootstrap, async (admin) => console.log(await listGroups(admin))))

  withBootstrap(
    groups
      .command('describe <group>')
      .description("one row per topic-partition the group has committed or been assigned: offsets, lag, and the member owning it"),
  ).action((groupId: string, options: BootstrapOptions) => withAdmin(options.bootstrap, async (admin) => console.log(await describeGroup(admin, groupId))))
}

async function listGroups(admin: Admin): Promise<string> {
  const ids = (await admin.listGroups()).groups.map((group) => group.groupId).sort()
  const described = ids.length === 0 ? [] : (await admin.describeGroups(ids)).groups
  const byId = new Map(described.map((group) => [group.groupId, group]))
  return formatTable(
    ['GROUP', 'STATE', 'PROTOCOL-TYPE'],
    ids.map((id) => [id, byId.get(id)?.state ?? 'Unknown', byId.get(id)?.protocolType || '-']),
  )
}

async function describeGroup(admin: Admin, groupId: string): Promise<string> {
  const [{ groups }, committed] = await Promise.all([admin.describeGroups([groupId]), committedOffsets(admin, groupId)])
  const group = groups[0]
  if (group === undefined || (group.state === 'Dead' && committed.length === 0)) throw new Error(`group ${groupId} does not exist`)
  if (group.members.length === 0) console.error(`Consumer group '${groupId}' has no active members.`)

  const owners = assignedPartitions(group)
  const committedByKey = new Map(committed.map((entry) => [topicPartitionKey(entry.topic, entry.partition), entry.offset]))
  const rows = new Map<string, { topic: string; partition: number }>()
  for (const entry of [...committed, ...owners.values()]) rows.set(topicPartitionKey(entry.topic, entry.partition), { topic: entry.topic, partition: entry.partition })
  const existing = new Set(await admin.listTopics())
  const topics = [...new Set([...rows.values()].map((row) => row.topic))].filter((topic) => existing.has(topic))
  const logEnds = new Map((await partitionOffsets(admin, topics)).map((entry) => [topicPartitionKey(entry.topic, entry.partition), entry.high]))

  const table: Cell[][] = [...rows.values()].sort(byTopicPartition).map(({ topic, partition }) => {
    const key = topicPartitionKey(topic, partition)
    const current = committedByKey.get(key)
    const logEnd = logEnds.get(key)
    const member = owners.get(key)?.member
    return [
      groupId,
      topic,
      partition,
      current ?? '-',
      logEnd ?? '-',
      current !== undefined && logEnd !== undefined ? logEnd - current : '-',
      member?.memberId ?? '-',
      member?.clientHost ?? '-',
      member?.clientId ?? '-',
    ]
  })
  return formatTable(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], table)
}
