/**
 * Fuzz targets for the RecordBatch v2 decoder (reliability.md C3 B1). Inputs:
 *
 * - (a) model-generated valid batches (random keys, values, headers, timestamps; none or gzip),
 *   built with the repo's RecordBatchBuilder: they must decode back to the model exactly;
 * - (b) mutations of them: bit flips, byte substitutions, truncation (with and without the
 *   length patched), every varint length/count field and the header's length/count fields
 *   overridden from the hostile set {-2^31, -2, -1, 0, 1, remaining-1, remaining, remaining+1,
 *   2^31-1} (plus "one more record or header than could fit"), overlong varints (6+ bytes for
 *   int32, 11+ for int64, a 5th byte with high bits), lastOffsetDelta != count-1, codec bits,
 *   random bytes spliced into the records, and gzip bombs. The records are mutated before gzip,
 *   so mutations also reach the parser through decompression, and the CRC is recomputed for
 *   half of the cases (decoded with verifyCrc, so they pass the CRC gate);
 * - (c) random bytes, bare or behind a plausible header (magic 2, matching length, CRC).
 *
 * Invariant: the decoder returns records or throws a BrokerError (CORRUPT_MESSAGE,
 * RECORD_LIST_TOO_LARGE or UNSUPPORTED_COMPRESSION_TYPE), never anything else, within 100 ms;
 * what it returns is bounded by the input (or the decompression cap) and re-encodes to the same
 * records; no allocation exceeds 4x the input or the decompression cap.
 */
import fc from 'fast-check'
import { gzipSync } from 'node:zlib'
import { isBrokerError } from '../../src/errors.js'
import { BATCH_HEADER_BYTES, CRC_START, OFFSET } from '../../src/protocol/batch-header.js'
import { crc32c } from '../../src/protocol/crc32c.js'
import { RecordBatchBuilder, type RecordHeaders } from '../../src/protocol/record-batch-builder.js'
import { decodeBatchRecords, decodeRecordSet, type DecodeOptions, type FetchedRecord } from '../../src/protocol/record-decoder.js'
import { readVarint, readVarlong, writeVarint } from '../../src/protocol/varint.js'
import { count, FuzzFailure, hostileValues, newReport, probeAllocations, timeInput, type FuzzOptions, type FuzzReport } from './fuzz-common.js'

/** The decoder's default decompression cap (16 MiB). */
const DEFAULT_CAP = 16 * 1024 * 1024
const ALLOWED_CODES = new Set(['CORRUPT_MESSAGE', 'RECORD_LIST_TOO_LARGE', 'UNSUPPORTED_COMPRESSION_TYPE'])

// ---------------------------------------------------------------------------------------------
// The model

