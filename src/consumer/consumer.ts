/**
 * The embedded consumer, shaped like kafkajs's: subscribe, run({ eachMessage | eachBatch }),
 * commitOffsets, seek, pause/resume, events, disconnect — plus `for await (const m of consumer)`.
 * Inside a group each partition has one owner (range, roundrobin or cooperative-sticky, computed
 * by the group's leader); offsets are committed to the broker's offsets log, and delivery is
 * at-least-once: a record is seen again only if its offset was not committed before its owner
 * stopped.
 */
import { EventEmitter } from 'node:events'
import { BrokerError, isBrokerError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { assignorByName, kafkajsRoundRobinAssignor } from '../coordinator/assignors/index.js'
import type { Assignor, TopicPartitions } from '../coordinator/assignors/types.js'
import type { GroupCoordinator } from '../coordinator/group-coordinator.js'
import type { OffsetStore } from '../coordinator/offset-store.js'
import { parseOffset, type OffsetInput } from '../offsets.js'
import type { FetchChunk, FetchRequest } from '../broker.js'
import { CONSUMER_EVENTS } from './consumer-events.js'
import { GroupSession } from './group-session.js'
import { HandlerQueue } from './handler-queue.js'
import { PartitionFetcher, type FetcherHost } from './partition-fetcher.js'
import { PausedPartitions } from './paused-partitions.js'
import { StartPositions } from './start-positions.js'
import { NotProcessed, type RetryOptions } from './retry.js'
import { ConsumerIterator, type IteratedMessage } from './consumer-iterator.js'
import { handleChunk, type RunOptions } from './chunk-handler.js'
import { groupByTopic, slot } from './topic-partitions.js'

export type { RunOptions, EachMessagePayload, EachBatchPayload, Batch } from './chunk-handler.js'

/** What a consumer needs from its broker. */
export interface ConsumerHost {
  readonly coordinator: GroupCoordinator
  offsetStore(): Promise<OffsetStore>
  partitionCount(topic: string): number | undefined
  createTopic(topic: string): Promise<void>
  partitionOffsets(topic: string, partition: number): Promise<{ logStartOffset: number; highWatermark: number }>
  /** Undecoded: a consumer decodes a chunk only when its handler is free to take it. */
  fetchChunk(request: FetchRequest): Promise<FetchChunk>
  now(): number
  assertOpen(): void
  /** Calls `listener(topic)` when a topic gains partitions; returns the unsubscribe function. */
  onPartitionsChanged(listener: (topic: string) => void): () => void
}

export interface ConsumerOptions {
  groupId: string
  /** Static membership (KIP-345): a restart within the session timeout gets the same partitions back with no rebalance. */
  groupInstanceId?: string
  clientId?: string
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  /**
   * Assignors offered to the group, preferred first: objects or names ('range', 'roundrobin', 'cooperative-sticky').
   * Default: roundrobin, also under kafkajs's name 'RoundRobinAssigner' so kafkajs consumers can join the group.
   */
  partitionAssigners?: Array<Assignor | string>
  maxBytesPerPartition?: number
  maxWaitTimeInMs?: number
  /** Create subscribed topics that do not exist (with the broker's default partition count). */
  allowAutoTopicCreation?: boolean
  retry?: RetryOptions
}

const DEFAULTS = {
  sessionTimeoutMs: LIMITS.consumerSessionTimeoutMs,
  rebalanceTimeoutMs: LIMITS.consumerRebalanceTimeoutMs,
  heartbeatIntervalMs: LIMITS.consumerHeartbeatIntervalMs,
  autoCommitInterval: LIMITS.consumerAutoCommitIntervalMs,
  maxWaitTimeInMs: LIMITS.consumerMaxWaitMs,
}

export class Consumer extends EventEmitter {
  readonly events = CONSUMER_EVENTS
  private readonly options: Required<Pick<ConsumerOptions, 'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'heartbeatIntervalMs' | 'maxWaitTimeInMs'>> & ConsumerOptions
  private readonly assignors: Assignor[]
  private readonly session: GroupSession
  private topics: string[] = []
  private fromBeginning = false
  private running = false
  private stopping: Promise<void> | null = null
  private runOptions: RunOptions = {}
  private readonly fetchers = new Map<string, PartitionFetcher>()
  private readonly pendingSeeks = new Map<string, number>()
  private readonly pausedPartitions = new PausedPartitions()
  private rejoin: (() => void) | null = null
  private rejoinRequested = false
  private heartbeatTimer: NodeJS.Timeout | null = null
  private commitTimer: NodeJS.Timeout | null = null
  private mainLoop: Promise<void> | null = null
  private queue = new HandlerQueue(1)
  private unsubscribePartitions: (() => void) | null = null
  private stable = false
  /** True while a JoinGroup/SyncGroup round trip is in progress. */
  private joining = false
  /** Set once every fetcher of a generation's assignment has started. */
  private owned: TopicPartitions[] = []

  constructor(private readonly host: ConsumerHost, options: ConsumerOptions) {
    super()
    if (typeof options?.groupId !== 'string' || options.groupId.trim() === '') {
      throw new BrokerError('INVALID_GROUP_ID', `groupId must be a non-empty string, got ${JSON.stringify(options?.groupId)}`)
    }
    this.options = { ...DEFAULTS, ...options }
    this.assignors = (options.partitionAssigners ?? ['roundrobin', kafkajsRoundRobinAssignor]).map((entry) => {
      const assignor = typeof entry === 'string' ? assignorByName(entry) : entry
      if (!assignor) throw new BrokerError('INVALID_REQUEST', `unknown partition assigner ${String(entry)}; use range, roundrobin or cooperative-sticky`)
      return assignor
    })
    this.session = new GroupSession(
      host.coordinator,
      {
        groupId: options.groupId,
        groupInstanceId: options.groupInstanceId ?? null,
        clientId: options.clientId ?? 'brook',
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        assignors: this.assignors,
      },
      (topic) => host.partitionCount(topic),
    )
    this.startPositions = new StartPositions(host, () => this.fromBeginning, (event) => this.emitEvent(CONSUMER_EVENTS.OFFSET_OUT_OF_RANGE, { ...event }))
    this.fetcherHost = {
      fetch: (request) => this.host.fetchChunk(request),
      resetPosition: (topic, partition, reason) => this.startPositions.reset(topic, partition, reason),
      process: (fetcher, result) => this.queue.run(() => this.process(fetcher, result)),
      maxBytes: options.maxBytesPerPartition ?? LIMITS.fetchDefaultMaxBytes,
      maxWaitMs: this.options.maxWaitTimeInMs,
    }
  }

  get groupId(): string {
    return this.options.groupId
  }

  /** kafkajs compatibility: the embedded consumer needs no connection. */
  async connect(): Promise<void> {
    this.host.assertOpen()
    this.emitEvent(CONSUMER_EVENTS.CONNECT, {})
  }

  async subscribe({ topics, topic, fromBeginning = false }: { topics?: string[]; topic?: string; fromBeginning?: boolean }): Promise<void> {
    this.host.assertOpen()
    if (this.running) throw new BrokerError('INVALID_REQUEST', 'subscribe before run(), as with kafkajs')
    const wanted = topics ?? (topic !== undefined ? [topic] : [])
    if (!Array.isArray(wanted) || wanted.length === 0) throw new BrokerError('INVALID_REQUEST', 'subscribe needs { topics: [...] }')
    for (const name of wanted) {
      if (this.host.partitionCount(name) !== undefined) continue
      if (!this.options.allowAutoTopicCreation) {
        throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `cannot subscribe to ${String(name)}: the topic does not exist (pass allowAutoTopicCreation: true to create it)`, { topic: name })
      }
      await this.host.createTopic(name)
    }
    this.topics = [...new Set([...this.topics, ...wanted])]
    this.fromBeginning = fromBeginning
  }

  async run(options: RunOptions): Promise<void> {
    this.host.assertOpen()
    if (this.running) throw new BrokerError('INVALID_REQUEST', 'the consumer is already running')
    if (this.topics.length === 0) throw new BrokerError('INVALID_REQUEST', 'subscribe to at least one topic before run()')
    if (!options?.eachMessage === !options?.eachBatch) throw new BrokerError('INVALID_REQUEST', 'run() needs exactly one of eachMessage or eachBatch')
    this.runOptions = { autoCommit: true, autoCommitInterval: DEFAULTS.autoCommitInterval, eachBatchAutoResolve: true, ...options }
    this.queue = new HandlerQueue(Math.max(1, options.partitionsConsumedConcurrently ?? 1))
    this.running = true
    this.stopping = null
    const offPartitions = this.host.onPartitionsChanged((topic) => {
      if (this.topics.includes(topic)) this.requestRejoin()
    })
    // In process, a member need not wait for its next heartbeat to learn that its group is
    // rebalancing: the coordinator says so at once (Kafka clients over TCP still learn by heartbeat).
    const onRebalance = ({ groupId, generationId }: { groupId: string; generationId: number }) => {
      // A member inside a join call is part of the new generation already.
      if (groupId === this.groupId && !this.joining && generationId === this.session.generationId) this.requestRejoin()
    }
    this.host.coordinator.events.on('rebalance', onRebalance)
    this.unsubscribePartitions = () => {
      offPartitions()
      this.host.coordinator.events.off('rebalance', onRebalance)
    }
    if (this.runOptions.autoCommit && (this.runOptions.autoCommitInterval ?? 0) > 0) {
      this.commitTimer = setInterval(() => void this.commitPositions().catch(() => undefined), this.runOptions.autoCommitInterval)
      this.commitTimer.unref()
    }
    this.mainLoop = this.membershipLoop()
  }

  /** `for await (const { topic, partition, message } of consumer)`: each record once the previous one's loop body finished. */
  [Symbol.asyncIterator](): AsyncIterator<IteratedMessage> {
    const iterator = new ConsumerIterator(() => this.stop())
    void this.run({ eachMessage: (payload) => iterator.offer(payload) }).catch((error) => iterator.fail(error))
    this.on(CONSUMER_EVENTS.CRASH, ({ payload }) => iterator.fail(payload.error))
    return iterator
  }

  async commitOffsets(offsets: Array<{ topic: string; partition: number; offset: OffsetInput; metadata?: string | null }>): Promise<void> {
    this.host.assertOpen()
    const commits = offsets.map(({ topic, partition, offset, metadata }) => ({ topic, partition, offset: parseOffset(offset), metadata }))
    for (const commit of commits) {
      const high = (await this.host.partitionOffsets(commit.topic, commit.partition)).highWatermark
      if (commit.offset > high) {
        throw new BrokerError('OFFSET_OUT_OF_RANGE', `cannot commit offset ${commit.offset} for ${commit.topic}/${commit.partition}: beyond the high watermark ${high}`, { ...commit, highWatermark: high })
      }
    }
    await this.commit(commits)
    for (const commit of commits) {
      const fetcher = this.fetchers.get(slot(commit.topic, commit.partition))
      if (fetcher) fetcher.committed = commit.offset
    }
  }

  seek({ topic, partition, offset }: { topic: string; partition: number; offset: OffsetInput }): void {
    const target = parseOffset(offset)
    const fetcher = this.fetchers.get(slot(topic, partition))
    if (fetcher) fetcher.seek(target)
    else this.pendingSeeks.set(slot(topic, partition), target)
  }

  pause(topicPartitions: Array<{ topic: string; partitions?: number[] }>): void {
    for (const { topic, partitions } of topicPartitions) this.pausedPartitions.pause(topic, partitions)
    for (const fetcher of this.fetchers.values()) if (this.pausedPartitions.has(fetcher.topic, fetcher.partition)) fetcher.pause()
  }

  resume(topicPartitions: Array<{ topic: string; partitions?: number[] }>): void {
    for (const { topic, partitions } of topicPartitions) this.pausedPartitions.resume(topic, partitions)
    for (const fetcher of this.fetchers.values()) if (!this.pausedPartitions.has(fetcher.topic, fetcher.partition)) fetcher.resume()
  }

  paused(): Array<{ topic: string; partitions: number[] }> {
    return groupByTopic([...this.fetchers.values()].filter((fetcher) => fetcher.paused))
  }

  /** The partitions this member owns in the current generation (empty while it has none). */
  assignment(): TopicPartitions[] {
    return this.owned.map(({ topic, partitions }) => ({ topic, partitions: [...partitions] }))
  }

  /** Stops consuming: finishes the handler calls in progress, commits, and leaves the group so its partitions move at once. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow(true)
    return this.stopping
  }

  async disconnect(): Promise<void> {
    await this.stop()
    this.emitEvent(CONSUMER_EVENTS.DISCONNECT, {})
  }

  /** Test hook: dies like a killed process — no commit, no leave, heartbeats just stop. */
  async crashForTest(): Promise<void> {
    this.stopping ??= this.stopNow(false)
    await this.stopping
  }

  private async stopNow(clean: boolean): Promise<void> {
    if (!this.running) return
    this.running = false
    this.clearTimers()
    this.unsubscribePartitions?.()
    this.rejoin?.()
    await Promise.all([...this.fetchers.values()].map((fetcher) => fetcher.stop()))
    if (clean) {
      await this.commitPositions().catch(() => undefined)
      try {
        this.session.leave()
      } catch {
        // Already gone from the group (expired or fenced): nothing to leave.
      }
    }
    this.fetchers.clear()
    await this.mainLoop?.catch(() => undefined)
    this.emitEvent(CONSUMER_EVENTS.STOP, {})
  }

  private clearTimers(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    if (this.commitTimer) clearInterval(this.commitTimer)
    this.heartbeatTimer = null
    this.commitTimer = null
  }

  private get cooperative(): boolean {
    return this.assignors.find((assignor) => assignor.name === this.session.protocol)?.rebalanceProtocol === 'cooperative'
  }

  /** Join, consume the assignment until the group rebalances, repeat. */
  private async membershipLoop(): Promise<void> {
    let failures = 0
    while (this.running) {
      try {
        if (!this.cooperative) await this.revoke([...this.fetchers.keys()])
        this.stable = false
        const owned = groupByTopic([...this.fetchers.values()])
        this.joining = true
        const generation = await this.session.join(this.topics, owned).finally(() => {
          this.joining = false
        })
        if (!this.running) return
        failures = 0
        const assigned = new Set(generation.assignment.flatMap(({ topic, partitions }) => partitions.map((partition) => slot(topic, partition))))
        const revoked = [...this.fetchers.keys()].filter((key) => !assigned.has(key))
        await this.revoke(revoked)
        await this.startFetchers(generation.assignment)
        this.owned = groupByTopic([...this.fetchers.values()])
        this.stable = true
        this.startHeartbeats()
        // A rebalance may have begun while this member was joining: one heartbeat now tells.
        this.beat()
        this.emitEvent(CONSUMER_EVENTS.GROUP_JOIN, { groupId: this.groupId, memberId: generation.memberId, leaderId: generation.leaderId, isLeader: generation.isLeader, groupProtocol: generation.protocol, memberAssignment: Object.fromEntries(generation.assignment.map(({ topic, partitions }) => [topic, partitions])), generationId: generation.generationId })
        // Cooperative: partitions given up this round go to their new owner in a follow-up round.
        if (revoked.length > 0 && this.cooperative) this.rejoinRequested = true
        await this.untilRejoin()
        if (!this.running) return
        this.emitEvent(CONSUMER_EVENTS.REBALANCING, { groupId: this.groupId, memberId: this.session.memberId })
      } catch (error) {
        if (!this.running) return
        if (isBrokerError(error) && (error.code === 'UNKNOWN_MEMBER_ID' || error.code === 'ILLEGAL_GENERATION')) this.session.reset()
        else if (isBrokerError(error) && error.code === 'REBALANCE_IN_PROGRESS') continue
        else if (!isBrokerError(error) || !error.retriable || ++failures > 5) {
          await this.crash(error)
          return
        }
      }
    }
  }

  private untilRejoin(): Promise<void> {
    if (this.rejoinRequested || !this.running) {
      this.rejoinRequested = false
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      this.rejoin = () => {
        this.rejoin = null
        this.rejoinRequested = false
        resolve()
      }
    })
  }

  private requestRejoin(): void {
    this.stable = false
    if (this.rejoin) this.rejoin()
    else this.rejoinRequested = true
  }

  private startHeartbeats(): void {
    if (this.heartbeatTimer) return
    this.heartbeatTimer = setInterval(() => this.beat(), this.options.heartbeatIntervalMs)
    this.heartbeatTimer.unref()
  }

  /** One heartbeat; a rebalance or a fenced generation sends the member back to join. */
  private beat(): void {
    if (!this.running || !this.stable) return
    try {
      this.session.heartbeat()
      this.emitEvent(CONSUMER_EVENTS.HEARTBEAT, { groupId: this.groupId, memberId: this.session.memberId, groupGenerationId: this.session.generationId })
    } catch (error) {
      if (isBrokerError(error) && error.code === 'FENCED_INSTANCE_ID') {
        void this.crash(error)
        return
      }
      if (isBrokerError(error) && error.code === 'UNKNOWN_MEMBER_ID') this.session.reset()
      this.requestRejoin()
    }
  }

  /** A fatal error: report it, then stop like disconnect() — what was processed is committed (a fenced member's commit is simply refused). */
  private async crash(error: unknown): Promise<void> {
    this.emitEvent(CONSUMER_EVENTS.CRASH, { error, groupId: this.groupId, restart: false })
    this.stopping ??= this.stopNow(true)
    await this.stopping
  }

  private async revoke(keys: string[]): Promise<void> {
    const leaving = keys.map((key) => this.fetchers.get(key)).filter((fetcher): fetcher is PartitionFetcher => fetcher !== undefined)
    if (leaving.length === 0) return
    await Promise.all(leaving.map((fetcher) => fetcher.stop()))
    if (this.runOptions.autoCommit) await this.commitPositions(leaving).catch(() => undefined)
    for (const key of keys) this.fetchers.delete(key)
    this.owned = groupByTopic([...this.fetchers.values()])
  }

  private async startFetchers(assignment: TopicPartitions[]): Promise<void> {
    const store = await this.host.offsetStore()
    const fresh = assignment.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition }))).filter(({ topic, partition }) => !this.fetchers.has(slot(topic, partition)))
    // Start positions come from the partitions' actors: ask them all at once.
    const starts = await Promise.all(
      fresh.map(async ({ topic, partition }) => {
        const key = slot(topic, partition)
        const committed = store.get(this.groupId, topic, partition)?.offset
        const start = this.pendingSeeks.get(key) ?? (await this.startPositions.start(topic, partition, committed))
        return { topic, partition, key, committed, start }
      }),
    )
    for (const { topic, partition, key, committed, start } of starts) {
      this.pendingSeeks.delete(key)
      const fetcher = new PartitionFetcher(topic, partition, start, committed ?? -1, this.fetcherHost, (error) => void this.crash(error))
      if (this.pausedPartitions.has(topic, partition)) fetcher.pause()
      this.fetchers.set(key, fetcher)
      fetcher.start()
    }
  }

  private readonly fetcherHost: FetcherHost
  private readonly startPositions: StartPositions

  private async process(fetcher: PartitionFetcher, result: FetchChunk): Promise<void> {
    try {
      await handleChunk(fetcher, result, this.runOptions, {
        isRunning: () => this.running,
        heartbeat: async () => this.beat(),
        pause: (topic, partition) => {
          this.pause([{ topic, partitions: [partition] }])
          return () => this.resume([{ topic, partitions: [partition] }])
        },
        commit: (target) => this.commitPositions([target]),
        retry: this.options.retry,
      })
    } catch (error) {
      if (error instanceof NotProcessed) return
      throw error
    }
    if (this.runOptions.autoCommit) await this.commitPositions([fetcher]).catch(() => undefined)
  }

  /** Commits every position that moved past its committed offset (or moved at all after a seek). */
  private async commitPositions(fetchers: PartitionFetcher[] = [...this.fetchers.values()]): Promise<void> {
    const due = fetchers.filter((fetcher) => fetcher.position > fetcher.committed || (fetcher.seeked && fetcher.position !== fetcher.committed))
    if (due.length === 0) return
    const commits = due.map((fetcher) => ({ topic: fetcher.topic, partition: fetcher.partition, offset: fetcher.position }))
    await this.commit(commits)
    due.forEach((fetcher, index) => {
      fetcher.committed = commits[index].offset
      fetcher.seeked = false
    })
  }

  private async commit(commits: Array<{ topic: string; partition: number; offset: number; metadata?: string | null }>): Promise<void> {
    this.session.validateCommit()
    const store = await this.host.offsetStore()
    await store.commit(this.groupId, commits, this.host.now())
    this.emitEvent(CONSUMER_EVENTS.COMMIT_OFFSETS, { groupId: this.groupId, memberId: this.session.memberId, groupGenerationId: this.session.generationId, topics: groupByTopic(commits).map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: String(commits.find((c) => c.topic === topic && c.partition === partition)!.offset) })) })) })
  }

  /** Emits a kafkajs-shaped event: { type, timestamp, payload }. */
  private emitEvent(type: string, payload: Record<string, unknown>): void {
    this.emit(type, { type, timestamp: this.host.now(), payload })
  }
}
