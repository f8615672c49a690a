/**
 * The broker: opens the data directory, starts the partition workers, opens every partition of
 * every topic on them, and routes produce and fetch calls to the right actor. Topic changes go
 * to the metadata store first (durable), then to the actors.
 */
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { Admin } from './admin.js'
import { BrokerError } from './errors.js'
import { LIMITS } from './limits.js'
import { MetadataStore, type TopicRecord } from './metadata/metadata-store.js'
import { quarantineOrphans } from './metadata/orphans.js'
import { resolveTopicConfig } from './metadata/topic-config.js'
import { partitionDirName } from './metadata/topic-name.js'
import { parseOffset, type OffsetInput } from './offsets.js'
import { PartitionTable, type PartitionState } from './partition-table.js'
import { Producer, type ProducerOptions, type TopicLayout } from './producer.js'
import { decodeRecordSet, iterateBatches, type FetchedRecord } from './protocol/record-batch.js'
import { waitForRecordsIn } from './record-wait.js'
import { RetentionTask, type RetentionReport } from './retention-task.js'
import type { CoordinatorOptions } from './coordinator/group-types.js'

export type { BrokerOptions } from './broker-options.js'
import type { Consumer, ConsumerOptions } from './consumer/consumer.js'
import { GroupServices } from './group-services.js'
import type { AckLevel, PartitionOffsets } from './shard-protocol.js'
import { Shard, type AppendReply, type FetchReply, type ShardEvents } from './shard.js'
import { DataDirLock } from './storage/data-dir-lock.js'
import { resolveListenOptions, type ListenOptions } from './wire/wire-options.js'
import { WireServer, type ListeningAddress } from './wire/wire-server.js'
import { checkBrokerOptions, type BrokerOptions } from './broker-options.js'
import { realFs } from './storage/fs.js'
import type { LogConfig, RecoveryReport } from './storage/partition-log.js'

export interface FetchRequest {
  topic: string
  partition: number
  offset: OffsetInput
  /** Bytes to return at most; at least one whole batch is returned even if it is larger. */
  maxBytes?: number
  /** Long poll: wait up to this long for records at `offset` to exist. Default 0. */
  maxWaitMs?: number
  /** Ends a long poll early (the fetch then returns what is there, possibly nothing). */
  signal?: AbortSignal
}

export interface FetchResult {
  topic: string
  partition: number
  records: FetchedRecord[]
  highWatermark: string
  logStartOffset: string
  lastStableOffset: string
}

/** A fetch's stored bytes, not yet decoded: whole record batches, or null when nothing was there. */
export interface FetchChunk {
  bytes: Buffer | null
  highWatermark: number
  logStartOffset: number
}

export interface ReadRequest {
  topic: string
  partition: number
  fromOffset?: OffsetInput
  maxBytes?: number
  /** Stops the iteration when aborted. */
  signal?: AbortSignal
}

export type BrokerEvents = Omit<ShardEvents, 'hw'> & {
  'partition.recovered': [{ topic: string; partition: number; recovery: RecoveryReport }]
  /** A retention run ended (periodic or runRetention()); the report says what it deleted. */
  retention: [RetentionReport]
}

export class Broker extends EventEmitter<BrokerEvents> {
  private closed = false
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly producers = new Set<Producer>()
  /** Partition directories the metadata did not know, moved to `<dataDir>/quarantine/` at open (never deleted). */
  quarantinedDirs: readonly string[] = []
  /** Partitions whose open had to repair something (torn tail cut, index rebuilt), newest last. */
  readonly repairs: Array<{ topic: string; partition: number; recovery: RecoveryReport }> = []
  /** The clock retention judges record ages by (BrokerOptions.clock). */
  readonly clock: () => number
  private readonly retention: RetentionTask
  /** Consumer groups: coordinator, committed offsets, consumers. */
  readonly groups: GroupServices
  /** This broker's hold on its data directory, released by close(). */
  private lock: DataDirLock | null = null
  /** The Kafka protocol listener, once listen() was called. */
  private wireServers: WireServer[] = []

