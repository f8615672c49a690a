/**
 * NATS JetStream as a peer: our own `nats-server -js` (Debian package) on a free port, file
 * storage in a temp dir. JetStream acks a publish once the message is written to its file; it
 * fsyncs on its own timer (2 minutes by default), not per ack — so its durability matches
 * brook's acks=1 (survives a process crash, not a power cut). The `nats` client is imported lazily.
 */
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats'
import { startServer, type PeerServer } from './process.js'
import { VALUE_BYTES, type E2eSide } from './e2e.js'

export const NATS_BINARY = 'nats-server'
export const NATS_INSTALL = 'sudo apt-get install -y nats-server && npm install -D nats'

/**
 * Publishes outstanding at once. 100, not 1,000: with nats.js 2.29 every outstanding publish is a
 * request with its own timer, and 1,000 measured about half the rate of 100 here (4–6 k vs
 * 9–10 k/s) — the peer gets its better setting.
 */
const WINDOW = 100
const BATCH = 1000

export async function startNats(): Promise<PeerServer> {
  return startServer('nats', NATS_BINARY, (port, dir) => ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)])
}

export interface NatsSession {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
}

export async function natsSession(server: PeerServer): Promise<NatsSession> {
  const { connect } = await import('nats')
  const nc = await connect({ servers: `127.0.0.1:${server.port}` })
  return { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager() }
}

/** A fresh file-storage stream on subject `name`, one per row so rows do not share a file. */
async function freshStream(session: NatsSession, name: string): Promise<void> {
  const { StorageType } = await import('nats')
  await session.jsm.streams.delete(name).catch(() => undefined)
  await session.jsm.streams.add({ name, subjects: [name], storage: StorageType.File })
}

/** Async publishes with acks, at most WINDOW outstanding (a sliding window, not lock-step batches). */
export async function natsProduce(session: NatsSession, name: string, records: number): Promise<number> {
  await freshStream(session, name)
  const value = Buffer.alloc(VALUE_BYTES, 0x61)
  let sent = 0
  const started = performance.now()
  const lanes = Array.from({ length: WINDOW }, async () => {
    while (sent < records) {
      sent++
      await session.js.publish(name, value)
    }
  })
  await Promise.all(lanes)
  const elapsed = performance.now() - started
  const info = await session.jsm.streams.info(name)
  if (info.state.messages !== records) throw new Error(`nats stream holds ${info.state.messages} messages, expected ${records}`)
  return (records / elapsed) * 1000
}

/** A durable pull consumer, explicit acks: the counterpart of a consumer group committing. */
async function pullConsumer(session: NatsSession, stream: string, durable: string) {
  const { AckPolicy, DeliverPolicy } = await import('nats')
  await session.jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All })
  return session.js.consumers.get(stream, durable)
}

/** Reads every message of the stream `name` with fetches of 1,000, each message acked. */
export async function natsConsume(session: NatsSession, name: string, records: number): Promise<number> {
  const consumer = await pullConsumer(session, name, `c${Date.now()}`)
  let count = 0
  let bytes = 0
  const started = performance.now()
  while (count < records) {
    const batch = await consumer.fetch({ max_messages: Math.min(BATCH, records - count), expires: 5000 })
    let got = 0
    for await (const message of batch) {
      bytes += message.data.length
      message.ack()
      got++
    }
    if (got === 0) throw new Error(`nats consumer ran dry after ${count} of ${records} messages`)
    count += got
  }
  // Acks are fire-and-forget publishes; flush so they have reached the server in the timing.
  await session.nc.flush()
  const elapsed = performance.now() - started
  if (bytes !== records * VALUE_BYTES) throw new Error(`nats consumer saw ${bytes} value bytes, expected ${records * VALUE_BYTES}`)
  return (records / elapsed) * 1000
}

/** Publishes awaited for their acks; the pull consumer's consume() keeps pulls outstanding. */
export async function natsE2eSide(session: NatsSession, name: string): Promise<E2eSide> {
  await freshStream(session, name)
  const consumer = await pullConsumer(session, name, 'e2e')
  let messages: Awaited<ReturnType<typeof consumer.consume>> | undefined
  let reading: Promise<void> = Promise.resolve()
  return {
    async subscribe(deliver) {
      messages = await consumer.consume({ max_messages: BATCH })
      const iterator = messages
      reading = (async () => {
        for await (const message of iterator) {
          deliver(Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength))
          message.ack()
        }
      })()
    },
    async send(values) {
      await Promise.all(values.map((value) => session.js.publish(name, value)))
    },
    async close() {
      messages?.stop()
      await reading
    },
  }
}
