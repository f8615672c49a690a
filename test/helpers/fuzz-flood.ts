/**
 * Garbage frames for the live flood (reliability.md C3 B3, in small): random bodies, headers
 * of every served API (in and out of its version range) over random bodies, Produce requests
 * carrying B1's mutated batches, Fetch requests with hostile partitions, offsets and sizes,
 * hostile size prefixes, truncated requests, and ApiVersions at random versions. Each is a
 * whole frame, size prefix included.
 */
import fc from 'fast-check'
import { HANDLERS } from '../../src/wire/apis/index.js'
import { Writer } from '../../src/wire/writer.js'
import { mutatedBatch } from './fuzz-record-batch.js'

export interface FloodFrame {
  kind: string
  bytes: Buffer
}

const int16 = fc.integer({ min: -32768, max: 32767 })
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
const body = (maxLength: number) => fc.uint8Array({ maxLength }).map((array) => Buffer.from(array))

function frame(payload: Buffer): Buffer {
  const size = Buffer.allocUnsafe(4)
  size.writeInt32BE(payload.length, 0)
  return Buffer.concat([size, payload])
}

function header(apiKey: number, version: number, correlationId: number, clientId: string | null): Writer {
  return new Writer().int16(apiKey).int16(version).int32(correlationId).nullableString(clientId)
}

const served = HANDLERS.map((handler) => ({ apiKey: handler.apiKey, min: handler.minVersion, max: handler.maxVersion }))
const servedApi = fc.constantFrom(...served)

const randomRequest: fc.Arbitrary<FloodFrame> = fc
  .tuple(servedApi, fc.integer({ min: -2, max: 2 }), fc.nat(20), int32, fc.option(fc.string({ maxLength: 12 }), { nil: null }), body(160))
  .map(([api, outside, pick, correlationId, clientId, random]) => {
    // Mostly a served version; sometimes one just outside the range.
    const version = outside === 2 ? api.max + 1 : outside === -2 ? api.min - 1 : api.min + (pick % (api.max - api.min + 1))
    const flexibleTags = api.apiKey === 18 && version >= 3 ? Buffer.from([0]) : Buffer.alloc(0)
    return { kind: `api ${api.apiKey} random body`, bytes: frame(Buffer.concat([header(api.apiKey, version, correlationId, clientId).toBuffer(), flexibleTags, random])) }
  })

const hostilePartition = fc.constantFrom(0, 0, 0, -1, 1, 99, 2 ** 31 - 1, -(2 ** 31))

const produce: fc.Arbitrary<FloodFrame> = fc
  .tuple(fc.integer({ min: 3, max: 7 }), fc.constantFrom(-1, -1, 1, 1, 0, 2, -2), hostilePartition, fc.constantFrom('flood', 'flood', 'missing', ''), mutatedBatch, int32)
  .map(([version, acks, partition, topic, records, correlationId]) => {
    const request = header(0, version, correlationId, 'flood').nullableString(null).int16(acks).int32(1000)
      .array([topic], (w, name) => w.string(name).array([partition], (p, index) => p.int32(index).nullableBytes(records)))
    return { kind: 'produce mutated batch', bytes: frame(request.toBuffer()) }
  })

const fetch: fc.Arbitrary<FloodFrame> = fc
  .tuple(fc.integer({ min: 4, max: 11 }), hostilePartition, fc.constantFrom(0, -1, 1, 2 ** 53 - 1, -(2 ** 53)), fc.constantFrom(0, 1, -1, 2 ** 31 - 1, 1 << 20), fc.constantFrom(0, -1, 50), fc.constantFrom('flood', 'canary', 'missing'), int32)
  .map(([version, partition, offset, maxBytes, maxWait, topic, correlationId]) => {
    const request = header(1, version, correlationId, 'flood').int32(-1).int32(maxWait).int32(1).int32(maxBytes).int8(0)
    if (version >= 7) request.int32(0).int32(-1)
    request.array([topic], (w, name) => w.string(name).array([partition], (p, index) => {
      p.int32(index)
      if (version >= 9) p.int32(-1)
      p.int64(offset)
      if (version >= 5) p.int64(-1)
      p.int32(maxBytes)
    }))
    if (version >= 7) request.array([], () => undefined)
    if (version >= 11) request.string('')
    return { kind: 'fetch hostile fields', bytes: frame(request.toBuffer()) }
  })

const badSize: fc.Arbitrary<FloodFrame> = fc
  .tuple(fc.constantFrom(-1, -(2 ** 31), 2 ** 31 - 1, 0x16030102, 100 * 1024 * 1024), body(16))
  .map(([size, rest]) => {
    const prefix = Buffer.allocUnsafe(4)
    prefix.writeInt32BE(size, 0)
    return { kind: 'bad size', bytes: Buffer.concat([prefix, rest]) }
  })

/** A whole request cut short, its size prefix saying so (the body ends early). */
const truncated: fc.Arbitrary<FloodFrame> = fc.tuple(fc.oneof(produce, fetch, randomRequest), fc.nat()).map(([whole, cut]) => {
  const payload = whole.bytes.subarray(4)
  return { kind: 'truncated request', bytes: frame(payload.subarray(0, cut % Math.max(payload.length, 1))) }
})

const apiVersions: fc.Arbitrary<FloodFrame> = fc.tuple(int16, int32, body(8)).map(([version, correlationId, rest]) => ({
  kind: 'ApiVersions random version',
  bytes: frame(Buffer.concat([header(18, version, correlationId, 'flood').toBuffer(), version >= 3 ? Buffer.from([0]) : Buffer.alloc(0), rest])),
}))

export const floodFrame: fc.Arbitrary<FloodFrame> = fc.oneof(
  { weight: 3, arbitrary: body(200).map((random) => ({ kind: 'random body', bytes: frame(random) })) },
  { weight: 6, arbitrary: randomRequest },
  { weight: 4, arbitrary: produce },
  { weight: 2, arbitrary: fetch },
  { weight: 1, arbitrary: badSize },
  { weight: 2, arbitrary: truncated },
  { weight: 1, arbitrary: apiVersions },
)