interface ModelRecord {
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeaders | null
  timestampMs: number
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((array) => Buffer.from(array))
const nullableBytes = (maxLength: number) => fc.option(bytes(maxLength), { nil: null, freq: 5 })
const headerKey = fc.oneof(fc.constantFrom('h', 'trace', '', '__proto__', 'constructor', '7'), fc.string({ unit: 'binary', maxLength: 8 }))
const modelRecord: fc.Arbitrary<ModelRecord> = fc.record({
  key: nullableBytes(16),
  value: nullableBytes(48),
  headers: fc.option(fc.array(fc.tuple(headerKey, nullableBytes(8)), { maxLength: 3 }), { nil: null, freq: 2 }),
  timestampMs: fc.oneof(fc.integer({ min: 1_700_000_000_000, max: 1_700_000_001_000 }), fc.integer({ min: -5, max: 2 ** 44 })),
})
const modelRecords = fc.array(modelRecord, { minLength: 1, maxLength: 8 })

function build(records: ModelRecord[]): Buffer {
  const builder = new RecordBatchBuilder({ initialCapacityBytes: 128 })
  for (const record of records) builder.append(record.key, record.value, record.headers, record.timestampMs)
  return Buffer.from(builder.finish())
}

type Plain = Array<[string, string | null | Array<string | null>]>
const hex = (buffer: Buffer | null) => (buffer === null ? null : buffer.toString('hex'))

function plainHeaders(headers: FetchedRecord['headers']): Plain {
  return Object.keys(headers).sort().map((key) => {
    const value = headers[key]!
    return [key, Array.isArray(value) ? value.map(hex) : hex(value)]
  })
}

function modelHeaders(input: RecordHeaders | null): Plain {
  const grouped = new Map<string, Array<Buffer | null>>()
  for (const [key, value] of input ?? []) grouped.set(key, [...(grouped.get(key) ?? []), value])
  return [...grouped.keys()].sort().map((key) => {
    const values = grouped.get(key)!
    return [key, values.length === 1 ? hex(values[0]!) : values.map(hex)]
  })
}

function matchesModel(decoded: FetchedRecord[], model: ModelRecord[]): boolean {
  return decoded.length === model.length && decoded.every((record, i) =>
    record.offset === String(i) &&
    record.timestamp === String(model[i]!.timestampMs) &&
    hex(record.key) === hex(model[i]!.key) &&
    hex(record.value) === hex(model[i]!.value) &&
    JSON.stringify(plainHeaders(record.headers)) === JSON.stringify(modelHeaders(model[i]!.headers)))
}

/** Decoded records re-encoded with the builder and decoded again give the same records (or null when timestamps cannot be re-encoded). */
function reencodes(decoded: FetchedRecord[]): boolean | null {
  if (decoded.length === 0) return null
  const builder = new RecordBatchBuilder({ initialCapacityBytes: 128 })
  for (const record of decoded) {
    const timestamp = Number(record.timestamp)
    if (!Number.isSafeInteger(timestamp) || String(timestamp) !== record.timestamp) return null
    const headers: RecordHeaders = []
    for (const key of Object.keys(record.headers)) {
      const value = record.headers[key]!
      for (const one of Array.isArray(value) ? value : [value]) headers.push([key, one])
    }
    try {
      builder.append(record.key, record.value, headers, timestamp)
    } catch (error) {
      if (isBrokerError(error) && error.code === 'INVALID_RECORD') return null // a timestamp delta beyond 2^53
      throw error
    }
  }
  const again = decodeRecordSet(builder.finish())
  return again.length === decoded.length && again.every((record, i) =>
    record.timestamp === decoded[i]!.timestamp &&
    hex(record.key) === hex(decoded[i]!.key) &&
    hex(record.value) === hex(decoded[i]!.value) &&
    JSON.stringify(plainHeaders(record.headers)) === JSON.stringify(plainHeaders(decoded[i]!.headers)))
}

// ---------------------------------------------------------------------------------------------
// Where the length and count fields of the records are

interface Field {
  /** Position in the records region (batch bytes from 61). */
  at: number
  size: number
  kind: 'varint' | 'varlong'
  /** Bytes after the field up to the end of its record (the "remaining" of the hostile set). */
  remaining: number
  /** The smallest element a count counts (0 for lengths). */
  elementBytes: number
}

/** Walks valid records (as the builder wrote them) and lists every varint field with its scope. */
function recordFields(region: Buffer): Field[] {
  const fields: Field[] = []
  const cursor = { position: 0 }
  const varint = (end: number, elementBytes = 0): number => {
    const at = cursor.position
    const value = readVarint(region, cursor, end)
    fields.push({ at, size: cursor.position - at, kind: 'varint', remaining: end - cursor.position, elementBytes })
    return value
  }
  while (cursor.position < region.length) {
    const length = varint(region.length)
    const end = cursor.position + length
    cursor.position += 1 // attributes
    const at = cursor.position
    readVarlong(region, cursor, end)
    fields.push({ at, size: cursor.position - at, kind: 'varlong', remaining: end - cursor.position, elementBytes: 0 })
    varint(end) // offsetDelta
    const keyLength = varint(end)
    cursor.position += Math.max(keyLength, 0)
    const valueLength = varint(end)
    cursor.position += Math.max(valueLength, 0)
    const headers = varint(end, 2)
    for (let i = 0; i < headers; i++) {
      const headerKeyLength = varint(end)
      cursor.position += Math.max(headerKeyLength, 0)
      const headerValueLength = varint(end)
      cursor.position += Math.max(headerValueLength, 0)
    }
    if (cursor.position !== end) throw new Error(`walked record ends at ${cursor.position}, not ${end}`)
  }
  return fields
}

function varintBytes(value: number): Buffer {
  const out = Buffer.allocUnsafe(5)
  return out.subarray(0, writeVarint(out, 0, value | 0))
}

function splice(region: Buffer, at: number, size: number, replacement: Buffer): Buffer {
  return Buffer.concat([region.subarray(0, at), replacement, region.subarray(at + size)])
}

// ---------------------------------------------------------------------------------------------
// Mutations

type HeaderField = 'batchLength' | 'recordsCount' | 'lastOffsetDelta' | 'baseOffset' | 'baseTimestamp' | 'magic' | 'attributes'

type Mutation =
  | { kind: 'none' }
  | { kind: 'flip'; flips: Array<[number, number]> }
  | { kind: 'substitute'; at: number; value: number }
  | { kind: 'truncate'; at: number; patchLength: boolean }
  | { kind: 'field'; field: number; choice: number }
  | { kind: 'header'; field: HeaderField; choice: number; random: number }
  | { kind: 'overlong'; field: number; style: 'continuation' | 'high-bits' | 'non-minimal'; extra: number }
  | { kind: 'splice'; at: number; bytes: Buffer }
  | { kind: 'codec'; codec: number }
  | { kind: 'bomb'; bomb: number; cap: number; count: number }

const smallMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
  { weight: 3, arbitrary: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }).map((flips): Mutation => ({ kind: 'flip', flips })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('substitute' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), patchLength: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('field' as const), field: fc.nat(), choice: fc.nat(10) }) },
  { weight: 4, arbitrary: fc.record({
    kind: fc.constant('header' as const),
    field: fc.constantFrom<HeaderField>('batchLength', 'recordsCount', 'recordsCount', 'lastOffsetDelta', 'lastOffsetDelta', 'baseOffset', 'baseTimestamp', 'magic', 'attributes'),
    choice: fc.nat(10),
    random: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('overlong' as const), field: fc.nat(), style: fc.constantFrom('continuation' as const, 'high-bits' as const, 'non-minimal' as const), extra: fc.nat(6) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: bytes(12) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('codec' as const), codec: fc.integer({ min: 2, max: 7 }) }) },
)

