/**
 * B4 (reliability.md C3): the listener's limit cases, one deterministic test each, over real
 * sockets. One broker serves every test of this file through several listeners, each with the
 * limits its tests need:
 *
 * - `strict`: long timers (60 s), so a close seen here can only come from a size or parse check;
 * - `slow`: a 300 ms frame deadline (first-request deadline long), `early`: a 300 ms first-request
 *   deadline, `capped`: maxConnections 4.
 *
 * Closes are awaited (RawClient.closed), never slept for; timings are only checked as lower
 * bounds against the configured deadlines.
 */
import test, { type ExecutionContext } from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { isBrokerError } from '../../src/errors.js'
import { Broker } from '../../src/index.js'
import { Reader } from '../../src/wire/reader.js'
import type { WireServer } from '../../src/wire/wire-server.js'
import { frameRequest, RawClient } from '../helpers/wire.js'
import { API } from '../helpers/wire-requests.js'

const STRICT = { maxFrameBytes: 64 * 1024, maxFirstFrameBytes: 4 * 1024, frameCompleteTimeoutMs: 60_000, firstRequestTimeoutMs: 60_000 }
const DEADLINE_MS = 300

interface Listeners {
  broker: Broker
  strict: number
  slow: number
  early: number
  capped: { port: number; server: WireServer }
}

let shared: Promise<Listeners> | null = null
let dataDir: string | null = null

function listeners(): Promise<Listeners> {
  shared ??= (async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'brook-hostile-'))
    const broker = await Broker.open({ dataDir, workers: 2 })
    const strict = await broker.listen({ port: 0, limits: STRICT })
    const slow = await broker.listen({ port: 0, limits: { frameCompleteTimeoutMs: DEADLINE_MS, firstRequestTimeoutMs: 60_000 } })
    const early = await broker.listen({ port: 0, limits: { firstRequestTimeoutMs: DEADLINE_MS } })
    const capped = await broker.listen({ port: 0, limits: { maxConnections: 4 } })
    return { broker, strict: strict.port, slow: slow.port, early: early.port, capped: { port: capped.port, server: capped.server } }
  })()
  return shared
}

