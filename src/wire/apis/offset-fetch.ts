/**
 * OffsetFetch (key 9) v1–5: a group's committed offsets, from the store embedded consumers use.
 * A partition with no commit answers offset -1, metadata '' and no error, as Kafka does (also
 * for topics the broker does not have). v2+ accepts null topics, meaning every partition the
 * group has committed, and has a top-level error code; v3+ answers with throttle_time_ms; v5
 * adds the committed leader epoch (-1 when none was committed). When the store cannot be read,
 * v1 puts the error on every requested partition and v2+ answers it at the top with no topics,
 * as Kafka's error response does.
 */
import type { OffsetStore } from '../../coordinator/offset-store.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaErrorCodeOf, NONE } from '../error-codes.js'
import type { Reader } from '../reader.js'
import { Writer } from '../writer.js'

interface RequestedTopic {
  name: string
  partitions: number[]
}

interface PartitionAnswer {
  partition: number
  offset: number
  leaderEpoch: number
  metadata: string
  errorCode: number
}

export const offsetFetchHandler: ApiHandler = {
  apiKey: API_KEYS.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 5,
  async handle(request, { server, apiVersion: version }) {
    const groupId = request.string()
    const readTopic = (topic: Reader): RequestedTopic => ({ name: topic.string(), partitions: topic.array((p) => p.int32(), 4) })
    const requested = version >= 2 ? request.nullableArray(readTopic, 6) : request.array(readTopic, 6)
    request.expectEnd('OffsetFetch request')

    let store: OffsetStore | null = null
    let errorCode = NONE
    try {
      store = await server.broker.groups.offsetStore()
    } catch (error) {
      errorCode = kafkaErrorCodeOf(error)
    }
    // Without a store, v1 answers the error on each requested partition, v2+ once at the top.
    const topics = store ? (requested ?? committedPartitions(store, groupId)) : version >= 2 ? [] : (requested ?? [])
    const answer = (topic: string, partition: number): PartitionAnswer => {
      const found = store?.get(groupId, topic, partition)
      return found ? { partition, offset: found.offset, leaderEpoch: found.leaderEpoch, metadata: found.metadata, errorCode: NONE } : notCommitted(partition, errorCode)
    }

    const body = new Writer()
    if (version >= 3) body.int32(0)
    body.array(topics, (writer, { name, partitions }) => {
      writer.string(name).array(partitions, (w, partition) => {
        const p = answer(name, partition)
        w.int32(p.partition).int64(p.offset)
        if (version >= 5) w.int32(p.leaderEpoch)
        w.nullableString(p.metadata).int16(p.errorCode)
      })
    })
    if (version >= 2) body.int16(errorCode)
    return body
  },
}

function notCommitted(partition: number, errorCode: number): PartitionAnswer {
  return { partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode }
}

/** Null topics: every partition the group has an offset for, by topic then partition. */
function committedPartitions(store: OffsetStore, groupId: string): RequestedTopic[] {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of store.list(groupId)) {
    const partitions = byTopic.get(topic) ?? []
    partitions.push(partition)
    byTopic.set(topic, partitions)
  }
  return [...byTopic.keys()].sort().map((name) => ({ name, partitions: byTopic.get(name)!.sort((a, b) => a - b) }))
}
