/**
 * Kafka's ConsumerProtocol: the bytes a consumer puts in JoinGroup's protocol metadata (its
 * Subscription) and the leader puts in SyncGroup for each member (its Assignment). The group
 * coordinator treats both as opaque; they are decoded and encoded here, by members and leaders,
 * so that embedded consumers and Kafka clients (Java, librdkafka, kafkajs) can share a group.
 *
 * Big-endian, Kafka's non-flexible primitives:
 *
 *   Subscription      => version:int16 topics:[string] user_data:bytes?
 *                        owned_partitions:[TopicPartitions]   (v1+)
 *                        generation_id:int32                  (v2+, -1 = unknown)
 *                        rack_id:string?                      (v3+)
 *   Assignment        => version:int16 assigned_partitions:[TopicPartitions] user_data:bytes?
 *                        (v0 to v3 share this layout)
 *   TopicPartitions   => topic:string partitions:[int32]
 *   [T]               => count:int32 (>= 0), then count × T
 *   string            => length:int16 (>= 0), then length UTF-8 bytes
 *   string?           => length:int16, -1 = null
 *   bytes?            => length:int32, -1 = null, then length bytes
 *
 * Forward compatibility is Kafka's: a newer version only appends fields, so a decoder reads the
 * fields it knows and ignores the rest. A zero-length Assignment means "nothing assigned": Kafka
 * brokers send it to members the leader left out. Anything else malformed is CORRUPT_MESSAGE.
 */
import { BrokerError } from '../errors.js'
import type { TopicPartitions } from './assignors/types.js'

export type { TopicPartitions }

export interface Subscription {
  /** As found on the wire; versions above 3 are read as 3. */
  version: number
  topics: string[]
  userData: Buffer | null
  /** Empty before v1. */
  ownedPartitions: TopicPartitions[]
  /** -1 before v2. */
  generationId: number
  /** null before v3. */
  rackId: string | null
}

export interface SubscriptionInput {
  /** Default 1 (what librdkafka sends); v0 cannot carry ownedPartitions, so it drops them, as Kafka does. */
  version?: 0 | 1
  topics: readonly string[]
  /** Default null, the schema's default (written as length -1). */
  userData?: Uint8Array | null
  ownedPartitions?: readonly TopicPartitions[]
}

export interface Assignment {
  version: number
  assignment: TopicPartitions[]
  userData: Buffer | null
}

export interface AssignmentInput {
  /** Default 0: the one layout every client reads. */
  version?: 0 | 1
  assignment: readonly TopicPartitions[]
  userData?: Uint8Array | null
}

const INT16_MAX = 0x7fff
const INT32_MIN = -0x80000000
const INT32_MAX = 0x7fffffff

// ---------------------------------------------------------------------------------------------
// Decoding

/** A bounds-checked big-endian reader: every read first checks that the bytes are there. */
class Reader {
  private position = 0

  constructor(
    private readonly bytes: Buffer,
    private readonly what: string,
  ) {}

  private corrupt(reason: string): BrokerError {
    return new BrokerError('CORRUPT_MESSAGE', `${this.what}: ${reason} at byte ${this.position}`, { position: this.position })
  }

  private need(byteCount: number, field: string): void {
    if (this.bytes.length - this.position < byteCount) throw this.corrupt(`${field} truncated`)
  }

  int16(field: string): number {
    this.need(2, field)
    const value = this.bytes.readInt16BE(this.position)
    this.position += 2
    return value
  }

  int32(field: string): number {
    this.need(4, field)
    const value = this.bytes.readInt32BE(this.position)
    this.position += 4
    return value
  }

  /**
   * An array count, checked against what the remaining bytes could hold (each element takes at
   * least `minElementBytes`), so a hostile count can never make us allocate or loop for long.
   */
  count(field: string, minElementBytes: number): number {
    const count = this.int32(field)
    if (count < 0) throw this.corrupt(`${field} count ${count} is negative`)
    if (count * minElementBytes > this.bytes.length - this.position) throw this.corrupt(`${field} count ${count} exceeds the remaining bytes`)
    return count
  }

  nullableString(field: string): string | null {
    const length = this.int16(field)
    if (length === -1) return null
    if (length < 0) throw this.corrupt(`${field} length ${length} is invalid`)
    this.need(length, field)
    const value = this.bytes.toString('utf8', this.position, this.position + length)
    this.position += length
    return value
  }

  string(field: string): string {
    const value = this.nullableString(field)
    if (value === null) throw this.corrupt(`${field} is null`)
    return value
  }

  /** Copied out: the decoded value outlives the request frame and must not pin it. */
  nullableBytes(field: string): Buffer | null {
    const length = this.int32(field)
    if (length === -1) return null
    if (length < 0) throw this.corrupt(`${field} length ${length} is invalid`)
    this.need(length, field)
    const value = Buffer.from(this.bytes.subarray(this.position, this.position + length))
    this.position += length
    return value
  }

