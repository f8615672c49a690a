/**
 * One partition of a Produce request: check the record set, decide what idempotence says about
 * it, and append it as is through the partition's actor (which checks length, magic, CRC-32C,
 * counts and max.message.bytes again, writes the base offset into the header, and stores the
 * bytes unchanged, compressed or not). A compressed batch is also decompressed on the
 * batch-check pool to verify its records, so a large one never blocks the event loop.
 */
import { BrokerError } from '../errors.js'
import { resolveTopicConfig } from '../metadata/topic-config.js'
import { partitionDirName } from '../metadata/topic-name.js'
import { BATCH_LOG_OVERHEAD, COMPRESSION_MASK, assertBatch, type BatchHeader } from '../protocol/batch-header.js'
import { decompressedLimitFor } from '../compression/decompressed-limit.js'
import type { AckLevel } from '../shard-protocol.js'
import { kafkaErrorCodeOf, NONE } from './error-codes.js'
import type { WireServer } from './wire-server.js'

export interface PartitionProduceResult {
  errorCode: number
  baseOffset: number
  logStartOffset: number
}

const TRANSACTIONAL_OR_CONTROL = 0x30
/** Byte 16 holds the magic in both RecordBatch v2 and the legacy MessageSet (offset, size, crc, magic). */
const MAGIC_POSITION = 16

export async function producePartition(server: WireServer, topic: string, partition: number, records: Buffer | null, acks: AckLevel): Promise<PartitionProduceResult> {
  try {
    const record = server.broker.metadata.getTopic(topic)
    if (!record || partition < 0 || partition >= record.partitions) {
      throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}/${partition} does not exist`)
    }
    const header = await checkRecordSet(server, records, resolveTopicConfig(record.configs).maxMessageBytes)
    const key = partitionDirName(topic, partition)
    const sequenced = header.producerId >= 0 ? { producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence, count: header.lastOffsetDelta + 1 } : null
    if (sequenced) {
      const verdict = server.producerStates.check(key, sequenced)
      if (verdict.kind === 'duplicate') {
        const offsets = await server.broker.partitionOffsets(topic, partition)
        return { errorCode: NONE, baseOffset: verdict.baseOffset, logStartOffset: offsets.logStartOffset }
      }
    }
    const reply = await server.broker.appendBatch(topic, partition, records!, acks)
    if (sequenced) server.producerStates.written(key, sequenced, reply.baseOffset)
    return { errorCode: NONE, baseOffset: reply.baseOffset, logStartOffset: reply.offsets.logStartOffset }
  } catch (error) {
    return { errorCode: kafkaErrorCodeOf(error), baseOffset: -1, logStartOffset: -1 }
  }
}

/**
 * A Produce carries exactly one RecordBatch v2 per partition (Kafka requires this since v3:
 * it is what makes sequence checks per batch possible). Returns its header once it is sound.
 */
async function checkRecordSet(server: WireServer, records: Buffer | null, maxMessageBytes: number): Promise<BatchHeader> {
  if (records === null || records.length === 0) throw new BrokerError('CORRUPT_MESSAGE', 'no record batch for the partition')
  if (records.length > MAGIC_POSITION && records[MAGIC_POSITION]! < 2) {
    throw new BrokerError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `message format v${records[MAGIC_POSITION]} (legacy MessageSet) is not accepted; use a client that sends RecordBatch v2 (Produce v3+)`)
  }
  const header = assertBatch(records, 0, maxMessageBytes)
  if (header.sizeBytes !== records.length) {
    throw new BrokerError('INVALID_RECORD', `a partition's record set must be exactly one record batch (${records.length} bytes, the batch is ${header.sizeBytes})`)
  }
  if ((header.attributes & TRANSACTIONAL_OR_CONTROL) !== 0) {
    throw new BrokerError('INVALID_RECORD', 'transactional and control batches are not supported: brook has no transactions')
  }
  if ((header.attributes & COMPRESSION_MASK) !== 0) {
    const compressedBytes = header.sizeBytes - BATCH_LOG_OVERHEAD
    await server.batchCheckPool().check(records, { maxDecompressedBytes: decompressedLimitFor(compressedBytes) })
  }
  return header
}
