import test, { type ExecutionContext } from 'ava'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { isBrokerError } from '../../src/errors.js'
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type TopicPartitions,
} from '../../src/coordinator/consumer-protocol.js'

const seed = Number(process.env.FC_SEED ?? Date.now() % 0x7fffffff)
const numRuns = 200

// Real client frames: see test/fixtures/kafka-wire/README.md.
const FIXTURES = new URL('../fixtures/kafka-wire/', import.meta.url)
const readFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES))
const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURES), 'utf8')) as Array<{ file: string; body: Record<string, unknown> }>
const manifestBody = (file: string): Record<string, unknown> => manifest.find((entry) => entry.file === file)!.body

/** Just enough of Kafka's non-flexible request framing to reach the embedded ConsumerProtocol blobs. */
class FrameReader {
  position = 0
  constructor(readonly bytes: Buffer) {}
  int16(): number {
    this.position += 2
    return this.bytes.readInt16BE(this.position - 2)
  }
  int32(): number {
    this.position += 4
    return this.bytes.readInt32BE(this.position - 4)
  }
  string(): string {
    const length = this.int16()
    this.position += Math.max(length, 0)
    return this.bytes.toString('utf8', this.position - Math.max(length, 0), this.position)
  }
  bytesField(): Buffer {
    const length = this.int32()
    this.position += length
    return this.bytes.subarray(this.position - length, this.position)
  }
  /** size, api_key, api_version, correlation_id, client_id: the v1 request header. */
  requestHeader(apiKey: number, apiVersion: number): void {
    if (this.int32() !== this.bytes.length - 4) throw new Error('size prefix mismatch')
    if (this.int16() !== apiKey || this.int16() !== apiVersion) throw new Error('unexpected api')
    this.int32()
    this.string()
  }
}

/** JoinGroup v2 request: group_id, session_timeout, rebalance_timeout, member_id, protocol_type, [name, metadata]. */
function joinGroupProtocols(file: string): Array<{ name: string; metadata: Buffer }> {
  const reader = new FrameReader(readFixture(file))
  reader.requestHeader(11, 2)
  reader.string()
  reader.int32()
  reader.int32()
  reader.string()
  reader.string()
  const protocols = Array.from({ length: reader.int32() }, () => ({ name: reader.string(), metadata: reader.bytesField() }))
  if (reader.position !== reader.bytes.length) throw new Error('JoinGroup request not fully read')
  return protocols
}

/** SyncGroup v1 request: group_id, generation_id, member_id, [member_id, assignment]. */
function syncGroupAssignments(file: string): Array<{ memberId: string; assignment: Buffer }> {
  const reader = new FrameReader(readFixture(file))
  reader.requestHeader(14, 1)
  reader.string()
  reader.int32()
  reader.string()
  const assignments = Array.from({ length: reader.int32() }, () => ({ memberId: reader.string(), assignment: reader.bytesField() }))
  if (reader.position !== reader.bytes.length) throw new Error('SyncGroup request not fully read')
  return assignments
}

function corrupt(t: ExecutionContext, run: () => unknown, message?: string): void {
  const error = t.throws(run, undefined, message)
  t.true(isBrokerError(error), String(error))
  t.is((error as { code?: string }).code, 'CORRUPT_MESSAGE', message)
}

test('kcat (librdkafka) JoinGroup: range and roundrobin carry Subscription v1 with empty owned_partitions', (t) => {
  const protocols = joinGroupProtocols('kcat-joingroup-v2.req.bin')
  t.deepEqual(protocols.map((protocol) => protocol.name), ['range', 'roundrobin'])
  const manifestProtocols = manifestBody('kcat-joingroup-v2.req.bin').protocols as Array<{ metadata: string }>
  for (const [i, { metadata }] of protocols.entries()) {
    t.is(metadata.toString('hex'), manifestProtocols[i].metadata)
    t.deepEqual(decodeSubscription(metadata), {
      version: 1, topics: ['fx-kcat'], userData: Buffer.alloc(0), ownedPartitions: [], generationId: -1, rackId: null,
    })
    t.deepEqual(encodeSubscription({ version: 1, topics: ['fx-kcat'], userData: Buffer.alloc(0), ownedPartitions: [] }), metadata)
  }
  // The mock broker echoes the leader's view of the member: the same bytes.
  t.true(readFixture('kcat-joingroup-v2.res.bin').includes(protocols[0].metadata))
})