test.after.always(async () => {
  if (shared) await (await shared).broker.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

const EMPTY = Buffer.alloc(0)

function int32(value: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeInt32BE(value, 0)
  return out
}

/** A request's response body; a close instead of an answer fails the test at once (no hang). */
async function ask(client: RawClient, apiKey: number, version: number, body: Buffer): Promise<Buffer> {
  const closed = client.closed.then(() => {
    throw new Error(`the broker closed the connection instead of answering api ${apiKey} v${version}`)
  })
  closed.catch(() => undefined) // the race may be over long before the connection closes
  return Promise.race([client.request(apiKey, version, body), closed])
}

/** ApiVersions v0 answers with error 0: the connection (and the broker) serves requests. */
async function serves(t: ExecutionContext, client: RawClient): Promise<void> {
  const body = await ask(client, API.ApiVersions, 0, EMPTY)
  t.is(body.readInt16BE(0), 0)
}

/** Waits for the broker to close `client`; a watchdog turns "never closed" into a clear failure. */
async function closedByBroker(t: ExecutionContext, client: RawClient, what: string): Promise<number> {
  const started = performance.now()
  const watchdog = new AbortController()
  const outcome = await Promise.race([
    client.closed.then(() => 'closed' as const),
    delay(20_000, 'open' as const, { signal: watchdog.signal }).catch(() => 'open' as const),
  ])
  watchdog.abort()
  t.is(outcome, 'closed', `${what}: the broker did not close the connection`)
  return performance.now() - started
}

test('frame sizes outside 0..limit (limit+1, 2^31-1, -1, -2^31) and an empty frame close the connection; the broker keeps serving', async (t) => {
  const { strict } = await listeners()
  for (const size of [STRICT.maxFirstFrameBytes + 1, 2 ** 31 - 1, -1, -(2 ** 31), 0]) {
    const client = await RawClient.open(t, strict)
    client.write(Buffer.concat([int32(size), Buffer.alloc(16, 0x41)]))
    await closedByBroker(t, client, `size ${size}`)
  }
  // After a valid request the limit is maxFrameBytes; one byte more still closes.
  const client = await RawClient.open(t, strict)
  await serves(t, client)
  client.write(Buffer.concat([int32(STRICT.maxFrameBytes + 1), Buffer.alloc(16)]))
  await closedByBroker(t, client, 'maxFrameBytes + 1 after a valid request')
  await serves(t, await RawClient.open(t, strict))
})

test('a frame above maxFirstFrameBytes before the first request is closed; the same frame is served after ApiVersions', async (t) => {
  const { strict } = await listeners()
  // ApiVersions v0 with a 6,000-byte client id: a valid request of about 6 KiB (> 4 KiB, < 64 KiB).
  const big = frameRequest(API.ApiVersions, 0, 7, EMPTY, 'c'.repeat(6000))
  t.true(big.length > STRICT.maxFirstFrameBytes && big.length < STRICT.maxFrameBytes)
  const first = await RawClient.open(t, strict)
  first.write(big)
  await closedByBroker(t, first, 'big first frame')

  const second = await RawClient.open(t, strict)
  await serves(t, second)
  const answer = second.nextFrame()
  second.write(big)
  const frame = await answer
  t.is(frame.readInt32BE(0), 7)
  t.is(frame.readInt16BE(4), 0)
})

test('slowloris: a frame announced and 10% sent is closed at the frame deadline, not before', async (t) => {
  const { slow } = await listeners()
  const client = await RawClient.open(t, slow)
  await serves(t, client) // the first-request deadline is out of the way
  const started = performance.now()
  client.write(Buffer.concat([int32(1000), Buffer.alloc(100, 0x42)]))
  await closedByBroker(t, client, 'slowloris')
  const elapsed = performance.now() - started
  t.log(`closed ${elapsed.toFixed(0)} ms after the partial frame (deadline ${DEADLINE_MS} ms)`)
  t.true(elapsed >= DEADLINE_MS - 1, `closed after ${elapsed} ms, before the ${DEADLINE_MS} ms deadline`)
  await serves(t, await RawClient.open(t, slow))
})

test('the frame deadline runs per frame: a client streaming requests split across packets for longer than it stays connected', async (t) => {
  const { slow } = await listeners()
  const client = await RawClient.open(t, slow)
  await serves(t, client)
  // 12 ApiVersions requests, sent as 13 pieces 100 ms apart: each piece ends one request and
  // starts the next, so a partial frame is held the whole time (about 1.2 s, four deadlines),
  // yet no single frame takes longer than 100 ms.
  const frames = Array.from({ length: 12 }, (_, i) => frameRequest(API.ApiVersions, 0, 100 + i, EMPTY))
  const stream = Buffer.concat(frames)
  const cuts = [0]
  let at = 0
  for (const frame of frames) {
    cuts.push(at + Math.floor(frame.length / 2))
    at += frame.length
  }
  cuts.push(stream.length)
  const answers = frames.map(() => client.nextFrame())
  let closed = false
  void client.closed.then(() => {
    closed = true
  })
  const started = performance.now()
  for (let i = 1; i < cuts.length; i++) {
    if (i > 1) await delay(100) // the client's own pace, not a wait for the broker
    t.false(closed, `closed after ${(performance.now() - started).toFixed(0)} ms while every frame completed within 100 ms`)
    client.write(stream.subarray(cuts[i - 1], cuts[i]))
  }
  const received = await Promise.all(answers)
  t.deepEqual(received.map((frame) => frame.readInt32BE(0)), frames.map((_, i) => 100 + i))
  t.true(performance.now() - started > 3 * DEADLINE_MS)
  t.false(closed)
})

test('no request within firstRequestTimeoutMs: closed at the deadline, not before', async (t) => {
  const { early } = await listeners()
  const started = performance.now()
  const client = await RawClient.open(t, early)
  await closedByBroker(t, client, 'silent client')
  const elapsed = performance.now() - started
  t.log(`closed ${elapsed.toFixed(0)} ms after connecting (deadline ${DEADLINE_MS} ms)`)
  t.true(elapsed >= DEADLINE_MS - 1)
  await serves(t, await RawClient.open(t, early))
})

test('a TLS ClientHello on the plaintext port reads as a 369 MB frame and is closed at once', async (t) => {
  const { strict } = await listeners()
  const client = await RawClient.open(t, strict)
  // TLS record header (handshake, TLS 1.0, length 0x0200), then the ClientHello's start.
  const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), Buffer.alloc(32, 0x5a), Buffer.from([0x00, 0x00, 0x20])])
  t.is(hello.readInt32BE(0), 369_295_618)
  client.write(hello)
  await closedByBroker(t, client, 'TLS ClientHello')
  await serves(t, await RawClient.open(t, strict))
})

test('an unknown API key or an unsupported version of a known API closes the connection', async (t) => {
  const { strict } = await listeners()
  for (const [apiKey, version] of [[32767, 0], [-1, 0], [9999, 1], [API.Metadata, 99], [API.Produce, -1]] as const) {
    const fresh = await RawClient.open(t, strict)
    fresh.write(frameRequest(apiKey, version, 1, EMPTY))
    await closedByBroker(t, fresh, `api key ${apiKey} v${version} as the first request`)
    const later = await RawClient.open(t, strict)
    await serves(t, later)
    later.write(frameRequest(apiKey, version, 2, EMPTY))
    await closedByBroker(t, later, `api key ${apiKey} v${version} after ApiVersions`)
  }
  await serves(t, await RawClient.open(t, strict))
})

