/**
 * The partitions of one Fetch request: read each from its actor, keep to the response's byte
 * budget in request order (the first batch found is always kept whole, KIP-74), and long-poll
 * while fewer than min_bytes are ready.
 */
import type { Broker } from '../broker.js'
import { LIMITS } from '../limits.js'
import { kafkaErrorCodeOf, NONE } from './error-codes.js'

export interface PartitionFetch {
  topic: string
  partition: number
  offset: number
  partitionMaxBytes: number
}

export interface PartitionFetchResult {
  partition: number
  errorCode: number
  highWatermark: number
  logStartOffset: number
  records: Buffer | null
}

export interface FetchLimits {
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  signal: AbortSignal
}

export async function fetchPartitions(broker: Broker, wanted: PartitionFetch[], limits: FetchLimits): Promise<PartitionFetchResult[]> {
  const maxBytes = Math.min(limits.maxBytes > 0 ? limits.maxBytes : LIMITS.fetchMaxBytes, LIMITS.fetchMaxBytes)
  let results = await readAll(broker, wanted, maxBytes)
  if (limits.maxWaitMs > 0 && !results.some((result) => result.errorCode !== NONE) && bytesIn(results) < Math.max(limits.minBytes, 1) && !limits.signal.aborted) {
    await broker.waitForRecords(wanted, limits.maxWaitMs, limits.signal)
    if (!broker.isClosed) results = await readAll(broker, wanted, maxBytes)
  }
  return results
}

async function readAll(broker: Broker, wanted: PartitionFetch[], maxBytes: number): Promise<PartitionFetchResult[]> {
  const results = await Promise.all(wanted.map((entry) => readOne(broker, entry, maxBytes)))
  // Keep to max_bytes in request order; whatever was read past the budget is dropped (clients fetch it next time).
  let used = 0
  for (const result of results) {
    if (!result.records) continue
    if (used > 0 && used + result.records.length > maxBytes) result.records = null
    else used += result.records.length
  }
  return results
}

async function readOne(broker: Broker, { topic, partition, offset, partitionMaxBytes }: PartitionFetch, maxBytes: number): Promise<PartitionFetchResult> {
  try {
    const chunk = await broker.fetchChunk({ topic, partition, offset, maxBytes: Math.max(1, Math.min(partitionMaxBytes, maxBytes)) })
    return { partition, errorCode: NONE, highWatermark: chunk.highWatermark, logStartOffset: chunk.logStartOffset, records: chunk.bytes }
  } catch (error) {
    return { partition, errorCode: kafkaErrorCodeOf(error), highWatermark: -1, logStartOffset: -1, records: null }
  }
}

function bytesIn(results: PartitionFetchResult[]): number {
  let total = 0
  for (const result of results) total += result.records?.length ?? 0
  return total
}