test('kafkajs JoinGroup: Subscription v0', (t) => {
  const [protocol] = joinGroupProtocols('kafkajs-joingroup-v2.req.bin')
  t.is(protocol.name, 'RoundRobinAssigner')
  t.deepEqual(decodeSubscription(protocol.metadata), {
    version: 0, topics: ['fx-kafkajs'], userData: Buffer.alloc(0), ownedPartitions: [], generationId: -1, rackId: null,
  })
  t.deepEqual(encodeSubscription({ version: 0, topics: ['fx-kafkajs'], userData: Buffer.alloc(0) }), protocol.metadata)
  t.true(readFixture('kafkajs-joingroup-v2.res.bin').includes(protocol.metadata))
})

test('kafka-python JoinGroup: Subscription v0 for both protocols', (t) => {
  const protocols = joinGroupProtocols('kafka-python-joingroup-v2.req.bin')
  t.deepEqual(protocols.map((protocol) => protocol.name), ['range', 'roundrobin'])
  for (const { metadata } of protocols) {
    const subscription = decodeSubscription(metadata)
    t.deepEqual([subscription.version, subscription.topics, subscription.userData], [0, ['fx-kafka-python'], Buffer.alloc(0)])
    t.deepEqual(encodeSubscription({ version: 0, topics: ['fx-kafka-python'], userData: Buffer.alloc(0) }), metadata)
  }
})

test('kcat SyncGroup: Assignment v0 {fx-kcat: [0]}, echoed by the broker', (t) => {
  const [entry] = syncGroupAssignments('kcat-syncgroup-v1.req.bin')
  t.is(entry.memberId, '0x7f3ef8007b40')
  const assignments = manifestBody('kcat-syncgroup-v1.req.bin').assignments as Array<{ assignment: string }>
  t.is(entry.assignment.toString('hex'), assignments[0].assignment)
  t.deepEqual(decodeAssignment(entry.assignment), { version: 0, assignment: [{ topic: 'fx-kcat', partitions: [0] }], userData: Buffer.alloc(0) })
  t.deepEqual(encodeAssignment({ version: 0, assignment: [{ topic: 'fx-kcat', partitions: [0] }], userData: Buffer.alloc(0) }), entry.assignment)
  const response = readFixture('kcat-syncgroup-v1.res.bin')
  // SyncGroup v1 response: size, correlation_id, throttle_time_ms, error_code, assignment bytes.
  t.deepEqual(response.subarray(18), entry.assignment)
  t.is(response.readInt32BE(14), entry.assignment.length)
})

test('an empty assignment buffer is an empty assignment (what Kafka sends members left out)', (t) => {
  t.deepEqual(decodeAssignment(Buffer.alloc(0)), { version: 0, assignment: [], userData: null })
})

test('defaults: subscription v1 with null user data, assignment v0', (t) => {
  t.is(encodeSubscription({ topics: ['a'] }).toString('hex'), '0001' + '00000001' + '000161' + 'ffffffff' + '00000000')
  t.is(encodeAssignment({ assignment: [] }).toString('hex'), '0000' + '00000000' + 'ffffffff')
  // v0 cannot carry owned partitions; like Kafka's ignorable field, they are dropped.
  t.deepEqual(encodeSubscription({ version: 0, topics: [], ownedPartitions: [{ topic: 'a', partitions: [1] }] }), Buffer.from('0000' + '00000000' + 'ffffffff', 'hex'))
})

function withGenerationAndRack(version: number, tail: Buffer): Buffer {
  const v1 = encodeSubscription({ version: 1, topics: ['t'], ownedPartitions: [{ topic: 't', partitions: [2, 0] }] })
  const bytes = Buffer.concat([v1, tail])
  bytes.writeInt16BE(version, 0)
  return bytes
}

