/**
 * A topic as the metadata store keeps it, and the checks a record must pass, both when a
 * request creates or changes it and when it is read back from disk.
 */
import { BrokerError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { isValidTopicName } from './topic-name.js'

export interface TopicRecord {
  readonly name: string
  /** Random UUID, new for every creation: a topic deleted and re-created under the same name is a different topic (Kafka's topic id). */
  readonly topicId: string
  readonly partitions: number
  /** The config keys this topic overrides; defaults are not stored (see topic-config.ts). */
  readonly configs: Readonly<Record<string, string>>
  readonly createdAtMs: number
}

/** Throws INVALID_PARTITIONS unless `count` is an integer in 1..LIMITS.maxPartitionsPerTopic. */
export function validatePartitionCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > LIMITS.maxPartitionsPerTopic) {
    throw new BrokerError(
      'INVALID_PARTITIONS',
      `Number of partitions must be an integer from 1 to ${LIMITS.maxPartitionsPerTopic}, got ${typeof count === 'number' ? count : typeof count}`,
    )
  }
  return count
}

export function freezeTopicRecord(record: TopicRecord): TopicRecord {
  return Object.freeze({ ...record, configs: Object.freeze({ ...record.configs }) })
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Checks the shape of a record read from disk; returns a reason string when it is not a valid
 * record. Limits that may change between versions (the partition cap, config bounds) are not
 * re-applied here: lowering a limit must not turn existing metadata into "damaged" metadata.
 */
export function topicRecordProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'topic record is not an object'
  const record = raw as Record<string, unknown>
  if (!isValidTopicName(record.name)) return `invalid topic name ${JSON.stringify(record.name)}`
  if (typeof record.topicId !== 'string' || !UUID.test(record.topicId)) return `topic ${record.name}: invalid topicId`
  if (typeof record.partitions !== 'number' || !Number.isInteger(record.partitions) || record.partitions < 1) {
    return `topic ${record.name}: invalid partition count`
  }
  const configs = record.configs
  if (typeof configs !== 'object' || configs === null || Array.isArray(configs) ||
    Object.values(configs).some((value) => typeof value !== 'string')) {
    return `topic ${record.name}: configs must map names to strings`
  }
  if (typeof record.createdAtMs !== 'number' || !Number.isSafeInteger(record.createdAtMs) || record.createdAtMs < 0) {
    return `topic ${record.name}: invalid createdAtMs`
  }
  return undefined
}
