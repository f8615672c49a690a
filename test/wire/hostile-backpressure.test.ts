/**
 * B4 (reliability.md C3): 100 pipelined requests from a client that does not read its responses.
 * The broker must stop reading (queue cap 8, outbound cap) and stop answering once its unread
 * responses pass the outbound cap, so its memory stays bounded; the client's requests back up in
 * its own socket buffer. The partial frame the broker holds meanwhile is not the client's fault:
 * the frame deadline must not close the connection while the broker is the one not reading. When
 * the client reads again, all 100 responses arrive, in order.
 */
import test from 'ava'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { openBroker } from '../helpers/broker.js'
import { RawClient, frameRequest } from '../helpers/wire.js'
import { API, fetchBody, parseFetchResponse, parseProduceResponse, produceBody } from '../helpers/wire-requests.js'

const FRAME_DEADLINE_MS = 300
const OUTBOUND_CAP = 64 * 1024
const REQUESTS = 100
const FETCH_RESPONSE_BYTES = 1024 * 1024
const PRODUCE_VALUE_BYTES = 160 * 1024

function batchOfBytes(bytes: number, seed: number): Buffer {
  const builder = new RecordBatchBuilder()
  builder.append(Buffer.from(`k${seed}`), Buffer.alloc(bytes, seed & 0xff), null, 1_700_000_000_000 + seed)
  return Buffer.from(builder.finish())
}

test('100 pipelined requests without reading: the broker stops reading and answering, then serves all 100 in order', async (t) => {
  const broker = await openBroker(t)
  const { port, server: listener } = await broker.listen({
    port: 0,
    limits: { maxQueuedRequestsPerConnection: 8, maxOutboundBytesPerConnection: OUTBOUND_CAP, frameCompleteTimeoutMs: FRAME_DEADLINE_MS },
  })
  await broker.admin().createTopics({ topics: [{ topic: 'pipe-out', numPartitions: 1 }, { topic: 'pipe-in', numPartitions: 1 }] })
  // 1 MiB to fetch, in four 256 KiB batches.
  const producer = broker.producer()
  for (let i = 0; i < 4; i++) await producer.send({ topic: 'pipe-out', messages: [{ key: `b${i}`, value: Buffer.alloc(FETCH_RESPONSE_BYTES / 4 - 100, i) }] })

  const client = await RawClient.open(t, port)
  const canary = await RawClient.open(t, port)
  await client.request(API.ApiVersions, 0, Buffer.alloc(0))
  // The listener counts every response it sends; the canary's own are taken out.
  let canaryBytes = 0
  const canaryRoundTrip = async () => {
    canaryBytes += 8 + (await canary.request(API.ApiVersions, 0, Buffer.alloc(0))).length
  }
  const bytesOutBefore = listener.bytesOut
  const answered = () => listener.bytesOut - canaryBytes - bytesOutBefore
  let closedEarly = false
  void client.closed.then(() => {
    closedEarly = true
  })

  // Stop reading, then write 100 requests: 50 Fetches (a few bytes in, 1 MiB out each) in one
  // write, so they arrive together, then 50 Produces (160 KiB in, a few bytes out each, acks=1 so
  // no fsync is awaited). Correlation ids 1001..1100.
  client.socket.pause()
  const responses = Array.from({ length: REQUESTS }, () => client.nextFrame())
  const fetches = Array.from({ length: REQUESTS / 2 }, (_, i) =>
    frameRequest(API.Fetch, 4, 1001 + i, fetchBody([{ topic: 'pipe-out', partition: 0, offset: 0, partitionMaxBytes: FETCH_RESPONSE_BYTES }], { maxBytes: FETCH_RESPONSE_BYTES })))
  client.socket.write(Buffer.concat(fetches))
  let allWritten = false
  for (let i = 0; i < REQUESTS / 2; i++) {
    const frame = frameRequest(API.Produce, 3, 1001 + REQUESTS / 2 + i, produceBody('pipe-in', 0, batchOfBytes(PRODUCE_VALUE_BYTES, i), 1))
    client.socket.write(frame, i === REQUESTS / 2 - 1 ? () => { allWritten = true } : undefined)
  }
  const requestBytes = client.socket.writableLength

  // Wait until the broker has stalled: at least one Fetch answered, then its bytes out unchanged
  // across 20 consecutive round trips on another connection (each a full pass of its event loop).
  let unchanged = 0
  let last = -1
  let roundTrips = 0
  while (unchanged < 20 || last < FETCH_RESPONSE_BYTES) {
    await canaryRoundTrip()
    roundTrips++
    const now = answered()
    unchanged = now === last ? unchanged + 1 : 0
    last = now
  }
  const stalledAt = performance.now()
  // Then stay stalled longer than the frame deadline: the broker is the one not reading, so the
  // partial frame it may hold must not count against the client.
  while (performance.now() - stalledAt < 2 * FRAME_DEADLINE_MS) await canaryRoundTrip()
  const answeredBytes = answered()
  const backedUp = client.socket.writableLength
  t.log(`stalled after ${roundTrips} canary round trips: ${(answeredBytes / 2 ** 20).toFixed(1)} MiB answered of the ${REQUESTS / 2} MiB asked for; the client still holds ${(backedUp / 2 ** 20).toFixed(1)} of ${(requestBytes / 2 ** 20).toFixed(1)} MiB of requests`)
  // The broker answered a bounded part (what the kernel buffers hold plus one response past the
  // cap), not all 50 MiB, and stopped reading, so the client's requests back up on its side.
  t.true(answeredBytes < 16 * FETCH_RESPONSE_BYTES, `answered ${answeredBytes} bytes while the client read nothing`)
  t.true(backedUp > 0, 'the client could write everything: the broker kept reading')
  t.false(allWritten)
  t.false(closedEarly, 'closed while the broker itself had stopped reading')

  client.socket.resume()
  const frames = await Promise.all(responses)
  t.true(allWritten)
  let produced = 0
  frames.forEach((frame, i) => {
    t.is(frame.readInt32BE(0), 1001 + i, 'responses in request order')
    const body = frame.subarray(4)
    if (i < REQUESTS / 2) {
      const [answer] = parseFetchResponse(body, 4)
      t.is(answer!.errorCode, 0)
      t.true(answer!.records.length >= FETCH_RESPONSE_BYTES / 2)
    } else {
      const [answer] = parseProduceResponse(body, 3)
      t.is(answer!.errorCode, 0)
      t.is(answer!.baseOffset, produced++)
    }
  })
  t.is(produced, REQUESTS / 2)
  // acks=1 answers once written (the high watermark follows the fsync): the log end is what was written.
  t.is((await broker.partitionOffsets('pipe-in', 0)).logEndOffset, REQUESTS / 2)
})