  private constructor(
    readonly dataDir: string,
    private readonly options: Required<Omit<BrokerOptions, 'dataDir' | 'clock' | 'retentionCheckIntervalMs' | 'groups'>>,
    readonly metadata: MetadataStore,
    private readonly shards: Shard[],
    readonly partitions: PartitionTable,
    timing: { clock: () => number; retentionCheckIntervalMs: number },
    groupOptions: CoordinatorOptions,
  ) {
    super()
    this.clock = timing.clock
    this.groups = new GroupServices(this, groupOptions)
    this.retention = new RetentionTask(this, timing.retentionCheckIntervalMs, (report) => this.emit('retention', report))
  }

  static async open(options: BrokerOptions): Promise<Broker> {
    const { workers, clock, retentionCheckIntervalMs } = checkBrokerOptions(options)
    const lock = DataDirLock.acquire(options.dataDir)
    let metadata: MetadataStore
    try {
      metadata = MetadataStore.open(options.dataDir)
    } catch (error) {
      lock.release()
      throw error
    }
    const shards = Array.from({ length: workers }, (_, index) => new Shard(index))
    const broker = new Broker(
      options.dataDir,
      { workers, autoCreateTopics: options.autoCreateTopics ?? false, defaultPartitions: options.defaultPartitions ?? 1 },
      metadata,
      shards,
      new PartitionTable(shards),
      { clock, retentionCheckIntervalMs },
      options.groups ?? {},
    )
    for (const shard of shards) {
      shard.on('hw', ({ key, offsets }) => broker.partitions.publish(key, offsets))
      shard.on('worker.crash', (event) => broker.emit('worker.crash', event))
      shard.on('worker.restart', (event) => broker.emit('worker.restart', event))
      shard.on('worker.failed', (event) => broker.emit('worker.failed', event))
    }
    broker.lock = lock
    try {
      await Promise.all(shards.map((shard) => shard.start()))
      removeDeletedPartitions(options.dataDir)
      const known = new Set(metadata.listTopics().flatMap((topic) => partitionKeys(topic)))
      broker.quarantinedDirs = quarantineOrphans(options.dataDir, known, realFs)
      await Promise.all(metadata.listTopics().map((topic) => broker.openPartitions(topic, 0)))
    } catch (error) {
      await Promise.allSettled(shards.map((shard) => shard.close()))
      lock.release()
      throw error
    }
    broker.retention.start()
    return broker
  }

  admin(): Admin {
    this.assertOpen()
    return new Admin(this)
  }

  /**
   * Serves the Kafka protocol on a TCP port, so Kafka clients (kafkajs, librdkafka, kafka-python)
   * can use this broker. Port 0 picks a free port; the address bound is returned. An embedded
   * broker opens no socket unless this is called.
   */
  async listen(options: ListenOptions = {}): Promise<ListeningAddress & { server: WireServer }> {
    this.assertOpen()
    const server = new WireServer(this, resolveListenOptions(options, this.options.defaultPartitions))
    const address = await server.listen()
    this.wireServers.push(server)
    return { ...address, server }
  }

  /** A consumer in a group, shaped like kafkajs's. */
  consumer(options: ConsumerOptions): Consumer {
    this.assertOpen()
    return this.groups.consumer(options)
  }

  producer(options: ProducerOptions = {}): Producer {
    this.assertOpen()
    const producer = new Producer(
      {
        topicLayout: (topic) => this.topicLayout(topic),
        append: (topic, partition, bytes, ackLevel) => this.append(topic, partition, bytes, ackLevel),
        assertOpen: () => this.assertOpen(),
      },
      options,
    )
    this.producers.add(producer)
    return producer
  }