/** Bombs are rare (each inflates up to 16 MiB, some 20 ms), and every other one uses a small cap. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 80, arbitrary: smallMutation },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bomb' as const), bomb: fc.nat(2), cap: fc.constantFrom(DEFAULT_CAP, 64 * 1024), count: fc.constantFrom(1, 2 ** 31 - 1, 1000) }) },
)

/** Gzip bombs, built once: a few KiB that inflate past the 16 MiB cap, one just under it, and valid records followed by 17 MiB. */
let bombs: Buffer[] | null = null
function bomb(index: number): Buffer {
  bombs ??= [
    gzipSync(Buffer.alloc(17 * 1024 * 1024), { level: 9 }),
    gzipSync(Buffer.alloc(DEFAULT_CAP - 4096, 0x02), { level: 9 }),
    gzipSync(Buffer.concat([build([{ key: null, value: Buffer.from('x'), headers: null, timestampMs: 0 }]).subarray(BATCH_HEADER_BYTES), Buffer.alloc(17 * 1024 * 1024)]), { level: 9 }),
  ]
  return bombs[index % bombs.length]!
}

/** Picks the value of a hostile override: the set relative to `remaining`, or one more element than could fit. */
function hostileChoice(choice: number, remaining: number, elementBytes: number): number {
  const set = hostileValues(remaining)
  if (elementBytes > 0) set.push(Math.floor(remaining / elementBytes) + 1)
  return set[choice % set.length]!
}

function overlong(value: number, style: 'continuation' | 'high-bits' | 'non-minimal', extra: number, kind: 'varint' | 'varlong'): Buffer {
  const minimal = varintBytes(value)
  const groups = [...minimal].map((byte) => byte & 0x7f)
  if (style === 'non-minimal') {
    // Legal but padded: the same value in more bytes (at most 5 for a varint, 10 for a varlong).
    const limit = kind === 'varint' ? 5 : 10
    while (groups.length < Math.min(limit, minimal.length + 1 + (extra % 3))) groups.push(0)
  } else if (style === 'continuation') {
    // 6+ bytes for an int32, 11+ for an int64.
    const target = (kind === 'varint' ? 6 : 11) + extra
    while (groups.length < target) groups.push(0)
  } else {
    // A 5th byte carrying bits above bit 31 (10th above bit 63 for a varlong).
    const target = kind === 'varint' ? 5 : 10
    while (groups.length < target) groups.push(0)
    groups[target - 1] = 0x10 | (extra & 0x0f) | (kind === 'varlong' ? 0x02 : 0)
    groups.length = target
  }
  return Buffer.from(groups.map((group, i) => (i < groups.length - 1 ? group | 0x80 : group)))
}

