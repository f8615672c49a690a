/**
 * Fetch (key 1) v4–11. Stored batches are sent as they are on disk (no decode, no re-encode,
 * compressed ones stay compressed); the first batch may start before the fetch offset and
 * clients skip the records before it. At least one whole batch is returned even when it is
 * larger than max_bytes (KIP-74). Long poll: with fewer than min_bytes ready the response waits
 * up to max_wait_ms for any requested partition to grow. Fetch sessions (v7+) are not kept:
 * session_id 0 in every answer tells clients to send full fetches, which every client handles.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import { fetchPartitions, type PartitionFetch } from '../fetch-partitions.js'
import { NONE } from '../error-codes.js'
import { Writer } from '../writer.js'

const EMPTY = Buffer.alloc(0)

export const fetchHandler: ApiHandler = {
  apiKey: API_KEYS.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  async handle(request, { server, apiVersion: version, signal }) {
    request.int32() // replica_id: always a consumer (-1) here
    const maxWaitMs = request.int32()
    const minBytes = request.int32()
    const maxBytes = request.int32()
    request.int8() // isolation_level: without transactions both levels read the same records
    if (version >= 7) {
      request.int32() // session_id
      request.int32() // session_epoch
    }
    const wanted: PartitionFetch[] = []
    const topics = request.array((topic) => {
      const name = topic.string()
      const partitions = topic.array((p) => {
        const partition = p.int32()
        if (version >= 9) p.int32() // current_leader_epoch
        const offset = p.int64()
        if (version >= 5) p.int64() // log_start_offset: a follower's, not ours to use
        const partitionMaxBytes = p.int32()
        const entry = { topic: name, partition, offset, partitionMaxBytes }
        wanted.push(entry)
        return entry
      }, version >= 9 ? 28 : version >= 5 ? 24 : 16)
      return { name, partitions }
    }, 6)
    if (version >= 7) request.array((forgotten) => [forgotten.string(), forgotten.array((p) => p.int32(), 4)], 6)
    if (version >= 11) request.string() // rack_id: one node, no nearer replica
    request.expectEnd('Fetch request')

    const results = await fetchPartitions(server.broker, wanted, { maxWaitMs, minBytes, maxBytes, signal })
    const body = new Writer()
    body.int32(0) // throttle_time_ms
    if (version >= 7) body.int16(NONE).int32(0)
    let index = 0
    body.array(topics, (writer, topic) => {
      writer.string(topic.name).array(topic.partitions, (w) => {
        const result = results[index++]!
        w.int32(result.partition).int16(result.errorCode).int64(result.highWatermark)
        w.int64(result.highWatermark) // last_stable_offset: no transactions, so the high watermark
        if (version >= 5) w.int64(result.logStartOffset)
        w.array([], () => undefined) // aborted_transactions
        if (version >= 11) w.int32(-1) // preferred_read_replica: none
        w.bytes(result.records ?? EMPTY) // Kafka sends an empty record set, not null, when there is nothing
      })
    })
    return body
  },
}
