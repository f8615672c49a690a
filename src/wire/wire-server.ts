/**
 * The Kafka listener: a TCP server whose connections speak the Kafka protocol to the broker it
 * belongs to. It holds what request handlers share: the broker, this node's identity, the
 * handler table, idempotent-producer state and the pool that checks compressed batches.
 */
import { EventEmitter } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import type { Broker } from '../broker.js'
import { BatchCheckPool } from '../compression/batch-check-pool.js'
import type { ApiHandler } from './api.js'
import { HANDLERS } from './apis/index.js'
import { Connection } from './connection.js'
import { ProducerStates } from './producer-states.js'
import type { ResolvedListenOptions } from './wire-options.js'

export interface ListeningAddress {
  host: string
  port: number
}

export type WireServerEvents = {
  /** A handler threw something other than a parse error (a bug): the connection was closed. */
  'handler.error': [{ api: string; error: unknown }]
  /** A request was parsed and handed to its handler. */
  request: [{ api: string; apiVersion: number; clientId: string | null }]
  /** A connection was refused because maxConnections were open. */
  'connection.refused': [{ remoteAddress: string | undefined }]
}

export class WireServer extends EventEmitter<WireServerEvents> {
  readonly handlers: ReadonlyMap<number, ApiHandler> = new Map(HANDLERS.map((handler) => [handler.apiKey, handler]))
  readonly producerStates = new ProducerStates()
  private readonly connections = new Set<Connection>()
  private readonly server: Server
  private address: ListeningAddress | null = null
  private pool: BatchCheckPool | null = null
  private closing: Promise<void> | null = null
  bytesOut = 0

  constructor(
    readonly broker: Broker,
    readonly options: ResolvedListenOptions,
  ) {
    super()
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket))
    this.server.maxConnections = options.limits.maxConnections
    this.server.on('drop', (data) => this.emit('connection.refused', { remoteAddress: data?.remoteAddress }))
  }

  listen(): Promise<ListeningAddress> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject)
        const bound = this.server.address()
        if (bound === null || typeof bound === 'string') return reject(new Error('listener has no TCP address'))
        this.address = { host: bound.address, port: bound.port }
        resolve(this.address)
      })
    })
  }

  get nodeId(): number {
    return this.options.nodeId
  }

  /** Where clients are told to connect (Metadata's broker list). */
  get advertised(): ListeningAddress {
    const bound = this.address ?? { host: this.options.host, port: this.options.port }
    return { host: this.options.advertisedHost ?? bound.host, port: this.options.advertisedPort ?? bound.port }
  }

  get connectionCount(): number {
    return this.connections.size
  }

  /** Decompresses produced compressed batches off the event loop; started on first use. */
  batchCheckPool(): BatchCheckPool {
    this.pool ??= BatchCheckPool.create()
    return this.pool
  }

  countBytesOut(bytes: number): void {
    this.bytesOut += bytes
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy()
      return
    }
    const connection = new Connection(socket, this, this.options.limits)
    this.connections.add(connection)
    void connection.closed.then(() => this.connections.delete(connection))
  }

  /** Stops accepting, lets each connection finish its current request, then closes them. */
  close(): Promise<void> {
    this.closing ??= this.closeNow()
    return this.closing
  }

  private async closeNow(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()))
    await Promise.all([...this.connections].map((connection) => connection.drain()))
    await stopped
    await this.pool?.close()
  }
}
