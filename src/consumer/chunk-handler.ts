/**
 * Hands one fetched chunk of a partition to the user's handler — eachMessage record by record, or
 * eachBatch at once — with kafkajs's payloads, and moves the partition's position only past what
 * the handler finished (a seek made meanwhile wins).
 */
import { parseOffset, type OffsetInput } from '../offsets.js'
import type { FetchedRecord } from '../protocol/record-batch.js'
import type { FetchChunk } from '../broker.js'
import { decodeRecordSet } from '../protocol/record-batch.js'
import type { PartitionFetcher } from './partition-fetcher.js'
import { runWithRetry, type RetryOptions } from './retry.js'

export interface EachMessagePayload {
  topic: string
  partition: number
  message: FetchedRecord
  heartbeat(): Promise<void>
  pause(): () => void
}

export interface Batch {
  topic: string
  partition: number
  highWatermark: string
  messages: FetchedRecord[]
  isEmpty(): boolean
  firstOffset(): string | null
  lastOffset(): string
  offsetLag(): string
  offsetLagLow(): string
}

export interface EachBatchPayload {
  batch: Batch
  resolveOffset(offset: OffsetInput): void
  heartbeat(): Promise<void>
  commitOffsetsIfNecessary(): Promise<void>
  isRunning(): boolean
  isStale(): boolean
  pause(): () => void
}

export interface RunOptions {
  eachMessage?: (payload: EachMessagePayload) => Promise<void>
  eachBatch?: (payload: EachBatchPayload) => Promise<void>
  autoCommit?: boolean
  autoCommitInterval?: number
  eachBatchAutoResolve?: boolean
  partitionsConsumedConcurrently?: number
}

export interface ChunkContext {
  isRunning(): boolean
  heartbeat(): Promise<void>
  /** Pauses one partition; returns the function that resumes it. */
  pause(topic: string, partition: number): () => void
  commit(fetcher: PartitionFetcher): Promise<void>
  retry?: RetryOptions
}

export async function handleChunk(fetcher: PartitionFetcher, chunk: FetchChunk, run: RunOptions, context: ChunkContext): Promise<void> {
  if (fetcher.isStopped || fetcher.paused || chunk.bytes === null) return
  // Decoded only now, with the handler free: chunks waiting their turn stay compact bytes.
  const records = decodeRecordSet(chunk.bytes, { fromOffset: fetcher.position })
  if (records.length === 0) return
  const { topic, partition } = fetcher
  const heartbeat = context.heartbeat
  const pause = () => context.pause(topic, partition)
  const epoch = fetcher.seekEpoch
  if (run.eachMessage) {
    for (const message of records) {
      if (fetcher.isStopped || fetcher.paused || !context.isRunning()) return
      await runWithRetry(() => run.eachMessage!({ topic, partition, message, heartbeat, pause }), context.retry)
      if (fetcher.seekEpoch !== epoch) return
      fetcher.position = Number(message.offset) + 1
    }
    return
  }
  const batch = makeBatch(topic, partition, String(chunk.highWatermark), records)
  await runWithRetry(
    () =>
      run.eachBatch!({
        batch,
        resolveOffset: (offset: OffsetInput) => {
          fetcher.position = Math.max(fetcher.position, parseOffset(offset) + 1)
        },
        heartbeat,
        commitOffsetsIfNecessary: () => context.commit(fetcher),
        isRunning: () => context.isRunning() && !fetcher.isStopped,
        isStale: () => fetcher.isStopped,
        pause,
      }),
    context.retry,
  )
  if (run.eachBatchAutoResolve && fetcher.seekEpoch === epoch) fetcher.position = Math.max(fetcher.position, Number(records[records.length - 1].offset) + 1)
}

function makeBatch(topic: string, partition: number, highWatermark: string, messages: FetchedRecord[]): Batch {
  const last = messages[messages.length - 1]
  return {
    topic,
    partition,
    highWatermark,
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => messages[0]?.offset ?? null,
    lastOffset: () => last?.offset ?? String(Number(highWatermark) - 1),
    offsetLag: () => String(Math.max(0, Number(highWatermark) - 1 - Number(last?.offset ?? highWatermark))),
    offsetLagLow: () => String(Math.max(0, Number(highWatermark) - 1 - Number(messages[0]?.offset ?? highWatermark))),
  }
}