interface BatchCase {
  records: ModelRecord[]
  compress: boolean
  mutation: Mutation
  fixCrc: boolean
}

const batchCase: fc.Arbitrary<BatchCase> = fc.record({ records: modelRecords, compress: fc.boolean(), mutation, fixCrc: fc.boolean() })

/** The mutated batch bytes and the decompression cap to decode them with. */
function mutate(input: BatchCase, clean: Buffer, cleanGzip: Buffer): { bytes: Buffer; cap: number } {
  const m = input.mutation
  let region: Buffer = Buffer.from(clean.subarray(BATCH_HEADER_BYTES))
  const fields = recordFields(region)
  if (m.kind === 'field' && fields.length > 0) {
    const field = fields[m.field % fields.length]!
    region = splice(region, field.at, field.size, varintBytes(hostileChoice(m.choice, field.remaining, field.elementBytes)))
  } else if (m.kind === 'overlong' && fields.length > 0) {
    const field = fields[m.field % fields.length]!
    const cursor = { position: field.at }
    const value = field.kind === 'varint' ? readVarint(region, cursor) : 0
    region = splice(region, field.at, field.size, overlong(value, m.style, m.extra, field.kind))
  } else if (m.kind === 'splice') {
    const at = m.at % (region.length + 1)
    region = Buffer.concat([region.subarray(0, at), m.bytes, region.subarray(at)])
  }
  let cap = DEFAULT_CAP
  const header = Buffer.from(clean.subarray(0, BATCH_HEADER_BYTES))
  let payload: Buffer = region
  if (m.kind === 'bomb') {
    payload = bomb(m.bomb)
    header.writeInt16BE(1, OFFSET.attributes)
    header.writeInt32BE(m.count, OFFSET.recordsCount)
    header.writeInt32BE(m.count - 1, OFFSET.lastOffsetDelta)
    cap = m.cap
  } else if (input.compress) {
    payload = gzipSync(region)
    header.writeInt16BE(1, OFFSET.attributes)
  }
  let out: Buffer = Buffer.concat([header, payload])
  out.writeInt32BE(out.length - 12, OFFSET.batchLength)
  // Without the recompute below, the CRC stays the one of the unmutated batch (in the same codec).
  if (input.compress && m.kind !== 'bomb') out.writeUInt32BE(cleanGzip.readUInt32BE(OFFSET.crc), OFFSET.crc)
  if (m.kind === 'header') {
    const remaining = m.field === 'batchLength' ? out.length - 12 : out.length - BATCH_HEADER_BYTES
    const value = m.choice === 10 ? m.random : hostileChoice(m.choice, remaining, m.field === 'recordsCount' ? 7 : 0)
    switch (m.field) {
      case 'batchLength': out.writeInt32BE(value | 0, OFFSET.batchLength); break
      case 'recordsCount': out.writeInt32BE(value | 0, OFFSET.recordsCount); break
      case 'lastOffsetDelta': out.writeInt32BE(value === input.records.length - 1 ? value + 1 : value | 0, OFFSET.lastOffsetDelta); break
      case 'baseOffset': out.writeBigInt64BE(BigInt(value) << 32n, OFFSET.baseOffset); break
      case 'baseTimestamp': out.writeBigInt64BE(BigInt(value) * 0x7fffffffn, OFFSET.baseTimestamp); break
      case 'magic': out.writeInt8(((value % 128) + 128) % 128 === 2 ? 1 : ((value % 128) + 128) % 128, OFFSET.magic); break
      case 'attributes': out.writeInt16BE(value & 0x7fff, OFFSET.attributes); break
    }
  } else if (m.kind === 'codec') {
    out.writeInt16BE((out.readInt16BE(OFFSET.attributes) & ~7) | m.codec, OFFSET.attributes)
  } else if (m.kind === 'flip') {
    for (const [at, bit] of m.flips) out[at % out.length]! ^= 1 << bit
  } else if (m.kind === 'substitute') {
    out[m.at % out.length] = m.value
  } else if (m.kind === 'truncate') {
    out = Buffer.from(out.subarray(0, m.at % out.length))
    if (m.patchLength && out.length >= 12) out.writeInt32BE(out.length - 12, OFFSET.batchLength)
  }
  if (input.fixCrc && out.length > CRC_START) out.writeUInt32BE(crc32c(out.subarray(CRC_START)), OFFSET.crc)
  return { bytes: out, cap }
}

