/**
 * The main thread's handle on one partition worker (a shard) and its supervisor: it tracks
 * every in-flight data-plane request, fails them with WORKER_CRASHED when the thread dies,
 * restarts the thread and reopens its partitions (which runs log recovery), and gives up after
 * repeated crashes so a poisoned partition cannot spin the broker forever.
 */
import { EventEmitter } from 'node:events'
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads'
import { wrap, releaseProxy, type Remote } from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import './comlink-errors.js'
import { BrokerError, brokerErrorFromData } from './errors.js'
import { LIMITS } from './limits.js'
import type { AckLevel, PartitionOffsets, ShardReply, ShardRequest } from './shard-protocol.js'
import { toTransferable } from './shard-protocol.js'
import type { LogConfig, RecoveryReport, RetentionConfig, RetentionDescription, RetentionResult } from './storage/partition-log.js'
import { startWorker } from './worker-url.js'
import type { ShardControl } from '../workers/partition-worker.js'

export interface AppendReply {
  baseOffset: number
  lastOffset: number
  offsets: PartitionOffsets
}

export interface FetchReply {
  bytes: Buffer | null
  offsets: PartitionOffsets
}

interface Pending {
  resolve: (value: never) => void
  reject: (error: BrokerError) => void
}

interface OpenPartition {
  dir: string
  config: LogConfig
}

export type ShardEvents = {
  'worker.crash': [{ shard: number; error: string; crashes: number }]
  'worker.restart': [{ shard: number; partitions: number; recoveries: Record<string, RecoveryReport> }]
  'worker.failed': [{ shard: number; error: string }]
  hw: [{ key: string; offsets: PartitionOffsets }]
}

export class Shard extends EventEmitter<ShardEvents> {
  private worker: Worker | null = null
  private dataPort: MessagePort | null = null
  private remote: Remote<ShardControl> | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private crashTimes: number[] = []
  private closing = false
  private failed: BrokerError | null = null
  /** Settles when the current thread is up (after a restart: once its partitions are reopened). */
  private ready: Promise<void> = Promise.resolve()
  /** Rejects the control calls of the current thread when it dies, so none waits forever. */
  private died!: Promise<never>
  private markDied!: (error: BrokerError) => void
  readonly partitions = new Map<string, OpenPartition>()

  constructor(readonly index: number) {
    super()
  }

  async start(): Promise<void> {
    this.spawn()
    await this.control((remote) => remote.ping())
  }

  get partitionCount(): number {
    return this.partitions.size
  }

  get threadId(): number | undefined {
    return this.worker?.threadId
  }

  async openPartition(key: string, dir: string, config: LogConfig): Promise<{ offsets: PartitionOffsets; recovery: RecoveryReport }> {
    // Registered before the call returns so placement sees this shard's load at once.
    this.partitions.set(key, { dir, config })
    try {
      return await this.control((remote) => remote.openPartition(key, dir, config))
    } catch (error) {
      this.partitions.delete(key)
      throw error
    }
  }

  async closePartition(key: string): Promise<void> {
    this.partitions.delete(key)
    await this.control((remote) => remote.closePartition(key))
  }

  async deletePartition(key: string, dir: string): Promise<void> {
    this.partitions.delete(key)
    await this.control((remote) => remote.deletePartition(key, dir))
  }

  async updateConfig(key: string, config: LogConfig): Promise<void> {
    const open = this.partitions.get(key)
    if (open) open.config = config
    await this.control((remote) => remote.updateConfig(key, config))
  }

  offsetForTimestamp(key: string, timestampMs: number): Promise<number | null> {
    return this.control((remote) => remote.offsetForTimestamp(key, timestampMs))
  }

  /** Deletes the segments of partition `key` that retention lets go as of `nowMs`. */
  applyRetention(key: string, config: RetentionConfig, nowMs: number): Promise<RetentionResult> {
    return this.control((remote) => remote.applyRetention(key, config, nowMs))
  }

  /** A dry run of applyRetention: what is kept and why. `disabled` keeps everything with that reason. */
  describeRetention(key: string, config: RetentionConfig, nowMs: number, disabled?: string): Promise<RetentionDescription> {
    return this.control((remote) => remote.describeRetention(key, config, nowMs, disabled))
  }

  /** Kafka's DeleteRecords on partition `key`. */
  deleteRecordsBefore(key: string, offset: number): Promise<RetentionResult> {
    return this.control((remote) => remote.deleteRecordsBefore(key, offset))
  }

  offsets(key: string): Promise<PartitionOffsets> {
    return this.control((remote) => remote.offsets(key))
  }

  damagedRanges(key: string) {
    return this.control((remote) => remote.damagedRanges(key))
  }

  stats() {
    return this.control((remote) => remote.stats())
  }

  append(key: string, bytes: Buffer, ackLevel: AckLevel): Promise<AppendReply> {
    const { buffer, byteOffset, byteLength } = toTransferable(bytes)
    return this.request<AppendReply>((id) => ({ t: 'append', id, key, ackLevel, bytes: buffer, byteOffset, byteLength }), [buffer])
  }

