/**
 * Fuzz targets for the listener's parsers (reliability.md C3 B2), in process and streaming:
 *
 * - framesProperty: a byte stream of valid frames, optionally ended by a hostile size prefix
 *   (< 0, > the limit, 2^31-1, a TLS ClientHello) or a partial frame, pushed through FrameReader
 *   in arbitrary chunks. Every chunking must give the same frames and the same error as the
 *   model; the reader must never hold more than the bytes pushed, never allocate more than it
 *   holds (so a hostile size costs nothing), and never produce a frame above the limit.
 * - headerProperty: request headers with hostile fields (api key -1/32767, versions, client-id
 *   length -1/-2/huge/short, tagged fields with huge counts and sizes, overlong varints) and
 *   ApiVersions v0-v3 bodies: the parse returns consistent values or throws ProtocolError.
 * - readerProperty: random programs of Reader reads over hostile bytes: only ProtocolError, no
 *   read past the end, and an array whose count cannot fit is refused before any element is read.
 */
import fc from 'fast-check'
import { apiVersionsHandler } from '../../src/wire/apis/api-versions.js'
import type { ApiHandler, RequestContext } from '../../src/wire/api.js'
import { FrameReader } from '../../src/wire/frame-reader.js'
import { isProtocolError } from '../../src/wire/protocol-error.js'
import { Reader } from '../../src/wire/reader.js'
import { isFlexibleRequest, readRequestHeader } from '../../src/wire/request-header.js'
import type { WireServer } from '../../src/wire/wire-server.js'
import { count, FuzzFailure, newReport, probeAllocations, timeInput, type FuzzOptions, type FuzzReport } from './fuzz-common.js'

// ---------------------------------------------------------------------------------------------
// Frames

type Tail =
  | { kind: 'none' }
  | { kind: 'partial'; bytes: Buffer }
  | { kind: 'bad-size'; size: number; rest: Buffer }
  | { kind: 'tls'; bytes: Buffer }

interface StreamCase {
  limit: number
  bodies: Buffer[]
  tail: Tail
  /** Cut points as fractions of the stream (0..65535 / 65536); 'bytewise' pushes one byte at a time. */
  cuts: number[] | 'bytewise'
}

const buffer = (maxLength: number, minLength = 0) => fc.uint8Array({ minLength, maxLength }).map((array) => Buffer.from(array))

/** The first bytes of a TLS 1.0 record carrying a ClientHello: read as a size, 0x16030102 = 369,295,618. */
const TLS_CLIENT_HELLO_START = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]

function framed(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length)
  out.writeInt32BE(body.length, 0)
  body.copy(out, 4)
  return out
}

const streamCase: fc.Arbitrary<StreamCase> = fc.constantFrom(16, 100, 1024, 4096).chain((limit) => {
  const body = fc.oneof(
    { weight: 8, arbitrary: buffer(Math.min(limit, 48)) },
    { weight: 1, arbitrary: fc.constant(limit).map((size) => Buffer.alloc(size, 0xab)) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  )
  const badSize = fc.oneof(
    fc.constantFrom(-1, -2, -(2 ** 31), limit + 1, 2 ** 31 - 1, 0x7fff_fff0),
    fc.integer({ min: limit + 1, max: 2 ** 31 - 1 }),
    fc.integer({ min: -(2 ** 31), max: -1 }),
  )
  const tail: fc.Arbitrary<Tail> = fc.oneof(
    { weight: 3, arbitrary: fc.constant<Tail>({ kind: 'none' }) },
    { weight: 2, arbitrary: fc.tuple(body, fc.nat()).map(([b, cut]): Tail => {
      const whole = framed(b)
      return { kind: 'partial', bytes: whole.subarray(0, 1 + (cut % (whole.length - 1 || 1))) }
    }) },
    { weight: 3, arbitrary: fc.tuple(badSize, buffer(24)).map(([size, rest]): Tail => ({ kind: 'bad-size', size, rest })) },
    { weight: 1, arbitrary: buffer(40).map((random): Tail => ({ kind: 'tls', bytes: Buffer.concat([Buffer.from(TLS_CLIENT_HELLO_START), random]) })) },
  )
  const cuts = fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 24 }) },
    { weight: 1, arbitrary: fc.constant<'bytewise'>('bytewise') },
  )
  return fc.record({ limit: fc.constant(limit), bodies: fc.array(body, { maxLength: 12 }), tail, cuts })
})