  /** Reads records from one partition, starting with the batch holding `offset`. */
  async fetch(request: FetchRequest): Promise<FetchResult> {
    const offset = parseOffset(request.offset)
    const { state, reply } = await this.fetchRaw(request.topic, request.partition, offset, request.maxBytes, request.maxWaitMs ?? 0, request.signal)
    const records = reply.bytes ? decodeRecordSet(reply.bytes, { fromOffset: offset }) : []
    return fetchResult(state, reply.offsets, records)
  }

  /**
   * Follows a partition from `fromOffset`, record by record, waiting at the end for new ones;
   * ends when the broker closes or `signal` aborts.
   */
  async *read(request: ReadRequest): AsyncGenerator<FetchedRecord> {
    for await (const batch of this.readBatches(request)) {
      for (const record of batch.records) {
        yield record
        if (request.signal?.aborted) return
      }
    }
  }

  /**
   * Follows a partition chunk by chunk (one fetch's records at a time), the fast way to consume.
   * While one chunk is decoded and handed out, the partition's actor is already reading the next.
   */
  async *readBatches(request: ReadRequest): AsyncGenerator<FetchResult> {
    const { topic, partition, maxBytes, signal } = request
    let offset = parseOffset(request.fromOffset ?? 0, 'fromOffset')
    const fetchFrom = (from: number) => {
      const next = this.fetchRaw(topic, partition, from, maxBytes, LIMITS.fetchMaxWaitMs)
      next.catch(() => undefined)
      return next
    }
    let pending = fetchFrom(offset)
    while (!this.closed && !signal?.aborted) {
      let fetched: Awaited<typeof pending>
      try {
        fetched = await pending
      } catch (error) {
        if (this.closed) return
        throw error
      }
      const { state, reply } = fetched
      const next = Math.max(reply.bytes ? nextOffsetAfter(reply.bytes) : offset, offset)
      pending = fetchFrom(next)
      if (!reply.bytes) continue
      yield fetchResult(state, reply.offsets, decodeRecordSet(reply.bytes, { fromOffset: offset }))
      offset = next
    }
  }

  /** A fetch that returns the stored batches undecoded, for callers that decode later (consumers decode when their handler is free). */
  async fetchChunk(request: FetchRequest): Promise<FetchChunk> {
    const { reply } = await this.fetchRaw(request.topic, request.partition, parseOffset(request.offset), request.maxBytes, request.maxWaitMs ?? 0, request.signal)
    return { bytes: reply.bytes, highWatermark: reply.offsets.highWatermark, logStartOffset: reply.offsets.logStartOffset }
  }

  private async fetchRaw(topic: string, partition: number, offset: number, maxBytesOption: number | undefined, maxWaitOption: number, signal?: AbortSignal): Promise<{ state: PartitionState; reply: FetchReply }> {
    this.assertOpen()
    const state = this.partitions.get(topic, partition)
    await state.opened
    const maxBytes = Math.min(maxBytesOption ?? LIMITS.fetchDefaultMaxBytes, LIMITS.fetchMaxBytes)
    if (!(maxBytes > 0)) throw new BrokerError('INVALID_REQUEST', `maxBytes must be positive, got ${String(maxBytesOption)}`)
    const maxWaitMs = Math.min(Math.max(maxWaitOption, 0), LIMITS.fetchMaxWaitMs)
    if (offset >= state.offsets.highWatermark && maxWaitMs > 0) await this.waitForData(state, offset, maxWaitMs, signal)
    this.assertOpen()
    const reply = await this.track(state.shard.fetch(state.key, offset, maxBytes))
    this.partitions.publish(state.key, reply.offsets)
    return { state, reply }
  }

  /** Waits until `offset` exists, the time is up, the partition goes, or the broker closes. */
  private waitForData(state: PartitionState, offset: number, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    return waitForRecordsIn([{ state, offset }], maxWaitMs, () => this.closed, signal)
  }

