/**
 * Test helpers for the Kafka listener: a broker listening on a free loopback port, kafkajs
 * clients pointed at it, and a raw request/response client for byte-level tests.
 */
import { connect, type Socket } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test, { type ExecutionContext } from 'ava'
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs'
import { Broker, type BrokerOptions } from '../../src/index.js'
import type { ListenOptions } from '../../src/wire/wire-options.js'
import { openBroker } from './broker.js'

export interface ListeningBroker {
  broker: Broker
  port: number
  bootstrap: string
  kafka(config?: Partial<KafkaConfig>): Kafka
}

export async function listeningBroker(t: ExecutionContext, options: Partial<BrokerOptions> = {}, listen: ListenOptions = {}): Promise<ListeningBroker> {
  const broker = await openBroker(t, options)
  const { port } = await broker.listen({ port: 0, ...listen })
  const bootstrap = `127.0.0.1:${port}`
  return { broker, port, bootstrap, kafka: (config = {}) => kafkaClient(bootstrap, config) }
}

export function kafkaClient(bootstrap: string, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId: 'brook-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 }, ...config })
}

/**
 * One listening broker shared by a test file's tests (each test uses its own topics and groups):
 * opening a broker per test costs seconds on a small machine. Opened on first use, closed after
 * the file's last test. Call at module level.
 */
export function brokerPerFile(options: Partial<BrokerOptions> = {}, listen: ListenOptions = {}): () => Promise<ListeningBroker> {
  let opened: Promise<ListeningBroker & { dataDir: string }> | null = null
  test.after.always(async () => {
    if (!opened) return
    const { broker, dataDir } = await opened
    await broker.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  return () => {
    opened ??= (async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'brook-wire-'))
      const broker = await Broker.open({ workers: 2, ...options, dataDir })
      const { port } = await broker.listen({ port: 0, ...listen })
      const bootstrap = `127.0.0.1:${port}`
      return { broker, port, bootstrap, dataDir, kafka: (config = {}) => kafkaClient(bootstrap, config) }
    })()
    return opened
  }
}

/** One raw connection that sends framed requests and reads framed responses in order. */
export class RawClient {
  private buffered = Buffer.alloc(0)
  /** Frames that arrived before anyone asked for them, oldest first. */
  private readonly unclaimed: Buffer[] = []
  private waiting: Array<{ resolve: (frame: Buffer) => void; reject: (error: Error) => void }> = []
  readonly closed: Promise<void>
  private correlationId = 0

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0)
        const frame = this.buffered.subarray(4, 4 + size)
        this.buffered = this.buffered.subarray(4 + size)
        const waiter = this.waiting.shift()
        if (waiter) waiter.resolve(frame)
        else this.unclaimed.push(frame)
      }
    })
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('connection closed before the response'))
        resolve()
      }),
    )
  }

  static open(t: ExecutionContext, port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
      t.teardown(() => socket.destroy())
    })
  }

  /** Sends bytes as they are (no framing). */
  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Frames a request with header v1 and returns the response body after the correlation id. */
  async request(apiKey: number, apiVersion: number, body: Buffer, clientId: string | null = 'raw'): Promise<Buffer> {
    const correlationId = ++this.correlationId
    const frame = this.nextFrame()
    this.write(frameRequest(apiKey, apiVersion, correlationId, body, clientId))
    const response = await frame
    if (response.readInt32BE(0) !== correlationId) throw new Error(`correlation id ${response.readInt32BE(0)}, expected ${correlationId}`)
    return response.subarray(4)
  }

  /** The next response frame (correlation id included); rejects if the connection closes first. */
  nextFrame(): Promise<Buffer> {
    const ready = this.unclaimed.shift()
    if (ready) return Promise.resolve(ready)
    if (this.socket.destroyed) return Promise.reject(new Error('connection closed'))
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
  }
}

export function frameRequest(apiKey: number, apiVersion: number, correlationId: number, body: Buffer, clientId: string | null = 'raw'): Buffer {
  const client = clientId === null ? Buffer.from([0xff, 0xff]) : Buffer.concat([int16(Buffer.byteLength(clientId)), Buffer.from(clientId)])
  const header = Buffer.alloc(8)
  header.writeInt16BE(apiKey, 0)
  header.writeInt16BE(apiVersion, 2)
  header.writeInt32BE(correlationId, 4)
  const payload = Buffer.concat([header, client, body])
  const size = Buffer.alloc(4)
  size.writeInt32BE(payload.length, 0)
  return Buffer.concat([size, payload])
}

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2)
  buffer.writeInt16BE(value, 0)
  return buffer
}
