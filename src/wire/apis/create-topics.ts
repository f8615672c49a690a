/**
 * CreateTopics (key 19) v0–4. Each topic is checked in Kafka's order (name, existence, configs,
 * then partitions and replication) and created through the embedded admin; one bad topic does
 * not fail the others. v1 adds validate_only (everything is checked, nothing is created) and
 * error_message, v2 throttle_time_ms; v3 and v4 keep v2's layout. v4 only allows clients to
 * leave num_partitions and replication_factor at -1 (the server's defaults), which every
 * version accepts here because kafkajs sends -1 with v3 too.
 */
import { BrokerError } from '../../errors.js'
import { parseTopicConfig, type TopicConfigEntry } from '../../metadata/topic-config.js'
import { validateTopicName } from '../../metadata/topic-name.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import type { Reader } from '../reader.js'
import type { WireServer } from '../wire-server.js'
import { Writer } from '../writer.js'
import { checkReplicasOnThisNode, invalidAssignment } from './admin-replicas.js'
import { settleEach, writeOutcomes } from './admin-results.js'

interface CreatableTopic {
  name: string
  /** -1: the server's num.partitions (or the assignments' count). */
  numPartitions: number
  /** -1: the server's default, 1 here. */
  replicationFactor: number
  assignments: Array<{ partition: number; brokerIds: number[] }>
  configs: Array<{ name: string; value: string | null }>
}

/** name (2) + num_partitions (4) + replication_factor (2) + two array counts (4 + 4). */
const TOPIC_MIN_BYTES = 16

export const createTopicsHandler: ApiHandler = {
  apiKey: API_KEYS.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  async handle(request, { server, apiVersion: version }) {
    const topics = request.array(readTopic, TOPIC_MIN_BYTES)
    request.int32() // timeout_ms: topics are created before the response, so there is nothing to wait for
    const validateOnly = version >= 1 ? request.boolean() : false
    request.expectEnd('CreateTopics request')
    const outcomes = await settleEach(topics, (topic) => createTopic(server, topic, validateOnly))
    const body = new Writer()
    if (version >= 2) body.int32(0)
    return writeOutcomes(body, outcomes, version >= 1)
  },
}

function readTopic(reader: Reader): CreatableTopic {
  return {
    name: reader.string(),
    numPartitions: reader.int32(),
    replicationFactor: reader.int16(),
    assignments: reader.array((r) => ({ partition: r.int32(), brokerIds: r.array((b) => b.int32(), 4) }), 8),
    configs: reader.array((r) => ({ name: r.string(), value: r.nullableString() }), 4),
  }
}

async function createTopic(server: WireServer, topic: CreatableTopic, validateOnly: boolean): Promise<void> {
  const { metadata } = server.broker
  const name = validateTopicName(topic.name)
  if (metadata.getTopic(name)) throw alreadyExists(name)
  const configEntries = configEntriesOf(topic)
  const numPartitions = partitionCount(server, topic)
  // The store's dry run checks the rest: a name colliding with another on '.' vs '_', the partition cap.
  metadata.createTopic({ name, partitions: numPartitions, configs: configEntries }, { validateOnly: true })
  if (validateOnly) return
  const created = await server.broker.admin().createTopics({ topics: [{ topic: name, numPartitions, configEntries }] })
  if (!created) throw alreadyExists(name) // another connection created it meanwhile
}

function alreadyExists(name: string): BrokerError {
  return new BrokerError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`, { topic: name })
}

/** The configs, validated (INVALID_CONFIG) before partitions and replication, as Kafka does. */
function configEntriesOf(topic: CreatableTopic): TopicConfigEntry[] {
  const entries = topic.configs.map(({ name, value }) => {
    if (value === null) throw new BrokerError('INVALID_CONFIG', `Null value not supported for topic configs: ${name.slice(0, 64)}`, { config: name.slice(0, 64) })
    return { name, value }
  })
  parseTopicConfig(entries)
  return entries
}

/** Partitions of the new topic: the count asked for (-1: the server's num.partitions) on one replica, or a manual assignment. */
function partitionCount(server: WireServer, topic: CreatableTopic): number {
  if (topic.assignments.length > 0) return assignedPartitions(server.nodeId, topic)
  const { numPartitions, replicationFactor } = topic
  if (replicationFactor === 0 || replicationFactor < -1) {
    throw new BrokerError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0, or -1 to use the default value.')
  }
  if (replicationFactor > 1) {
    throw new BrokerError(
      'INVALID_REPLICATION_FACTOR',
      `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
    )
  }
  if (numPartitions === 0 || numPartitions < -1) throw new BrokerError('INVALID_PARTITIONS', 'Number of partitions was set to an invalid non-positive value.')
  return numPartitions === -1 ? server.options.numPartitions : numPartitions
}

/** A manual assignment: partitions 0..n-1, each on this node only; it replaces the count and the factor. */
function assignedPartitions(nodeId: number, topic: CreatableTopic): number {
  if (topic.replicationFactor !== -1) throw new BrokerError('INVALID_REQUEST', 'A manual partition assignment was specified, but replication factor was not set to -1.')
  if (topic.numPartitions !== -1) throw new BrokerError('INVALID_REQUEST', 'A manual partition assignment was specified, but numPartitions was not set to -1.')
  const partitions = new Set<number>()
  for (const { partition, brokerIds } of topic.assignments) {
    if (partitions.has(partition)) throw invalidAssignment(`Found multiple manual partition assignments for partition ${partition}`)
    partitions.add(partition)
    checkReplicasOnThisNode(brokerIds, nodeId)
  }
  for (let partition = 0; partition < partitions.size; partition++) {
    if (!partitions.has(partition)) throw invalidAssignment('partitions should be a consecutive 0-based integer sequence')
  }
  return partitions.size
}