  topicPartitions(field: string): TopicPartitions[] {
    // Smallest element: an empty topic name (2 bytes) and an empty partition array (4 bytes).
    const topicCount = this.count(field, 6)
    const result: TopicPartitions[] = []
    for (let i = 0; i < topicCount; i++) {
      const topic = this.string(`${field} topic`)
      const partitionCount = this.count(`${field} partitions`, 4)
      const partitions = new Array<number>(partitionCount)
      for (let j = 0; j < partitionCount; j++) partitions[j] = this.int32(`${field} partition`)
      result.push({ topic, partitions })
    }
    return result
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function readVersion(reader: Reader): number {
  const version = reader.int16('version')
  if (version < 0) throw new BrokerError('CORRUPT_MESSAGE', `unsupported ConsumerProtocol version ${version}`, { version })
  return version
}

export function decodeSubscription(bytes: Uint8Array): Subscription {
  const reader = new Reader(asBuffer(bytes), 'ConsumerProtocol subscription')
  const version = readVersion(reader)
  const topicCount = reader.count('topics', 2)
  const topics: string[] = []
  for (let i = 0; i < topicCount; i++) topics.push(reader.string('topic'))
  const userData = reader.nullableBytes('user_data')
  const ownedPartitions = version >= 1 ? reader.topicPartitions('owned_partitions') : []
  const generationId = version >= 2 ? reader.int32('generation_id') : -1
  const rackId = version >= 3 ? reader.nullableString('rack_id') : null
  return { version, topics, userData, ownedPartitions, generationId, rackId }
}

export function decodeAssignment(bytes: Uint8Array): Assignment {
  if (bytes.length === 0) return { version: 0, assignment: [], userData: null }
  const reader = new Reader(asBuffer(bytes), 'ConsumerProtocol assignment')
  const version = readVersion(reader)
  const assignment = reader.topicPartitions('assigned_partitions')
  const userData = reader.nullableBytes('user_data')
  return { version, assignment, userData }
}

// ---------------------------------------------------------------------------------------------
// Encoding: strings are converted and every value checked first, so the buffer is sized exactly
// once and an unrepresentable value (a topic name over 32767 bytes, a partition outside int32)
// is an INVALID_REQUEST rather than a silently wrong frame.

function invalid(reason: string, details: Record<string, unknown>): BrokerError {
  return new BrokerError('INVALID_REQUEST', `ConsumerProtocol: ${reason}`, details)
}

function stringBytes(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8')
  if (bytes.length > INT16_MAX) throw invalid(`string of ${bytes.length} bytes exceeds ${INT16_MAX}`, { length: bytes.length })
  return bytes
}

function checkPartitions(list: readonly TopicPartitions[]): Array<{ topic: Buffer; partitions: readonly number[] }> {
  return list.map(({ topic, partitions }) => {
    for (const partition of partitions) {
      if (!Number.isInteger(partition) || partition < INT32_MIN || partition > INT32_MAX) {
        throw invalid(`partition ${partition} of ${topic} is not an int32`, { topic, partition })
      }
    }
    return { topic: stringBytes(topic), partitions }
  })
}

/** Writes into a buffer sized beforehand; the encoders compute that size from the same values. */
class Writer {
  readonly bytes: Buffer
  private position = 0

  constructor(size: number) {
    this.bytes = Buffer.alloc(size)
  }

  int16(value: number): void {
    this.position = this.bytes.writeInt16BE(value, this.position)
  }

  int32(value: number): void {
    this.position = this.bytes.writeInt32BE(value, this.position)
  }

  string(value: Buffer): void {
    this.int16(value.length)
    this.position += value.copy(this.bytes, this.position)
  }

  nullableBytes(value: Uint8Array | null): void {
    if (value === null) return this.int32(-1)
    this.int32(value.length)
    this.bytes.set(value, this.position)
    this.position += value.length
  }

  topicPartitions(list: ReadonlyArray<{ topic: Buffer; partitions: readonly number[] }>): void {
    this.int32(list.length)
    for (const { topic, partitions } of list) {
      this.string(topic)
      this.int32(partitions.length)
      for (const partition of partitions) this.int32(partition)
    }
  }
}

const topicPartitionsSize = (list: ReadonlyArray<{ topic: Buffer; partitions: readonly number[] }>): number =>
  list.reduce((size, { topic, partitions }) => size + 2 + topic.length + 4 + 4 * partitions.length, 4)

/** Only the versions whose layout ends where this encoder stops; a v2+ header would promise more fields. */
function encodableVersion(version: number): number {
  if (version !== 0 && version !== 1) throw invalid(`cannot encode version ${version}`, { version })
  return version
}

export function encodeSubscription(input: SubscriptionInput): Buffer {
  const version = encodableVersion(input.version ?? 1)
  const topics = input.topics.map(stringBytes)
  const userData = input.userData ?? null
  const owned = version >= 1 ? checkPartitions(input.ownedPartitions ?? []) : []
  const size =
    2 +
    topics.reduce((sum, topic) => sum + 2 + topic.length, 4) +
    4 + (userData?.length ?? 0) +
    (version >= 1 ? topicPartitionsSize(owned) : 0)
  const writer = new Writer(size)
  writer.int16(version)
  writer.int32(topics.length)
  for (const topic of topics) writer.string(topic)
  writer.nullableBytes(userData)
  if (version >= 1) writer.topicPartitions(owned)
  return writer.bytes
}

export function encodeAssignment(input: AssignmentInput): Buffer {
  const version = encodableVersion(input.version ?? 0)
  const assigned = checkPartitions(input.assignment)
  const userData = input.userData ?? null
  const writer = new Writer(2 + topicPartitionsSize(assigned) + 4 + (userData?.length ?? 0))
  writer.int16(version)
  writer.topicPartitions(assigned)
  writer.nullableBytes(userData)
  return writer.bytes
}