test('Subscription v2 and v3 (generation, rack) decode; newer versions read as v3 with trailing bytes ignored', (t) => {
  const generation = Buffer.from('00000007', 'hex')
  const rack = Buffer.from('0002' + Buffer.from('r1').toString('hex'), 'hex')
  const owned = [{ topic: 't', partitions: [2, 0] }]
  const v2 = decodeSubscription(withGenerationAndRack(2, generation))
  t.like(v2, { version: 2, topics: ['t'], userData: null, ownedPartitions: owned, generationId: 7, rackId: null })
  const v3 = decodeSubscription(withGenerationAndRack(3, Buffer.concat([generation, rack])))
  t.like(v3, { version: 3, generationId: 7, rackId: 'r1' })
  t.is(decodeSubscription(withGenerationAndRack(3, Buffer.concat([generation, Buffer.from('ffff', 'hex')]))).rackId, null)
  const future = decodeSubscription(withGenerationAndRack(9, Buffer.concat([generation, rack, Buffer.from('deadbeef', 'hex')])))
  t.like(future, { version: 9, ownedPartitions: owned, generationId: 7, rackId: 'r1' })
  // Trailing bytes after a v1 body and after an assignment are ignored too.
  t.like(decodeSubscription(withGenerationAndRack(1, Buffer.from('ff', 'hex'))), { version: 1, generationId: -1 })
  const assignment = Buffer.concat([encodeAssignment({ version: 1, assignment: owned }), Buffer.from('0102', 'hex')])
  assignment.writeInt16BE(3, 0)
  t.deepEqual(decodeAssignment(assignment), { version: 3, assignment: owned, userData: null })
  // A v2 header promising a generation that is not there is truncated.
  corrupt(t, () => decodeSubscription(withGenerationAndRack(2, Buffer.alloc(0))))
})

test('hostile subscriptions and assignments: CORRUPT_MESSAGE, no large allocation', (t) => {
  const cases: Array<[string, string]> = [
    ['negative version', 'ffff' + '00000000' + 'ffffffff'],
    ['topic count -1', '0000' + 'ffffffff' + 'ffffffff'],
    ['topic count 2^31-1', '0000' + '7fffffff' + '0001' + '61'],
    ['null topic', '0000' + '00000001' + 'ffff' + 'ffffffff'],
    ['topic past the end', '0000' + '00000001' + '0005' + '6162'],
    ['user_data length -2', '0000' + '00000000' + 'fffffffe'],
    ['user_data past the end', '0000' + '00000000' + '00000010' + '0102'],
    ['owned count 2^31-1', '0001' + '00000000' + 'ffffffff' + '7fffffff'],
    ['owned partitions count huge', '0001' + '00000000' + 'ffffffff' + '00000001' + '0001' + '61' + '40000000' + '00000000'],
    ['owned partitions count negative', '0001' + '00000000' + 'ffffffff' + '00000001' + '0001' + '61' + 'ffffffff'],
    ['v3 rack length -2', '0003' + '00000000' + 'ffffffff' + '00000000' + '00000001' + 'fffe'],
    ['one byte', '00'],
  ]
  for (const [name, hex] of cases) corrupt(t, () => decodeSubscription(Buffer.from(hex, 'hex')), name)
  for (const hex of ['00', '0000', '0000' + '7fffffff', '0000' + '00000001' + '0001' + '61' + '7fffffff', '0000' + '00000000']) {
    corrupt(t, () => decodeAssignment(Buffer.from(hex, 'hex')), hex)
  }
})

test('every truncation of the real fixtures is CORRUPT_MESSAGE', (t) => {
  const subscription = joinGroupProtocols('kcat-joingroup-v2.req.bin')[0].metadata
  const assignment = syncGroupAssignments('kcat-syncgroup-v1.req.bin')[0].assignment
  for (let length = 1; length < subscription.length; length++) corrupt(t, () => decodeSubscription(subscription.subarray(0, length)))
  for (let length = 1; length < assignment.length; length++) corrupt(t, () => decodeAssignment(assignment.subarray(0, length)))
  corrupt(t, () => decodeSubscription(Buffer.alloc(0)))
})

