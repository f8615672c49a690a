/** `brook topics create|list|describe|delete`: topic administration through the Kafka admin API. */
import type { Command } from 'commander'
import type { Admin } from 'kafkajs'
import { withAdmin } from '../kafka-client.js'
import { collect, integerIn, parseKeyValues, withBootstrap, type BootstrapOptions } from '../options.js'
import { formatTable } from '../table.js'

/** kafkajs's ConfigResourceTypes.TOPIC (the enum is not exported to ESM). */
const TOPIC_RESOURCE = 2

interface CreateOptions extends BootstrapOptions {
  partitions: number
  replicationFactor: number
  config: string[]
}

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('create, list, describe and delete topics')

  withBootstrap(topics.command('create <topic>').description('create a topic'))
    .option('--partitions <n>', 'number of partitions', integerIn(1), 1)
    .option('--replication-factor <n>', 'replicas per partition (brook has one node: 1)', integerIn(1, 32_767), 1)
    .option('--config <key=value>', 'a topic config, e.g. retention.ms=86400000 (repeatable)', collect, [])
    .action((topic: string, options: CreateOptions) =>
      withAdmin(options.bootstrap, async (admin) => {
        const configEntries = parseKeyValues(options.config, '--config')
        const created = await admin.createTopics({
          topics: [{ topic, numPartitions: options.partitions, replicationFactor: options.replicationFactor, configEntries }],
        })
        if (!created) throw new Error(`topic ${topic} already exists`)
        console.log(`Created topic ${topic}.`)
      }),
    )

  withBootstrap(topics.command('list').description('list topic names, sorted'))
    .option('--exclude-internal', 'leave out internal topics (__consumer_offsets)')
    .action((options: BootstrapOptions & { excludeInternal?: boolean }) =>
      withAdmin(options.bootstrap, async (admin) => {
        const names = (await admin.listTopics()).sort()
        for (const name of names) if (!(options.excludeInternal && name.startsWith('__'))) console.log(name)
      }),
    )

  withBootstrap(topics.command('describe <topic>').description("a topic's partitions (leader, log start and end offsets) and configs"))
    .action((topic: string, options: BootstrapOptions) => withAdmin(options.bootstrap, async (admin) => console.log(await describeTopic(admin, topic))))

  withBootstrap(topics.command('delete <topic>').description('delete a topic and its data'))
    .action((topic: string, options: BootstrapOptions) =>
      withAdmin(options.bootstrap, async (admin) => {
        await requireTopic(admin, topic)
        await admin.deleteTopics({ topics: [topic] })
        console.log(`Deleted topic ${topic}.`)
      }),
    )
}

async function describeTopic(admin: Admin, topic: string): Promise<string> {
  await requireTopic(admin, topic)
  const [{ topics }, offsets, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: [topic] }),
    admin.fetchTopicOffsets(topic),
    admin.describeConfigs({ resources: [{ type: TOPIC_RESOURCE, name: topic }], includeSynonyms: false }),
  ])
  const partitions = [...topics[0]!.partitions].sort((a, b) => a.partitionId - b.partitionId)
  const offsetsOf = new Map(offsets.map((entry) => [entry.partition, entry]))
  const entries = [...(configs.resources[0]?.configEntries ?? [])].sort((a, b) => a.configName.localeCompare(b.configName))
  return [
    formatTable(['TOPIC', 'PARTITIONS', 'REPLICATION-FACTOR'], [[topic, partitions.length, partitions[0]?.replicas.length ?? 0]]),
    '',
    formatTable(
      ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START-OFFSET', 'LOG-END-OFFSET'],
      partitions.map((p) => [p.partitionId, p.leader, p.replicas.join(','), p.isr.join(','), offsetsOf.get(p.partitionId)?.low ?? '-', offsetsOf.get(p.partitionId)?.high ?? '-']),
    ),
    '',
    formatTable(['CONFIG', 'VALUE', 'SOURCE'], entries.map((entry) => [entry.configName, entry.configValue ?? 'null', entry.isDefault ? 'default' : 'topic'])),
  ].join('\n')
}

/** Kafka's own message for a missing topic is "This server does not host this topic-partition". */
async function requireTopic(admin: Admin, topic: string): Promise<void> {
  if (!(await admin.listTopics()).includes(topic)) throw new Error(`topic ${topic} does not exist`)
}