function streamBytes(input: StreamCase): Buffer {
  const parts = input.bodies.map(framed)
  const tail = input.tail
  if (tail.kind === 'partial' || tail.kind === 'tls') parts.push(tail.bytes)
  if (tail.kind === 'bad-size') {
    const prefix = Buffer.allocUnsafe(4)
    prefix.writeInt32BE(tail.size, 0)
    parts.push(prefix, tail.rest)
  }
  return Buffer.concat(parts)
}

function chunksOf(stream: Buffer, cuts: StreamCase['cuts']): Buffer[] {
  if (cuts === 'bytewise') {
    // One byte at a time (three for long streams, still splitting every size prefix unevenly).
    const step = stream.length > 4096 ? 3 : 1
    return Array.from({ length: Math.ceil(stream.length / step) }, (_, i) => stream.subarray(i * step, i * step + step))
  }
  const points = [...new Set(cuts.map((fraction) => Math.floor((fraction * stream.length) / 0x10000)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let from = 0
  for (const point of [...points, stream.length]) {
    // Empty chunks are pushed too: a zero-length read must change nothing.
    chunks.push(stream.subarray(from, point))
    from = point
  }
  return chunks
}

/** What one chunking produced: frames, whether (and with what message) it failed. */
interface FrameOutcome {
  frames: Buffer[]
  error: string | null
  leftover: boolean
}

/** Pushes `chunks` through a fresh FrameReader, checking the memory invariants after every push. */
function pushAll(limit: number, chunks: Buffer[], report: FuzzReport): FrameOutcome {
  const reader = new FrameReader(limit)
  const frames: Buffer[] = []
  let pushed = 0
  let consumed = 0
  for (const chunk of chunks) {
    const heldBefore = reader.bufferedBytes
    pushed += chunk.length
    let produced: Buffer[]
    let largest: number
    try {
      ;({ result: produced, largest } = probeAllocations(() => reader.push(chunk)))
    } catch (error) {
      if (!isProtocolError(error)) {
        report.crashes++
        throw new FuzzFailure('crash', `FrameReader threw ${String(error)}`)
      }
      return { frames, error: error.message, leftover: true }
    }
    // Allocation is bounded by what the reader holds, never by a size the client claims.
    if (largest > heldBefore + chunk.length) {
      report.blowUps++
      throw new FuzzFailure('blow-up', `allocated ${largest} bytes while holding ${heldBefore + chunk.length}`)
    }
    for (const frame of produced) {
      if (frame.length > limit) throw new FuzzFailure('wrong', `frame of ${frame.length} bytes above the limit ${limit}`)
      consumed += 4 + frame.length
      frames.push(frame)
    }
    if (reader.bufferedBytes !== pushed - consumed) {
      throw new FuzzFailure('wrong', `reader holds ${reader.bufferedBytes} bytes, ${pushed} pushed and ${consumed} taken`)
    }
    if (reader.hasPartialFrame !== reader.bufferedBytes > 0) throw new FuzzFailure('wrong', 'hasPartialFrame disagrees with bufferedBytes')
    // A bad size after complete frames in the same push: the frames came back, the error waits in `failure`.
    if (reader.failure !== null) {
      if (produced.length === 0) throw new FuzzFailure('wrong', 'failure set by a push that returned no frames instead of throwing')
      return { frames, error: reader.failure.message, leftover: true }
    }
  }
  return { frames, error: null, leftover: reader.bufferedBytes > 0 }
}

function sameFrames(a: Buffer[], b: Buffer[]): boolean {
  return a.length === b.length && a.every((frame, i) => frame.equals(b[i]!))
}

/** Any chunking of a stream gives the model's frames, then its error (or its leftover), with memory bounded by bytes pushed. */
export function framesProperty(report: FuzzReport, options: FuzzOptions): fc.IProperty<[StreamCase]> {
  return fc.property(streamCase, (input) => {
    report.runs++
    const stream = streamBytes(input)
    options.onInput?.(stream)
    const expectError = input.tail.kind === 'bad-size' || input.tail.kind === 'tls'
    const expectLeftover = input.tail.kind !== 'none'
    let whole!: FrameOutcome
    let split!: FrameOutcome
    timeInput(report, () => {
      whole = pushAll(input.limit, [stream], report)
      split = pushAll(input.limit, chunksOf(stream, input.cuts), report)
    })
    count(report, expectError ? 'closed (bad size)' : expectLeftover ? 'partial frame held' : 'frames only')
    for (const outcome of [whole, split]) {
      if (!sameFrames(outcome.frames, input.bodies)) {
        throw new FuzzFailure('wrong', `got ${outcome.frames.length} frames, the stream holds ${input.bodies.length} before its end`)
      }
      if ((outcome.error !== null) !== expectError) throw new FuzzFailure('wrong', `error ${outcome.error} for a ${input.tail.kind} tail`)
      if (outcome.leftover !== expectLeftover) throw new FuzzFailure('wrong', `leftover ${outcome.leftover} for a ${input.tail.kind} tail`)
    }
    if (whole.error !== split.error) throw new FuzzFailure('wrong', `errors differ by chunking: ${whole.error} / ${split.error}`)
    return true
  })
}

// ---------------------------------------------------------------------------------------------
// Request headers and ApiVersions bodies

interface HeaderCase {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: { kind: 'null' } | { kind: 'string'; text: string } | { kind: 'length'; length: number; bytes: Buffer }
  /** Bytes after client_id: tagged fields (flexible) and the body. */
  after: Buffer
  /** Cut the frame here (fraction /65536), or keep it whole. */
  cut: number | null
}

function unsignedVarint(value: number): Buffer {
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Buffer.from(out)
}

/** Unsigned varints: small, 2^32-1 (5 bytes), 2^35-1 (the most 5 bytes can claim), overlong (6+ bytes). */
const hostileUvarint: fc.Arbitrary<Buffer> = fc.oneof(
  fc.nat(300).map(unsignedVarint),
  fc.constantFrom(2 ** 32 - 1, 2 ** 31 - 1, 2 ** 35 - 1, 0x3fff, 0x4000).map(unsignedVarint),
  fc.integer({ min: 6, max: 12 }).map((length) => Buffer.from([...Array(length - 1).fill(0xff), 0x01])),
  fc.constant(Buffer.from([0x80])), // truncated
)

const compactString = fc.oneof(
  fc.string({ maxLength: 12 }).map((text) => Buffer.concat([unsignedVarint(Buffer.byteLength(text) + 1), Buffer.from(text)])),
  fc.constant(Buffer.from([0x00])), // null
  hostileUvarint,
)

const taggedFields: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(Buffer.from([0x00])),
  fc.array(fc.tuple(hostileUvarint, hostileUvarint, buffer(8)), { maxLength: 3 }).map((fields) =>
    Buffer.concat([unsignedVarint(fields.length), ...fields.flatMap(([tag, size, data]) => [tag, size, data])])),
  hostileUvarint,
)

const apiVersionsV3Body = fc.tuple(compactString, compactString, taggedFields, buffer(4)).map((parts) => Buffer.concat(parts))

const genericHeaderCase: fc.Arbitrary<HeaderCase> = fc.record({
  apiKey: fc.oneof(fc.constantFrom(-1, 32767, -32768, 18, 18, 18, 0, 3, 1, 99), fc.integer({ min: -32768, max: 32767 })),
  apiVersion: fc.oneof(fc.constantFrom(-1, 0, 1, 2, 3, 3, 4, 99, 32767, -32768), fc.integer({ min: -32768, max: 32767 })),
  correlationId: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  clientId: fc.oneof(
    fc.constant({ kind: 'null' as const }),
    fc.string({ maxLength: 20 }).map((text) => ({ kind: 'string' as const, text })),
    fc.tuple(fc.constantFrom(-2, -3, -32768, 32767, 1000, 5), buffer(8)).map(([length, bytes]) => ({ kind: 'length' as const, length, bytes })),
  ),
  after: fc.oneof(
    fc.tuple(taggedFields, apiVersionsV3Body).map((parts) => Buffer.concat(parts)),
    // A well-formed v3 tail (empty header tags, client software name and version, empty body tags).
    fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 6 })).map(([name, version]) => Buffer.concat([
      Buffer.from([0]), unsignedVarint(Buffer.byteLength(name) + 1), Buffer.from(name), unsignedVarint(Buffer.byteLength(version) + 1), Buffer.from(version), Buffer.from([0]),
    ])),
    apiVersionsV3Body,
    fc.constant(Buffer.alloc(0)),
    buffer(24),
  ),
  cut: fc.option(fc.integer({ min: 0, max: 0xffff }), { freq: 4 }),
})