// ---------------------------------------------------------------------------------------------
// Running one input

/**
 * Decodes `input` with both entry points, each timed and with its allocations probed; returns
 * the records of the whole-batch decode (or null when it was refused).
 */
function decodeChecked(report: FuzzReport, input: Buffer, options: DecodeOptions, label: string): FetchedRecord[] | null {
  const cap = options.maxDecompressedBytes ?? DEFAULT_CAP
  const bound = Math.max(4 * input.length, cap + 64 * 1024)
  let whole: FetchedRecord[] | null = null
  for (const entry of ['batch', 'set'] as const) {
    const outcome: { result: FetchedRecord[] | null; failure: unknown; largest: number } = { result: null, failure: null, largest: 0 }
    timeInput(report, () => {
      try {
        const probed = probeAllocations(() => (entry === 'batch' ? decodeBatchRecords(input, 0, options) : decodeRecordSet(input, options)))
        outcome.result = probed.result
        outcome.largest = probed.largest
        outcome.failure = null
      } catch (error) {
        outcome.failure = error
        outcome.result = null
      }
    })
    const { result, failure, largest } = outcome
    if (failure !== null) {
      if (!isBrokerError(failure)) {
        report.crashes++
        throw new FuzzFailure('crash', `${entry} decode of ${label} threw ${String(failure)} ${(failure as Error)?.stack ?? ''}`)
      }
      if (!ALLOWED_CODES.has(failure.code)) throw new FuzzFailure('crash', `${entry} decode of ${label} threw BrokerError ${failure.code}: ${failure.message}`)
      count(report, failure.code)
    } else {
      count(report, 'records')
    }
    if (largest > bound) {
      report.blowUps++
      throw new FuzzFailure('blow-up', `${entry} decode of ${input.length} bytes (${label}) allocated ${largest} bytes`)
    }
    if (result !== null) checkBounded(report, result, input, cap, label)
    if (entry === 'batch') whole = result
  }
  return whole
}

/** Returned records cannot hold more than the input (or the decompressed bytes) nor be more than it can encode. */
function checkBounded(report: FuzzReport, records: FetchedRecord[], input: Buffer, cap: number, label: string): void {
  const compressed = input.length > OFFSET.attributes + 1 && (input.readInt16BE(OFFSET.attributes) & 7) !== 0
  const limit = compressed ? cap : input.length
  let held = 0
  for (const record of records) {
    held += (record.key?.length ?? 0) + (record.value?.length ?? 0)
    for (const value of Object.values(record.headers)) {
      for (const one of Array.isArray(value) ? value : [value]) held += one?.length ?? 0
    }
  }
  if (held > limit || records.length > limit / 6) {
    report.blowUps++
    throw new FuzzFailure('blow-up', `${records.length} records holding ${held} bytes from ${input.length} input bytes (${label})`)
  }
}

/** (a) + (b): valid batches round-trip; their mutations decode to records or a typed error. */
export function batchProperty(report: FuzzReport, options: FuzzOptions): fc.IProperty<[BatchCase]> {
  warmUp()
  return fc.property(batchCase, (input) => {
    report.runs++
    const clean = build(input.records)
    const cleanGzip = gzippedCopy(clean)
    // (a) The model round-trips, plain and gzipped.
    for (const valid of [clean, cleanGzip]) {
      if (!matchesModel(decodeBatchRecords(valid, 0, { verifyCrc: true }), input.records)) {
        throw new FuzzFailure('wrong', 'a valid batch did not decode back to its records')
      }
    }
    const { bytes: mutated, cap } = mutate(input, clean, cleanGzip)
    options.onInput?.(mutated)
    const label = `${input.mutation.kind}${input.compress ? '+gzip' : ''}${input.fixCrc ? '+crc' : ''}`
    // With the CRC recomputed the mutation passes the CRC gate; without, both gates are tried.
    const decoded = decodeChecked(report, mutated, { verifyCrc: input.fixCrc ? true : mutated.length % 2 === 0, maxDecompressedBytes: cap }, label)
    if (input.mutation.kind === 'none' && (decoded === null || !matchesModel(decoded, input.records))) {
      throw new FuzzFailure('wrong', 'an unmutated batch did not decode back to its records')
    }
    if (decoded !== null) {
      const same = reencodes(decoded)
      if (same === false) throw new FuzzFailure('wrong', `records decoded from a ${label} batch do not re-encode to themselves`)
      if (same === true) count(report, 're-encoded')
    }
    return true
  })
}

