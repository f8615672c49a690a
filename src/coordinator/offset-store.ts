/**
 * Committed offsets, kept the way Kafka keeps them: every commit is a record appended to the
 * internal `__consumer_offsets` log with acks=all (so it is fsynced before the commit resolves),
 * the latest record per (group, topic, partition) wins, and the log is replayed on open. The log
 * is kept short by snapshotting: once it holds many more records than live keys, the live set is
 * appended again and every segment before that snapshot is deleted.
 */
import { BrokerError } from '../errors.js'
import { RecordBatchBuilder, type FetchedRecord } from '../protocol/record-batch.js'
import {
  decodeOffsetKey,
  decodeOffsetValue,
  encodeOffsetKey,
  encodeOffsetValue,
  type CommittedOffset,
  type OffsetKey,
} from './offset-record.js'

/** What the store needs from the partition that holds its log. */
export interface OffsetLog {
  /** Appends one record batch and resolves once an fsync covers it; resolves with its base offset. */
  append(batch: Buffer): Promise<number>
  /** Every record from the log start to the high watermark, in order. */
  replay(): AsyncIterable<FetchedRecord>
  /** Deletes whole segments below `offset` (Kafka's DeleteRecords). */
  deleteRecordsBefore(offset: number): Promise<void>
}

export interface OffsetCommit {
  topic: string
  partition: number
  offset: number
  metadata?: string | null
  leaderEpoch?: number
}

/** Snapshot once the log holds this many records and at least SNAPSHOT_RATIO times the live keys. */
const SNAPSHOT_MIN_RECORDS = 10_000
const SNAPSHOT_RATIO = 4

export class OffsetStore {
  /** groupId → "topic\0partition" → committed offset */
  private readonly groups = new Map<string, Map<string, CommittedOffset & { topic: string; partition: number }>>()
  private recordsInLog = 0
  /** Commits appended but not yet acknowledged: a snapshot must not run while any is (it would miss them). */
  private commitsInFlight = 0
  /** While a snapshot runs, new commits wait for it, so the snapshot never writes an older value after a newer one. */
  private snapshotting: Promise<void> | null = null

  private constructor(
    private readonly log: OffsetLog,
    private readonly snapshotMinRecords: number,
  ) {}

  /** `snapshotMinRecords` lowers the snapshot threshold (tests); the default suits production. */
  static async open(log: OffsetLog, options: { snapshotMinRecords?: number } = {}): Promise<OffsetStore> {
    const store = new OffsetStore(log, options.snapshotMinRecords ?? SNAPSHOT_MIN_RECORDS)
    for await (const record of log.replay()) store.applyRecord(record)
    return store
  }

  /** The committed offset of one partition for a group, if any. */
  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.get(slot(topic, partition))
  }

  /** Every committed offset of a group. */
  list(groupId: string): Array<OffsetKey & CommittedOffset> {
    return [...(this.groups.get(groupId)?.values() ?? [])].map((entry) => ({ groupId, ...entry }))
  }

  groupIds(): string[] {
    return [...this.groups.keys()]
  }

  /** Stores the offsets durably (fsynced) before resolving; the in-memory view changes only then. */
  async commit(groupId: string, commits: OffsetCommit[], nowMs: number): Promise<void> {
    if (commits.length === 0) return
    const builder = new RecordBatchBuilder()
    const values: Array<OffsetKey & CommittedOffset> = []
    for (const commit of commits) {
      if (!Number.isSafeInteger(commit.offset) || commit.offset < -1) {
        throw new BrokerError('INVALID_REQUEST', `offset for ${commit.topic}/${commit.partition} must be an integer >= 0, got ${commit.offset}`)
      }
      const value = { offset: commit.offset, leaderEpoch: commit.leaderEpoch ?? -1, metadata: commit.metadata ?? '', commitTimestamp: nowMs }
      const key = { groupId, topic: commit.topic, partition: commit.partition }
      builder.append(encodeOffsetKey(key), encodeOffsetValue(value), null, nowMs)
      values.push({ ...key, ...value })
    }
    await this.appendDurably(builder.finish())
    for (const value of values) this.set(value)
    this.recordsInLog += values.length
    this.maybeSnapshot(nowMs)
  }

  /** Removes a group's offsets (tombstones), durably. */
  async deleteGroup(groupId: string, nowMs: number): Promise<void> {
    const entries = this.list(groupId)
    if (entries.length === 0) return
    const builder = new RecordBatchBuilder()
    for (const entry of entries) builder.append(encodeOffsetKey(entry), null, null, nowMs)
    await this.appendDurably(builder.finish())
    this.groups.delete(groupId)
    this.recordsInLog += entries.length
  }

  private async appendDurably(batch: Buffer): Promise<void> {
    while (this.snapshotting) await this.snapshotting
    this.commitsInFlight += 1
    try {
      await this.log.append(batch)
    } finally {
      this.commitsInFlight -= 1
    }
  }

  private applyRecord(record: FetchedRecord): void {
    this.recordsInLog += 1
    if (!record.key) return
    const key = decodeOffsetKey(record.key)
    if (!key) return
    if (record.value === null) {
      const group = this.groups.get(key.groupId)
      group?.delete(slot(key.topic, key.partition))
      if (group?.size === 0) this.groups.delete(key.groupId)
      return
    }
    this.set({ ...key, ...decodeOffsetValue(record.value) })
  }

  private set(entry: OffsetKey & CommittedOffset): void {
    let group = this.groups.get(entry.groupId)
    if (!group) {
      group = new Map()
      this.groups.set(entry.groupId, group)
    }
    const { groupId: _groupId, ...value } = entry
    group.set(slot(entry.topic, entry.partition), value)
  }

  private liveCount(): number {
    let count = 0
    for (const group of this.groups.values()) count += group.size
    return count
  }

  /** Rewrites the live offsets at the log end and drops the segments before them. */
  private maybeSnapshot(nowMs: number): void {
    if (this.snapshotting || this.commitsInFlight > 0 || this.recordsInLog < this.snapshotMinRecords || this.recordsInLog < SNAPSHOT_RATIO * this.liveCount()) return
    this.snapshotting = (async () => {
      const builder = new RecordBatchBuilder()
      for (const groupId of this.groups.keys()) {
        for (const entry of this.list(groupId)) builder.append(encodeOffsetKey(entry), encodeOffsetValue(entry), null, nowMs)
      }
      if (builder.count === 0) return
      const live = builder.count
      const snapshotStart = await this.log.append(builder.finish())
      await this.log.deleteRecordsBefore(snapshotStart)
      this.recordsInLog = live
    })()
      .catch(() => undefined)
      .finally(() => {
        this.snapshotting = null
      })
  }
}

function slot(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
