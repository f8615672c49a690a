/**
 * The configs DescribeConfigs reports, with Kafka's config sources and synonyms. A topic lists
 * every config brook accepts; each one the topic does not set falls back to a broker-level
 * default under Kafka's broker name (retention.ms → log.retention.ms), which brook fixes to
 * Kafka's defaults. The broker lists those defaults plus the listener's own settings that
 * correspond to Kafka's; none of them can be changed while brook runs, so all are read-only.
 */
import type { TopicRecord } from '../../metadata/metadata-store.js'
import { ALL_TOPIC_CONFIG_NAMES, describeTopicConfig } from '../../metadata/topic-config.js'
import { resolveListenOptions, type ResolvedListenOptions } from '../wire-options.js'
import type { WireServer } from '../wire-server.js'

/** Kafka's DescribeConfigsResponse.ConfigSource ids that brook reports. */
export const CONFIG_SOURCE = { TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const

export interface ConfigSynonym {
  name: string
  value: string
  source: number
}

export interface DescribedConfigEntry extends ConfigSynonym {
  readOnly: boolean
  /** Where the value comes from first; later ones are what it overrides (Kafka's order). */
  synonyms: ConfigSynonym[]
}

/** Kafka's broker-level name of each topic config's default (ServerTopicConfigSynonyms). */
const BROKER_SYNONYMS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'log.cleanup.policy',
  'compression.type': 'compression.type',
  'index.interval.bytes': 'log.index.interval.bytes',
  'max.message.bytes': 'message.max.bytes',
  'message.timestamp.type': 'log.message.timestamp.type',
  'min.insync.replicas': 'min.insync.replicas',
  'retention.bytes': 'log.retention.bytes',
  'retention.ms': 'log.retention.ms',
  'segment.bytes': 'log.segment.bytes',
  'segment.ms': 'log.roll.ms',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
}

/** Each topic config's default value, which is also its broker synonym's value. */
const TOPIC_DEFAULTS = new Map(describeTopicConfig({}, ALL_TOPIC_CONFIG_NAMES).map(({ name, value }) => [name, value]))

export function topicConfigEntries(record: TopicRecord): DescribedConfigEntry[] {
  return describeTopicConfig(record.configs, ALL_TOPIC_CONFIG_NAMES).map(({ name, value, isDefault }) => {
    const brokerName = BROKER_SYNONYMS[name]
    const fallback = brokerName === undefined ? [] : [{ name: brokerName, value: TOPIC_DEFAULTS.get(name)!, source: CONFIG_SOURCE.DEFAULT_CONFIG }]
    const synonyms = isDefault ? fallback : [{ name, value, source: CONFIG_SOURCE.TOPIC_CONFIG }, ...fallback]
    return { name, value, readOnly: false, source: synonyms[0]?.source ?? CONFIG_SOURCE.DEFAULT_CONFIG, synonyms }
  })
}

/**
 * The listener's defaults, to tell a setting the user changed (STATIC_BROKER_CONFIG, as if set
 * in server.properties) from one left alone (DEFAULT_CONFIG). 1 is BrokerOptions.defaultPartitions'
 * default, Kafka's num.partitions.
 */
const LISTENER_DEFAULTS = resolveListenOptions({}, 1)

/** Listener settings with Kafka names, read from resolved listen options. */
const LISTENER_SETTINGS: ReadonlyArray<[string, (options: ResolvedListenOptions) => unknown]> = [
  ['auto.create.topics.enable', (options) => options.autoCreateTopics],
  ['broker.id', (options) => options.nodeId],
  ['connections.max.idle.ms', (options) => options.limits.connectionIdleTimeoutMs],
  ['max.connections', (options) => options.limits.maxConnections],
  ['num.partitions', (options) => options.numPartitions],
  ['socket.request.max.bytes', (options) => options.limits.maxFrameBytes],
]

export function brokerConfigEntries(server: WireServer): DescribedConfigEntry[] {
  const listener = LISTENER_SETTINGS.map(([name, read]) => brokerEntry(name, String(read(server.options)), String(read(LISTENER_DEFAULTS))))
  const topicDefaults = Object.entries(BROKER_SYNONYMS).map(([topicName, name]) => brokerEntry(name, TOPIC_DEFAULTS.get(topicName)!, TOPIC_DEFAULTS.get(topicName)!))
  // One replica per partition is all a single node can hold.
  const replication = brokerEntry('default.replication.factor', '1', '1')
  return [...listener, ...topicDefaults, replication].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

function brokerEntry(name: string, value: string, defaultValue: string): DescribedConfigEntry {
  const source = value === defaultValue ? CONFIG_SOURCE.DEFAULT_CONFIG : CONFIG_SOURCE.STATIC_BROKER_CONFIG
  return { name, value, readOnly: true, source, synonyms: [{ name, value, source }] }
}