/**
 * Builds the bombs and inflates each once, untimed: the first 16 MiB inflation of a process pays
 * for page faults and zlib's set-up (80+ ms), which is not the decoder's cost per input.
 */
function warmUp(): void {
  for (let index = 0; index < 3; index++) {
    const batch = Buffer.concat([Buffer.alloc(BATCH_HEADER_BYTES), bomb(index)])
    batch.writeInt32BE(batch.length - 12, OFFSET.batchLength)
    batch.writeInt8(2, OFFSET.magic)
    batch.writeInt16BE(1, OFFSET.attributes)
    batch.writeInt32BE(1, OFFSET.recordsCount)
    try {
      decodeBatchRecords(batch, 0)
    } catch {
      // RECORD_LIST_TOO_LARGE or CORRUPT_MESSAGE: what the fuzz run checks
    }
  }
}

function gzippedCopy(batch: Buffer): Buffer {
  const out = Buffer.concat([batch.subarray(0, BATCH_HEADER_BYTES), gzipSync(batch.subarray(BATCH_HEADER_BYTES))])
  out.writeInt32BE(out.length - 12, OFFSET.batchLength)
  out.writeInt16BE(1, OFFSET.attributes)
  out.writeUInt32BE(crc32c(out.subarray(CRC_START)), OFFSET.crc)
  return out
}

// ---------------------------------------------------------------------------------------------
// (c) Random bytes

interface RandomCase {
  body: Buffer
  plausibleHeader: boolean
  codec: number
  gzipBody: boolean
  countChoice: number
  fixCrc: boolean
}

const randomCase: fc.Arbitrary<RandomCase> = fc.record({
  body: fc.oneof(bytes(64), bytes(700)),
  plausibleHeader: fc.boolean(),
  codec: fc.constantFrom(0, 0, 1, 1, 2, 3, 4, 5, 7),
  gzipBody: fc.boolean(),
  countChoice: fc.nat(10),
  fixCrc: fc.boolean(),
})

function randomBytes(input: RandomCase): Buffer {
  if (!input.plausibleHeader) return input.body
  const payload = input.codec === 1 && input.gzipBody ? gzipSync(input.body) : input.body
  const out = Buffer.concat([Buffer.alloc(BATCH_HEADER_BYTES), payload])
  out.writeInt32BE(out.length - 12, OFFSET.batchLength)
  out.writeInt8(2, OFFSET.magic)
  out.writeInt16BE(input.codec, OFFSET.attributes)
  const recordsCount = hostileChoice(input.countChoice, input.body.length, 7)
  out.writeInt32BE(recordsCount | 0, OFFSET.recordsCount)
  out.writeInt32BE((recordsCount - 1) | 0, OFFSET.lastOffsetDelta)
  if (input.fixCrc) out.writeUInt32BE(crc32c(out.subarray(CRC_START)), OFFSET.crc)
  return out
}

export function randomProperty(report: FuzzReport, options: FuzzOptions): fc.IProperty<[RandomCase]> {
  return fc.property(randomCase, (input) => {
    report.runs++
    const data = randomBytes(input)
    options.onInput?.(data)
    decodeChecked(report, data, { verifyCrc: input.fixCrc }, input.plausibleHeader ? `random records (codec ${input.codec})` : 'random bytes')
    return true
  })
}

export function batchReports(seed: number) {
  return {
    mutated: newReport('record batch, model + mutations (B1)', seed),
    random: newReport('record batch, random bytes (B1)', seed),
  }
}

/** Mutated (and some valid) batches as bytes, for wrapping in Produce requests (the live flood). */
export const mutatedBatch: fc.Arbitrary<Buffer> = batchCase.map((input) => {
  const clean = build(input.records)
  return mutate(input, clean, gzippedCopy(clean)).bytes
})
