/**
 * One partition as an actor: it owns the partition's log and offset sequence and is the only
 * writer of its files. Appends are written synchronously (this thread serves only its
 * partitions); every append then joins the log's group commit, so the high watermark readers
 * see is always the durable end, whatever ack level the producer asked for.
 */
import { BrokerError } from '../src/errors.js'
import type { AckLevel, PartitionOffsets } from '../src/shard-protocol.js'
import {
  PartitionLog,
  type AppendResult,
  type LogConfig,
  type RetentionConfig,
  type RetentionDescription,
  type RetentionResult,
} from '../src/storage/partition-log.js'

export class PartitionActor {
  private lastPublishedHighWatermark: number

  constructor(
    readonly key: string,
    readonly dir: string,
    private readonly log: PartitionLog,
    private readonly publish: (key: string, offsets: PartitionOffsets) => void,
  ) {
    this.lastPublishedHighWatermark = log.durableEndOffset
  }

  static open(key: string, dir: string, config: LogConfig, publish: (key: string, offsets: PartitionOffsets) => void): PartitionActor {
    return new PartitionActor(key, dir, PartitionLog.open(dir, config), publish)
  }

  get recovery() {
    return this.log.recovery
  }

  offsets(): PartitionOffsets {
    return { logStartOffset: this.log.logStartOffset, logEndOffset: this.log.logEndOffset, highWatermark: this.log.durableEndOffset }
  }

  /** Writes the batches; resolves per `ackLevel` (after the write, or after the covering fsync). */
  append(bytes: Buffer, ackLevel: AckLevel): Promise<AppendResult> | AppendResult {
    const result = this.log.append(bytes)
    const durable = this.log.sync().then((highWatermark) => {
      this.publishIfAdvanced(highWatermark)
      return result
    })
    if (ackLevel === -1) return durable
    // acks=1 replied already; a failed fsync fences the log, and later requests see that.
    durable.catch(() => undefined)
    return result
  }

  read(offset: number, maxBytes: number): Buffer {
    return this.log.read(offset, maxBytes)
  }

  offsetForTimestamp(timestampMs: number): number | null {
    return this.log.offsetForTimestamp(timestampMs)
  }

  /** Deletes the segments retention lets go as of `nowMs`; publishes the new log start. */
  applyRetention(config: RetentionConfig, nowMs: number): RetentionResult {
    return this.publishingLogStart(() => this.log.applyRetention({ retentionMs: config.retentionMs, retentionBytes: config.retentionBytes, nowMs }))
  }

  /** Kafka's DeleteRecords: the log start moves to `offset`; publishes it. */
  deleteRecordsBefore(offset: number): RetentionResult {
    return this.publishingLogStart(() => this.log.deleteRecordsBefore(offset))
  }

  describeRetention(config: RetentionConfig, nowMs: number, disabled?: string): RetentionDescription {
    return this.log.describeRetention({ retentionMs: config.retentionMs, retentionBytes: config.retentionBytes, nowMs }, disabled)
  }

  damagedRanges() {
    return this.log.damagedRanges()
  }

  stats() {
    return this.log.stats()
  }

  updateConfig(config: LogConfig): void {
    this.log.updateConfig(config)
  }

  close(): Promise<void> {
    return this.log.close()
  }

  /** Runs a change that may move the log start and publishes it if it moved (even when the change then failed). */
  private publishingLogStart<T>(change: () => T): T {
    const before = this.log.logStartOffset
    try {
      return change()
    } finally {
      if (this.log.logStartOffset !== before) this.publish(this.key, this.offsets())
    }
  }

  private publishIfAdvanced(highWatermark: number): void {
    if (highWatermark <= this.lastPublishedHighWatermark) return
    this.lastPublishedHighWatermark = highWatermark
    this.publish(this.key, this.offsets())
  }
}

export function unknownPartition(key: string): BrokerError {
  return new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${key} is not open on this worker`, { partition: key })
}
