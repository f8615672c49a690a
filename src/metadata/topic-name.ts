/**
 * Kafka's topic-name rule (`org.apache.kafka.common.internals.Topic.validate`). A topic name
 * becomes a directory name (`<topic>-<partition>`), so this check is also what keeps a name
 * like `../../x` or `a/b` from ever reaching the file system (reliability.md B5).
 */
import { BrokerError } from '../errors.js'
import { LIMITS } from '../limits.js'

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/

/** Internal topics (`__consumer_offsets`, ...) start with two underscores, as in Kafka. */
const INTERNAL_PREFIX = '__'

/** Quotes at most 64 characters of a rejected name, so a hostile 1 MiB name does not end up in logs. */
function quoteName(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name)
}

/** Returns `name` if it is a legal topic name; throws INVALID_TOPIC_NAME otherwise. */
export function validateTopicName(name: unknown): string {
  if (typeof name !== 'string') {
    throw new BrokerError('INVALID_TOPIC_NAME', `Topic name must be a string, got ${name === null ? 'null' : typeof name}`)
  }
  if (name.length === 0) {
    throw new BrokerError('INVALID_TOPIC_NAME', 'Topic name is illegal, it can\'t be empty')
  }
  if (name === '.' || name === '..') {
    throw new BrokerError('INVALID_TOPIC_NAME', 'Topic name cannot be "." or ".."', { topic: name })
  }
  if (name.length > LIMITS.maxTopicNameLength) {
    throw new BrokerError(
      'INVALID_TOPIC_NAME',
      `Topic name is illegal, it can't be longer than ${LIMITS.maxTopicNameLength} characters (got ${name.length}): ${quoteName(name)}`,
    )
  }
  if (!LEGAL_NAME.test(name)) {
    throw new BrokerError(
      'INVALID_TOPIC_NAME',
      `Topic name ${quoteName(name)} is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    )
  }
  return name
}

/** True when `name` is a legal topic name (no throw). */
export function isValidTopicName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= LIMITS.maxTopicNameLength &&
    name !== '.' && name !== '..' && LEGAL_NAME.test(name)
}

export function isInternalTopic(name: string): boolean {
  return name.startsWith(INTERNAL_PREFIX)
}

/**
 * Kafka rejects a topic whose name equals an existing one once '.' is replaced by '_'
 * (`a.b` vs `a_b`), because both map to the same metric names. Clients moving to a real
 * cluster would hit that there, so brook applies the same rule at create time.
 */
export function topicCollisionKey(name: string): string {
  return name.replaceAll('.', '_')
}

/** The directory of one partition's log inside the data directory. */
export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

const PARTITION_DIR = /^(.+)-(\d+)$/

/**
 * Splits a directory name that looks like a partition directory (`<legal topic>-<digits>`).
 * Returns undefined for anything else (the metadata files, `quarantine`, stray files).
 */
export function parsePartitionDirName(dirName: string): { topic: string; partition: number } | undefined {
  const match = PARTITION_DIR.exec(dirName)
  if (match === null) return undefined
  const topic = match[1]!
  const digits = match[2]!
  if (!isValidTopicName(topic) || digits.length > 10) return undefined
  return { topic, partition: Number(digits) }
}
