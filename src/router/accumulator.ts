/**
 * Per-partition batching on the main thread. Records for the same partition are appended to one
 * open RecordBatch until it is flushed: at the end of the current tick (`lingerMs` 0), after
 * `lingerMs`, or at once when it reaches `batchBytes`. A flushed batch goes to its partition's
 * actor as one transferred buffer, and every send waiting on it learns its offsets from the reply.
 */
import { RecordBatchBuilder } from '../protocol/record-batch.js'
import { BATCH_HEADER_BYTES } from '../protocol/batch-header.js'
import type { AckLevel } from '../shard-protocol.js'
import type { AppendReply } from '../shard.js'
import type { NormalizedMessage } from './message-input.js'

export type AppendBatch = (topic: string, partition: number, bytes: Buffer, ackLevel: AckLevel) => Promise<AppendReply>

export class OpenBatch {
  readonly builder = new RecordBatchBuilder()
  ackLevel: AckLevel = 1
  readonly result: Promise<AppendReply>
  settle!: { resolve: (reply: AppendReply) => void; reject: (error: unknown) => void }

  constructor(readonly topic: string, readonly partition: number) {
    this.result = new Promise<AppendReply>((resolve, reject) => {
      this.settle = { resolve, reject }
    })
    // acks=0 senders never look at the result; the rejection must not surface as unhandled.
    this.result.catch(() => undefined)
  }
}

export interface Placement {
  batch: OpenBatch
  /** Position of the record inside its batch: its offset is the batch's base offset plus this. */
  index: number
}

export class Accumulator {
  private readonly open = new Map<string, OpenBatch>()
  private flushScheduled = false
  private lingerTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly appendBatch: AppendBatch,
    private readonly options: { lingerMs: number; batchBytes: number },
    private readonly onBatchSent: (topic: string, partition: number) => void,
  ) {}

  add(topic: string, partition: number, message: NormalizedMessage, ackLevel: AckLevel, maxBatchBytes: number): Placement {
    const key = `${topic}\u0000${partition}`
    let batch = this.open.get(key)
    const limit = Math.min(maxBatchBytes, Math.max(this.options.batchBytes, BATCH_HEADER_BYTES + message.sizeBytes))
    if (batch && batch.builder.sizeBytes + message.sizeBytes > limit) {
      this.send(key, batch)
      batch = undefined
    }
    if (!batch) {
      batch = new OpenBatch(topic, partition)
      this.open.set(key, batch)
    }
    const index = batch.builder.count
    batch.builder.append(message.key, message.value, message.headers, message.timestampMs)
    if (ackLevel === -1) batch.ackLevel = -1
    return { batch, index }
  }

  /** Arranges for the open batches to go out per `lingerMs`. */
  schedule(): void {
    if (this.options.lingerMs <= 0) {
      if (this.flushScheduled) return
      this.flushScheduled = true
      setImmediate(() => {
        this.flushScheduled = false
        this.flush()
      })
      return
    }
    this.lingerTimer ??= setTimeout(() => {
      this.lingerTimer = null
      this.flush()
    }, this.options.lingerMs)
  }

  flush(): void {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer)
      this.lingerTimer = null
    }
    for (const [key, batch] of this.open) this.send(key, batch)
  }

  private send(key: string, batch: OpenBatch): void {
    this.open.delete(key)
    this.onBatchSent(batch.topic, batch.partition)
    let bytes: Buffer
    try {
      bytes = batch.builder.finish()
    } catch (error) {
      batch.settle.reject(error)
      return
    }
    this.appendBatch(batch.topic, batch.partition, bytes, batch.ackLevel).then(batch.settle.resolve, batch.settle.reject)
  }
}