  /**
   * A Kafka Fetch's long poll over several partitions: resolves as soon as any of them has a
   * record at or after its offset, the time is up, `signal` aborts, or the broker closes.
   */
  waitForRecords(targets: Array<{ topic: string; partition: number; offset: number }>, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    const states = targets.flatMap(({ topic, partition, offset }) => {
      try {
        return [{ state: this.partitions.get(topic, partition), offset }]
      } catch {
        return [] // a partition that went away has nothing to wait for
      }
    })
    return waitForRecordsIn(states, Math.min(Math.max(maxWaitMs, 0), LIMITS.fetchMaxWaitMs), () => this.closed, signal)
  }

  private closing: Promise<void> | null = null

  /** Flushes producers, finishes in-flight requests, then closes every partition (clean shutdown). */
  close(): Promise<void> {
    this.closing ??= this.closeNow()
    return this.closing
  }

  private async closeNow(): Promise<void> {
    // Clients first: stop accepting, finish the requests in flight, close the connections.
    await Promise.all(this.wireServers.map((server) => server.close()))
    await this.retention.stop()
    // Consumers commit and leave while the partitions are still open.
    await this.groups.close()
    for (const producer of this.producers) await producer.disconnect()
    this.closed = true
    this.partitions.wakeAll()
    await Promise.allSettled([...this.inFlight])
    await Promise.all(this.shards.map((shard) => shard.close()))
    this.lock?.release()
  }

  get isClosed(): boolean {
    return this.closed
  }

  assertOpen(): void {
    if (this.closed) throw new BrokerError('BROKER_CLOSED', 'the broker is closed')
  }

  /**
   * Applies every topic's retention now (what the periodic task does every
   * retentionCheckIntervalMs), with "now" from the broker's clock; resolves with what was deleted.
   */
  runRetention(): Promise<RetentionReport> {
    this.assertOpen()
    return this.track(this.retention.run())
  }

  /** Threads and partitions per worker, for the bound the issue sets and for monitoring. */
  async stats() {
    const workers = await Promise.all(
      this.shards.map(async (shard) => {
        const { partitions, memory } = await shard.stats()
        return { index: shard.index, threadId: shard.threadId, partitionCount: shard.partitionCount, partitions, memory }
      }),
    )
    return { workers, memory: process.memoryUsage() }
  }

  /** Test hook: makes one worker thread die as a bug would. */
  crashWorkerForTest(index: number): void {
    this.shards[index]?.crashForTest()
  }

