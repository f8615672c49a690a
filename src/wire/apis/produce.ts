/**
 * Produce (key 0) v0–7. v3–7 share one request layout (v3 added transactional_id) and carry
 * RecordBatch v2. v0–2 are advertised only because librdkafka 2.0.2 compresses batches only
 * when the Produce range starts at 0; no client sends them while v3+ is available, and their
 * legacy MessageSet records are answered per partition with UNSUPPORTED_FOR_MESSAGE_FORMAT.
 * acks=0 gets no response at all, as clients do not read one.
 */
import type { AckLevel } from '../../shard-protocol.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaCode } from '../error-codes.js'
import { producePartition, type PartitionProduceResult } from '../produce-partition.js'
import { Writer } from '../writer.js'

export const produceHandler: ApiHandler = {
  apiKey: API_KEYS.Produce,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 7,
  async handle(request, { server, apiVersion: version }) {
    if (version >= 3) request.nullableString() // transactional_id: brook has no transactions
    const acks = request.int16()
    request.int32() // timeout_ms: a single node answers as soon as the append is done
    const topics = request.array(
      (topic) => ({
        name: topic.string(),
        partitions: topic.array((partition) => ({ index: partition.int32(), records: partition.nullableBytes() }), 8),
      }),
      6,
    )
    request.expectEnd('Produce request')
    const ackLevel = toAckLevel(acks)
    const results = await Promise.all(
      topics.map(({ name, partitions }) =>
        Promise.all(
          partitions.map(({ index, records }): Promise<PartitionProduceResult> => {
            if (ackLevel === null) return Promise.resolve({ errorCode: kafkaCode('INVALID_REQUIRED_ACKS'), baseOffset: -1, logStartOffset: -1 })
            return producePartition(server, name, index, records, ackLevel)
          }),
        ),
      ),
    )
    if (acks === 0) return null
    const body = new Writer()
    body.array(topics.map((topic, t) => ({ topic, answers: results[t]! })), (writer, { topic, answers }) => {
      writer.string(topic.name).array(topic.partitions.map((partition, p) => ({ partition, answer: answers[p]! })), (w, { partition, answer }) => {
        w.int32(partition.index).int16(answer.errorCode).int64(answer.baseOffset)
        if (version >= 2) w.int64(-1) // log_append_time: topics use CreateTime
        if (version >= 5) w.int64(answer.logStartOffset)
      })
    })
    if (version >= 1) body.int32(0)
    return body
  },
}

/** acks 0 is written like acks 1 (to the OS, no fsync wait); only the response is skipped. */
function toAckLevel(acks: number): AckLevel | null {
  if (acks === -1) return -1
  if (acks === 0 || acks === 1) return 1
  return null
}
