/**
 * Redis Streams as a peer: our own `redis-server` (Debian package) on a free port with a temp
 * dir, AOF on (`appendonly yes`), `appendfsync` switched per row with CONFIG SET. ioredis is
 * imported lazily so the other suites run on a machine without it.
 */
import type { Redis as RedisClient } from 'ioredis'
import { startServer, type PeerServer } from './process.js'
import { VALUE_BYTES, type E2eSide } from './e2e.js'

export const REDIS_BINARY = 'redis-server'
export const REDIS_INSTALL = 'sudo apt-get install -y redis-server && npm install -D ioredis'
export type RedisFsync = 'always' | 'everysec'

const BATCH = 1000
const LANES = 4

export async function startRedis(): Promise<PeerServer> {
  return startServer('redis', REDIS_BINARY, (port, dir) => [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--protected-mode', 'no',
    '--appendonly', 'yes', '--appendfsync', 'always',
    // No RDB snapshots and no AOF rewrites: a background fork mid-row would measure the fork.
    '--save', '', '--auto-aof-rewrite-percentage', '0',
  ])
}

export async function redisClient(server: PeerServer): Promise<RedisClient> {
  const { Redis } = await import('ioredis')
  // RESP2: ioredis 6 defaults to RESP3, where XREADGROUP's reply is a map of another shape.
  const client = new Redis({ host: '127.0.0.1', port: server.port, protocol: 2, lazyConnect: true, maxRetriesPerRequest: 0 })
  await client.connect()
  return client
}

async function setFsync(client: RedisClient, fsync: RedisFsync): Promise<void> {
  await client.config('SET', 'appendfsync', fsync)
}

/** Each pipeline reply is [error, result]; a failed XADD must fail the row. */
function checkReplies(replies: [Error | null, unknown][] | null): void {
  for (const [error] of replies ?? []) if (error) throw error
}

/** XADD `records` 100-byte values to `key`, pipelined in batches of 1,000, 4 batches in flight. */
export async function redisProduce(client: RedisClient, key: string, fsync: RedisFsync, records: number): Promise<number> {
  await setFsync(client, fsync)
  await client.del(key)
  const value = Buffer.alloc(VALUE_BYTES, 0x61)
  let sent = 0
  const started = performance.now()
  const lanes = Array.from({ length: LANES }, async () => {
    while (sent < records) {
      const count = Math.min(BATCH, records - sent)
      sent += count
      const pipeline = client.pipeline()
      for (let i = 0; i < count; i++) pipeline.xadd(key, '*', 'v', value)
      checkReplies(await pipeline.exec())
    }
  })
  await Promise.all(lanes)
  const elapsed = performance.now() - started
  const length = await client.xlen(key)
  if (length !== records) throw new Error(`redis stream holds ${length} entries, expected ${records}`)
  return (records / elapsed) * 1000
}

type StreamReply = [key: Buffer, entries: [id: Buffer, fields: Buffer[]][]][] | null

/**
 * Reads every entry of `key` through a new consumer group: XREADGROUP COUNT 1000, each batch
 * XACKed (the XACK is not awaited before the next read: it is pipelined on the same connection).
 */
export async function redisConsume(client: RedisClient, key: string, records: number): Promise<number> {
  const group = `g${Date.now()}`
  await client.xgroup('CREATE', key, group, '0')
  const acks: Promise<unknown>[] = []
  let count = 0
  let bytes = 0
  const started = performance.now()
  while (count < records) {
    const reply = (await client.callBuffer('XREADGROUP', ['GROUP', group, 'c', 'COUNT', BATCH, 'STREAMS', key, '>'])) as StreamReply
    const entries = reply?.[0]?.[1] ?? []
    if (entries.length === 0) throw new Error(`redis group ran dry after ${count} of ${records} entries`)
    for (const [, fields] of entries) bytes += fields[1].length
    count += entries.length
    acks.push(client.callBuffer('XACK', [key, group, ...entries.map(([id]) => id)]))
  }
  await Promise.all(acks)
  const elapsed = performance.now() - started
  if (bytes !== records * VALUE_BYTES) throw new Error(`redis group saw ${bytes} value bytes, expected ${records * VALUE_BYTES}`)
  return (records / elapsed) * 1000
}

/** appendfsync always on the producer's side; a second connection blocks in XREADGROUP. */
export async function redisE2eSide(server: PeerServer, key: string): Promise<E2eSide> {
  const producer = await redisClient(server)
  const reader = await redisClient(server)
  await setFsync(producer, 'always')
  await producer.del(key)
  await producer.xgroup('CREATE', key, 'e2e', '$', 'MKSTREAM')
  let closing = false
  let reading: Promise<void> = Promise.resolve()
  return {
    async subscribe(deliver) {
      reading = (async () => {
        while (!closing) {
          // BLOCK 100: returns at once when entries arrive, and lets close() stop the loop soon.
          const reply = (await reader.callBuffer('XREADGROUP', ['GROUP', 'e2e', 'c', 'COUNT', BATCH, 'BLOCK', 100, 'STREAMS', key, '>'])) as StreamReply
          const entries = reply?.[0]?.[1] ?? []
          if (entries.length === 0) continue
          for (const [, fields] of entries) deliver(fields[1])
          // Not awaited: the XACK is pipelined ahead of the next read on the same connection.
          reader.callBuffer('XACK', [key, 'e2e', ...entries.map(([id]) => id)]).catch(() => undefined)
        }
      })()
    },
    async send(values) {
      const pipeline = producer.pipeline()
      for (const value of values) pipeline.xadd(key, '*', 'v', value)
      checkReplies(await pipeline.exec())
    },
    async close() {
      closing = true
      await reading
      producer.disconnect()
      reader.disconnect()
    },
  }
}