  fetch(key: string, offset: number, maxBytes: number): Promise<FetchReply> {
    return this.request<FetchReply>((id) => ({ t: 'fetch', id, key, offset, maxBytes }))
  }

  /** Test hook: makes the worker thread die of an uncaught error, as a bug would. */
  crashForTest(message = 'injected crash'): void {
    this.dataPort?.postMessage({ t: 'crash', id: 0, message } satisfies ShardRequest)
  }

  async close(): Promise<void> {
    if (this.closing) return
    try {
      await this.control((remote) => remote.closeAll())
    } catch {
      // A dead or failed worker has nothing left to flush; its logs recover on the next open.
    }
    this.closing = true
    this.remote?.[releaseProxy]()
    await this.worker?.terminate()
    this.failAll(new BrokerError('BROKER_CLOSED', 'the broker is closed'))
  }

  private async request<T>(build: (id: number) => ShardRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    await this.ready
    if (this.failed) throw this.failed
    if (this.closing || !this.dataPort) throw new BrokerError('BROKER_CLOSED', 'the broker is closed')
    const id = this.nextId++
    const port = this.dataPort
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject })
      port.postMessage(build(id), transfer)
    })
  }

  private async control<T>(call: (remote: Remote<ShardControl>) => Promise<T>): Promise<T> {
    await this.ready
    if (this.failed) throw this.failed
    if (this.closing || !this.remote) throw new BrokerError('BROKER_CLOSED', 'the broker is closed')
    return Promise.race([call(this.remote), this.died])
  }

  private spawn(): void {
    const channel = new MessageChannel()
    const worker = startWorker('partition-worker', {
      workerData: { dataPort: channel.port2 },
      transferList: [channel.port2],
    })
    this.worker = worker
    this.dataPort = channel.port1
    this.remote = wrap<ShardControl>(nodeEndpoint(worker))
    this.died = new Promise<never>((_, reject) => {
      this.markDied = reject
    })
    this.died.catch(() => undefined)
    channel.port1.on('message', (reply: ShardReply) => this.onReply(reply))
    let lastError = 'worker exited'
    worker.on('error', (error) => {
      lastError = error instanceof Error ? error.message : String(error)
    })
    worker.once('exit', (exitCode) => {
      channel.port1.close()
      if (this.closing) return
      this.onCrash(`${lastError} (exit code ${exitCode})`)
    })
  }

  private onReply(reply: ShardReply): void {
    if (reply.t === 'hw') {
      this.emit('hw', { key: reply.key, offsets: reply.offsets })
      return
    }
    const pending = this.pending.get(reply.id)
    if (!pending) return
    this.pending.delete(reply.id)
    if (reply.t === 'failed') pending.reject(brokerErrorFromData(reply.error))
    else if (reply.t === 'appended') pending.resolve({ baseOffset: reply.baseOffset, lastOffset: reply.lastOffset, offsets: reply.offsets } as never)
    else if (reply.t === 'fetched') {
      const bytes = reply.bytes ? Buffer.from(reply.bytes, reply.byteOffset, reply.byteLength) : null
      pending.resolve({ bytes, offsets: reply.offsets } as never)
    }
  }

  private failAll(error: BrokerError): void {
    const pending = [...this.pending.values()]
    this.pending.clear()
    for (const request of pending) request.reject(error)
  }

  private onCrash(reason: string): void {
    const crashed = new BrokerError('WORKER_CRASHED', `partition worker ${this.index} crashed: ${reason}`, { shard: this.index })
    this.markDied(crashed)
    this.failAll(crashed)
    const now = Date.now()
    this.crashTimes = [...this.crashTimes.filter((at) => now - at < LIMITS.workerCrashWindowMs), now]
    this.emit('worker.crash', { shard: this.index, error: reason, crashes: this.crashTimes.length })
    if (this.crashTimes.length >= LIMITS.workerMaxCrashes) {
      this.failed = new BrokerError('PARTITION_OFFLINE', `partition worker ${this.index} crashed ${this.crashTimes.length} times within ${LIMITS.workerCrashWindowMs} ms; its partitions stay offline until the broker is reopened`, { shard: this.index, reason })
      this.emit('worker.failed', { shard: this.index, error: this.failed.message })
      return
    }
    this.spawn()
    this.ready = this.reopenPartitions()
  }

  /** After a restart every partition is opened again, which recovers its log. */
  private async reopenPartitions(): Promise<void> {
    const remote = this.remote!
    const recoveries: Record<string, RecoveryReport> = {}
    try {
      for (const [key, { dir, config }] of this.partitions) {
        const opened = await Promise.race([remote.openPartition(key, dir, config), this.died])
        recoveries[key] = opened.recovery
        this.emit('hw', { key, offsets: opened.offsets })
      }
      this.emit('worker.restart', { shard: this.index, partitions: this.partitions.size, recoveries })
    } catch {
      // The fresh thread died while recovering; its own exit handler decides what happens next.
    }
  }
}
