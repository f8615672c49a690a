/**
 * Per-topic configs with Kafka's names, types, defaults and bounds (LogConfig / TopicConfig).
 * Like Kafka, a topic stores only the keys that were set, as strings; defaults are filled in
 * when the config is resolved, so changing a default later changes every topic that did not
 * override it. Validation is strict: an unknown key or a bad value is INVALID_CONFIG naming
 * the key and the value, never silently ignored.
 */
import { BrokerError } from '../errors.js'
import { LIMITS } from '../limits.js'

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete'
export type TimestampType = 'CreateTime' | 'LogAppendTime'

/** The keys a topic overrides, with their stored (validated, canonical) string values. */
export type TopicConfigMap = Readonly<Record<string, string>>

export interface TopicConfigEntry {
  name: string
  value: string
}

export interface ResolvedTopicConfig {
  /** -1 = keep forever. */
  retentionMs: number
  /** -1 = no size limit. */
  retentionBytes: number
  segmentBytes: number
  segmentMs: number
  cleanupPolicy: CleanupPolicy
  maxMessageBytes: number
  indexIntervalBytes: number
  timestampType: TimestampType
}

export interface DescribedConfig {
  name: string
  value: string
  /** True when the topic does not override this key. */
  isDefault: boolean
}

const INT_MAX = 2n ** 31n - 1n
const LONG_MAX = 2n ** 63n - 1n

/** How one key is parsed: integers (Java int or long range) or a closed set of strings. */
type ConfigDef =
  | { kind: 'int' | 'long'; defaultValue: string; min: bigint; max: bigint }
  | { kind: 'enum'; defaultValue: string; values: readonly string[] }
  | { kind: 'boolean'; defaultValue: string }
  | { kind: 'cleanup-policy'; defaultValue: string }

const CONFIG_DEFS: Readonly<Record<string, ConfigDef>> = {
  'cleanup.policy': { kind: 'cleanup-policy', defaultValue: 'delete' },
  'index.interval.bytes': { kind: 'int', defaultValue: String(LIMITS.indexIntervalBytes), min: 0n, max: INT_MAX },
  'max.message.bytes': { kind: 'int', defaultValue: String(LIMITS.maxMessageBytes), min: 1n, max: INT_MAX },
  'message.timestamp.type': { kind: 'enum', defaultValue: 'CreateTime', values: ['CreateTime', 'LogAppendTime'] },
  'retention.bytes': { kind: 'long', defaultValue: String(LIMITS.retentionBytes), min: -1n, max: LONG_MAX },
  'retention.ms': { kind: 'long', defaultValue: String(LIMITS.retentionMs), min: -1n, max: LONG_MAX },
  'segment.bytes': { kind: 'int', defaultValue: String(LIMITS.segmentBytes), min: BigInt(LIMITS.minSegmentBytes), max: INT_MAX },
  'segment.ms': { kind: 'long', defaultValue: String(LIMITS.segmentMs), min: 1n, max: LONG_MAX },
}

/**
 * Kafka topic configs brook accepts and stores but that change nothing on a single node. Clients,
 * tools and copied topic specs set them routinely (a kafkajs or librdkafka NewTopic with
 * `min.insync.replicas=1`), and every one-broker Kafka accepts them, so refusing them would break
 * setups that are correct. Each is limited to the values that are true of brook as it is; a value
 * promising behaviour brook lacks (recompressing to gzip, two in-sync replicas) stays
 * INVALID_CONFIG instead of being silently ignored.
 */
const INERT_CONFIG_DEFS: Readonly<Record<string, ConfigDef>> = {
  // Batches are stored exactly as the producer compressed them: Kafka's `producer`.
  'compression.type': { kind: 'enum', defaultValue: 'producer', values: ['producer'] },
  // The one replica is the whole in-sync set.
  'min.insync.replicas': { kind: 'int', defaultValue: '1', min: 1n, max: 1n },
  // With one replica there is never another leader to elect, so either value is true.
  'unclean.leader.election.enable': { kind: 'boolean', defaultValue: 'false' },
}

/** Every topic config key brook acts on, sorted. */
export const TOPIC_CONFIG_NAMES: readonly string[] = Object.keys(CONFIG_DEFS).sort()

/** Every topic config key brook accepts: those it acts on and the inert ones, sorted. */
export const ALL_TOPIC_CONFIG_NAMES: readonly string[] = [...TOPIC_CONFIG_NAMES, ...Object.keys(INERT_CONFIG_DEFS)].sort()

function invalid(name: string, value: unknown, why: string): BrokerError {
  const shown = typeof value === 'string' ? (value.length > 64 ? `${value.slice(0, 64)}…` : value) : String(value)
  return new BrokerError('INVALID_CONFIG', `Invalid value ${JSON.stringify(shown)} for configuration ${name}: ${why}`, { config: name })
}

