/**
 * B3 in small (reliability.md C3): 16 connections send 200 garbage frames each (fast-check,
 * seeded) while a kafkajs producer on another connection keeps producing and the embedded API
 * reads its records back. Each garbage frame must get an answer, be processed silently (acks=0),
 * or close its connection (the lane then reconnects); nothing may crash the broker or a worker.
 * At the end every canary record is there, in order, no worker restarted, and no handler threw
 * anything but a parse error.
 */
import test from 'ava'
import fc from 'fast-check'
import { setTimeout as delay } from 'node:timers/promises'
import { openBroker, readAll } from '../helpers/broker.js'
import { seedFromEnv } from '../helpers/fuzz-common.js'
import { floodFrame, type FloodFrame } from '../helpers/fuzz-flood.js'
import { frameRequest, kafkaClient, RawClient } from '../helpers/wire.js'
import { API } from '../helpers/wire-requests.js'

const LANES = 16
const FRAMES_PER_LANE = 200
/** A frame that gets neither an answer nor a close within this is counted slow (and its connection dropped). */
const SLOW_MS = 3000

type Outcome = 'answered or silent' | 'closed' | 'slow'

/**
 * Every response frame of one RawClient, in order. RawClient hands each frame to a waiter
 * registered before it arrives (one arriving with none is dropped), so a few waiters are kept
 * registered at all times: two responses may come in one packet (a garbage frame's and the fence's).
 */
class Responses {
  private readonly frames: Buffer[] = []
  private wake: (() => void) | null = null
  private ended = false

  constructor(private readonly client: RawClient) {
    for (let i = 0; i < 4; i++) this.pull()
    void client.closed.then(() => this.end())
  }

  private pull(): void {
    this.client.nextFrame().then((frame) => {
      this.frames.push(frame)
      this.wake?.()
      this.pull()
    }, () => this.end())
  }

  private end(): void {
    this.ended = true
    this.wake?.()
  }

  /** The next response, or null once the connection is closed. */
  async next(): Promise<Buffer | null> {
    while (this.frames.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve))
    return this.frames.shift() ?? null
  }
}

test('16 connections x 200 garbage frames while a kafkajs canary produces: nothing lost, no crash, no worker restart', async (t) => {
  const seed = seedFromEnv()
  const broker = await openBroker(t)
  const { port, server } = await broker.listen({ port: 0, autoCreateTopics: false, limits: { frameCompleteTimeoutMs: 2000, firstRequestTimeoutMs: 2000 } })
  await broker.admin().createTopics({ topics: [{ topic: 'flood', numPartitions: 2 }, { topic: 'canary', numPartitions: 1 }] })
  const restarts: unknown[] = []
  const handlerErrors: Array<{ api: string; error: unknown }> = []
  broker.on('worker.restart', (event) => restarts.push(event))
  broker.on('worker.crash', (event) => restarts.push(event))
  server.on('handler.error', (event) => handlerErrors.push(event))
  const threadsBefore = (await broker.stats()).workers.map((worker) => worker.threadId)

  const frames = fc.sample(floodFrame, { seed, numRuns: LANES * FRAMES_PER_LANE })
  const outcomes = new Map<string, number>()
  let slowest = 0
  let fence = 0x7a000000

  /** Sends one garbage frame and an ApiVersions fence behind it: the fence's answer means the frame was dealt with. */
  async function send(client: RawClient, responses: Responses, garbage: FloodFrame): Promise<Outcome> {
    const fenceId = ++fence
    const started = performance.now()
    const watchdog = new AbortController()
    const slow = delay(SLOW_MS, 'slow' as const, { signal: watchdog.signal }).catch(() => 'slow' as const)
    client.write(Buffer.concat([garbage.bytes, frameRequest(API.ApiVersions, 0, fenceId, Buffer.alloc(0))]))
    let outcome: Outcome | null = null
    while (outcome === null) {
      const next = await Promise.race([responses.next(), slow])
      if (next === null) outcome = 'closed'
      else if (next === 'slow') outcome = 'slow'
      else if (next.readInt32BE(0) === fenceId) outcome = 'answered or silent'
    }
    watchdog.abort()
    slowest = Math.max(slowest, performance.now() - started)
    return outcome
  }

  async function lane(index: number): Promise<void> {
    let client = await RawClient.open(t, port)
    let responses = new Responses(client)
    for (const garbage of frames.slice(index * FRAMES_PER_LANE, (index + 1) * FRAMES_PER_LANE)) {
      const outcome = await send(client, responses, garbage)
      const key = `${garbage.kind}: ${outcome}`
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
      if (outcome !== 'answered or silent') {
        client.socket.destroy()
        client = await RawClient.open(t, port)
        responses = new Responses(client)
      }
    }
    client.socket.destroy()
  }

  // The canary: one kafkajs producer (acks -1), one send at a time, for as long as the flood lasts.
  const producer = kafkaClient(`127.0.0.1:${port}`).producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  let flooding = true
  const sent: string[] = []
  const latencies: number[] = []
  let canaryError: unknown = null
  const canary = (async () => {
    while (flooding || sent.length < 20) {
      const value = `canary-${sent.length}`
      const started = performance.now()
      await producer.send({ topic: 'canary', acks: -1, messages: [{ key: 'c', value }] })
      latencies.push(performance.now() - started)
      sent.push(value)
    }
  })().catch((error: unknown) => {
    canaryError = error
  })

  const started = performance.now()
  try {
    await Promise.all(Array.from({ length: LANES }, (_, index) => lane(index)))
  } finally {
    flooding = false
    await canary
  }
  t.is(canaryError, null, `the canary producer failed: ${String(canaryError)}`)
  const floodMs = performance.now() - started

  const records = await readAll(broker, 'canary', 0)
  t.deepEqual(records.map((record) => record.value?.toString()), sent, 'every canary record is there, in order')
  t.deepEqual(records.map((record) => Number(record.offset)), sent.map((_, i) => i))
  const threadsAfter = (await broker.stats()).workers.map((worker) => worker.threadId)
  t.deepEqual(threadsAfter, threadsBefore, 'the same worker threads as before: none restarted')
  t.deepEqual(restarts, [])
  t.deepEqual(handlerErrors.map(({ api, error }) => `${api}: ${String(error)}`), [], 'a handler threw something other than a parse error')
  // The broker still serves a fresh connection.
  const after = await RawClient.open(t, port)
  t.is((await after.request(API.ApiVersions, 0, Buffer.alloc(0))).readInt16BE(0), 0)

  latencies.sort((a, b) => a - b)
  const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!
  const closed = [...outcomes].filter(([key]) => key.endsWith('closed')).reduce((sum, [, n]) => sum + n, 0)
  const slow = [...outcomes].filter(([key]) => key.endsWith('slow')).reduce((sum, [, n]) => sum + n, 0)
  t.log(`bad inputs tried: ${frames.length} over ${LANES} connections (seed ${seed}) in ${(floodMs / 1000).toFixed(1)} s, broker crashes 0, worker restarts ${restarts.length}, handler errors ${handlerErrors.length}, closed ${closed}, slow ${slow}, slowest ${slowest.toFixed(0)} ms | nothing lost: canary ${records.length}/${sent.length}, canary p99 ${p99.toFixed(1)} ms`)
  t.log([...outcomes].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ${n}`).join('; '))
  t.is(slow, 0, 'every garbage frame was answered or closed within 3 s')
})