test('broker.close() does not wait for a client that never reads its responses', async (t) => {
  const broker = await openBroker(t)
  const { port, server: listener } = await broker.listen({ port: 0, limits: { maxOutboundBytesPerConnection: OUTBOUND_CAP } })
  await broker.admin().createTopics({ topics: [{ topic: 'unread', numPartitions: 1 }] })
  const producer = broker.producer()
  for (let i = 0; i < 4; i++) await producer.send({ topic: 'unread', messages: [{ value: Buffer.alloc(FETCH_RESPONSE_BYTES / 4 - 100, i) }] })
  const client = await RawClient.open(t, port)
  const canary = await RawClient.open(t, port)
  await client.request(API.ApiVersions, 0, Buffer.alloc(0))
  await canary.request(API.ApiVersions, 0, Buffer.alloc(0))
  client.socket.pause()
  const fetch = fetchBody([{ topic: 'unread', partition: 0, offset: 0, partitionMaxBytes: FETCH_RESPONSE_BYTES }], { maxBytes: FETCH_RESPONSE_BYTES })
  client.socket.write(Buffer.concat(Array.from({ length: 30 }, (_, i) => frameRequest(API.Fetch, 4, 500 + i, fetch))))
  // Until the broker has stalled, waiting on the client: bytes out (the canary's taken out)
  // unchanged across 20 round trips, after at least one Fetch answered.
  let canaryBytes = 0
  let unchanged = 0
  let last = -1
  while (unchanged < 20 || last < FETCH_RESPONSE_BYTES) {
    canaryBytes += 8 + (await canary.request(API.ApiVersions, 0, Buffer.alloc(0))).length
    const now = listener.bytesOut - canaryBytes
    unchanged = now === last ? unchanged + 1 : 0
    last = now
  }
  const started = performance.now()
  await broker.close()
  t.log(`closed in ${(performance.now() - started).toFixed(0)} ms with a client holding ${(listener.bytesOut / 2 ** 20).toFixed(1)} MiB unread`)
  client.socket.resume() // a paused socket does not report its close
  await client.closed
  t.pass()
})
