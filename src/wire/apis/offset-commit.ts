/**
 * OffsetCommit (key 8) v2–7, into the same offset store embedded consumers commit to (so
 * broker.admin().fetchOffsets sees TCP commits and OffsetFetch sees embedded ones). As in Kafka,
 * partitions the broker does not have get UNKNOWN_TOPIC_OR_PARTITION and the rest are committed
 * only if the coordinator accepts the member's generation (`validateCommit`, which also takes
 * "simple" commits, generation -1 and no member id, while the group has no members, and refuses
 * them with UNKNOWN_MEMBER_ID while it has some); the group's error then answers every partition.
 *
 * v2–4 carry retention_time_ms (ignored: brook keeps offsets until the group is deleted), v3+
 * answers with throttle_time_ms, v5 drops the retention, v6 adds committed_leader_epoch per
 * partition, v7 group_instance_id.
 */
import type { Broker } from '../../broker.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaCode, NONE } from '../error-codes.js'
import { Writer } from '../writer.js'
import { errorCodeOf } from './group-outcome.js'

interface PartitionCommit {
  topic: string
  partition: number
  offset: number
  leaderEpoch: number
  metadata: string | null
  errorCode: number
}

export const offsetCommitHandler: ApiHandler = {
  apiKey: API_KEYS.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 7,
  async handle(request, { server, apiVersion: version }) {
    const groupId = request.string()
    const generationId = request.int32()
    const memberId = request.string()
    const groupInstanceId = version >= 7 ? request.nullableString() : null
    if (version <= 4) request.int64() // retention_time_ms
    const topics = request.array((topic) => {
      const name = topic.string()
      const partitions = topic.array((p): PartitionCommit => {
        const partition = p.int32()
        const offset = p.int64()
        const leaderEpoch = version >= 6 ? p.int32() : -1
        return { topic: name, partition, offset, leaderEpoch, metadata: p.nullableString(), errorCode: NONE }
      }, version >= 6 ? 18 : 14)
      return { name, partitions }
    }, 6)
    request.expectEnd('OffsetCommit request')

    const { broker } = server
    const all = topics.flatMap((topic) => topic.partitions)
    for (const p of all) if (!hasPartition(broker, p.topic, p.partition)) p.errorCode = kafkaCode('UNKNOWN_TOPIC_OR_PARTITION')
    const commits = all.filter((p) => p.errorCode === NONE)
    // With nothing left to commit Kafka does not look at the group at all.
    if (commits.length > 0) {
      const errorCode = await errorCodeOf(async () => {
        broker.groups.coordinator.validateCommit({ groupId, generationId, memberId, groupInstanceId })
        const store = await broker.groups.offsetStore()
        await store.commit(groupId, commits, broker.groups.now())
      })
      for (const commit of commits) commit.errorCode = errorCode
    }

    const body = new Writer()
    if (version >= 3) body.int32(0)
    return body.array(topics, (writer, { name, partitions }) => {
      writer.string(name).array(partitions, (w, p) => w.int32(p.partition).int16(p.errorCode))
    })
  },
}

function hasPartition(broker: Broker, topic: string, partition: number): boolean {
  const count = broker.metadata.getTopic(topic)?.partitions
  return count !== undefined && partition >= 0 && partition < count
}