test('unrepresentable values are refused when encoding (INVALID_REQUEST)', (t) => {
  const invalid = (run: () => unknown): void => {
    const error = t.throws(run)
    t.true(isBrokerError(error))
    t.is((error as { code?: string }).code, 'INVALID_REQUEST')
  }
  invalid(() => encodeSubscription({ topics: ['x'.repeat(0x8000)] }))
  invalid(() => encodeAssignment({ assignment: [{ topic: 't', partitions: [2 ** 31] }] }))
  invalid(() => encodeAssignment({ assignment: [{ topic: 't', partitions: [1.5] }] }))
  invalid(() => encodeSubscription({ version: 2 as 1, topics: [] }))
  // 32767 bytes is the largest string; a multi-byte name counts in bytes.
  t.notThrows(() => encodeSubscription({ topics: ['x'.repeat(0x7fff)] }))
  invalid(() => encodeSubscription({ topics: ['é'.repeat(0x4000)] }))
})

// --- properties -------------------------------------------------------------------------------

const topicName = fc.string({ unit: 'grapheme', maxLength: 12 })
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
const topicPartitions: fc.Arbitrary<TopicPartitions[]> = fc.array(
  // Plain objects: fc.record's null prototype would fail the strict comparison with decoded values.
  fc.tuple(topicName, fc.array(int32, { maxLength: 8 })).map(([topic, partitions]) => ({ topic, partitions })),
  { maxLength: 5 },
)
const userData = fc.option(fc.uint8Array({ maxLength: 32 }).map((bytes) => Buffer.from(bytes)), { nil: null })

test('property: subscriptions round-trip through encode/decode', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(
    fc.property(fc.constantFrom(0 as const, 1 as const), fc.array(topicName, { maxLength: 6 }), userData, topicPartitions, (version, topics, data, owned) => {
      const decoded = decodeSubscription(encodeSubscription({ version, topics, userData: data, ownedPartitions: owned }))
      return isDeepStrictEqual(decoded, { version, topics, userData: data, ownedPartitions: version === 1 ? owned : [], generationId: -1, rackId: null })
    }),
    { seed, numRuns },
  )
  t.pass()
})

test('property: assignments round-trip through encode/decode', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(
    fc.property(fc.constantFrom(0 as const, 1 as const), topicPartitions, userData, (version, assignment, data) => {
      return isDeepStrictEqual(decodeAssignment(encodeAssignment({ version, assignment, userData: data })), { version, assignment, userData: data })
    }),
    { seed, numRuns },
  )
  t.pass()
})

/** A decoder's only allowed outcomes: a value, or a CORRUPT_MESSAGE BrokerError. */
function decodesOrCorrupt(run: () => unknown): boolean {
  try {
    run()
    return true
  } catch (error) {
    if (isBrokerError(error) && error.code === 'CORRUPT_MESSAGE') return true
    throw error
  }
}

test('property: hostile bytes (random, and mutated valid encodings) give a value or CORRUPT_MESSAGE', (t) => {
  t.log(`fast-check seed ${seed}`)
  const randomBytes = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes))
  const mutated = fc
    .tuple(fc.array(topicName, { maxLength: 3 }), topicPartitions, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat())
    .map(([topics, owned, flips, cut]) => {
      const bytes = Buffer.from(encodeSubscription({ topics, ownedPartitions: owned }))
      for (const [at, value] of flips) bytes[at % bytes.length] = value
      return bytes.subarray(0, cut % (bytes.length + 1))
    })
  fc.assert(
    fc.property(fc.oneof(randomBytes, mutated), (bytes) => decodesOrCorrupt(() => decodeSubscription(bytes)) && decodesOrCorrupt(() => decodeAssignment(bytes))),
    { seed, numRuns },
  )
  t.pass()
})
