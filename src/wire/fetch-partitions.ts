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

/** Partitions read at once: bounds what one Fetch holds beyond max_bytes to this many batches. */
const READS_IN_PARALLEL = 8

/**
 * Reads the partitions in request order, a few at a time, until max_bytes is used up; later
 * partitions are answered with their offsets and no records (clients fetch them next time).
 * Reading in waves keeps a Fetch listing thousands of partitions (or one partition thousands of
 * times) from holding more than max_bytes plus a wave's worth of batches.
 */
async function readAll(broker: Broker, wanted: PartitionFetch[], maxBytes: number): Promise<PartitionFetchResult[]> {
  const results: PartitionFetchResult[] = []
  let used = 0
  for (let start = 0; start < wanted.length; start += READS_IN_PARALLEL) {
    const wave = wanted.slice(start, start + READS_IN_PARALLEL)
    if (used >= maxBytes) {
      results.push(...wave.map((entry) => offsetsOnly(broker, entry)))
      continue
    }
    const budget = maxBytes - used
    for (const result of await Promise.all(wave.map((entry) => readOne(broker, entry, budget)))) {
      // The first batch of a response is always kept whole (KIP-74); after that, only what fits.
      if (result.records && used > 0 && used + result.records.length > maxBytes) result.records = null
      used += result.records?.length ?? 0
      results.push(result)
    }
  }
  return results
}

/** A partition past the byte budget: its offsets as the broker last saw them, no records. */
function offsetsOnly(broker: Broker, { topic, partition }: PartitionFetch): PartitionFetchResult {
  try {
    const offsets = broker.knownOffsets(topic, partition)
    return { partition, errorCode: NONE, highWatermark: offsets.highWatermark, logStartOffset: offsets.logStartOffset, records: null }
  } catch (error) {
    return { partition, errorCode: kafkaErrorCodeOf(error), highWatermark: -1, logStartOffset: -1, records: null }
  }
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
