import { once } from 'node:events'
import test from 'ava'
import { Broker } from '../../src/index.js'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { tempDir } from '../helpers/temp-dir.js'
import { listeningBroker, RawClient } from '../helpers/wire.js'
import { API, fetchBody, parseFetchResponse } from '../helpers/wire-requests.js'

/** The ranges the issue asks for, plus Produce from v0 (librdkafka compresses only then). */
const EXPECTED_RANGES = [
  [0, 0, 7], [1, 4, 11], [2, 1, 5], [3, 0, 8], [8, 2, 7], [9, 1, 5], [10, 0, 2], [11, 2, 5], [12, 1, 3], [13, 1, 3],
  [14, 1, 3], [15, 0, 4], [16, 0, 2], [18, 0, 3], [19, 0, 4], [20, 0, 3], [22, 0, 1], [32, 0, 2], [37, 0, 1], [42, 0, 1],
]

function readRanges(reader: Reader, compact: boolean): number[][] {
  if (!compact) return reader.array((r) => [r.int16(), r.int16(), r.int16()], 6)
  const count = reader.unsignedVarint() - 1
  return Array.from({ length: count }, () => {
    const range = [reader.int16(), reader.int16(), reader.int16()]
    reader.skipTaggedFields()
    return range
  })
}

test('listen on port 0 returns the port chosen; ApiVersions v0–3 advertise the implemented ranges', async (t) => {
  const { port } = await listeningBroker(t)
  t.true(port > 0)
  const raw = await RawClient.open(t, port)
  for (const version of [0, 1, 2]) {
    const reader = new Reader(await raw.request(API.ApiVersions, version, Buffer.alloc(0)))
    t.is(reader.int16(), 0)
    t.deepEqual(readRanges(reader, false), EXPECTED_RANGES)
    if (version >= 1) t.is(reader.int32(), 0)
    reader.expectEnd('ApiVersions response')
  }
  // v3 is flexible: header v2 (tagged fields after client_id) and compact client software strings.
  const v3Body = new Writer().unsignedVarint(6).raw(Buffer.from('brook')).unsignedVarint(4).raw(Buffer.from('1.0')).unsignedVarint(0).toBuffer()
  const v3 = new Reader(await raw.request(API.ApiVersions, 3, Buffer.concat([Buffer.from([0]), v3Body])))
  t.is(v3.int16(), 0)
  t.deepEqual(readRanges(v3, true), EXPECTED_RANGES)
  t.is(v3.int32(), 0)
  v3.skipTaggedFields()
  v3.expectEnd('ApiVersions v3 response')
})

test('an ApiVersions version above 3 gets UNSUPPORTED_VERSION in a v0-shaped body', async (t) => {
  const { port } = await listeningBroker(t)
  const raw = await RawClient.open(t, port)
  // Versions from 3 use request header v2: an empty tagged-field section after client_id.
  const reader = new Reader(await raw.request(API.ApiVersions, 9, Buffer.from([0])))
  t.is(reader.int16(), 35)
  t.deepEqual(readRanges(reader, false), EXPECTED_RANGES)
  reader.expectEnd('ApiVersions error response')
})

test('close() answers the request in flight (a parked long poll), then closes the connection', async (t) => {
  const broker = await Broker.open({ dataDir: tempDir(t), workers: 1 })
  const { port, server } = await broker.listen({ port: 0 })
  await broker.admin().createTopics({ topics: [{ topic: 'parked', numPartitions: 1 }] })
  const raw = await RawClient.open(t, port)
  const handling = once(server, 'request')
  const parked = raw.request(API.Fetch, 4, fetchBody([{ topic: 'parked', partition: 0, offset: 0 }], { maxWaitMs: 30_000 }))
  await handling
  const started = performance.now()
  await broker.close()
  t.true(performance.now() - started < 10_000, 'the long poll did not hold the close for its 30 s')
  const [answer] = parseFetchResponse(await parked)
  t.is(answer!.errorCode, 0)
  t.is(answer!.records.length, 0)
  await raw.closed
  t.true(raw.socket.destroyed)
})

// Serial: ava runs serial tests before the others, so no other test's listener is open yet.
test.serial('a broker opens no socket unless listen() is called, and refuses non-loopback binds without the explicit option', async (t) => {
  const broker = await Broker.open({ dataDir: tempDir(t), workers: 1 })
  t.teardown(() => broker.close())
  const before = process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length
  t.is(before, 0)
  await t.throwsAsync(broker.listen({ host: '0.0.0.0', port: 0 }), { message: /non-loopback/ })
  t.is(process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length, 0)
})