/** Validates one value and returns its canonical string form. */
function canonicalValue(name: string, def: ConfigDef, value: unknown): string {
  if (typeof value !== 'string') throw invalid(name, value, 'value must be a string (null is not supported for topic configs)')
  // Kafka trims config values before parsing them.
  const trimmed = value.trim()
  switch (def.kind) {
    case 'int':
    case 'long': {
      if (!/^[+-]?\d{1,20}$/.test(trimmed)) throw invalid(name, value, `not a number of type ${def.kind.toUpperCase()}`)
      const parsed = BigInt(trimmed)
      if (parsed > (def.kind === 'int' ? INT_MAX : LONG_MAX) || parsed < -(def.kind === 'int' ? INT_MAX : LONG_MAX) - 1n) {
        throw invalid(name, value, `not a number of type ${def.kind.toUpperCase()}`)
      }
      if (parsed < def.min) throw invalid(name, value, `value must be at least ${def.min}`)
      if (parsed > def.max) throw invalid(name, value, `value must be no more than ${def.max}`)
      return parsed.toString()
    }
    case 'enum': {
      if (!def.values.includes(trimmed)) throw invalid(name, value, `string must be one of: ${def.values.join(', ')}`)
      return trimmed
    }
    case 'boolean': {
      // Kafka parses booleans case-insensitively.
      const lower = trimmed.toLowerCase()
      if (lower !== 'true' && lower !== 'false') throw invalid(name, value, 'expected value to be either true or false')
      return lower
    }
    case 'cleanup-policy': {
      const items = trimmed.split(',').map((item) => item.trim())
      const unique = new Set(items)
      if (items.some((item) => item !== 'delete' && item !== 'compact') || unique.size !== items.length) {
        throw invalid(name, value, 'must be a list of distinct values from: compact, delete')
      }
      return unique.size === 2 ? 'compact,delete' : items[0]!
    }
  }
}

/** Throws INVALID_CONFIG unless `name` is a topic config brook knows; returns it. */
export function validateTopicConfigName(name: unknown): string {
  definitionOf(name)
  return name as string
}

function definitionOf(name: unknown): ConfigDef {
  if (typeof name !== 'string') throw new BrokerError('INVALID_CONFIG', `Config name must be a string, got ${typeof name}`)
  const def = Object.hasOwn(CONFIG_DEFS, name) ? CONFIG_DEFS[name] : Object.hasOwn(INERT_CONFIG_DEFS, name) ? INERT_CONFIG_DEFS[name] : undefined
  if (def === undefined) {
    const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name
    throw new BrokerError('INVALID_CONFIG', `Unknown topic config name: ${JSON.stringify(shown)}`, { config: shown })
  }
  return def
}

/**
 * Validates config entries as they arrive in CreateTopics / AlterConfigs and returns the map
 * of overrides with canonical values. A key given twice is rejected rather than last-wins.
 */
export function parseTopicConfig(entries: ReadonlyArray<TopicConfigEntry> | undefined): TopicConfigMap {
  if (entries === undefined || entries === null) return Object.freeze({})
  if (!Array.isArray(entries)) throw new BrokerError('INVALID_CONFIG', 'Topic configs must be an array of { name, value }')
  const map: Record<string, string> = {}
  for (const entry of entries as unknown[]) {
    if (typeof entry !== 'object' || entry === null) throw new BrokerError('INVALID_CONFIG', 'Each topic config must be { name, value }')
    const { name, value } = entry as { name: unknown; value: unknown }
    const def = definitionOf(name)
    const key = name as string
    if (Object.hasOwn(map, key)) throw new BrokerError('INVALID_CONFIG', `Config ${key} is given more than once`, { config: key })
    map[key] = canonicalValue(key, def, value)
  }
  return Object.freeze(map)
}

/** Re-validates a stored map (from disk or another thread) and returns it frozen with canonical values. */
export function validateTopicConfigMap(map: unknown): TopicConfigMap {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new BrokerError('INVALID_CONFIG', 'Topic configs must be an object')
  return parseTopicConfig(Object.entries(map).map(([name, value]) => ({ name, value: value as string })))
}

/** Clamps a Java long to what a JS number holds exactly; 2^53 ms is still 285,000 years. */
function toNumber(value: string): number {
  const big = BigInt(value)
  return big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big)
}

/** The effective config of a topic: its overrides on top of Kafka's defaults, as numbers. */
export function resolveTopicConfig(map: TopicConfigMap): ResolvedTopicConfig {
  const valid = validateTopicConfigMap(map)
  const value = (name: string): string => (Object.hasOwn(valid, name) ? valid[name]! : CONFIG_DEFS[name]!.defaultValue)
  return {
    retentionMs: toNumber(value('retention.ms')),
    retentionBytes: toNumber(value('retention.bytes')),
    segmentBytes: toNumber(value('segment.bytes')),
    segmentMs: toNumber(value('segment.ms')),
    cleanupPolicy: value('cleanup.policy') as CleanupPolicy,
    maxMessageBytes: toNumber(value('max.message.bytes')),
    indexIntervalBytes: toNumber(value('index.interval.bytes')),
    timestampType: value('message.timestamp.type') as TimestampType,
  }
}

/**
 * The keys `names` (by default those brook acts on; ALL_TOPIC_CONFIG_NAMES adds the inert ones)
 * with their effective values, as Kafka's DescribeConfigs lists them.
 */
export function describeTopicConfig(map: TopicConfigMap, names: readonly string[] = TOPIC_CONFIG_NAMES): DescribedConfig[] {
  return names.map((name) => {
    const isSet = Object.hasOwn(map, name)
    return { name, value: isSet ? map[name]! : definitionOf(name).defaultValue, isDefault: !isSet }
  })
}
