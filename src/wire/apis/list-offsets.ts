/**
 * ListOffsets (key 2) v1–5: per partition, the earliest offset (timestamp -2), the latest
 * (-1: the high watermark) or the first offset whose record timestamp is at or after a time,
 * with that record's timestamp (-1 and -1 when no record is that recent).
 */
import type { Broker } from '../../broker.js'
import { decodeRecordSet } from '../../protocol/record-batch.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaErrorCodeOf, NONE } from '../error-codes.js'
import { Writer } from '../writer.js'

const LATEST = -1
const EARLIEST = -2

interface OffsetAnswer {
  partition: number
  errorCode: number
  timestamp: number
  offset: number
}

export const listOffsetsHandler: ApiHandler = {
  apiKey: API_KEYS.ListOffsets,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 5,
  async handle(request, { server, apiVersion: version }) {
    request.int32() // replica_id
    if (version >= 2) request.int8() // isolation_level: no transactions, same answer
    const topics = request.array((topic) => {
      const name = topic.string()
      const partitions = topic.array((p) => {
        const partition = p.int32()
        if (version >= 4) p.int32() // current_leader_epoch
        return { partition, timestamp: p.int64() }
      }, version >= 4 ? 16 : 12)
      return { name, partitions }
    }, 6)
    request.expectEnd('ListOffsets request')
    const answers = await Promise.all(topics.map(({ name, partitions }) => Promise.all(partitions.map(({ partition, timestamp }) => offsetFor(server.broker, name, partition, timestamp)))))
    const body = new Writer()
    if (version >= 2) body.int32(0)
    body.array(
      topics.map((topic, t) => ({ name: topic.name, answers: answers[t]! })),
      (writer, { name, answers: partitions }) => {
        writer.string(name).array(partitions, (w, answer) => {
          w.int32(answer.partition).int16(answer.errorCode).int64(answer.timestamp).int64(answer.offset)
          if (version >= 4) w.int32(0) // leader_epoch
        })
      },
    )
    return body
  },
}

async function offsetFor(broker: Broker, topic: string, partition: number, timestamp: number): Promise<OffsetAnswer> {
  try {
    const offsets = await broker.partitionOffsets(topic, partition)
    if (timestamp === LATEST) return { partition, errorCode: NONE, timestamp: -1, offset: offsets.highWatermark }
    if (timestamp === EARLIEST) return { partition, errorCode: NONE, timestamp: -1, offset: offsets.logStartOffset }
    const found = await broker.offsetForTimestamp(topic, partition, timestamp)
    if (found === null) return { partition, errorCode: NONE, timestamp: -1, offset: -1 }
    return { partition, errorCode: NONE, timestamp: await timestampOf(broker, topic, partition, found), offset: found }
  } catch (error) {
    return { partition, errorCode: kafkaErrorCodeOf(error), timestamp: -1, offset: -1 }
  }
}

/** The timestamp of the record at `offset` (read from its batch). */
async function timestampOf(broker: Broker, topic: string, partition: number, offset: number): Promise<number> {
  const chunk = await broker.fetchChunk({ topic, partition, offset, maxBytes: 1 })
  const record = chunk.bytes ? decodeRecordSet(chunk.bytes, { fromOffset: offset })[0] : undefined
  return record ? Number(record.timestamp) : -1
}
