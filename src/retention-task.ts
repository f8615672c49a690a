/**
 * The broker's retention task (Kafka's log cleaner for `cleanup.policy=delete`): every
 * `retentionCheckIntervalMs` it applies each topic's `retention.ms` / `retention.bytes` to each
 * of its partitions, on the partition's actor, with "now" from the broker's injectable clock.
 * Topics whose policy is `compact` alone are skipped (compaction, not deletion, bounds them).
 * Runs never overlap: a run asked for while one is going starts after it, and a timer tick
 * while one is going is skipped. One partition's failure is reported and the run goes on.
 */
import { toErrorData, type BrokerErrorCode } from './errors.js'
import type { MetadataStore, TopicRecord } from './metadata/metadata-store.js'
import { resolveTopicConfig, type CleanupPolicy } from './metadata/topic-config.js'
import type { PartitionState, PartitionTable } from './partition-table.js'
import type { DeletedSegment, RetentionDescription } from './storage/partition-log.js'

export interface PartitionRetentionReport {
  topic: string
  partition: number
  deletedSegments: DeletedSegment[]
  /** After the run; null when the partition failed. */
  logStartOffset: number | null
  error?: { code: BrokerErrorCode; message: string }
}

export interface RetentionReport {
  /** The clock's reading the whole run judged ages by. */
  nowMs: number
  partitions: PartitionRetentionReport[]
  deletedSegments: number
  deletedBytes: number
  /** Topics left alone because their cleanup.policy is `compact` only. */
  skippedTopics: string[]
}

export interface TopicPartitionRetention extends RetentionDescription {
  partition: number
  cleanupPolicy: CleanupPolicy
}

export interface RetentionHost {
  readonly metadata: MetadataStore
  readonly partitions: PartitionTable
  readonly clock: () => number
}

const COMPACT_ONLY = 'cleanup.policy is compact (retention deletes nothing)'

export class RetentionTask {
  private timer: NodeJS.Timeout | null = null
  private tail: Promise<unknown> = Promise.resolve()
  private busy = false

  constructor(
    private readonly host: RetentionHost,
    private readonly intervalMs: number,
    /** Told about every run's report (the broker emits it as its `retention` event). */
    private readonly onReport: (report: RetentionReport) => void = () => undefined,
  ) {}

  /** Starts the periodic runs; the timer never keeps the process alive. */
  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => {
      if (!this.busy) this.run().catch(() => undefined)
    }, this.intervalMs)
    this.timer.unref()
  }

  /** One run now, after any run in progress. */
  run(): Promise<RetentionReport> {
    const next = this.tail.then(async () => {
      this.busy = true
      try {
        const report = await runRetention(this.host)
        this.onReport(report)
        return report
      } finally {
        this.busy = false
      }
    })
    this.tail = next.catch(() => undefined)
    return next
  }

  /** Stops the timer and waits for a run in progress to end. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.tail
  }
}

/** Applies every topic's retention to every partition once, as of one reading of the clock. */
export async function runRetention(host: RetentionHost): Promise<RetentionReport> {
  const nowMs = host.clock()
  const report: RetentionReport = { nowMs, partitions: [], deletedSegments: 0, deletedBytes: 0, skippedTopics: [] }
  for (const topic of host.metadata.listTopics()) {
    const config = resolveTopicConfig(topic.configs)
    if (config.cleanupPolicy === 'compact') {
      report.skippedTopics.push(topic.name)
      continue
    }
    const retention = { retentionMs: config.retentionMs, retentionBytes: config.retentionBytes }
    const results = await Promise.all(host.partitions.partitionsOf(topic.name).map((state) => applyToPartition(host, topic, state, retention, nowMs)))
    report.partitions.push(...results)
  }
  for (const partition of report.partitions) {
    report.deletedSegments += partition.deletedSegments.length
    report.deletedBytes += partition.deletedSegments.reduce((sum, segment) => sum + segment.sizeBytes, 0)
  }
  return report
}

async function applyToPartition(
  host: RetentionHost,
  topic: TopicRecord,
  state: PartitionState,
  retention: { retentionMs: number; retentionBytes: number },
  nowMs: number,
): Promise<PartitionRetentionReport> {
  try {
    await state.opened
    const result = await state.shard.applyRetention(state.key, retention, nowMs)
    if (result.deletedSegments.length > 0 || result.logStartOffset !== state.offsets.logStartOffset) {
      // The actor publishes too, but on another port: make the table current before returning.
      host.partitions.publish(state.key, await state.shard.offsets(state.key))
    }
    return { topic: topic.name, partition: state.partition, deletedSegments: result.deletedSegments, logStartOffset: result.logStartOffset }
  } catch (error) {
    const { code, message } = toErrorData(error)
    return { topic: topic.name, partition: state.partition, deletedSegments: [], logStartOffset: null, error: { code, message } }
  }
}

/** Per partition of `topic`, what retention keeps now and why (a dry run). */
export async function describeTopicRetention(host: RetentionHost, topic: TopicRecord): Promise<TopicPartitionRetention[]> {
  const config = resolveTopicConfig(topic.configs)
  const retention = { retentionMs: config.retentionMs, retentionBytes: config.retentionBytes }
  const disabled = config.cleanupPolicy === 'compact' ? COMPACT_ONLY : undefined
  const nowMs = host.clock()
  return Promise.all(
    host.partitions.partitionsOf(topic.name).map(async (state) => {
      await state.opened
      const description = await state.shard.describeRetention(state.key, retention, nowMs, disabled)
      return { partition: state.partition, cleanupPolicy: config.cleanupPolicy, ...description }
    }),
  )
}
