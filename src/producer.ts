/**
 * The embedded producer, shaped like kafkajs's: `send({ topic, messages, acks })` resolves with
 * one `RecordMetadata` per partition written. Messages are checked first, so a bad message
 * rejects the whole send before anything is written; then the partitioner places them and the
 * accumulator batches them per partition.
 */
import { BrokerError } from './errors.js'
import { LIMITS } from './limits.js'
import { BATCH_HEADER_BYTES } from './protocol/batch-header.js'
import type { AckLevel } from './shard-protocol.js'
import { Accumulator, type AppendBatch, type OpenBatch, type Placement } from './router/accumulator.js'
import { normalizeMessage, type Message } from './router/message-input.js'
import { Partitioner, type NullKeyStrategy } from './router/partitioner.js'

export type Acks = -1 | 0 | 1

export interface ProducerOptions {
  /** -1 ('all', default): after an fsync covering the batch; 1: after the write; 0: do not wait. */
  acks?: Acks
  /** How long to wait for more records before sending a partition's batch (0: same tick). */
  lingerMs?: number
  /** A partition's batch is sent as soon as it holds this many bytes. */
  batchBytes?: number
  /** Where records without a key go: 'round-robin' (default) or 'sticky' (one partition per batch). */
  nullKeyPartitioning?: NullKeyStrategy
}

export interface ProducerRecord {
  topic: string
  messages: Message[]
  acks?: Acks
}

export interface RecordMetadata {
  topicName: string
  partition: number
  errorCode: number
  /** Offset of this send's first record in the partition ('-1' with acks 0, as in Kafka). */
  baseOffset: string
  logAppendTime: string
  logStartOffset: string
}

export interface TopicLayout {
  numPartitions: number
  maxMessageBytes: number
}

/** What a producer needs from the broker. */
export interface ProducerTarget {
  topicLayout(topic: string): TopicLayout
  append: AppendBatch
  assertOpen(): void
}

export class Producer {
  private readonly acks: Acks
  private readonly partitioner: Partitioner
  private readonly accumulator: Accumulator
  private disconnected = false

  constructor(private readonly target: ProducerTarget, options: ProducerOptions = {}) {
    this.acks = checkAcks(options.acks ?? -1)
    this.partitioner = new Partitioner(options.nullKeyPartitioning ?? 'round-robin')
    this.accumulator = new Accumulator(
      (topic, partition, bytes, ackLevel) => target.append(topic, partition, bytes, ackLevel),
      { lingerMs: options.lingerMs ?? LIMITS.lingerMs, batchBytes: options.batchBytes ?? LIMITS.batchBytes },
      (topic, partition) => this.partitioner.batchSent(topic, partition),
    )
  }

  /** kafkajs compatibility: the embedded producer needs no connection. */
  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {
    this.accumulator.flush()
    this.disconnected = true
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return (await this.sendBatch({ topicMessages: [record], acks: record.acks }))
  }

  async sendBatch({ topicMessages, acks }: { topicMessages: ProducerRecord[]; acks?: Acks }): Promise<RecordMetadata[]> {
    if (this.disconnected) throw new BrokerError('BROKER_CLOSED', 'the producer is disconnected')
    this.target.assertOpen()
    if (!Array.isArray(topicMessages)) throw new BrokerError('INVALID_REQUEST', 'topicMessages must be an array')
    const level = checkAcks(acks ?? this.acks)
    const planned = topicMessages.map((entry) => this.plan(entry))
    const placements = planned.map(({ topic, layout, messages, partitions }) => {
      const firstByPartition = new Map<number, Placement>()
      const batches = new Set<OpenBatch>()
      messages.forEach((message, index) => {
        const partition = partitions[index]
        const placement = this.accumulator.add(topic, partition, message, level === 0 ? 1 : level, layout.maxMessageBytes)
        batches.add(placement.batch)
        if (!firstByPartition.has(partition)) firstByPartition.set(partition, placement)
      })
      return { topic, firstByPartition, batches }
    })
    this.accumulator.schedule()
    if (level === 0) {
      return placements.flatMap(({ topic, firstByPartition }) => [...firstByPartition.keys()].map((partition) => metadata(topic, partition, -1, -1)))
    }
    // A send is acknowledged once every batch holding one of its records is.
    await Promise.all(placements.flatMap(({ batches }) => [...batches].map((batch) => batch.result)))
    const results: RecordMetadata[] = []
    for (const { topic, firstByPartition } of placements) {
      for (const [partition, { batch, index }] of firstByPartition) {
        const reply = await batch.result
        results.push(metadata(topic, partition, reply.baseOffset + index, reply.offsets.logStartOffset))
      }
    }
    return results
  }

  /** Everything that can reject a send is checked here, before any record is batched. */
  private plan(entry: ProducerRecord) {
    if (typeof entry !== 'object' || entry === null) throw new BrokerError('INVALID_REQUEST', 'each send needs { topic, messages }')
    const { topic } = entry
    if (!Array.isArray(entry.messages) || entry.messages.length === 0) {
      throw new BrokerError('INVALID_REQUEST', `send to ${String(topic)} needs a non-empty messages array`)
    }
    const layout = this.target.topicLayout(topic)
    const now = Date.now()
    const messages = entry.messages.map((message, index) => normalizeMessage(message, index, now))
    const partitions = messages.map((message, index) => {
      if (message.sizeBytes + BATCH_HEADER_BYTES > layout.maxMessageBytes) {
        throw new BrokerError('MESSAGE_TOO_LARGE', `message ${index} to ${topic} is about ${message.sizeBytes} bytes; max.message.bytes is ${layout.maxMessageBytes}`, { topic, index })
      }
      if (message.partition !== undefined && message.partition >= layout.numPartitions) {
        throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} has no partition ${message.partition} (it has ${layout.numPartitions})`, { topic, partition: message.partition })
      }
      return this.partitioner.partition(topic, layout.numPartitions, message.key, message.partition)
    })
    return { topic, layout, messages, partitions }
  }
}

function checkAcks(acks: unknown): Acks {
  if (acks === -1 || acks === 0 || acks === 1) return acks
  throw new BrokerError('INVALID_REQUEST', `acks must be -1, 0 or 1, got ${String(acks)}`)
}

function metadata(topic: string, partition: number, baseOffset: number, logStartOffset: number): RecordMetadata {
  return { topicName: topic, partition, errorCode: 0, baseOffset: String(baseOffset), logAppendTime: '-1', logStartOffset: String(logStartOffset) }
}

export type { AckLevel }
