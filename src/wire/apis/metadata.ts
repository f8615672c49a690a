/**
 * Metadata (key 3) v0–8: this broker as the only node, leader and controller of every partition.
 * v0: an empty topic list means all topics; v1+: null means all, empty means none (kafka-python
 * sends v0 then v1). Unknown topics are created when auto-creation is on (always allowed up to
 * v3; from v4 the request says whether it may), as Kafka's auto.create.topics.enable does.
 */
import type { TopicRecord } from '../../metadata/metadata-store.js'
import { isInternalTopic, isValidTopicName } from '../../metadata/topic-name.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaCode, kafkaErrorCodeOf, NONE } from '../error-codes.js'
import type { WireServer } from '../wire-server.js'
import { Writer } from '../writer.js'

const CLUSTER_ID = 'brook-single-node'
/** Kafka's "authorized operations not requested" marker (v8). */
const OPERATIONS_OMITTED = -2147483648

interface TopicAnswer {
  errorCode: number
  name: string
  record: TopicRecord | undefined
}

export const metadataHandler: ApiHandler = {
  apiKey: API_KEYS.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 8,
  async handle(request, { server, apiVersion: version }) {
    const names = version === 0 ? request.array((r) => r.string(), 2) : request.nullableArray((r) => r.string(), 2)
    const allowAutoCreate = version >= 4 ? request.boolean() : true
    if (version >= 8) {
      request.boolean() // include_cluster_authorized_operations: no ACLs, nothing to report
      request.boolean() // include_topic_authorized_operations
    }
    request.expectEnd('Metadata request')
    const all = names === null || (version === 0 && names.length === 0)
    const topics = all ? server.broker.metadata.listTopics().map(known) : await Promise.all(names.map((name) => answerFor(server, name, allowAutoCreate)))

    const body = new Writer()
    if (version >= 3) body.int32(0)
    const { host, port } = server.advertised
    body.array([server.nodeId], (writer, nodeId) => {
      writer.int32(nodeId).string(host).int32(port)
      if (version >= 1) writer.nullableString(null)
    })
    if (version >= 2) body.nullableString(CLUSTER_ID)
    if (version >= 1) body.int32(server.nodeId)
    body.array(topics, (writer, topic) => {
      writer.int16(topic.errorCode).string(topic.name)
      if (version >= 1) writer.boolean(isInternalTopic(topic.name))
      const partitions = topic.record ? Array.from({ length: topic.record.partitions }, (_, index) => index) : []
      writer.array(partitions, (w, partition) => {
        w.int16(NONE).int32(partition).int32(server.nodeId)
        if (version >= 7) w.int32(0)
        w.array([server.nodeId], (x, id) => x.int32(id))
        w.array([server.nodeId], (x, id) => x.int32(id))
        if (version >= 5) w.int32(0)
      })
      if (version >= 8) writer.int32(OPERATIONS_OMITTED)
    })
    if (version >= 8) body.int32(OPERATIONS_OMITTED)
    return body
  },
}

function known(record: TopicRecord): TopicAnswer {
  return { errorCode: NONE, name: record.name, record }
}

async function answerFor(server: WireServer, name: string, allowAutoCreate: boolean): Promise<TopicAnswer> {
  const record = server.broker.metadata.getTopic(name)
  if (record) return known(record)
  if (!isValidTopicName(name)) return { errorCode: kafkaCode('INVALID_TOPIC_NAME'), name, record: undefined }
  if (!(allowAutoCreate && server.options.autoCreateTopics)) return { errorCode: kafkaCode('UNKNOWN_TOPIC_OR_PARTITION'), name, record: undefined }
  try {
    await server.broker.admin().createTopics({ topics: [{ topic: name, numPartitions: server.options.numPartitions }] })
  } catch (error) {
    return { errorCode: kafkaErrorCodeOf(error), name, record: undefined }
  }
  const created = server.broker.metadata.getTopic(name)
  return created ? known(created) : { errorCode: kafkaCode('UNKNOWN_TOPIC_OR_PARTITION'), name, record: undefined }
}