/** Near-valid ApiVersions requests (v0-v3, and too-high versions), so the body parse is reached often. */
const apiVersionsCase: fc.Arbitrary<HeaderCase> = fc.record({
  apiKey: fc.constant(18),
  apiVersion: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(4, 99, 32767)),
  correlationId: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  clientId: fc.string({ maxLength: 20 }).map((text) => ({ kind: 'string' as const, text })),
  after: fc.oneof(
    fc.constant(Buffer.alloc(0)),
    fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 6 }), buffer(2)).map(([name, version, extra]) => Buffer.concat([
      Buffer.from([0]), unsignedVarint(Buffer.byteLength(name) + 1), Buffer.from(name), unsignedVarint(Buffer.byteLength(version) + 1), Buffer.from(version), Buffer.from([0]), extra,
    ])),
    fc.tuple(taggedFields, apiVersionsV3Body).map((parts) => Buffer.concat(parts)),
  ),
  cut: fc.option(fc.integer({ min: 0, max: 0xffff }), { freq: 8 }),
})

const headerCase = fc.oneof({ weight: 3, arbitrary: genericHeaderCase }, { weight: 1, arbitrary: apiVersionsCase })

function headerBytes(input: HeaderCase): Buffer {
  const fixed = Buffer.allocUnsafe(8)
  fixed.writeInt16BE(input.apiKey, 0)
  fixed.writeInt16BE(input.apiVersion, 2)
  fixed.writeInt32BE(input.correlationId, 4)
  const length = Buffer.allocUnsafe(2)
  let client: Buffer[]
  if (input.clientId.kind === 'null') {
    length.writeInt16BE(-1, 0)
    client = [length]
  } else if (input.clientId.kind === 'string') {
    length.writeInt16BE(Buffer.byteLength(input.clientId.text), 0)
    client = [length, Buffer.from(input.clientId.text)]
  } else {
    length.writeInt16BE(input.clientId.length, 0)
    client = [length, input.clientId.bytes]
  }
  const whole = Buffer.concat([fixed, ...client, input.after])
  return input.cut === null ? whole : whole.subarray(0, Math.floor((input.cut * whole.length) / 0x10000))
}