  topicLayout(topic: string): TopicLayout {
    let record = this.metadata.getTopic(topic)
    if (!record && this.options.autoCreateTopics && typeof topic === 'string') {
      record = this.metadata.createTopic({ name: topic, partitions: this.options.defaultPartitions })
      // Appends await each partition's `opened`, which carries any failure to the sender.
      this.openPartitions(record, 0).catch(() => undefined)
    }
    if (!record) throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${String(topic)} does not exist`, { topic })
    return { numPartitions: record.partitions, maxMessageBytes: resolveTopicConfig(record.configs).maxMessageBytes }
  }

  /** Offsets of one partition, fresh from its actor. */
  async partitionOffsets(topic: string, partition: number): Promise<PartitionOffsets> {
    const state = this.partitions.get(topic, partition)
    await state.opened
    const offsets = await state.shard.offsets(state.key)
    this.partitions.publish(state.key, offsets)
    return offsets
  }

  /** A partition's offsets as last published by its actor (no round trip); throws for an unknown partition. */
  knownOffsets(topic: string, partition: number): PartitionOffsets {
    return this.partitions.get(topic, partition).offsets
  }

  /** The first offset whose record timestamp is at or after `timestampMs`, or null when none is. */
  async offsetForTimestamp(topic: string, partition: number, timestampMs: number): Promise<number | null> {
    const state = this.partitions.get(topic, partition)
    await state.opened
    return state.shard.offsetForTimestamp(state.key, timestampMs)
  }

  /** Kafka's DeleteRecords on one partition: whole segments below `offset` go, the log start moves to it. */
  async deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<void> {
    const state = this.partitions.get(topic, partition)
    await state.opened
    await state.shard.deleteRecordsBefore(state.key, offset)
  }

  /** Appends one record batch as is (internal topics use it); acks -1 resolves after the covering fsync. */
  appendBatch(topic: string, partition: number, bytes: Buffer, ackLevel: AckLevel): Promise<AppendReply> {
    return this.append(topic, partition, bytes, ackLevel)
  }

  get defaultPartitions(): number {
    return this.options.defaultPartitions
  }

  private async append(topic: string, partition: number, bytes: Buffer, ackLevel: AckLevel): Promise<AppendReply> {
    const state = this.partitions.get(topic, partition)
    await state.opened
    return this.track(state.shard.append(state.key, bytes, ackLevel))
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise)
    const forget = () => this.inFlight.delete(promise)
    promise.then(forget, forget)
    return promise
  }

  /** Opens partitions `from..partitions-1` of a topic on the least-loaded shards. */
  async openPartitions(topic: TopicRecord, from: number): Promise<void> {
    const config = logConfigOf(topic)
    const opening: Promise<void>[] = []
    for (let partition = from; partition < topic.partitions; partition++) {
      const shard = this.partitions.leastLoadedShard()
      const key = partitionDirName(topic.name, partition)
      const dir = join(this.dataDir, key)
      const opened = shard.openPartition(key, dir, config).then(({ offsets, recovery }) => {
        this.partitions.publish(key, offsets)
        if (recovery.truncatedBytes > 0 || recovery.rebuiltIndexes.length > 0) {
          this.repairs.push({ topic: topic.name, partition, recovery })
          this.emit('partition.recovered', { topic: topic.name, partition, recovery })
        }
      })
      opened.catch(() => undefined)
      this.partitions.add({ topic: topic.name, partition, key, dir, shard, offsets: { logStartOffset: 0, logEndOffset: 0, highWatermark: 0 }, waiters: new Set(), opened })
      opening.push(opened)
    }
    await Promise.all(opening)
  }

  async closeTopicPartitions(topic: string, deleteFiles: boolean): Promise<void> {
    const states = this.partitions.removeTopic(topic)
    await Promise.all(states.map((state) => (deleteFiles ? state.shard.deletePartition(state.key, state.dir) : state.shard.closePartition(state.key))))
  }

  async applyTopicConfig(topic: TopicRecord): Promise<void> {
    const config = logConfigOf(topic)
    await Promise.all(this.partitions.partitionsOf(topic.name).map((state) => state.shard.updateConfig(state.key, config)))
  }
}

function fetchResult(state: PartitionState, offsets: PartitionOffsets, records: FetchedRecord[]): FetchResult {
  const highWatermark = String(offsets.highWatermark)
  return { topic: state.topic, partition: state.partition, records, highWatermark, logStartOffset: String(offsets.logStartOffset), lastStableOffset: highWatermark }
}

/** The offset after the last whole batch in a fetched chunk, read from batch headers alone. */
function nextOffsetAfter(bytes: Buffer): number {
  let next = -1
  for (const { header } of iterateBatches(bytes)) next = header.baseOffset + header.lastOffsetDelta + 1
  return next
}

export function logConfigOf(topic: TopicRecord): LogConfig {
  const resolved = resolveTopicConfig(topic.configs)
  return {
    segmentBytes: resolved.segmentBytes,
    segmentMs: resolved.segmentMs,
    indexIntervalBytes: resolved.indexIntervalBytes,
    maxMessageBytes: resolved.maxMessageBytes,
  }
}

/** A crash during a topic delete leaves `<dir>.<time>.delete` behind; the delete was asked for, so finish it. */
function removeDeletedPartitions(dataDir: string): void {
  for (const name of realFs.readdirSync(dataDir)) {
    if (name.endsWith('.delete')) realFs.rmSync(join(dataDir, name), { recursive: true, force: true })
  }
}

function partitionKeys(topic: TopicRecord): string[] {
  return Array.from({ length: topic.partitions }, (_, partition) => partitionDirName(topic.name, partition))
}
