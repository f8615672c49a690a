/**
 * CreatePartitions (key 37) v0–1 (one layout; v1 only changed throttling): per topic the new
 * total count and, optionally, where each new partition's replicas go (null: the broker
 * chooses); then timeout_ms and validate_only. The count must grow (INVALID_PARTITIONS
 * otherwise); an assignment must name one list per new partition, each on this node only.
 * Growing goes through the embedded admin, which opens the new partitions and tells the
 * consumer groups.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import type { Reader } from '../reader.js'
import type { WireServer } from '../wire-server.js'
import { Writer } from '../writer.js'
import { checkReplicasOnThisNode, invalidAssignment } from './admin-replicas.js'
import { settleEach, writeOutcomes } from './admin-results.js'

interface TopicGrowth {
  name: string
  count: number
  /** Broker ids of each new partition's replicas, or null. */
  assignments: number[][] | null
}

/** name (2) + count (4) + assignments count (4). */
const TOPIC_MIN_BYTES = 10

export const createPartitionsHandler: ApiHandler = {
  apiKey: API_KEYS.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 1,
  async handle(request, { server }) {
    const topics = request.array(readTopic, TOPIC_MIN_BYTES)
    request.int32() // timeout_ms: partitions are created before the response, so there is nothing to wait for
    const validateOnly = request.boolean()
    request.expectEnd('CreatePartitions request')
    const outcomes = await settleEach(topics, (topic) => grow(server, topic, validateOnly))
    return writeOutcomes(new Writer().int32(0), outcomes, true)
  },
}

function readTopic(reader: Reader): TopicGrowth {
  return {
    name: reader.string(),
    count: reader.int32(),
    assignments: reader.nullableArray((r) => r.array((b) => b.int32(), 4), 4),
  }
}

async function grow(server: WireServer, topic: TopicGrowth, validateOnly: boolean): Promise<void> {
  const { metadata } = server.broker
  const before = metadata.getTopic(topic.name)?.partitions
  // The store's dry run refuses what Kafka refuses first: an unknown topic, a count that does not grow, one past the cap.
  metadata.setPartitionCount(topic.name, topic.count, { validateOnly: true })
  if (topic.assignments !== null) {
    const added = topic.count - before!
    if (topic.assignments.length !== added) {
      throw invalidAssignment(`Attempted to add ${added} additional partition(s), but only ${topic.assignments.length} assignment(s) were specified.`)
    }
    for (const brokerIds of topic.assignments) checkReplicasOnThisNode(brokerIds, server.nodeId)
  }
  if (!validateOnly) await server.broker.admin().createPartitions({ topicPartitions: [{ topic: topic.name, count: topic.count }] })
}