/** Just enough of a WireServer for ApiVersions: the handler table it lists. */
function fakeServer(): WireServer {
  const entry = (apiKey: number, minVersion: number, maxVersion: number): ApiHandler => ({
    apiKey, name: `api${apiKey}`, minVersion, maxVersion, handle: async () => null,
  })
  const handlers = new Map<number, ApiHandler>([[0, entry(0, 0, 7)], [3, entry(3, 0, 8)], [18, apiVersionsHandler]])
  return { handlers } as unknown as WireServer
}

export function headerProperty(report: FuzzReport, options: FuzzOptions): fc.IAsyncProperty<[HeaderCase]> {
  const server = fakeServer()
  return fc.asyncProperty(headerCase, async (input) => {
    report.runs++
    const frame = headerBytes(input)
    options.onInput?.(frame)
    const reader = new Reader(frame)
    let header: ReturnType<typeof readRequestHeader> | null = null
    let failure: unknown = null
    timeInput(report, () => {
      const again = new Reader(frame)
      try {
        header = readRequestHeader(again)
        reader.position = again.position
      } catch (error) {
        failure = error
      }
    })
    if (failure !== null) {
      if (!isProtocolError(failure)) {
        report.crashes++
        throw new FuzzFailure('crash', `readRequestHeader threw ${String(failure)}`)
      }
      count(report, 'header refused')
      return true
    }
    const parsed = header as unknown as ReturnType<typeof readRequestHeader>
    if (parsed.apiKey !== input.apiKey || parsed.apiVersion !== input.apiVersion || parsed.correlationId !== input.correlationId) {
      throw new FuzzFailure('wrong', `header fields read back wrong: ${JSON.stringify(parsed)}`)
    }
    if ((parsed.clientId === null) !== (input.clientId.kind === 'null')) throw new FuzzFailure('wrong', `client id ${parsed.clientId}`)
    if (input.clientId.kind === 'length' && input.clientId.length < -1) throw new FuzzFailure('wrong', `client id length ${input.clientId.length} accepted`)
    if (reader.position > frame.length) throw new FuzzFailure('wrong', 'header read past the frame')
    if (isFlexibleRequest(parsed.apiKey, parsed.apiVersion) !== (parsed.apiKey === 18 && parsed.apiVersion >= 3)) throw new FuzzFailure('wrong', 'flexible')
    // The ApiVersions body (v0-v3; v3's compact strings and tagged fields are the flexible parse).
    if (parsed.apiKey === 18 && parsed.apiVersion >= 0 && parsed.apiVersion <= 3) {
      const context: RequestContext = { server, apiVersion: parsed.apiVersion, clientId: parsed.clientId, clientHost: '/fuzz', signal: new AbortController().signal }
      const started = performance.now()
      try {
        const body = await apiVersionsHandler.handle(reader, context)
        if (body === null || body.byteLength < 2) throw new FuzzFailure('wrong', 'ApiVersions gave no body')
        count(report, 'ApiVersions answered')
      } catch (error) {
        if (error instanceof FuzzFailure) throw error
        if (!isProtocolError(error)) {
          report.crashes++
          throw new FuzzFailure('crash', `ApiVersions v${parsed.apiVersion} threw ${String(error)}`)
        }
        count(report, 'ApiVersions body refused')
      }
      report.maxWallMs = Math.max(report.maxWallMs, performance.now() - started)
    } else {
      count(report, 'header read')
    }
    return true
  })
}