test('ApiVersions with a too-high version gets UNSUPPORTED_VERSION (35) in a v0 body listing the supported ranges', async (t) => {
  const { strict } = await listeners()
  const client = await RawClient.open(t, strict)
  // What a newer client sends: header v2 (ApiVersions v3+ is flexible: empty tagged fields), then
  // a body brook cannot know (here v3's client software name and version, and tagged fields).
  const newerBody = Buffer.concat([Buffer.from([0x00, 0x06]), Buffer.from('brook'), Buffer.from([0x04]), Buffer.from('9.9'), Buffer.from([0x00])])
  for (const version of [4, 99, 32767]) {
    const body = await ask(client, API.ApiVersions, version, newerBody)
    const reader = new Reader(body)
    t.is(reader.int16(), 35)
    const ranges = reader.array((r) => ({ apiKey: r.int16(), min: r.int16(), max: r.int16() }), 6)
    reader.expectEnd('ApiVersions v0 response')
    const byKey = new Map(ranges.map((range) => [range.apiKey, range]))
    t.deepEqual(byKey.get(API.ApiVersions), { apiKey: API.ApiVersions, min: 0, max: 3 })
    t.is(byKey.get(API.Produce)?.min, 0)
    t.true((byKey.get(API.Produce)?.max ?? 0) >= 3)
    t.true((byKey.get(API.Fetch)?.max ?? 0) >= 4)
    t.true(byKey.has(API.Metadata))
    t.deepEqual(ranges.map((range) => range.apiKey), [...ranges.map((range) => range.apiKey)].sort((a, b) => a - b))
    for (const range of ranges) t.true(range.min <= range.max)
  }
  await serves(t, client) // the connection stays open: the client retries with a version we speak
})

test('an array count of 2^31-1 in a 10-byte body is refused before allocation: closed, broker serving', async (t) => {
  const { strict } = await listeners()
  const bodies: Array<[number, number, Buffer]> = [
    // Metadata v1: topics count 2^31-1, then 6 bytes.
    [API.Metadata, 1, Buffer.concat([int32(2 ** 31 - 1), Buffer.from('abcdef')])],
    // Produce v3: transactional_id null, acks -1, timeout, topics count 2^31-1, 2 bytes.
    [API.Produce, 3, Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), int32(30_000), int32(2 ** 31 - 1), Buffer.from('zz')])],
    // Fetch v4: replica, wait, min, max, isolation, topics count 2^31-1.
    [API.Fetch, 4, Buffer.concat([int32(-1), int32(0), int32(1), int32(1 << 20), Buffer.from([0]), int32(2 ** 31 - 1)])],
    // Metadata v1: one topic whose name length is -2.
    [API.Metadata, 1, Buffer.concat([int32(1), Buffer.from([0xff, 0xfe]), Buffer.from('abcd')])],
  ]
  for (const [apiKey, version, body] of bodies) {
    const client = await RawClient.open(t, strict)
    await serves(t, client)
    client.write(frameRequest(apiKey, version, 9, body))
    await closedByBroker(t, client, `api ${apiKey} v${version} with a hostile count`)
  }
  await serves(t, await RawClient.open(t, strict))
})

test('a bad frame size after complete requests in the same packet: those are answered, then the connection is closed', async (t) => {
  const { strict } = await listeners()
  const client = await RawClient.open(t, strict)
  const answers = [client.nextFrame(), client.nextFrame()]
  client.write(Buffer.concat([frameRequest(API.ApiVersions, 0, 41, EMPTY), frameRequest(API.ApiVersions, 1, 42, EMPTY), int32(-1), Buffer.alloc(8)]))
  const frames = await Promise.race([Promise.all(answers), client.closed.then(() => [] as Buffer[])])
  t.deepEqual(frames.map((frame) => frame.readInt32BE(0)), [41, 42], 'closed without answering the requests before the bad size')
  await closedByBroker(t, client, 'bad size after two requests')
})

test('maxConnections 4: the 5th connection is closed while the first 4 keep working', async (t) => {
  const { capped } = await listeners()
  let refused = 0
  const onRefused = () => refused++
  capped.server.on('connection.refused', onRefused)
  t.teardown(() => capped.server.off('connection.refused', onRefused))
  const four = []
  for (let i = 0; i < 4; i++) {
    const client = await RawClient.open(t, capped.port)
    await serves(t, client)
    four.push(client)
  }
  const fifth = await RawClient.open(t, capped.port)
  await closedByBroker(t, fifth, 'the 5th connection')
  t.is(refused, 1)
  for (const client of four) await serves(t, client)
})

test('listening on a non-loopback address without allowNonLoopback is refused with INVALID_REQUEST', async (t) => {
  const { broker } = await listeners()
  for (const host of ['0.0.0.0', '::', '192.168.10.10', '10.0.0.1']) {
    const error = await t.throwsAsync(broker.listen({ host, port: 0 }))
    t.true(isBrokerError(error), String(error))
    t.is((error as { code?: string }).code, 'INVALID_REQUEST')
  }
  const named = await t.throwsAsync(broker.listen({ host: 'example.com', port: 0 }))
  t.is((named as { code?: string }).code, 'INVALID_REQUEST')
  // Loopback needs nothing.
  const loopback = await broker.listen({ host: '127.0.0.1', port: 0 })
  t.true(loopback.port > 0)
})