// ---------------------------------------------------------------------------------------------
// Reader primitives

type Op =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'boolean' | 'string' | 'nullableString' | 'bytes' | 'nullableBytes'
  | 'compactNullableString' | 'skipTaggedFields' | 'unsignedVarint' | 'expectEnd'
  | { array: 'int32' | 'string' | 'nested'; min: number; nullable: boolean }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom<Op>('int8', 'int16', 'int32', 'int64', 'boolean', 'string', 'nullableString', 'bytes', 'nullableBytes', 'compactNullableString', 'skipTaggedFields', 'unsignedVarint', 'expectEnd'),
  fc.record({ array: fc.constantFrom('int32' as const, 'string' as const, 'nested' as const), min: fc.constantFrom(0, 1, 2, 4, 8), nullable: fc.boolean() }),
)

/** Random bytes with hostile int16/int32/varint values spliced in, so lengths and counts are hostile often. */
const hostileBytes: fc.Arbitrary<Buffer> = fc.array(
  fc.oneof(
    buffer(6, 1),
    fc.constantFrom(-(2 ** 31), -2, -1, 0, 1, 2, 3, 2 ** 31 - 1, 0x10000).map((value) => {
      const out = Buffer.allocUnsafe(4)
      out.writeInt32BE(value | 0, 0)
      return out
    }),
    fc.constantFrom(-32768, -2, -1, 0, 1, 5, 32767).map((value) => {
      const out = Buffer.allocUnsafe(2)
      out.writeInt16BE(value, 0)
      return out
    }),
    hostileUvarint,
  ),
  { maxLength: 16 },
).map((parts) => Buffer.concat(parts))

/** Errors already judged by the array that raised them (a nested array's refusal passes through its parent). */
const judged = new WeakSet<object>()

function runOp(reader: Reader, operation: Op, depth: number): void {
  if (typeof operation === 'object') {
    const before = reader.remaining
    let elements = 0
    const element = (r: Reader) => {
      elements++
      if (operation.array === 'int32') return r.int32()
      if (operation.array === 'string') return r.string()
      return depth < 2 ? runOp(r, { array: 'int32', min: 4, nullable: false }, depth + 1) : r.int8()
    }
    try {
      if (operation.nullable) reader.nullableArray(element, operation.min)
      else reader.array(element, operation.min)
    } catch (error) {
      // A count that cannot fit is refused before a single element is read (KAFKA-14063).
      if (isProtocolError(error) && !judged.has(error) && /cannot fit/.test(error.message) && elements > 0) {
        throw new FuzzFailure('blow-up', `array refused after ${elements} elements were read`)
      }
      if (typeof error === 'object' && error !== null) judged.add(error)
      throw error
    }
    if (operation.min > 0 && elements * operation.min > before) throw new FuzzFailure('blow-up', `${elements} elements read from ${before} bytes`)
    return
  }
  switch (operation) {
    case 'expectEnd': reader.expectEnd('fuzz'); return
    default: (reader[operation] as () => unknown).call(reader)
  }
}

export function readerProperty(report: FuzzReport, options: FuzzOptions): fc.IProperty<[Buffer, Op[]]> {
  return fc.property(hostileBytes, fc.array(op, { minLength: 1, maxLength: 8 }), (bytes, program) => {
    report.runs++
    options.onInput?.(bytes)
    timeInput(report, () => {
      const reader = new Reader(bytes)
      try {
        for (const operation of program) runOp(reader, operation, 0)
        count(report, 'program completed')
      } catch (error) {
        if (error instanceof FuzzFailure) throw error
        if (!isProtocolError(error)) {
          report.crashes++
          throw new FuzzFailure('crash', `Reader threw ${String(error)}`)
        }
        count(report, 'refused')
      }
      if (reader.position > bytes.length || reader.remaining < 0) throw new FuzzFailure('wrong', `position ${reader.position} past ${bytes.length}`)
    })
    return true
  })
}

export function frameReports(seed: number) {
  return {
    frames: newReport('frames (B2 split invariance)', seed),
    header: newReport('request header (B2)', seed),
    reader: newReport('reader primitives (B2)', seed),
  }
}
